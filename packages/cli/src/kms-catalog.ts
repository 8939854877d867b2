/**
 * The KMS actions the server answers and the parameters each one reads, so `tessera kms` can refuse a
 * mistyped action or parameter before sending anything, suggesting the nearest valid name. A test
 * (packages/cli/test/kms-catalog.test.ts) keeps the action list equal to the server's.
 */

/** Parameters every request may carry. */
const COMMON = ['RegionId', 'Format'];

const SECRETS = {
  CreateSecret: [
    'SecretName',
    'VersionId',
    'SecretData',
    'SecretDataType',
    'EncryptionKeyId',
    'Description',
    'Tags',
    'SecretType',
    'ExtendedConfig',
    'EnableAutomaticRotation',
    'RotationInterval',
    'DKMSInstanceId',
    'Policy',
  ],
  GetSecretValue: ['SecretName', 'VersionId', 'VersionStage', 'FetchExtendedConfig', 'DryRun'],
  BatchGetSecretValue: ['SecretsList', 'FetchExtendedConfig'],
  PutSecretValue: ['SecretName', 'VersionId', 'SecretData', 'SecretDataType', 'VersionStages'],
  UpdateSecretVersionStage: ['SecretName', 'VersionStage', 'MoveToVersion', 'RemoveFromVersion'],
  DescribeSecret: ['SecretName', 'FetchTags'],
  ListSecrets: ['PageNumber', 'PageSize', 'FetchTags', 'Filters'],
  ListSecretVersionIds: ['SecretName', 'IncludeDeprecated', 'PageNumber', 'PageSize'],
  UpdateSecret: ['SecretName', 'Description', 'ExtendedConfig.CustomData', 'ExtendedConfig'],
  DeleteSecret: ['SecretName', 'ForceDeleteWithoutRecovery', 'RecoveryWindowInDays'],
  RestoreSecret: ['SecretName'],
  GetSecretPolicy: ['SecretName', 'PolicyName'],
  SetSecretPolicy: ['SecretName', 'Policy', 'PolicyName'],
  GetRandomPassword: [
    'PasswordLength',
    'ExcludeCharacters',
    'ExcludeLowercase',
    'ExcludeUppercase',
    'ExcludeNumbers',
    'ExcludePunctuation',
    'RequireEachIncludedType',
  ],
};

const ROTATION = {
  RotateSecret: ['SecretName', 'VersionId'],
  UpdateSecretRotationPolicy: ['SecretName', 'EnableAutomaticRotation', 'RotationInterval'],
  CreateRotationWebhook: ['WebhookName', 'Url', 'TimeoutSeconds'],
  ListRotationWebhooks: [],
  DeleteRotationWebhook: ['WebhookName'],
};

const KEYS = {
  CreateKey: [
    'Description',
    'KeySpec',
    'KeyUsage',
    'Origin',
    'ProtectionLevel',
    'EnableAutomaticRotation',
    'RotationInterval',
    'Tags',
    'Policy',
    'DKMSInstanceId',
    'KeyStorageMechanism',
  ],
  DescribeKey: ['KeyId'],
  ListKeys: ['PageNumber', 'PageSize', 'Filters'],
  UpdateKeyDescription: ['KeyId', 'Description'],
  EnableKey: ['KeyId'],
  DisableKey: ['KeyId'],
  ScheduleKeyDeletion: ['KeyId', 'PendingWindowInDays'],
  CancelKeyDeletion: ['KeyId'],
  CreateKeyVersion: ['KeyId'],
  ListKeyVersions: ['KeyId', 'PageNumber', 'PageSize'],
  DescribeKeyVersion: ['KeyId', 'KeyVersionId'],
  Encrypt: ['KeyId', 'Plaintext', 'EncryptionContext', 'EncryptionContext.*', 'DryRun'],
  Decrypt: ['CiphertextBlob', 'EncryptionContext', 'EncryptionContext.*', 'DryRun'],
  GenerateDataKey: ['KeyId', 'KeySpec', 'NumberOfBytes', 'EncryptionContext', 'DryRun'],
  GenerateDataKeyWithoutPlaintext: ['KeyId', 'KeySpec', 'NumberOfBytes', 'EncryptionContext', 'DryRun'],
  UpdateRotationPolicy: ['KeyId', 'EnableAutomaticRotation', 'RotationInterval'],
  ReEncrypt: [
    'CiphertextBlob',
    'DestinationKeyId',
    'SourceEncryptionContext',
    'SourceEncryptionContext.*',
    'DestinationEncryptionContext',
    'DestinationEncryptionContext.*',
    'SourceKeyId',
    'SourceKeyVersionId',
    'SourceEncryptionAlgorithm',
    'DryRun',
  ],
  /** Tessera extension (docs/crypto.md). */
  RewrapDataKeys: [],
};

