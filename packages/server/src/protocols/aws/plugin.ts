/**
 * The AWS Secrets Manager API (and STS GetCallerIdentity) as a Fastify plugin at the front door
 * (http/front-door.ts routes requests signed with AWS4-HMAC-SHA256 or naming an `X-Amz-Target` here):
 * the body is kept as bytes (SigV4 signs its hash), `answerAwsRequest` authenticates, names the
 * operation and parses its input, and its dispatch hands each operation to the pipeline
 * (services/operations/) with the action of actions/ as the use case. Access decisions and the audit
 * trail are the pipeline's; a request refused before it reaches the pipeline (a bad signature, an
 * unknown operation, malformed JSON, replication) is recorded through `recordRefusal`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { callLineLogger } from '../../logging/logger.js';
import { awsNamer } from '../../domain/resource-names.js';
import type { Clock } from '../../services/clock.js';
import type { OperationPipeline } from '../../services/operations/pipeline.js';
import type { Principal, RequestSubject } from '../../services/operations/request.js';
import type { InstanceIdentity, Services } from '../../services/services.js';
import { PROTOCOL_CONSTRAINT } from '../../http/front-door.js';
import type { AwsAction } from './action.js';
import { AWS_ACTIONS, AWS_CATALOG_OPERATIONS } from './actions/index.js';
import type { AwsDispatch, AwsHttpRequest } from './adapter.js';
import { answerAwsRequest } from './adapter.js';
import type { AwsCaller, SigningService, SigV4Request } from './auth.js';
import { claimedAwsAccessKeyId, SigV4Authenticator } from './auth.js';
import { AwsCallerLimits } from './caller-limits.js';
import { userArn } from './codec.js';
import { AwsError } from './errors.js';
import type { AwsInput, AwsOperation } from './operations.js';
import { describeError, renderError } from './render.js';

export interface AwsPluginOptions {
  readonly services: Services;
  readonly pipeline: OperationPipeline;
  readonly identity: InstanceIdentity;
  readonly clock: Clock;
  readonly serviceKeyId: string;
  /** Requests per second and burst per access key (TESSERA_RATE_LIMIT_*); no limit when absent. */
  readonly rateLimit?: { readonly ratePerSecond: number; readonly burst: number } | undefined;
}

/** What the refusal record and the log line know about a call in progress. */
interface CallState {
  operation?: string;
  principal?: Principal;
  resource?: string;
  /** The request reached the pipeline, which records its outcome. */
  inPipeline: boolean;
}

/**
 * Authenticates through the caller limits (failures counted and held back, then the rate limit) and
 * remembers who signed the request, so a refusal after authentication names its principal.
 */
class GuardedAuthenticator extends SigV4Authenticator {
  readonly #state: CallState;
  readonly #limits: AwsCallerLimits;
  readonly #sourceIp: string;

  constructor(
    options: ConstructorParameters<typeof SigV4Authenticator>[0],
    call: { readonly state: CallState; readonly limits: AwsCallerLimits; readonly sourceIp: string },
  ) {
    super(options);
    this.#state = call.state;
    this.#limits = call.limits;
    this.#sourceIp = call.sourceIp;
  }

  override async authenticate(request: SigV4Request, service: SigningService): Promise<AwsCaller> {
    let caller: AwsCaller;
    try {
      caller = await super.authenticate(request, service);
    } catch (error) {
      return this.#limits.refused(error, this.#sourceIp, claimedAwsAccessKeyId(request.headers));
    }
    this.#state.principal = { accessKeyId: caller.accessKeyId, userName: caller.userName };
    this.#limits.admit(caller.accessKeyId);
    return caller;
  }
}

/** Identifiers of the request for the audit event, read before authentication (never a value). */
function subjectOf(request: FastifyRequest, body: Buffer): RequestSubject {
  let secretName: string | null = null;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const named = parsed.SecretId ?? parsed.Name;
    if (typeof named === 'string') secretName = named.slice(0, 512);
  } catch {
    // Not JSON (STS, or a malformed body): nothing to name.
  }
  return {
    claimedAccessKeyId: claimedAwsAccessKeyId(request.headers) ?? null,
    sourceIp: request.ip,
    secretName,
  };
}

function loggableOperation(target: string | string[] | undefined): string | undefined {
  const value = Array.isArray(target) ? target[0] : target;
  const operation = value?.split('.').pop();
  return operation !== undefined && /^[A-Za-z0-9]{1,64}$/.test(operation) ? operation : undefined;
}

