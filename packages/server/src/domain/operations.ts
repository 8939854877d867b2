/**
 * The one catalog of operations: every operation Tessera serves, declared once with the permission it
 * needs, the kind of resource that permission is checked on, whether it changes state, and its audit
 * class. Everything else is derived from it or checked against it: the permission tables and
 * `resourcesToAuthorize` (permissions.ts), the attempt-before-run rule of the pipeline
 * (services/operations/), the Alibaba action tables and docs/permissions.md (tests).
 *
 * An entry is typed so that it cannot leave out its permission or audit class, and so that a
 * state-changing operation cannot be audited as a read (it must leave an attempt event before it runs).
 *
 * Operation names are the Alibaba API's action names, which are also the names the AWS API uses where
 * the two have the same operation; another protocol maps its own names onto these.
 */

/** The products whose operations are authorized, by the service prefix of their permissions. */
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

/**
 * What the audit trail records of an operation (docs/audit.md):
 * - `write`: changes state; an attempt event is on record before it runs, then its outcome;
 * - `read`: changes nothing; its outcome is on record before the answer leaves the server;
 * - `material-read`: a read whose answer carries secret material (a secret value, a plaintext, a data
 *   key, a generated password); recorded like `read`, and named so consumers can single it out.
 */
export type AuditClass = 'write' | 'read' | 'material-read';

interface OperationBase {
  readonly product: Product;
  readonly permission: `${Product}:${string}`;
  readonly resource: ResourceKind;
  /** Why the entry differs from `<service>:<Operation>` on the obvious resource, when it does. */
  readonly note?: string;
}

/** One operation; a state-changing one is always audited as a write. */
export type OperationSpec = OperationBase &
  (
    | { readonly changesState: true; readonly audit: 'write' }
    | { readonly changesState: false; readonly audit: 'read' | 'material-read' }
  );

type Options = { readonly note?: string; readonly permission?: string };

function spec(
  product: Product,
  name: string,
  resource: ResourceKind,
  audit: AuditClass,
  options: Options = {},
): OperationSpec {
  const permission = `${product}:${options.permission ?? name}` as const;
  const note = options.note === undefined ? {} : { note: options.note };
  return audit === 'write'
    ? { product, permission, resource, changesState: true, audit, ...note }
    : { product, permission, resource, changesState: false, audit, ...note };
}

const kms = (name: string, resource: ResourceKind, audit: AuditClass, options?: Options) =>
  spec('kms', name, resource, audit, options);
const ram = (name: string, resource: ResourceKind, audit: AuditClass, note?: string) =>
  spec('ram', name, resource, audit, note === undefined ? {} : { note });

/** The database instance registry is Tessera's own; instances have no ARN of their own (yet). */
const DATABASE_NOTE = 'Tessera extension: no resource-level control';
const ROTATION_NOTE = 'Tessera extension (docs/rotation.md)';
const ALIAS_RESOLVED = 'on the resolved key even when an alias is given';
const OWN_KEY = 'on the key owner, the caller when UserName is omitted';
const ADMIN_LOGIN = "the administrator's own only by the administrator";

