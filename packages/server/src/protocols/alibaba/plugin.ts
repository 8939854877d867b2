/**
 * The Alibaba Cloud RPC protocol as a Fastify plugin with its own body parsers and error handler:
 * `GET|POST /`, parameters from the query and a form body merged, authenticate, dispatch on
 * Action/Version, render JSON or XML. One log line per call with action, resource, key id, status and
 * time — never the URL, which carries SecretData (DECISIONS 22).
 *
 * Every request that reaches `/` writes exactly one outcome event to the audit trail before its answer
 * is sent, and a state-changing action also writes an attempt event before it runs (docs/audit.md).
 * When the trail cannot record either, the request is refused with 503 (fail closed).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AUDIT_SUCCESS } from '../../domain/audit.js';
import { DomainError } from '../../domain/errors.js';
import type { Clock } from '../../services/clock.js';
import type { InstanceIdentity, Services } from '../../services/services.js';
import type { Product } from '../../domain/permissions.js';
import type { PolicySource } from './access.js';
import { connectionFacts, denialOf, RequestAccess, ramResourceIds } from './access.js';
import { labelRequest } from '../../http/request-labels.js';
import type { ActionTable } from './action.js';
import { ACTIONTRAIL_ACTIONS, ACTIONTRAIL_API_VERSION } from './actions/actiontrail-actions.js';
import { KMS_ACTIONS } from './actions/index.js';
import { RAM_ACTIONS, RAM_API_VERSION } from './actions/ram-actions.js';
import type { RequestFacts } from './audit-trail.js';
import { auditEvent, READ_ONLY_ACTIONS, requestFacts } from './audit-trail.js';
import { Authenticator } from './auth.js';
import { CallerLimits, GuardedAuthenticator, NO_RATE_LIMIT } from './caller-limits.js';
import type { WireBody } from './codec.js';
import { domainErrorToWire } from './codec.js';
import { missingParameter, ProtocolError } from './errors.js';
import { Params } from './params.js';
import type { ResponseFormat } from './render.js';
import { CONTENT_TYPES, render } from './render.js';

export const KMS_API_VERSION = '2016-01-20';
const MAX_LOGGED_RESOURCE = 256;

/** Actions of each product this endpoint speaks, by API version. */
const PRODUCTS: Readonly<Record<string, ActionTable>> = {
  [KMS_API_VERSION]: KMS_ACTIONS,
  [ACTIONTRAIL_API_VERSION]: ACTIONTRAIL_ACTIONS,
  [RAM_API_VERSION]: RAM_ACTIONS,
};

/** Which permission table authorizes each API version's actions. */
const PERMISSION_PRODUCTS: Readonly<Record<string, Product>> = {
  [KMS_API_VERSION]: 'kms',
  [RAM_API_VERSION]: 'ram',
  [ACTIONTRAIL_API_VERSION]: 'actiontrail',
};

export interface AlibabaRpcOptions {
  readonly services: Services;
  /** The RAM policies attached to each user. */
  readonly policies: PolicySource;
  readonly identity: InstanceIdentity;
  readonly clock: Clock;
  readonly serviceKeyId: string;
  /** Requests per second and burst per access key (TESSERA_RATE_LIMIT_*); no limit when absent. */
  readonly rateLimit?: { readonly ratePerSecond: number; readonly burst: number } | undefined;
}

/** What the request log line, the audit trail and the error renderer need to know about a call in progress. */
interface CallState {
  format: ResponseFormat;
  action?: string | undefined;
  resource?: string;
  accessKeyId?: string;
  /** The authenticated user name. */
  principal?: string;
  /** Identifiers read from the parameters for the audit event. */
  facts?: RequestFacts;
  /** Set once the outcome is recorded, or once recording failed: a request gets one outcome at most. */
  outcomeSettled?: boolean;
  /** The trail could not record this request: it is answered with 503 whatever happened. */
  auditFailed?: boolean;
}

