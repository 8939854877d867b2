/**
 * What a request was, in the bounded terms metrics may carry: the protocol adapter that took it and
 * the action it named, once the adapter knows the action exists (an unknown name is never a label).
 * Adapters set it; the request hook of `server.ts` reads it when the answer has gone out.
 */
import type { FastifyRequest } from 'fastify';

export interface RequestLabels {
  readonly protocol: string;
  readonly action: string;
}

const labels = new WeakMap<FastifyRequest, RequestLabels>();

export function labelRequest(request: FastifyRequest, protocol: string, action: string): void {
  labels.set(request, { protocol, action });
}

/**
 * The request's labels: an adapter's, else the route Fastify matched (`/healthz`, `/readyz`; `/` before
 * an adapter knew the action is `unknown`), else `unmatched`.
 */
export function labelsOf(request: FastifyRequest): RequestLabels {
  const set = labels.get(request);
  if (set) return set;
  const route = request.routeOptions.url;
  if (route === undefined) return { protocol: 'http', action: 'unmatched' };
  return route === '/' ? { protocol: 'http', action: 'unknown' } : { protocol: 'http', action: route };
}
