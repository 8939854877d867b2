/**
 * The identities a RAM action is about, read from its parameters (UserName, PolicyName) as the operation
 * catalog's resource kind says; the pipeline decides those operations on them before they run. Missing
 * ones are the same MissingParameter the action itself would answer.
 */
import type { RamOperationName } from '../../domain/operations.js';
import { RAM_OPERATIONS } from '../../domain/operations.js';
import type { Principal } from '../../services/operations/request.js';
import type { Params } from './params.js';

/** RAM's access-key actions act on the caller's own keys when UserName is omitted. */
const OWN_KEY_ACTIONS: ReadonlySet<string> = new Set([
  'CreateAccessKey',
  'ListAccessKeys',
  'UpdateAccessKey',
  'DeleteAccessKey',
]);

export function ramResourceIds(
  action: string,
  params: Params,
  principal: Principal,
): { userName?: string; policyName?: string } {
  const kind = Object.hasOwn(RAM_OPERATIONS, action)
    ? RAM_OPERATIONS[action as RamOperationName].resource
    : undefined;
  const ids: { userName?: string; policyName?: string } = {};
  if (kind === 'user' || kind === 'user-and-policy') {
    ids.userName = OWN_KEY_ACTIONS.has(action)
      ? (params.optional('UserName') ?? principal.userName)
      : params.required('UserName');
  }
  if (kind === 'policy' || kind === 'user-and-policy') ids.policyName = params.required('PolicyName');
  return ids;
}