export function awsPlugin(options: AwsPluginOptions) {
  const { services, pipeline, identity, clock } = options;
  const names = awsNamer(identity);
  const limits = new AwsCallerLimits({ clock, ...(options.rateLimit ?? { ratePerSecond: 0, burst: 1 }) });

  function dispatchFor(request: FastifyRequest, state: CallState, subject: RequestSubject): AwsDispatch {
    return {
      async secretsManager<O extends AwsOperation>(operation: O, input: AwsInput<O>, caller: AwsCaller) {
        const catalogName = AWS_CATALOG_OPERATIONS[operation];
        const action: AwsAction<O> | undefined = AWS_ACTIONS[operation];
        if (catalogName === undefined || action === undefined)
          throw new AwsError(400, 'UnknownOperationException', `The operation ${operation} is not served.`);
        const principal = { accessKeyId: caller.accessKeyId, userName: caller.userName };
        state.inPipeline = true;
        return pipeline.execute(
          {
            operation: catalogName,
            principal,
            connection: {
              sourceIp: request.raw.socket.remoteAddress,
              secureTransport: (request.raw.socket as { encrypted?: boolean }).encrypted === true,
            },
            protocol: 'aws',
            requestId: request.id,
            subject,
            outcomeOf: (error) => {
              const described = describeError(error, operation);
              return { code: described.code, status: described.status };
            },
          },
          (context) =>
            action(input, {
              services: context.services,
              identity: context.identity,
              caller,
              access: context.access,
              noteResource: context.noteResource,
              names,
              serviceKeyId: options.serviceKeyId,
              now: () => clock.now(),
            }),
          (resource) => {
            state.resource = resource;
          },
        );
      },
      callerIdentity(caller: AwsCaller) {
        return Promise.resolve({
          account: identity.accountId,
          arn: userArn(identity, caller.userName),
          userId: caller.accessKeyId,
        });
      },
    };
  }

  return function register(app: FastifyInstance, _options: unknown, done: (error?: Error) => void): void {
    const callLog = callLineLogger(app.log);
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, parsed) => {
      parsed(null, body);
    });
    app.route({
      method: ['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'],
      url: '/',
      constraints: { [PROTOCOL_CONSTRAINT]: 'aws' },
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const state: CallState = { inPipeline: false };
        const operation = loggableOperation(request.headers['x-amz-target']);
        if (operation !== undefined) state.operation = operation;
        const subject = subjectOf(request, body);
        const httpRequest: AwsHttpRequest = {
          method: request.method,
          rawUrl: request.raw.url ?? '/',
          headers: request.headers,
          body,
          requestId: request.id,
        };
        const authenticator = new GuardedAuthenticator(
          { accessKeys: services.accessKeys, clock },
          { state, limits, sourceIp: request.ip },
        );
        let answer = await answerAwsRequest(httpRequest, authenticator, dispatchFor(request, state, subject));
        if (answer.status >= 500) request.log.error({ operation: state.operation }, 'request failed');
        if (!state.inPipeline && answer.status !== 200) {
          try {
            await pipeline.recordRefusal({
              protocol: 'aws',
              requestId: request.id,
              operation: state.operation,
              principal: state.principal,
              subject,
              resource: state.resource,
              outcome: { code: answer.headers['x-amzn-errortype'] ?? 'Refused', status: answer.status },
            });
          } catch (failure) {
            request.log.error({ err: failure, operation: state.operation }, 'audit trail write failed');
            answer = renderError(failure, state.operation ?? 'Unknown', request.id);
          }
        }
        callLog.info(
          { reqId: request.id, operation: state.operation, resource: state.resource, status: answer.status },
          'aws request',
        );
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      },
    });
    app.setErrorHandler(async (error: unknown, request, reply) => {
      // A body over the server's limit breaks AWS's length constraints; anything else cannot be read.
      const status = (error as { statusCode?: unknown }).statusCode;
      const wire =
        status === 413
          ? new AwsError(400, 'ValidationException', 'The request body is too large.')
          : new AwsError(400, 'SerializationException', 'The request could not be read.');
      const answer = renderError(wire, 'Unknown', request.id);
      try {
        await pipeline.recordRefusal({
          protocol: 'aws',
          requestId: request.id,
          subject: {
            sourceIp: request.ip,
            claimedAccessKeyId: claimedAwsAccessKeyId(request.headers) ?? null,
          },
          outcome: { code: wire.code, status: wire.status },
        });
      } catch (failure) {
        request.log.error({ err: failure }, 'audit trail write failed');
      }
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
    done();
  };
}
