/**
 * Which permission every API action needs, and on which resources (issue 5). The protocol adapter
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

/** Every action of the KMS endpoint, by wire name (kept equal to the protocol's table by a test). */
export const KMS_ACTION_NAMES = [
  'CreateSecret',
  'GetSecretValue',
  'BatchGetSecretValue',
  'PutSecretValue',
  'UpdateSecretVersionStage',
  'DescribeSecret',
  'ListSecrets',
  'ListSecretVersionIds',
  'UpdateSecret',
  'DeleteSecret',
  'RestoreSecret',
  'GetSecretPolicy',
  'SetSecretPolicy',
  'GetRandomPassword',
  'TagResource',
  'UntagResource',
  'ListResourceTags',
  'TagResources',
  'UntagResources',
  'ListTagResources',
  'CreateKey',
  'DescribeKey',
  'ListKeys',
  'UpdateKeyDescription',
  'EnableKey',
  'DisableKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'CreateKeyVersion',
  'ListKeyVersions',
  'DescribeKeyVersion',
  'UpdateRotationPolicy',
  'ReEncrypt',
  'RewrapDataKeys',
  'DescribeRegions',
  'CreateAlias',
  'UpdateAlias',
  'DeleteAlias',
  'ListAliases',
  'ListAliasesByKeyId',
  'Encrypt',
  'Decrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'RotateSecret',
  'UpdateSecretRotationPolicy',
  'CreateRotationWebhook',
  'ListRotationWebhooks',
  'DeleteRotationWebhook',
  'RegisterDatabaseInstance',
  'DescribeDatabaseInstance',
  'ListDatabaseInstances',
  'UpdateDatabaseInstance',
  'DeregisterDatabaseInstance',
] as const;
export type KmsActionName = (typeof KMS_ACTION_NAMES)[number];

/** The RAM-compatible actions issue 5 adds (product version 2015-05-01). */
export const RAM_ACTION_NAMES = [
  'CreateUser',
  'GetUser',
  'ListUsers',
  'UpdateUser',
  'DeleteUser',
  'CreateAccessKey',
  'ListAccessKeys',
  'UpdateAccessKey',
  'DeleteAccessKey',
  'CreatePolicy',
  'GetPolicy',
  'ListPolicies',
  'DeletePolicy',
  'AttachPolicyToUser',
  'DetachPolicyFromUser',
  'ListPoliciesForUser',
] as const;
export type RamActionName = (typeof RAM_ACTION_NAMES)[number];

/** The ActionTrail-style audit actions (product version 2020-07-06). */
export const ACTIONTRAIL_ACTION_NAMES = ['LookupEvents', 'VerifyEvents'] as const;
export type ActionTrailActionName = (typeof ACTIONTRAIL_ACTION_NAMES)[number];

/** The products whose actions are authorized, by the service prefix of their permissions. */
export type Product = 'kms' | 'ram' | 'actiontrail';

/**
 * What a permission is checked against:
 * - `secret`, `key`: each named secret / each resolved key (`…:secret/<name>`, `…:key/<id>`);
 * - `alias-and-key`: the alias and the key it points (or will point) at;
 * - `secret-or-key`: whichever the request names (tag operations take either);
 * - `secret-container`, `key-container`, `alias-container`: `acs:kms:<region>:<account>:secret` etc.;
 * - `account`: no resource-level control; checked against `acs:<service>:<region>:<account>:*`, which
 *   `Resource: "*"` and `acs:kms:*:*:*` match but `…:secret/app/*` does not;
 * - `user`, `policy`, `user-and-policy`: `acs:ram::<account>:user/<name>`, `…:policy/<name>`;
 * - `none`: not access-controlled (DescribeRegions).
 */
export type ResourceKind =
  | 'secret'
  | 'key'
  | 'alias-and-key'
  | 'secret-or-key'
  | 'secret-container'
  | 'key-container'
  | 'alias-container'
  | 'account'
  | 'user'
  | 'policy'
  | 'user-and-policy'
  | 'none';

export interface PermissionEntry {
  readonly permission: `${Product}:${string}`;
  readonly resource: ResourceKind;
  /** Why the entry differs from `<service>:<Action>` on the obvious resource, when it does. */
  readonly note?: string;
}

const kms = (action: string, resource: ResourceKind, note?: string): PermissionEntry =>
  note === undefined
    ? { permission: `kms:${action}`, resource }
    : { permission: `kms:${action}`, resource, note };

/** The database instance registry is Tessera's own; instances have no ARN of their own (yet). */
const DATABASE_NOTE = 'Tessera extension: no resource-level control';

