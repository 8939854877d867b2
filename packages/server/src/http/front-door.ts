/**
 * The front door: which protocol a request to `/` is meant for, decided from the request itself before
 * any protocol sees it, so each protocol can be an encapsulated Fastify plugin claiming `/` for its own
 * requests only (a route constraint, `PROTOCOL_CONSTRAINT`).
 *
 * An AWS request says so in its headers: AWS's JSON protocol names the operation in `X-Amz-Target`, and
 * every AWS request is signed with an `AWS4-HMAC-SHA256` authorization (a presigned one in the query);
 * STS's query API names `Version=2011-06-15`. A browser's bare `GET /` asking for HTML goes to the
 * console. Anything else is the Alibaba RPC API, which signs with ACS3-HMAC-SHA256 or a v1 `Signature`
 * parameter.
 */
import type { IncomingMessage } from 'node:http';

/** The wire protocols the front door tells apart. */
export type WireProtocol = 'alibaba' | 'aws' | 'browser';

/** The route constraint's name: `constraints: { [PROTOCOL_CONSTRAINT]: 'aws' }`. */
export const PROTOCOL_CONSTRAINT = 'wireProtocol';

const AWS_QUERY = /[?&](X-Amz-Algorithm=AWS4-HMAC-SHA256|Version=2011-06-15)(&|$)/;

export function wireProtocolOf(request: Pick<IncomingMessage, 'headers' | 'url' | 'method'>): WireProtocol {
  const { headers } = request;
  // A person's browser opening the server: a bare `GET /` that asks for a page, unsigned. API clients
  // always send parameters or a signature, so they never land here (the console redirects it).
  const accept = headers.accept;
  if (
    request.method === 'GET' &&
    request.url === '/' &&
    typeof accept === 'string' &&
    accept.includes('text/html') &&
    headers.authorization === undefined &&
    headers['x-acs-action'] === undefined
  )
    return 'browser';
  if (headers['x-amz-target'] !== undefined) return 'aws';
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.trimStart().startsWith('AWS4-HMAC-SHA256'))
    return 'aws';
  if (AWS_QUERY.test(request.url ?? '')) return 'aws';
  return 'alibaba';
}

/** The Fastify constraint strategy routing by `wireProtocolOf`; routes without the constraint match any request. */
export const wireProtocolStrategy = {
  name: PROTOCOL_CONSTRAINT,
  mustMatchWhenDerived: false,
  storage() {
    const handlers = new Map<string, unknown>();
    return {
      get: (value: string) => handlers.get(value) ?? null,
      set: (value: string, handler: unknown) => {
        handlers.set(value, handler);
      },
    };
  },
  deriveConstraint: (request: IncomingMessage): WireProtocol => wireProtocolOf(request),
  validate(value: unknown): void {
    if (value !== 'alibaba' && value !== 'aws' && value !== 'browser')
      throw new Error(`Unknown wire protocol ${String(value)}.`);
  },
};