/** The KMS endpoint's operations (Alibaba API version 2016-01-20), in the order docs/permissions.md lists them. */
export const KMS_OPERATIONS = {
  CreateSecret: kms('CreateSecret', 'secret', 'write', {
    note: 'and kms:GenerateDataKey on the EncryptionKeyId key when one is given (our choice: values are sealed under it)',
  }),
  GetSecretValue: kms('GetSecretValue', 'secret', 'material-read'),
  BatchGetSecretValue: kms('BatchGetSecretValue', 'secret', 'material-read', {
    permission: 'GetSecretValue',
    note: 'checked for every secret in the batch (BatchGetSecretValue API page); items denied answer as missing',
  }),
  PutSecretValue: kms('PutSecretValue', 'secret', 'write'),
  UpdateSecretVersionStage: kms('UpdateSecretVersionStage', 'secret', 'write'),
  DescribeSecret: kms('DescribeSecret', 'secret', 'read'),
  ListSecrets: kms('ListSecrets', 'secret-container', 'read'),
  ListSecretVersionIds: kms('ListSecretVersionIds', 'secret', 'read'),
  UpdateSecret: kms('UpdateSecret', 'secret', 'write'),
  DeleteSecret: kms('DeleteSecret', 'secret', 'write'),
  RestoreSecret: kms('RestoreSecret', 'secret', 'write'),
  GetSecretPolicy: kms('GetSecretPolicy', 'secret', 'read'),
  SetSecretPolicy: kms('SetSecretPolicy', 'secret', 'write'),
  GetRandomPassword: kms('GetRandomPassword', 'account', 'material-read'),
  TagResource: kms('TagResource', 'secret-or-key', 'write'),
  UntagResource: kms('UntagResource', 'secret-or-key', 'write'),
  ListResourceTags: kms('ListResourceTags', 'key', 'read'),
  TagResources: kms('TagResources', 'secret-or-key', 'write', { note: 'checked for every listed resource' }),
  UntagResources: kms('UntagResources', 'secret-or-key', 'write', {
    note: 'checked for every listed resource',
  }),
  ListTagResources: kms('ListTagResources', 'secret-or-key', 'read', {
    note: 'checked for every listed resource',
  }),
  CreateKey: kms('CreateKey', 'key-container', 'write'),
  DescribeKey: kms('DescribeKey', 'key', 'read'),
  ListKeys: kms('ListKeys', 'key-container', 'read'),
  UpdateKeyDescription: kms('UpdateKeyDescription', 'key', 'write'),
  EnableKey: kms('EnableKey', 'key', 'write'),
  DisableKey: kms('DisableKey', 'key', 'write'),
  ScheduleKeyDeletion: kms('ScheduleKeyDeletion', 'key', 'write'),
  CancelKeyDeletion: kms('CancelKeyDeletion', 'key', 'write'),
  CreateKeyVersion: kms('CreateKeyVersion', 'key', 'write'),
  ListKeyVersions: kms('ListKeyVersions', 'key', 'read'),
  DescribeKeyVersion: kms('DescribeKeyVersion', 'key', 'read'),
  UpdateRotationPolicy: kms('UpdateRotationPolicy', 'key', 'write'),
  ReEncrypt: kms('ReEncrypt', 'key', 'read', {
    permission: 'ReEncryptTo',
    note: 'on the destination key, and kms:ReEncryptFrom on the key named inside the ciphertext (ReEncrypt API page; kms:ReEncrypt* grants both)',
  }),
  RewrapDataKeys: kms('RewrapDataKeys', 'account', 'write', { note: 'Tessera extension (docs/crypto.md)' }),
  DescribeRegions: kms('DescribeRegions', 'none', 'read', {
    note: 'not access-controlled (KMS RAM authorization page)',
  }),
  CreateAlias: kms('CreateAlias', 'alias-and-key', 'write'),
  UpdateAlias: kms('UpdateAlias', 'alias-and-key', 'write', { note: 'the key is the new target' }),
  DeleteAlias: kms('DeleteAlias', 'alias-and-key', 'write', {
    note: 'our choice: the alias and the key it points at',
  }),
  ListAliases: kms('ListAliases', 'alias-container', 'read'),
  ListAliasesByKeyId: kms('ListAliasesByKeyId', 'key', 'read'),
  Encrypt: kms('Encrypt', 'key', 'read', { note: ALIAS_RESOLVED }),
  Decrypt: kms('Decrypt', 'key', 'material-read', { note: 'on the key named inside the ciphertext' }),
  GenerateDataKey: kms('GenerateDataKey', 'key', 'material-read', { note: ALIAS_RESOLVED }),
  GenerateDataKeyWithoutPlaintext: kms('GenerateDataKeyWithoutPlaintext', 'key', 'read', {
    note: ALIAS_RESOLVED,
  }),
  RotateSecret: kms('RotateSecret', 'secret', 'write'),
  UpdateSecretRotationPolicy: kms('UpdateSecretRotationPolicy', 'secret', 'write'),
  CreateRotationWebhook: kms('CreateRotationWebhook', 'account', 'write', { note: ROTATION_NOTE }),
  ListRotationWebhooks: kms('ListRotationWebhooks', 'account', 'read', { note: ROTATION_NOTE }),
  DeleteRotationWebhook: kms('DeleteRotationWebhook', 'account', 'write', { note: ROTATION_NOTE }),
  RegisterDatabaseInstance: kms('RegisterDatabaseInstance', 'account', 'write', { note: DATABASE_NOTE }),
  DescribeDatabaseInstance: kms('DescribeDatabaseInstance', 'account', 'read', { note: DATABASE_NOTE }),
  ListDatabaseInstances: kms('ListDatabaseInstances', 'account', 'read', { note: DATABASE_NOTE }),
  UpdateDatabaseInstance: kms('UpdateDatabaseInstance', 'account', 'write', { note: DATABASE_NOTE }),
  DeregisterDatabaseInstance: kms('DeregisterDatabaseInstance', 'account', 'write', { note: DATABASE_NOTE }),
} as const satisfies Record<string, OperationSpec>;

