/**
 * The HTTP server: Fastify over HTTP or HTTPS with the limits the wire needs, health, and refusals for
 * what no protocol adapter takes (unknown paths and methods, requests Node cannot parse), shaped by the
 * injected `HttpRefusals`. Each protocol adapter registers itself as an encapsulated plugin with its own
 * parsers and error handler, its routes constrained to the requests the front door (front-door.ts) says
 * are meant for it; this file knows none of them.
 */
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { LogController } from 'fastify';
import type {
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Logger } from 'pino';
import { wireProtocolStrategy } from './front-door.js';
import type { HttpRefusals } from './refusals.js';
import { labelsOf } from './request-labels.js';
import { clientErrorHandler, newRequestId, PLAIN_REFUSALS, refusalKindOf, sendRefusal } from './refusals.js';
import type { TlsMaterial } from './tls.js';
import { TLS_MIN_VERSION } from './tls.js';

/** The request line: the SDKs put up to ~92 KB of SecretData in the query (docs/behaviour.md rule 21). */
export const MAX_REQUEST_LINE_BYTES = 128 * 1024;
/**
 * What Node lets the request line and every header take together: a full-size request line plus the
 * 16 KiB Node allows headers by default (the limit is one number for both).
 */
export const MAX_HEADER_BYTES = MAX_REQUEST_LINE_BYTES + 16 * 1024;
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpServerOptions {
  readonly logger: Logger;
  /**
   * Answers whether the service can take requests (`/readyz`): not shutting down, and each named check
   * passing (the store and the audit trail take writes).
   */
  readonly ready: () => Promise<{
    readonly ready: boolean;
    readonly checks: Readonly<Record<string, boolean>>;
  }>;
  /** Counts every answered request by protocol, action and status, with its latency. */
  readonly requestMetrics?: RequestMetrics | undefined;
  /** True once shutdown has begun. */
  readonly closing: () => boolean;
  /** Serve HTTPS with this certificate and key (TLS 1.2 and later); plain HTTP when undefined. */
  readonly tls?: TlsMaterial | undefined;
  /** The shape of refusals made below the protocol adapters (unknown paths and methods, unparsable requests). */
  readonly refusals?: HttpRefusals | undefined;
}

/** Where the request hook reports each answered request. */
export interface RequestMetrics {
  request(protocol: string, action: string, status: number, seconds: number): void;
}

/** Fastify typed with our pino logger. */
export type HttpServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger
>;

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const refusals = options.refusals ?? PLAIN_REFUSALS;
  const app = Fastify({
    loggerInstance: options.logger,
    serverFactory: (handler) =>
      options.tls
        ? createHttpsServer(
            { ...options.tls, minVersion: TLS_MIN_VERSION, maxHeaderSize: MAX_HEADER_BYTES },
            handler,
          )
        : createServer({ maxHeaderSize: MAX_HEADER_BYTES }, handler),
    // Only makes Fastify write https:// in the addresses it reports; the factory above makes the server.
    ...(options.tls ? { https: {} } : {}),
    bodyLimit: MAX_BODY_BYTES,
    genReqId: () => newRequestId(),
    // Requests Node's parser refuses (bad request line or header, framing, headers over the limit).
    clientErrorHandler: clientErrorHandler(refusals),
    // Requests the router refuses (a path that is not valid percent-encoding).
    frameworkErrors: (error, request, reply) => {
      void sendRefusal(refusals, refusalKindOf(error), request, reply);
    },
    // Keep-alive connections that are idle are closed at shutdown; busy ones finish their request.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Protocol adapters log one line per call, without the URL; the default lines add nothing.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Protocols share `/`; each claims the requests meant for it (front-door.ts).
  app.addConstraintStrategy(wireProtocolStrategy as never);

  // A keep-alive connection whose request was in flight when shutdown began would otherwise stay open
  // until its idle timeout and hold the shutdown up; tell the client to close it after this answer.
  app.addHook('onSend', async (_request, reply) => {
    if (options.closing()) void reply.header('connection', 'close');
  });

  const { requestMetrics } = options;
  if (requestMetrics) {
    app.addHook('onResponse', async (request, reply) => {
      const { protocol, action } = labelsOf(request);
      requestMetrics.request(protocol, action, reply.statusCode, reply.elapsedTime / 1000);
    });
  }

  // Liveness: the process answers. Whether it can do its work is /readyz.
  app.get('/healthz', async (_request, reply) => reply.code(200).send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const report = await options.ready().catch(() => ({ ready: false, checks: {} }));
    const checks = Object.fromEntries(
      Object.entries(report.checks).map(([name, ok]) => [name, ok ? 'ok' : 'failing']),
    );
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ok' : 'unavailable', checks });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = (request.raw.url ?? '/').replace(/[?#].*$/s, '');
    sendRefusal(refusals, refusals.paths.has(path) ? 'method-not-allowed' : 'not-found', request, reply);
  });

  app.setErrorHandler((error, request, reply) => {
    const kind = refusalKindOf(error);
    if (kind === 'internal') request.log.error({ err: error }, 'unhandled error');
    sendRefusal(refusals, kind, request, reply);
  });

  return app;
}
