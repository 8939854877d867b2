/**
 * The Alibaba Cloud RPC protocol as a Fastify plugin with its own body parsers and error handler:
 * `GET|POST /`, parameters from the query and a form body merged, authenticate, dispatch on
 * Action/Version, hand the operation to the pipeline (services/operations/), render JSON or XML. One log
 * line per call with action, resource, key id, status and time — never the URL, which carries SecretData.
 *
 * Access decisions and the audit trail are the pipeline's: this adapter only parses, authenticates its
 * signatures, names the operation and renders. A request refused before it reaches the pipeline (a bad
 * signature, an unknown action) is recorded through `recordRefusal`, so every request that reaches `/`
 * leaves one outcome event (docs/audit.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callLineLogger } from '../../logging/logger.js';
import type { Product } from '../../domain/operations.js';
import type { Clock } from '../../services/clock.js';
import type { OperationPipeline } from '../../services/operations/pipeline.js';
import { isAuditUnavailable } from '../../services/operations/pipeline.js';
import type { Principal, RequestSubject } from '../../services/operations/request.js';
import type { InstanceIdentity, Services } from '../../services/services.js';
import { labelRequest } from '../../http/request-labels.js';
import { Authenticator } from './auth.js';
import { CallerLimits, GuardedAuthenticator, NO_RATE_LIMIT } from './caller-limits.js';
import type { WireBody } from './codec.js';
import { ProtocolError } from './errors.js';
import { dispatchAlibabaCall, toWireError } from './dispatch.js';
import { Params } from './params.js';
import type { ResponseFormat } from './render.js';
import { CONTENT_TYPES, render } from './render.js';
import { requestSubject } from './request-subject.js';
import { PROTOCOL_CONSTRAINT } from '../../http/front-door.js';

export { KMS_API_VERSION } from './dispatch.js';

export interface AlibabaRpcOptions {
  readonly services: Services;
  /** Runs every operation: access decisions and the audit trail. */
  readonly pipeline: OperationPipeline;
  readonly identity: InstanceIdentity;
  readonly clock: Clock;
  readonly serviceKeyId: string;
  /** Requests per second and burst per access key (TESSERA_RATE_LIMIT_*); no limit when absent. */
  readonly rateLimit?: { readonly ratePerSecond: number; readonly burst: number } | undefined;
}

/** What the request log line, the refusal record and the error renderer need to know about a call in progress. */
interface CallState {
  format: ResponseFormat;
  action?: string | undefined;
  /** The product of the action, once the version is known: it picks the refusal's code. */
  product?: Product | undefined;
  resource?: string;
  accessKeyId?: string;
  principal?: Principal;
  /** Identifiers read from the parameters for the audit event. */
  subject?: RequestSubject;
  /** The request reached the pipeline, which records its outcome (or refuses it when it cannot). */
  inPipeline?: boolean;
}

const calls = new WeakMap<FastifyRequest, CallState>();

function stateOf(request: FastifyRequest): CallState {
  let state = calls.get(request);
  if (!state) {
    state = { format: 'json' };
    calls.set(request, state);
  }
  return state;
}