const ALIASES = {
  CreateAlias: ['AliasName', 'KeyId'],
  UpdateAlias: ['AliasName', 'KeyId'],
  DeleteAlias: ['AliasName'],
  ListAliases: ['PageNumber', 'PageSize'],
  ListAliasesByKeyId: ['KeyId', 'PageNumber', 'PageSize'],
};

const TAGS = {
  TagResource: ['KeyId', 'SecretName', 'CertificateId', 'Tags'],
  UntagResource: ['KeyId', 'SecretName', 'CertificateId', 'TagKeys'],
  ListResourceTags: ['KeyId'],
  TagResources: ['ResourceType', 'ResourceId.N', 'Tag.N.Key', 'Tag.N.Value'],
  UntagResources: ['ResourceType', 'ResourceId.N', 'TagKey.N', 'All'],
  ListTagResources: ['ResourceType', 'ResourceId.N', 'Tag.N.Key', 'Tag.N.Value', 'NextToken'],
};

const DATABASES = {
  RegisterDatabaseInstance: [
    'DBInstanceId',
    'Engine',
    'Host',
    'Port',
    'Database',
    'TlsMode',
    'CaCertificate',
    'AdminSecretName',
    'Description',
  ],
  DescribeDatabaseInstance: ['DBInstanceId'],
  ListDatabaseInstances: ['PageNumber', 'PageSize'],
  UpdateDatabaseInstance: [
    'DBInstanceId',
    'Host',
    'Port',
    'Database',
    'TlsMode',
    'CaCertificate',
    'Description',
  ],
  DeregisterDatabaseInstance: ['DBInstanceId'],
};

/** Groups for the help text, in the order shown. */
export const KMS_ACTION_GROUPS: readonly (readonly [string, Readonly<Record<string, readonly string[]>>])[] =
  [
    ['Secrets', SECRETS],
    ['Rotation', ROTATION],
    ['Keys', KEYS],
    ['Aliases', ALIASES],
    ['Tags', TAGS],
    ['Databases', DATABASES],
    ['Other', { DescribeRegions: [] }],
  ];

export const KMS_ACTIONS: ReadonlyMap<string, readonly string[]> = new Map(
  KMS_ACTION_GROUPS.flatMap(([, actions]) => Object.entries(actions)),
);

/** `ResourceId.N` matches `ResourceId.1`; `EncryptionContext.*` any `EncryptionContext.<key>`. */
function matches(pattern: string, name: string): boolean {
  if (!pattern.includes('.N') && !pattern.endsWith('.*')) return pattern === name;
  const source = pattern
    .split('.')
    .map((part) => (part === 'N' ? '[1-9][0-9]*' : part === '*' ? '[^.]+' : part))
    .join('\\.');
  return new RegExp(`^${source}$`).test(name);
}

/** Whether `action` reads the parameter `name` (or every request may carry it). */
export function acceptsParameter(action: string, name: string): boolean {
  const params = KMS_ACTIONS.get(action) ?? [];
  return [...COMMON, ...params].some((pattern) => matches(pattern, name));
}

/** The parameter names to suggest from, as a user would type them (`ResourceId.1`, not `.N`). */
export function parameterNames(action: string): string[] {
  return (KMS_ACTIONS.get(action) ?? []).map((p) => p.replace(/\.N\b/g, '.1').replace(/\.\*$/, '.key'));
}

/** The "Actions" block of `tessera kms --help`, wrapped at 100 columns. */
export function actionsHelp(): string {
  const width = Math.max(...KMS_ACTION_GROUPS.map(([group]) => group.length));
  const lines = ['Actions (Alibaba Cloud KMS API 2016-01-20, and Tessera extensions):'];
  for (const [group, actions] of KMS_ACTION_GROUPS) {
    let line = `  ${group.padEnd(width)} `;
    const indent = ' '.repeat(line.length);
    for (const action of Object.keys(actions)) {
      if (line.length + action.length + 1 > 100 && line.trim() !== group) {
        lines.push(line.trimEnd());
        line = indent;
      }
      line += `${action} `;
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n');
}