/** The answer of a request the audit trail could not record. */
function auditUnavailable(): ProtocolError {
  return new ProtocolError(
    503,
    'ServiceUnavailableTemporary',
    'The audit trail cannot record this request, so it was refused. Retry later.',
  );
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
  const { audit } = options.services;

  /** Records one event of the call; on failure marks it so that it is answered with 503. */
  const record = async (
    request: FastifyRequest,
    state: CallState,
    phase: 'attempt' | 'outcome',
    result?: { readonly code: string; readonly status: number },
  ): Promise<void> => {
    if (phase === 'outcome') state.outcomeSettled = true;
    try {
      await audit.record(
        auditEvent(
          {
            requestId: request.id,
            facts: state.facts,
            principal: state.principal,
            accessKeyId: state.accessKeyId,
            action: state.action,
            resource: state.resource,
          },
          phase,
          options.clock.now(),
          result,
        ),
      );
    } catch (error) {
      state.auditFailed = true;
      state.outcomeSettled = true;
      request.log.error({ err: error, action: state.action }, 'audit trail write failed; request refused');
      throw auditUnavailable();
    }
  };

  return function register(app: FastifyInstance, _options: unknown, done: (error?: Error) => void): void {
    // Keep bodies as raw bytes: ACS3 signs their SHA-256, and only form bodies carry parameters.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });

    app.route({
      method: ['GET', 'POST'],
      url: '/',
      // Fastify would otherwise answer HEAD with this handler, running the action (signed as POST).
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const state = stateOf(request);
        labelRequest(request, 'alibaba', 'unknown');
        const method = request.method === 'GET' ? 'GET' : 'POST';
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const { params, query } = readParams(request, body);
        state.facts = requestFacts(request, params);
        if (params.optional('Format')?.toUpperCase() === 'XML') state.format = 'xml';
        // The action the caller claims, recorded before authentication so that the log line of a refused
        // call still says what was attempted (DECISIONS 22); `loggable` keeps caller-chosen text short and
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
        state.accessKeyId = authenticated.principal.accessKeyId;
        state.principal = authenticated.principal.userName;
        callerLimits.admit(authenticated.principal.accessKeyId);
        const action = authenticated.action ?? params.optional('Action');
        const version = authenticated.version ?? params.optional('Version');
        if (action === undefined) throw missingParameter('Action');
        if (version === undefined) throw missingParameter('Version');
        state.action = loggable(action);
        // Own members only: `constructor` or `__proto__` must not reach Object's methods.
        const product = Object.hasOwn(PRODUCTS, version) ? PRODUCTS[version] : undefined;
        if (!product)
          throw new ProtocolError(
            400,
            'InvalidVersion',
            `Specified parameter Version "${version}" is not valid.`,
          );
        const handler = Object.hasOwn(product, action) ? product[action] : undefined;
        if (!handler)
          throw new ProtocolError(
            404,
            'InvalidAction.NotFound',
            'Specified api is not found, please check your url and method.',
          );
        labelRequest(request, 'alibaba', action);

        const permissionProduct = PERMISSION_PRODUCTS[version];
        if (permissionProduct === undefined)
          throw new DomainError('internal', `No permission table for version ${version}.`);
        const access = new RequestAccess({
          services: options.services,
          identity: options.identity,
          policies: options.policies,
          product: permissionProduct,
          action,
          principal: authenticated.principal,
          context: connectionFacts(request.raw.socket, options.clock.now()),
        });
        // Actions on the account, a container or a RAM identity are decided here, before they run; those
        // on named secrets and keys by the action once it has found the resource.
        if (RequestAccess.checkedBeforeDispatch(permissionProduct, action)) {
          await access.requireUnscoped(
            permissionProduct === 'ram' ? ramResourceIds(action, params, authenticated.principal) : {},
          );
        }

        // No audit, no change: a state-changing action runs only once its attempt is on record.
        if (!READ_ONLY_ACTIONS.has(action)) await record(request, state, 'attempt');

        const result = await handler({
          params,
          services: options.services,
          identity: options.identity,
          principal: authenticated.principal,
          requestId: request.id,
          method,
          serviceKeyId: options.serviceKeyId,
          noteResource: (resource) => {
            state.resource = capped(resource);
          },
          access,
        });
        // Fail closed on a bug: an action that never asked is not answered (its tests catch it first).
        if (!access.settled) throw new DomainError('internal', `${action} ran without an access check.`);
        // Recorded before anything is sent: a read the trail cannot record never leaves the server.
        await record(request, state, 'outcome', { code: AUDIT_SUCCESS, status: 200 });
        return send(
          reply,
          state.format,
          `${action}Response`,
          request.id,
          { RequestId: request.id, ...result },
          200,
        );
      },
    });

    app.route({
      method: ['HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'],
      url: '/',
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
      let wire = toWireError(error);
      if (wire.status >= 500 && !state.auditFailed)
        request.log.error({ err: error, action: state.action }, 'request failed');
      if (!state.outcomeSettled) {
        if (state.facts === undefined) state.facts = requestFacts(request, undefined);
        // A refusal is recorded as what it is, with the refused ARN, even when the caller was answered
        // as if the resource were missing (docs/audit.md).
        const denial = denialOf(error);
        if (denial?.resource !== undefined) state.resource = capped(denial.resource);
        await record(request, state, 'outcome', {
          code: denial?.code ?? wire.code,
          status: wire.status,
        }).catch(() => undefined);
      }
      if (state.auditFailed) wire = toWireError(auditUnavailable());
      else if (error instanceof ProtocolError && error.retryAfterSeconds !== undefined) {
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

    app.addHook('onResponse', async (request, reply) => {
      const state = calls.get(request);
      request.log.info(
        {
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

/** Caller-chosen text for the log line and the trail, capped so one request cannot write 128 KiB. */
function capped(resource: string): string {
  return resource.length > MAX_LOGGED_RESOURCE ? `${resource.slice(0, MAX_LOGGED_RESOURCE)}…` : resource;
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

function toWireError(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof ProtocolError)
    return { status: error.status, code: error.code, message: error.message };
  if (error instanceof DomainError) return domainErrorToWire(error);
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413)
      return { status, code: 'Rejected.EntityTooLarge', message: 'The request body is too large.' };
    return {
      status: 400,
      code: 'ParseRequestParameterException',
      message: 'The request could not be parsed.',
    };
  }
  return { status: 500, code: 'InternalFailure', message: 'Internal Failure.' };
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
