/**
 * From a named action to its answer: the version picks the product's action table, the action its
 * handler, and the operation runs through the pipeline (access decisions and the audit trail). Shared by
 * the signed RPC endpoint (plugin.ts) and the web console (protocols/console/), which speaks the same
 * actions as a signed-in user instead of a signature.
 */
import { DomainError } from '../../domain/errors.js';
import { isOperationName } from '../../domain/operations.js';
import type { Product } from '../../domain/operations.js';
import type { OperationPipeline } from '../../services/operations/pipeline.js';
import type {
  ConnectionFacts,
  Principal,
  ProtocolName,
  RequestSubject,
} from '../../services/operations/request.js';
import type { ActionTable } from './action.js';
import { ACTIONTRAIL_ACTIONS, ACTIONTRAIL_API_VERSION } from './actions/actiontrail-actions.js';
import { KMS_ACTIONS } from './actions/index.js';
import { RAM_ACTIONS, RAM_API_VERSION } from './actions/ram-actions.js';
import type { WireBody } from './codec.js';
import { domainErrorToWire } from './codec.js';
import { ACCESS_DENIED_BY_PRODUCT, missingParameter, ProtocolError } from './errors.js';
import type { Params } from './params.js';
import { ramResourceIds } from './resource-ids.js';

export const KMS_API_VERSION = '2016-01-20';

/** Actions of each product this endpoint speaks, by API version. */
const PRODUCTS: Readonly<Record<string, ActionTable>> = {
  [KMS_API_VERSION]: KMS_ACTIONS,
  [ACTIONTRAIL_API_VERSION]: ACTIONTRAIL_ACTIONS,
  [RAM_API_VERSION]: RAM_ACTIONS,
};

/** Which product each API version's actions belong to (refusals are `NoPermission` outside KMS). */
const PERMISSION_PRODUCTS: Readonly<Record<string, Product>> = {
  [KMS_API_VERSION]: 'kms',
  [RAM_API_VERSION]: 'ram',
  [ACTIONTRAIL_API_VERSION]: 'actiontrail',
};

export interface AlibabaCall {
  readonly version: string | undefined;
  readonly action: string | undefined;
  readonly params: Params;
  readonly principal: Principal;
  readonly method: 'GET' | 'POST';
  readonly protocol: ProtocolName;
  readonly requestId: string;
  readonly connection: ConnectionFacts;
  readonly subject: RequestSubject;
}

/** What the caller learns as the call goes: for its log line, its refusal record and its error's code. */
export interface CallProgress {
  /** The product of the action, once the version is known: it picks the refusal's code. */
  product?: Product | undefined;
  resource?: string;
  /** The request reached the pipeline, which records its outcome (or refuses it when it cannot). */
  inPipeline?: boolean;
}

export interface AlibabaDispatchOptions {
  readonly pipeline: OperationPipeline;
  /** The service key's id: secrets under it report no EncryptionKeyId. */
  readonly serviceKeyId: string;
}

/** Runs the call; `named` hears the action once it is known to exist. Throws what the caller renders. */
export async function dispatchAlibabaCall(
  options: AlibabaDispatchOptions,
  call: AlibabaCall,
  progress: CallProgress,
  named?: (action: string) => void,
): Promise<WireBody> {
  const { action, version, params, principal } = call;
  if (action === undefined) throw missingParameter('Action');
  if (version === undefined) throw missingParameter('Version');
  // Own members only: `constructor` or `__proto__` must not reach Object's methods.
  const product = Object.hasOwn(PRODUCTS, version) ? PRODUCTS[version] : undefined;
  if (!product)
    throw new ProtocolError(400, 'InvalidVersion', `Specified parameter Version "${version}" is not valid.`);
  progress.product = PERMISSION_PRODUCTS[version];
  const handler = Object.hasOwn(product, action) ? product[action] : undefined;
  if (!handler || !isOperationName(action))
    throw new ProtocolError(
      404,
      'InvalidAction.NotFound',
      'Specified api is not found, please check your url and method.',
    );
  named?.(action);
  const identities = progress.product === 'ram' ? ramResourceIds(action, params, principal) : undefined;
  progress.inPipeline = true;
  return options.pipeline.execute(
    {
      operation: action,
      principal,
      connection: call.connection,
      protocol: call.protocol,
      requestId: call.requestId,
      subject: call.subject,
      ...(identities === undefined ? {} : { identities }),
      outcomeOf: (error) => toWireError(error, progress.product),
    },
    (context) =>
      handler({
        params,
        services: context.services,
        identity: context.identity,
        principal,
        requestId: call.requestId,
        method: call.method,
        serviceKeyId: options.serviceKeyId,
        noteResource: context.noteResource,
        markDryRun: context.markDryRun,
        access: context.access,
      }),
    (resource) => {
      progress.resource = resource;
    },
  );
}

/** Any error as this API answers it: status, code and message. */
export function toWireError(
  error: unknown,
  product: Product | undefined,
): { status: number; code: string; message: string } {
  if (error instanceof ProtocolError)
    return { status: error.status, code: error.code, message: error.message };
  if (error instanceof DomainError) {
    const wire = domainErrorToWire(error);
    return error.code === 'access_denied' && product !== undefined
      ? { ...wire, ...ACCESS_DENIED_BY_PRODUCT[product] }
      : wire;
  }
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