export const KMS_PERMISSIONS: { readonly [A in KmsActionName]: PermissionEntry } = {
  CreateSecret: kms(
    'CreateSecret',
    'secret',
    'and kms:GenerateDataKey on the EncryptionKeyId key when one is given (our choice: values are sealed under it)',
  ),
  GetSecretValue: kms('GetSecretValue', 'secret'),
  BatchGetSecretValue: kms(
    'GetSecretValue',
    'secret',
    'checked for every secret in the batch (BatchGetSecretValue API page); items denied answer as missing',
  ),
  PutSecretValue: kms('PutSecretValue', 'secret'),
  UpdateSecretVersionStage: kms('UpdateSecretVersionStage', 'secret'),
  DescribeSecret: kms('DescribeSecret', 'secret'),
  ListSecrets: kms('ListSecrets', 'secret-container'),
  ListSecretVersionIds: kms('ListSecretVersionIds', 'secret'),
  UpdateSecret: kms('UpdateSecret', 'secret'),
  DeleteSecret: kms('DeleteSecret', 'secret'),
  RestoreSecret: kms('RestoreSecret', 'secret'),
  GetSecretPolicy: kms('GetSecretPolicy', 'secret'),
  SetSecretPolicy: kms('SetSecretPolicy', 'secret'),
  GetRandomPassword: kms('GetRandomPassword', 'account'),
  TagResource: kms('TagResource', 'secret-or-key'),
  UntagResource: kms('UntagResource', 'secret-or-key'),
  ListResourceTags: kms('ListResourceTags', 'key'),
  TagResources: kms('TagResources', 'secret-or-key', 'checked for every listed resource'),
  UntagResources: kms('UntagResources', 'secret-or-key', 'checked for every listed resource'),
  ListTagResources: kms('ListTagResources', 'secret-or-key', 'checked for every listed resource'),
  CreateKey: kms('CreateKey', 'key-container'),
  DescribeKey: kms('DescribeKey', 'key'),
  ListKeys: kms('ListKeys', 'key-container'),
  UpdateKeyDescription: kms('UpdateKeyDescription', 'key'),
  EnableKey: kms('EnableKey', 'key'),
  DisableKey: kms('DisableKey', 'key'),
  ScheduleKeyDeletion: kms('ScheduleKeyDeletion', 'key'),
  CancelKeyDeletion: kms('CancelKeyDeletion', 'key'),
  CreateKeyVersion: kms('CreateKeyVersion', 'key'),
  ListKeyVersions: kms('ListKeyVersions', 'key'),
  DescribeKeyVersion: kms('DescribeKeyVersion', 'key'),
  UpdateRotationPolicy: kms('UpdateRotationPolicy', 'key'),
  ReEncrypt: kms(
    'ReEncryptTo',
    'key',
    'on the destination key, and kms:ReEncryptFrom on the key named inside the ciphertext (ReEncrypt API page; kms:ReEncrypt* grants both)',
  ),
  RewrapDataKeys: kms('RewrapDataKeys', 'account', 'Tessera extension (docs/crypto.md)'),
  DescribeRegions: kms('DescribeRegions', 'none', 'not access-controlled (KMS RAM authorization page)'),
  CreateAlias: kms('CreateAlias', 'alias-and-key'),
  UpdateAlias: kms('UpdateAlias', 'alias-and-key', 'the key is the new target'),
  DeleteAlias: kms('DeleteAlias', 'alias-and-key', 'our choice: the alias and the key it points at'),
  ListAliases: kms('ListAliases', 'alias-container'),
  ListAliasesByKeyId: kms('ListAliasesByKeyId', 'key'),
  Encrypt: kms('Encrypt', 'key', 'on the resolved key even when an alias is given'),
  Decrypt: kms('Decrypt', 'key', 'on the key named inside the ciphertext'),
  GenerateDataKey: kms('GenerateDataKey', 'key', 'on the resolved key even when an alias is given'),
  GenerateDataKeyWithoutPlaintext: kms(
    'GenerateDataKeyWithoutPlaintext',
    'key',
    'on the resolved key even when an alias is given',
  ),
  RotateSecret: kms('RotateSecret', 'secret'),
  UpdateSecretRotationPolicy: kms('UpdateSecretRotationPolicy', 'secret'),
  CreateRotationWebhook: kms('CreateRotationWebhook', 'account', 'Tessera extension (docs/rotation.md)'),
  ListRotationWebhooks: kms('ListRotationWebhooks', 'account', 'Tessera extension (docs/rotation.md)'),
  DeleteRotationWebhook: kms('DeleteRotationWebhook', 'account', 'Tessera extension (docs/rotation.md)'),
  RegisterDatabaseInstance: kms('RegisterDatabaseInstance', 'account', DATABASE_NOTE),
  DescribeDatabaseInstance: kms('DescribeDatabaseInstance', 'account', DATABASE_NOTE),
  ListDatabaseInstances: kms('ListDatabaseInstances', 'account', DATABASE_NOTE),
  UpdateDatabaseInstance: kms('UpdateDatabaseInstance', 'account', DATABASE_NOTE),
  DeregisterDatabaseInstance: kms('DeregisterDatabaseInstance', 'account', DATABASE_NOTE),
};

