/**
 * A `fetch` for the SDK built on `node:http`/`node:https`. A CLI process makes one or two requests and
 * exits; Node's global fetch first loads undici, which costs about 140 ms of CPU per process, more than
 * the rest of a `tessera get`. This covers exactly what the SDK's transport uses: a URL string, a method,
 * plain-object headers, no body, an AbortSignal; and `ok`, `status`, `headers.get` and `text()` on the
 * answer. Connections are not kept alive, so the process can exit at once.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Answers larger than this are cut off as a failure: API answers are a few kilobytes. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

interface MinimalResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

function answer(status: number, headers: IncomingHttpHeaders, body: string): MinimalResponse {
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: {
      get(name: string): string | null {
        const value = headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    text: () => Promise.resolve(body),
  };
}

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (Array.isArray(headers) || typeof (headers as { forEach?: unknown }).forEach === 'function') {
    throw new TypeError('nodeFetch takes headers as a plain object');
  }
  return { ...(headers as Record<string, string>) };
}

function nodeFetchImpl(input: string | URL | Request, init: RequestInit = {}): Promise<MinimalResponse> {
  return new Promise((resolve, reject) => {
    if (typeof input !== 'string' && !(input instanceof URL)) {
      throw new TypeError('nodeFetch takes a URL string');
    }
    const url = new URL(input);
    const signal = init.signal ?? undefined;
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const onAbort = () => {
      request.destroy();
      reject(signal?.reason as Error);
    };
    const fail = (error: Error) => {
      signal?.removeEventListener('abort', onAbort);
      // The shape global fetch rejects with, so the SDK's messages read the same.
      reject(new TypeError('fetch failed', { cause: error }));
    };
    const request = send(
      url,
      {
        method: init.method ?? 'GET',
        headers: { host: url.host, ...plainHeaders(init.headers) },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            response.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(answer(response.statusCode ?? 0, response.headers, Buffer.concat(chunks).toString('utf8')));
        });
      },
    );
    request.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end();
  });
}

/** `nodeFetchImpl`, typed as the `fetch` the SDK accepts (it reads only the members listed above). */
export const nodeFetch = nodeFetchImpl as unknown as typeof globalThis.fetch;
