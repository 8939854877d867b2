/**
 * Structured logs (pino) that cannot carry secrets: secret-bearing fields are redacted wherever they
 * appear, and requests are logged by method, route pattern and id — never by URL, because the real
 * SDKs put SecretData in the query string (docs/behaviour.md rule 22).
 */
import type { IncomingMessage } from 'node:http';
import { pino, stdSerializers } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LogLevel } from '../config/config.js';

/** Field names whose values are secret wherever they occur in a log object. */
const SECRET_FIELDS = [
  'secretData',
  'SecretData',
  'data',
  'plaintext',
  'Plaintext',
  'secret',
  'accessKeySecret',
  'AccessKeySecret',
  'rootKey',
  'password',
  'authorization',
  'signature',
  'Signature',
];

export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  ...SECRET_FIELDS.map((field) => `*.*.${field}`),
  'req.headers',
];

interface RequestLike extends IncomingMessage {
  readonly id?: string;
  readonly ip?: string;
  readonly routeOptions?: { readonly url?: string | undefined };
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: RequestLike) => ({
          id: req.id,
          method: req.method,
          route: req.routeOptions?.url,
          remoteAddress: req.ip,
        }),
        err: stdSerializers.err,
      },
    },
    destination,
  );
}

/**
 * The logger of the one line each API call writes: fields Tessera fills itself (the request id, the
 * action, the secret or key named, the access key id, the status, the time taken), never an object a
 * caller sent, so it needs no redaction — and pino's wildcard redaction cost more per request than the
 * rest of the line (issue 14). Everything else still goes through the redacting logger.
 */
export function callLineLogger<L extends ChildMaker<L>>(logger: L): L {
  return logger.child({}, { redact: { paths: [] } });
}

/** What `callLineLogger` needs of a logger: pino's and Fastify's both fit. */
interface ChildMaker<L> {
  child(bindings: Record<string, never>, options: { redact: { paths: string[] } }): L;
}
