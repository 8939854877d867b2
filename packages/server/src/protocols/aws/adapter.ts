/**
 * The AWS adapter's one request path, independent of Fastify: authenticate (SigV4) → name the
 * operation (`X-Amz-Target`, or STS's `Action`) → parse its input → hand it to `dispatch` → render the
 * answer or the error in the shape of the API the request was meant for. `dispatch` is where the core's
 * operation pipeline runs (access decision, audit, the service's work); nothing here decides access or
 * records anything.
 */
import type { AwsCaller, SigV4Authenticator } from './auth.js';
import { singleRegion } from './errors.js';
import type { AwsInput, AwsOperation } from './operations.js';
import { operationOf, parseOperationInput, REPLICATION_OPERATIONS } from './operations.js';
import type { AwsAnswer } from './render.js';
import { renderError, renderResult } from './render.js';
import type { CallerIdentity } from './sts.js';
import {
  isStsRequest,
  renderCallerIdentity,
  renderStsError,
  stsParams,
  stsRequestOf,
  unsupportedStsAction,
} from './sts.js';

export interface AwsHttpRequest {
  readonly method: string;
  /** The request target as it arrived: path and query, still percent-encoded. */
  readonly rawUrl: string;
  /** Lower-case names, as Node gives them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: Buffer;
  readonly requestId: string;
}

export interface AwsDispatch {
  /** Runs a Secrets Manager operation for the caller; resolves to the result body (AWS member names). */
  secretsManager<O extends AwsOperation>(
    operation: O,
    input: AwsInput<O>,
    caller: AwsCaller,
  ): Promise<object>;
  /** Who the caller is, for STS GetCallerIdentity. */
  callerIdentity(caller: AwsCaller): Promise<CallerIdentity>;
}

/** Whether a request is STS's rather than Secrets Manager's: no target, and STS's Version. */
export function isStsHttpRequest(request: AwsHttpRequest): boolean {
  if (request.headers['x-amz-target'] !== undefined) return false;
  const { query } = splitUrl(request.rawUrl);
  return isStsRequest(stsParams(query, request.body, header(request, 'content-type')));
}

export async function answerAwsRequest(
  request: AwsHttpRequest,
  authenticator: SigV4Authenticator,
  dispatch: AwsDispatch,
): Promise<AwsAnswer> {
  const { path, query } = splitUrl(request.rawUrl);
  const signed = {
    method: request.method,
    rawPath: path,
    query: [...new URLSearchParams(query)],
    headers: request.headers,
    body: request.body,
  };
  if (isStsHttpRequest(request)) {
    try {
      const caller = await authenticator.authenticate(signed, 'sts');
      const sts = stsRequestOf(stsParams(query, request.body, header(request, 'content-type')));
      if (sts.action !== 'GetCallerIdentity')
        return renderStsError(unsupportedStsAction(sts.action), request.requestId);
      return renderCallerIdentity(await dispatch.callerIdentity(caller), request.requestId);
    } catch (error) {
      const described = renderError(error, 'GetCallerIdentity', request.requestId);
      const body = JSON.parse(described.body) as { __type: string; message: string };
      return renderStsError(
        { code: body.__type, message: body.message, status: described.status },
        request.requestId,
      );
    }
  }
  let operation = 'Unknown';
  try {
    const caller = await authenticator.authenticate(signed, 'secretsmanager');
    const target = header(request, 'x-amz-target');
    const named = operationOf(target);
    operation = named;
    const input = parseOperationInput(named, request.body);
    if (REPLICATION_OPERATIONS.has(named)) throw singleRegion(named);
    if (named === 'CreateSecret' && (input as AwsInput<'CreateSecret'>).AddReplicaRegions !== undefined)
      throw singleRegion('CreateSecret with AddReplicaRegions');
    return renderResult(await dispatch.secretsManager(named, input, caller), request.requestId);
  } catch (error) {
    return renderError(error, operation, request.requestId);
  }
}

function splitUrl(rawUrl: string): { path: string; query: string } {
  const mark = rawUrl.indexOf('?');
  return mark < 0
    ? { path: rawUrl, query: '' }
    : { path: rawUrl.slice(0, mark), query: rawUrl.slice(mark + 1) };
}

function header(request: AwsHttpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return value === undefined ? undefined : typeof value === 'string' ? value : value.join(',');
}