/** The RAM-compatible operations (Alibaba API version 2015-05-01). */
export const RAM_OPERATIONS = {
  CreateUser: ram('CreateUser', 'user', 'write'),
  GetUser: ram('GetUser', 'user', 'read'),
  ListUsers: ram('ListUsers', 'account', 'read'),
  UpdateUser: ram('UpdateUser', 'user', 'write', 'on the current name'),
  DeleteUser: ram('DeleteUser', 'user', 'write'),
  CreateAccessKey: ram('CreateAccessKey', 'user', 'write', OWN_KEY),
  ListAccessKeys: ram('ListAccessKeys', 'user', 'read', OWN_KEY),
  UpdateAccessKey: ram('UpdateAccessKey', 'user', 'write', OWN_KEY),
  DeleteAccessKey: ram('DeleteAccessKey', 'user', 'write', OWN_KEY),
  CreatePolicy: ram('CreatePolicy', 'policy', 'write'),
  GetPolicy: ram('GetPolicy', 'policy', 'read'),
  ListPolicies: ram('ListPolicies', 'account', 'read'),
  DeletePolicy: ram('DeletePolicy', 'policy', 'write'),
  AttachPolicyToUser: ram('AttachPolicyToUser', 'user-and-policy', 'write'),
  DetachPolicyFromUser: ram('DetachPolicyFromUser', 'user-and-policy', 'write'),
  ListPoliciesForUser: ram('ListPoliciesForUser', 'user', 'read'),
  CreateLoginProfile: ram('CreateLoginProfile', 'user', 'write', ADMIN_LOGIN),
  UpdateLoginProfile: ram('UpdateLoginProfile', 'user', 'write', ADMIN_LOGIN),
  GetLoginProfile: ram('GetLoginProfile', 'user', 'read'),
  DeleteLoginProfile: ram('DeleteLoginProfile', 'user', 'write', ADMIN_LOGIN),
  EnableConsoleMFA: ram(
    'EnableConsoleMFA',
    'user',
    'write',
    `Tessera extension (docs/console.md); ${ADMIN_LOGIN}`,
  ),
  DisableConsoleMFA: ram(
    'DisableConsoleMFA',
    'user',
    'write',
    `Tessera extension (docs/console.md); ${ADMIN_LOGIN}`,
  ),
} as const satisfies Record<string, OperationSpec>;

/** The ActionTrail-style audit operations (Alibaba API version 2020-07-06). */
export const ACTIONTRAIL_OPERATIONS = {
  LookupEvents: spec('actiontrail', 'LookupEvents', 'account', 'read', {
    note: 'the whole trail of the account: every user, every action',
  }),
  VerifyEvents: spec('actiontrail', 'VerifyEvents', 'account', 'read', {
    note: "Tessera's own action (checks the hash chain)",
  }),
} as const satisfies Record<string, OperationSpec>;

export type KmsOperationName = keyof typeof KMS_OPERATIONS;
export type RamOperationName = keyof typeof RAM_OPERATIONS;
export type ActionTrailOperationName = keyof typeof ACTIONTRAIL_OPERATIONS;
export type OperationName = KmsOperationName | RamOperationName | ActionTrailOperationName;

/** Every operation by name. Names are unique across products (a test checks it). */
export const OPERATIONS: { readonly [N in OperationName]: OperationSpec } = {
  ...KMS_OPERATIONS,
  ...RAM_OPERATIONS,
  ...ACTIONTRAIL_OPERATIONS,
};

/** The names of one product's operations, in catalog order. */
export function operationNames<P extends Product>(
  product: P,
): readonly (P extends 'kms'
  ? KmsOperationName
  : P extends 'ram'
    ? RamOperationName
    : ActionTrailOperationName)[] {
  const table =
    product === 'kms' ? KMS_OPERATIONS : product === 'ram' ? RAM_OPERATIONS : ACTIONTRAIL_OPERATIONS;
  return Object.keys(table) as never;
}

/** The operation a name stands for, if it is one (own members only: `constructor` is not an operation). */
export function operationOf(name: string): OperationSpec | undefined {
  return Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name as OperationName] : undefined;
}

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(OPERATIONS, name);
}