const ram = (action: RamActionName, resource: ResourceKind, note?: string): PermissionEntry =>
  note === undefined
    ? { permission: `ram:${action}`, resource }
    : { permission: `ram:${action}`, resource, note };

export const RAM_PERMISSIONS: { readonly [A in RamActionName]: PermissionEntry } = {
  CreateUser: ram('CreateUser', 'user'),
  GetUser: ram('GetUser', 'user'),
  ListUsers: ram('ListUsers', 'account'),
  UpdateUser: ram('UpdateUser', 'user', 'on the current name'),
  DeleteUser: ram('DeleteUser', 'user'),
  CreateAccessKey: ram('CreateAccessKey', 'user', 'on the key owner, the caller when UserName is omitted'),
  ListAccessKeys: ram('ListAccessKeys', 'user', 'on the key owner, the caller when UserName is omitted'),
  UpdateAccessKey: ram('UpdateAccessKey', 'user', 'on the key owner, the caller when UserName is omitted'),
  DeleteAccessKey: ram('DeleteAccessKey', 'user', 'on the key owner, the caller when UserName is omitted'),
  CreatePolicy: ram('CreatePolicy', 'policy'),
  GetPolicy: ram('GetPolicy', 'policy'),
  ListPolicies: ram('ListPolicies', 'account'),
  DeletePolicy: ram('DeletePolicy', 'policy'),
  AttachPolicyToUser: ram('AttachPolicyToUser', 'user-and-policy'),
  DetachPolicyFromUser: ram('DetachPolicyFromUser', 'user-and-policy'),
  ListPoliciesForUser: ram('ListPoliciesForUser', 'user'),
};

export const ACTIONTRAIL_PERMISSIONS: { readonly [A in ActionTrailActionName]: PermissionEntry } = {
  LookupEvents: {
    permission: 'actiontrail:LookupEvents',
    resource: 'account',
    note: 'the whole trail of the account: every user, every action',
  },
  VerifyEvents: {
    permission: 'actiontrail:VerifyEvents',
    resource: 'account',
    note: "Tessera's own action (checks the hash chain)",
  },
};

const TABLES: { readonly [P in Product]: Readonly<Record<string, PermissionEntry>> } = {
  kms: KMS_PERMISSIONS,
  ram: RAM_PERMISSIONS,
  actiontrail: ACTIONTRAIL_PERMISSIONS,
};

/** The permission entry of a wire action, if the action exists (`product` picks the table). */
export function permissionFor(product: Product, action: string): PermissionEntry | undefined {
  const table = TABLES[product];
  return Object.hasOwn(table, action) ? table[action] : undefined;
}

/**
 * Permissions any one of which shows the caller that a resource exists. A caller refused on a secret
 * or key who holds none of them gets the answer a missing one gets (so existence cannot be probed); one
 * who holds any of them already knows it exists and is told the truth, 403.
 */
export const VISIBLE_WITH: {
  readonly secret: readonly `kms:${string}`[];
  readonly key: readonly `kms:${string}`[];
} = {
  secret: ['kms:DescribeSecret', 'kms:GetSecretValue'],
  key: [
    'kms:DescribeKey',
    'kms:Encrypt',
    'kms:Decrypt',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyWithoutPlaintext',
  ],
};

export const secretArn = (region: string, accountId: string, name: string): string =>
  `acs:kms:${region}:${accountId}:secret/${name}`;
export const keyArn = (region: string, accountId: string, keyId: string): string =>
  `acs:kms:${region}:${accountId}:key/${keyId}`;
/** Alias names carry their `alias/` prefix on the wire; the ARN ends in the full alias name. */
export const aliasArn = (region: string, accountId: string, aliasName: string): string =>
  `acs:kms:${region}:${accountId}:${aliasName.startsWith('alias/') ? aliasName : `alias/${aliasName}`}`;
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
