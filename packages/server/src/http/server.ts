/**
 * The HTTP server: Fastify with the limits the wire needs, health, and error shapes for paths no
 * protocol claims. Each protocol adapter registers itself as an encapsulated plugin with its own
 * parsers and error handler; this file knows none of them.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Fastify, { LogController } from 'fastify';
import type {
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Logger } from 'pino';

/** The request line: the SDKs put up to ~92 KB of SecretData in the query (DECISIONS 21). */
export const MAX_REQUEST_LINE_BYTES = 128 * 1024;
/**
 * What Node lets the request line and every header take together: a full-size request line plus the
 * 16 KiB Node allows headers by default (the limit is one number for both).
 */
export const MAX_HEADER_BYTES = MAX_REQUEST_LINE_BYTES + 16 * 1024;
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpServerOptions {
  readonly logger: Logger;
  /** Answers whether the service can take requests (storage reachable, not shutting down). */
  readonly ready: () => Promise<boolean>;
  /** True once shutdown has begun. */
  readonly closing: () => boolean;
}

/** Fastify typed with our pino logger. */
export type HttpServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger
>;

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const app = Fastify({
    loggerInstance: options.logger,
    serverFactory: (handler) => createServer({ maxHeaderSize: MAX_HEADER_BYTES }, handler),
    bodyLimit: MAX_BODY_BYTES,
    genReqId: () => randomUUID().toUpperCase(),
    // Keep-alive connections that are idle are closed at shutdown; busy ones finish their request.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Protocol adapters log one line per call, without the URL; the default lines add nothing.
    logController: new LogController({ disableRequestLogging: true }),
  });

  // A keep-alive connection whose request was in flight when shutdown began would otherwise stay open
  // until its idle timeout and hold the shutdown up; tell the client to close it after this answer.
  app.addHook('onSend', async (_request, reply) => {
    if (options.closing()) void reply.header('connection', 'close');
  });

  app.get('/healthz', async (_request, reply) => {
    const ready = await options.ready().catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable' });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'not_found', message: 'No such endpoint.', requestId: request.id });
  });

  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status =
      typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status === 500) request.log.error({ err: error }, 'unhandled error');
    void reply.code(status).send({
      error: status === 500 ? 'internal' : 'bad_request',
      message: status === 500 ? 'Internal failure.' : 'The request is not valid.',
      requestId: request.id,
    });
  });

  return app;
}
