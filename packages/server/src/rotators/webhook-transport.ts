/**
 * One signed POST to a rotation webhook over `node:http`/`node:https`, with the address guard as the
 * connection's name lookup (so the address checked is the address connected to), no redirects followed,
 * no proxy, no connection reuse, one deadline for lookup, connect, answer and body, and a size limit on
 * the body read back.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { WebhookAddressGuard } from './webhook-address-guard.js';
import { AddressRefusedError, hostOf } from './webhook-address-guard.js';

export interface WebhookAnswer {
  readonly status: number;
  readonly text: string;
}

/** Why no answer came back; the detail is for the log and the audit trail only. */
export class WebhookTransportError extends Error {
  override name = 'WebhookTransportError';
  readonly kind: 'address_refused' | 'timeout' | 'unreachable' | 'too_large';
  readonly detail: Readonly<Record<string, unknown>>;

  constructor(kind: WebhookTransportError['kind'], detail: Readonly<Record<string, unknown>>) {
    super(`webhook call failed: ${kind}`);
    this.kind = kind;
    this.detail = detail;
  }
}

export function postToWebhook(
  url: URL,
  options: {
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
    readonly timeoutMs: number;
    readonly guard: WebhookAddressGuard;
    readonly maxResponseBytes: number;
  },
): Promise<WebhookAnswer> {
  const { body, timeoutMs, guard, maxResponseBytes } = options;
  try {
    guard.assertLiteralAllowed(url);
  } catch (error) {
    return Promise.reject(failureOf(error, false));
  }
  const signal = AbortSignal.timeout(timeoutMs);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<WebhookAnswer>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      request.destroy();
      reject(error instanceof WebhookTransportError ? error : failureOf(error, signal.aborted));
    };
    const request = send(
      {
        protocol: url.protocol,
        hostname: hostOf(url),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...options.headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: guard.lookup,
        agent: false,
        signal,
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxResponseBytes) fail(new WebhookTransportError('too_large', { bytes: size }));
          else chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('end', () => {
          if (settled) return;
          settled = true;
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    request.on('error', fail);
    request.end(body);
  });
}

function failureOf(error: unknown, timedOut: boolean): WebhookTransportError {
  if (error instanceof AddressRefusedError) {
    return new WebhookTransportError('address_refused', { ...error.detail });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (timedOut) return new WebhookTransportError('timeout', {});
  return new WebhookTransportError('unreachable', { code: code ?? (error as Error | undefined)?.name });
}
