/**
 * A real Tessera server for SDK tests (the server package's own harness, started in-process on an
 * ephemeral port), a `fetch` that counts requests by action and can simulate an outage by sending them
 * to a closed port, and a client factory.
 */
import { createServer } from 'node:net';
import { expect } from 'vitest';
import type { ApiServer } from '../../server/test/protocols/alibaba/harness.js';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  startApiServer,
} from '../../server/test/protocols/alibaba/harness.js';
import type { TesseraClientOptions } from '../src/index.js';
import { TesseraClient } from '../src/index.js';

export { ACCESS_KEY_ID, ACCESS_KEY_SECRET };

export interface TestServer {
  readonly server: ApiServer;
  readonly baseUrl: string;
  /** A client with the admin credentials; quick retries so failure tests stay fast. */
  client(options?: TesseraClientOptions): TesseraClient;
  stop(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const server = await startApiServer();
  return {
    server,
    baseUrl: server.baseUrl,
    client: (options = {}) =>
      new TesseraClient({
        endpoint: server.baseUrl,
        accessKeyId: ACCESS_KEY_ID,
        accessKeySecret: ACCESS_KEY_SECRET,
        retryBaseDelayMs: 1,
        retryMaxDelayMs: 50,
        ...options,
      }),
    stop: () => server.stop(),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

/**
 * Wraps the global fetch and records each request's action. `outage` simulates trouble: `unreachable`
 * sends requests to a closed port (a real ECONNREFUSED), `throttled` answers 429 Rejected.Throttling,
 * `unresponsive` never answers (until the request's signal aborts it).
 */
export class CountingFetch {
  readonly actions: string[] = [];
  outage: 'none' | 'unreachable' | 'throttled' | 'unresponsive' = 'none';
  #closedPort: number | undefined;

  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    this.actions.push(headers.get('x-acs-action') ?? '?');
    if (this.outage === 'throttled') {
      const body = { RequestId: 'stub', Code: 'Rejected.Throttling', Message: 'Slow down.', HttpStatus: 429 };
      return new Response(JSON.stringify(body), {
        status: 429,
        headers: { 'content-type': 'application/json' },
      });
    }
    if (this.outage === 'unresponsive') {
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => {
          reject(init.signal?.reason as Error);
        });
      });
    }
    if (this.outage === 'none') return fetch(input, init);
    this.#closedPort ??= await closedPort();
    const url = new URL(input instanceof Request ? input.url : String(input));
    url.port = String(this.#closedPort);
    return fetch(url, init);
  };

  count(action?: string): number {
    return action === undefined ? this.actions.length : this.actions.filter((a) => a === action).length;
  }

  reset(): void {
    this.actions.length = 0;
  }
}

let counter = 0;

/** A secret name unique within the test run. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

// Asymmetric matchers typed `unknown` (vitest types them `any`), for use inside expected objects.
export const anyString = (): unknown => expect.any(String);
export const anyNumber = (): unknown => expect.any(Number);
export const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);
export const containing = (text: string): unknown => expect.stringContaining(text);
export const arrayContaining = (items: readonly unknown[]): unknown =>
  expect.arrayContaining(items as unknown[]);