export function alibabaRpcPlugin(options: AlibabaRpcOptions) {
  const authenticator = new Authenticator({
    accessKeys: options.services.accessKeys,
    clock: options.clock,
    replay: options.services.replayGuard,
  });
  const callerLimits = new CallerLimits({ clock: options.clock, ...(options.rateLimit ?? NO_RATE_LIMIT) });
  const guardedAuthenticator = new GuardedAuthenticator(authenticator, callerLimits);
  const { pipeline } = options;

  return function register(app: FastifyInstance, _options: unknown, done: (error?: Error) => void): void {
    // Keep bodies as raw bytes: ACS3 signs their SHA-256, and only form bodies carry parameters.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });

    app.route({
      method: ['GET', 'POST'],
      url: '/',
      constraints: { [PROTOCOL_CONSTRAINT]: 'alibaba' },
      // Fastify would otherwise answer HEAD with this handler, running the action (signed as POST).
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const state = stateOf(request);
        labelRequest(request, 'alibaba', 'unknown');
        const method = request.method === 'GET' ? 'GET' : 'POST';
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const { params, query } = readParams(request, body);
        state.subject = requestSubject(request, params);
        if (params.optional('Format')?.toUpperCase() === 'XML') state.format = 'xml';
        // The action the caller claims, recorded before authentication so that the log line of a refused
        // call still says what was attempted (docs/behaviour.md rule 22); `loggable` keeps caller-chosen text short and
        // plain. Replaced by the authenticated action below.
        state.action = loggable(params.optional('Action') ?? headerValue(request.headers['x-acs-action']));

        const authenticated = await guardedAuthenticator.authenticate({
          sourceIp: request.ip,
          method,
          path: '/',
          headers: request.headers,
          params,
          query,
          body,
        });
        const principal = authenticated.principal;
        state.accessKeyId = principal.accessKeyId;
        state.principal = principal;
        callerLimits.admit(principal.accessKeyId);
        const action = authenticated.action ?? params.optional('Action');
        const result = await dispatchAlibabaCall(
          { pipeline, serviceKeyId: options.serviceKeyId },
          {
            version: authenticated.version ?? params.optional('Version'),
            action,
            params,
            principal,
            method,
            protocol: 'alibaba',
            requestId: request.id,
            connection: {
              sourceIp: request.raw.socket.remoteAddress,
              secureTransport: (request.raw.socket as { encrypted?: boolean }).encrypted === true,
            },
            subject: state.subject,
          },
          state,
          (named) => {
            state.action = loggable(named);
            labelRequest(request, 'alibaba', named);
          },
        );
        return send(
          reply,
          state.format,
          `${action ?? ''}Response`,
          request.id,
          { RequestId: request.id, ...result },
          200,
        );
      },
    });

    app.route({
      method: ['HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'],
      url: '/',
      constraints: { [PROTOCOL_CONSTRAINT]: 'alibaba' },
      handler: () => {
        throw new ProtocolError(
          403,
          'UnsupportedHTTPMethod',
          'The HTTP method is not supported; use GET or POST.',
        );
      },
    });

    app.setErrorHandler(async (error: unknown, request, reply) => {
      const state = stateOf(request);
      let wire = toWireError(error, state.product);
      const auditFailed = isAuditUnavailable(error);
      if (auditFailed)
        request.log.error({ err: error, action: state.action }, 'audit trail write failed; request refused');
      else if (wire.status >= 500) request.log.error({ err: error, action: state.action }, 'request failed');
      if (!state.inPipeline) {
        try {
          await pipeline.recordRefusal({
            protocol: 'alibaba',
            requestId: request.id,
            operation: state.action,
            principal: state.principal,
            subject: state.subject ?? requestSubject(request, undefined),
            resource: state.resource,
            outcome: { code: wire.code, status: wire.status },
          });
        } catch (failure) {
          request.log.error(
            { err: failure, action: state.action },
            'audit trail write failed; request refused',
          );
          wire = toWireError(failure, state.product);
        }
      }
      if (!auditFailed && error instanceof ProtocolError && error.retryAfterSeconds !== undefined) {
        void reply.header('x-acs-retry-after', String(error.retryAfterSeconds));
      }
      const body = {
        RequestId: request.id,
        HostId: hostIdOf(request),
        Code: wire.code,
        Message: wire.message,
        Recommend: `See docs/errors.md in Tessera for ${wire.code}.`,
        HttpStatus: wire.status,
      };
      return send(reply, state.format, 'Error', request.id, body, wire.status);
    });

    const callLog = callLineLogger(app.log);
    app.addHook('onResponse', async (request, reply) => {
      const state = calls.get(request);
      callLog.info(
        {
          reqId: request.id,
          action: state?.action,
          resource: state?.resource,
          accessKeyId: state?.accessKeyId,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'api call',
      );
    });
    done();
  };
}

function send(
  reply: FastifyReply,
  format: ResponseFormat,
  root: string,
  requestId: string,
  body: WireBody,
  status: number,
): FastifyReply {
  return reply
    .code(status)
    .header('x-acs-request-id', requestId)
    .type(CONTENT_TYPES[format])
    .send(render(format, root, body));
}

/** Query and form body, merged (the body wins); a name repeated within one of them is refused. */
function readParams(request: FastifyRequest, body: Buffer): { params: Params; query: [string, string][] } {
  const url = request.raw.url ?? '/';
  const at = url.indexOf('?');
  const query = at < 0 ? [] : [...new URLSearchParams(url.slice(at + 1))];
  const merged = new Map<string, string>();
  const add = (pairs: [string, string][]) => {
    const seen = new Set<string>();
    for (const [name, value] of pairs) {
      if (seen.has(name))
        throw new ProtocolError(400, 'InvalidParameter', `The parameter "${name}" is given more than once.`);
      seen.add(name);
      merged.set(name, value);
    }
  };
  add(query);
  const contentType = request.headers['content-type'] ?? '';
  if (body.length > 0 && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    add([...new URLSearchParams(body.toString('utf8'))]);
  }
  return { params: new Params(merged), query };
}

/** An action name fit for the log line: plain and short, or nothing (the value is caller-chosen). */
function loggable(action: string | undefined): string | undefined {
  return action !== undefined && /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(action) ? action : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function hostIdOf(request: FastifyRequest): string {
  const host = request.headers.host ?? '';
  return /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? host : 'tessera';
}
