/**
 * Refusals made below the protocol adapters: a path or method no route takes, a request Node's HTTP
 * parser or Fastify's router cannot read, headers over the limit. The shape of their bodies belongs to
 * the protocol the server speaks, so it is injected (`HttpRefusals`); this file only decides which kind
 * of refusal each failure is, and writes it — on the socket itself when Node refused the request before
 * any request object existed.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type RefusalKind =
  /** No route for this path. */
  | 'not-found'
  /** A route for this path, but not for this method. */
  | 'method-not-allowed'
  /** The request line, a header or the body framing cannot be parsed. */
  | 'malformed'
  /** The request line and headers together are over the limit. */
  | 'headers-too-large'
  | 'body-too-large'
  /** The request did not arrive completely in time. */
  | 'timeout'
  /** A failure of the server itself. */
  | 'internal';

export interface Refusal {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface HttpRefusals {
  /** The answer to a refusal of this kind; `host` is the request's Host header, when there was one. */
  render(
    kind: RefusalKind,
    context: { readonly requestId: string; readonly host: string | undefined },
  ): Refusal;
  /** Paths a protocol serves: other methods there are `method-not-allowed` rather than `not-found`. */
  readonly paths: ReadonlySet<string>;
}

/** The server's own shape, for a server that has no protocol's shape to give. */
export const PLAIN_REFUSALS: HttpRefusals = {
  paths: new Set(),
  render(kind, { requestId }) {
    const status = STATUS_FOR[kind];
    return {
      status,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ error: kind, message: STATUS_CODES[status] ?? 'Error', requestId }),
    };
  },
};

const STATUS_FOR: Record<RefusalKind, number> = {
  'not-found': 404,
  'method-not-allowed': 405,
  malformed: 400,
  'headers-too-large': 431,
  'body-too-large': 413,
  timeout: 408,
  internal: 500,
};

/**
 * A request id in the UUID form the vendors use, time-ordered like a version 7 UUID (48 bits of
 * milliseconds, then 74 random bits): the audit trail indexes request ids, and ids that arrive in
 * order append to that index instead of dirtying a random page of it on every request (issue 14).
 */
export function newRequestId(): string {
  // randomUUID draws from a cached pool of entropy (a fresh randomBytes call per request costs more).
  const random = randomUUID();
  const time = Date.now().toString(16).padStart(12, '0').slice(-12);
  // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: the time replaces the first 48 bits, 7 the version digit.
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`.toUpperCase();
}

/** The kind of refusal for an error Fastify raised while routing or parsing (its `statusCode`). */
export function refusalKindOf(error: unknown): RefusalKind {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return 'internal';
  if (status === 413) return 'body-too-large';
  if (status === 431) return 'headers-too-large';
  if (status === 408) return 'timeout';
  return 'malformed';
}

/** Sends a refusal through Fastify (a request object exists). */
export function sendRefusal(
  refusals: HttpRefusals,
  kind: RefusalKind,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const refusal = refusals.render(kind, { requestId: request.id, host: request.headers.host });
  return reply
    .code(refusal.status)
    .header('x-acs-request-id', request.id)
    .type(refusal.contentType)
    .send(refusal.body);
}

/**
 * Fastify's `clientErrorHandler`: Node's parser refused the bytes (bad request line, header, framing,
 * headers over the limit, a timeout) before a request existed. Writes one complete answer and closes.
 */
export function clientErrorHandler(refusals: HttpRefusals) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    // A reset connection has nobody to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const kind: RefusalKind =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 'headers-too-large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'timeout'
          : 'malformed';
    const requestId = newRequestId();
    const refusal = refusals.render(kind, { requestId, host: undefined });
    const body = Buffer.from(refusal.body, 'utf8');
    const head =
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Error'}\r\n` +
      `content-type: ${refusal.contentType}\r\n` +
      `content-length: ${body.length}\r\n` +
      `x-acs-request-id: ${requestId}\r\n` +
      'connection: close\r\n\r\n';
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    // A client that keeps sending (the rest of an oversized header block) must not hold the socket.
    setTimeout(() => socket.destroy(), 1_000).unref();
  };
}
