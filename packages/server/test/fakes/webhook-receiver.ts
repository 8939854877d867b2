/**
 * A real `node:http` rotation webhook receiver for tests: it checks every request's signature the way a
 * user's receiver should (HMAC-SHA-256 over `<t>.<body>`, constant-time compare) and answers with what
 * the test's handler decides.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';

/**
 * Rotation webhooks may not call loopback addresses by default; servers that tests point at this
 * receiver (on 127.0.0.1) allow exactly that address, in this one place.
 */
export const RECEIVER_NETWORK_ENV: Readonly<Record<string, string>> = {
  TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
};

export interface WebhookCall {
  readonly step: string;
  readonly body: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
  /** Whether the signature matched the signing key known when the call arrived. */
  readonly signatureValid: boolean;
}

export interface WebhookAnswer {
  readonly status: number;
  readonly body?: unknown;
  /** Wait this long before answering (to provoke timeouts). */
  readonly delayMs?: number;
  /** Extra response headers (e.g. a redirect's Location). */
  readonly headers?: Readonly<Record<string, string>>;
}

export type WebhookHandler = (call: WebhookCall) => WebhookAnswer | Promise<WebhookAnswer>;

export function verifySignature(key: Buffer, header: string | undefined, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', key).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

export class WebhookReceiver {
  readonly calls: WebhookCall[] = [];
  signingKey: Buffer | undefined;
  handler: WebhookHandler = () => ({ status: 200, body: {} });
  readonly #server: Server;
  #url = '';

  constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const body = JSON.parse(text) as Record<string, unknown>;
        const signatureValid =
          this.signingKey !== undefined &&
          verifySignature(this.signingKey, request.headers['tessera-signature'] as string | undefined, text);
        const call: WebhookCall = { step: String(body.step), body, headers: request.headers, signatureValid };
        this.calls.push(call);
        void Promise.resolve(this.handler(call)).then(async (answer) => {
          if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
          if (response.destroyed) return;
          response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
          response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
        });
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    this.#url = `http://127.0.0.1:${address.port}/rotate`;
    return this.#url;
  }

  get url(): string {
    return this.#url;
  }

  steps(): string[] {
    return this.calls.map((c) => c.step);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }
}
