/**
 * Which permission every API action needs, and on which resources. The protocol adapter
 * resolves a request's identifiers (secret names, real key ids behind aliases and ARNs, …) and asks
 * `resourcesToAuthorize` for the ARNs; `ram-policy.ts` decides. docs/permissions.md is this table in
 * prose, and a test keeps the two equal.
 *
 * Sources: KMS "Use RAM to control access to KMS resources" (alibabacloud.com/help/doc-detail/28953.html:
 * resource types and ARNs, `kms:<api-name>` actions, DescribeRegions needs no authorization, the alias
 * APIs that need several ARNs), "Manage a key alias" (an alias used in place of a key id needs
 * permission on the key, not the alias), BatchGetSecretValue's page (the caller needs
 * `kms:GetSecretValue` on every secret in the batch), and RAM's own authorization page (`ram:<api-name>`).
 * Where the pages are silent the choice is ours and the table's `note` says so.
 */
import { DomainError } from './errors.js';
import { acsNamer } from './resource-names.js';
import type { OperationSpec, Product } from './operations.js';
import {
  ACTIONTRAIL_OPERATIONS,
  KMS_OPERATIONS,
  operationNames,
  operationOf,
  RAM_OPERATIONS,
} from './operations.js';

export type { Product, ResourceKind } from './operations.js';
export type {
  ActionTrailOperationName as ActionTrailActionName,
  KmsOperationName as KmsActionName,
  RamOperationName as RamActionName,
} from './operations.js';

/** Every action of the KMS endpoint, by wire name: the catalog's (domain/operations.ts). */
export const KMS_ACTION_NAMES = operationNames('kms');
/** The RAM-compatible actions (product version 2015-05-01). */
export const RAM_ACTION_NAMES = operationNames('ram');
/** The ActionTrail-style audit actions (product version 2020-07-06). */
export const ACTIONTRAIL_ACTION_NAMES = operationNames('actiontrail');

export type PermissionEntry = Pick<OperationSpec, 'permission' | 'resource' | 'note'>;

/** The catalog's entries seen as permission tables, one per product. */
export const KMS_PERMISSIONS: typeof KMS_OPERATIONS = KMS_OPERATIONS;
export const RAM_PERMISSIONS: typeof RAM_OPERATIONS = RAM_OPERATIONS;
export const ACTIONTRAIL_PERMISSIONS: typeof ACTIONTRAIL_OPERATIONS = ACTIONTRAIL_OPERATIONS;

/** The permission entry of a wire action, if the action exists in that product. */
export function permissionFor(product: Product, action: string): PermissionEntry | undefined {
  const entry = operationOf(action);
  return entry?.product === product ? entry : undefined;
}

/** Policies are written in Alibaba's ARN language (`acsNamer` in resource-names.ts). */
export const secretArn = (region: string, accountId: string, name: string): string =>
  acsNamer({ region, accountId }).secret({ name });
export const keyArn = (region: string, accountId: string, keyId: string): string =>
  acsNamer({ region, accountId }).key(keyId);
export const aliasArn = (region: string, accountId: string, aliasName: string): string =>
  acsNamer({ region, accountId }).alias(aliasName);
/** RAM ARNs have an empty region (`acs:ram::<account>:…`), as in secret policy principals. */
export const ramUserArn = (accountId: string, userName: string): string =>
  `acs:ram::${accountId}:user/${userName}`;
export const ramPolicyArn = (accountId: string, policyName: string): string =>
  `acs:ram::${accountId}:policy/${policyName}`;

/** The identifiers a request resolved to. Key ids are real key ids, never aliases or ARNs. */
export interface ResourceIds {
  readonly region: string;
  readonly accountId: string;
  readonly secretNames?: readonly string[];
  readonly keyIds?: readonly string[];
  readonly aliasNames?: readonly string[];
  readonly userName?: string;
  readonly policyName?: string;
}

export interface Authorization {
  readonly permission: PermissionEntry['permission'];
  /** Every ARN the caller must be allowed on; empty when the action is not access-controlled. */
  readonly resources: readonly string[];
  readonly requiresAuthorization: boolean;
}

/**
 * The permission and ARNs to authorize for one action. Throws `internal` for an unknown action or when
 * an identifier the resource kind needs is missing: both are bugs in the caller, never user input.
 */
export function resourcesToAuthorize(product: Product, action: string, ids: ResourceIds): Authorization {
  const entry = permissionFor(product, action);
  if (entry === undefined)
    throw new DomainError('internal', `No permission is defined for ${product} ${action}.`);
  const { region, accountId } = ids;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      throw new DomainError('internal', `${action} was authorized without ${what}.`);
    }
    return value;
  };
  const secrets = () => need(ids.secretNames, 'secret names').map((n) => secretArn(region, accountId, n));
  const keys = () => need(ids.keyIds, 'key ids').map((k) => keyArn(region, accountId, k));
  const user = () => ramUserArn(accountId, need(ids.userName, 'a user name'));
  const policy = () => ramPolicyArn(accountId, need(ids.policyName, 'a policy name'));
  const resources = ((): string[] => {
    switch (entry.resource) {
      case 'secret':
        return secrets();
      case 'key':
        return keys();
      case 'alias-and-key':
        return [...need(ids.aliasNames, 'alias names').map((a) => aliasArn(region, accountId, a)), ...keys()];
      case 'secret-or-key': {
        const hasSecrets = ids.secretNames !== undefined && ids.secretNames.length > 0;
        const hasKeys = ids.keyIds !== undefined && ids.keyIds.length > 0;
        if (!hasSecrets && !hasKeys) need(undefined, 'a secret name or key id');
        return [...(hasSecrets ? secrets() : []), ...(hasKeys ? keys() : [])];
      }
      case 'secret-container':
        return [`acs:kms:${region}:${accountId}:secret`];
      case 'key-container':
        return [`acs:kms:${region}:${accountId}:key`];
      case 'alias-container':
        return [`acs:kms:${region}:${accountId}:alias`];
      case 'account':
        return [product === 'ram' ? `acs:ram::${accountId}:*` : `acs:${product}:${region}:${accountId}:*`];
      case 'user':
        return [user()];
      case 'policy':
        return [policy()];
      case 'user-and-policy':
        return [user(), policy()];
      case 'none':
        return [];
    }
  })();
  return { permission: entry.permission, resources, requiresAuthorization: entry.resource !== 'none' };
}

/**
 * The table docs/permissions.md carries between its markers, one row per action, KMS, RAM, ActionTrail. The
 * doc test compares the file with this text, so regenerating the doc is pasting this.
 */
export function renderPermissionTable(): string {
  const rows = [
    '| Product | API action | Permission | Resource | Note |',
    '|---|---|---|---|---|',
    ...KMS_ACTION_NAMES.map((a) => row('kms', a, KMS_PERMISSIONS[a])),
    ...RAM_ACTION_NAMES.map((a) => row('ram', a, RAM_PERMISSIONS[a])),
    ...ACTIONTRAIL_ACTION_NAMES.map((a) => row('actiontrail', a, ACTIONTRAIL_PERMISSIONS[a])),
  ];
  return rows.join('\n');
}

function row(product: string, action: string, entry: PermissionEntry): string {
  return `| ${product} | ${action} | \`${entry.permission}\` | ${entry.resource} | ${entry.note ?? ''} |`;
}
