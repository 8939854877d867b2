/**
 * The AWS Secrets Manager operations (API version 2017-10-17) and the input shape of each, with the
 * constraints of AWS's service model: what `parseOperationInput` checks before any rule of Tessera's
 * model runs. Rules the model cannot express (RecoveryWindowInDays 7–30 beside
 * ForceDeleteWithoutRecovery, SecretString or SecretBinary but not both, …) are checked in
 * `requests.ts` and answer `InvalidParameterException` / `InvalidRequestException` as AWS does.
 */
import { AwsError } from './errors.js';
import type { Infer, StructureShape } from './shapes.js';
import { blob, boolean, integer, list, parseBody, required, string, structure } from './shapes.js';

const secretId = required(string({ min: 1, max: 2048 }));
const clientRequestToken = string({ min: 32, max: 64 });
const versionId = string({ min: 32, max: 64 });
const versionStage = string({ min: 1, max: 256 });
const description = string({ max: 2048 });
const kmsKeyId = string({ max: 2048 });
const secretString = string({ max: 65536 });
const secretBinary = blob({ max: 65536 });
const nextToken = string({ min: 1, max: 4096 });
const tag = structure({ Key: string({ min: 1, max: 128 }), Value: string({ max: 256 }) });
const filter = structure({
  Key: string({
    values: ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'],
  }),
  Values: list(string({ max: 512, pattern: /^!?[a-zA-Z0-9 :_@/+=.\-!]*$/ }), { min: 1, max: 10 }),
});
const filters = list(filter, { max: 10 });
const region = string({ min: 1, max: 128, pattern: /^([a-z]+-)+\d+$/ });
const replicaRegion = structure({ Region: region, KmsKeyId: kmsKeyId });
const rotationRules = structure({
  AutomaticallyAfterDays: integer({ min: 1, max: 1000 }),
  Duration: string({ min: 2, max: 3, pattern: /^[0-9h]+$/ }),
  ScheduleExpression: string({ min: 1, max: 256, pattern: /^[0-9A-Za-z()#?*\-/, ]+$/ }),
});
const metadataItem = structure({ Key: string({ min: 1, max: 256 }), Value: string({ min: 1, max: 2048 }) });
const policyName = string({ min: 1, max: 128 });

export const AWS_OPERATION_SHAPES = {
  AssociateCrossAccountReplica: structure({
    SecretId: secretId,
    CrossAccountReplicaARN: required(string({ min: 1, max: 2048 })),
    ReplicaRestriction: string({ values: ['NoRestriction', 'SameOrg'] }),
    ReplicationRoleARN: string({ max: 2048 }),
  }),
  BatchGetSecretValue: structure({
    SecretIdList: list(string({ min: 1, max: 2048 }), { min: 1, max: 20 }),
    Filters: filters,
    MaxResults: integer({ min: 1, max: 20 }),
    NextToken: nextToken,
  }),
  CancelRotateSecret: structure({ SecretId: secretId }),
  CreateSecret: structure({
    Name: required(string({ min: 1, max: 512 })),
    ClientRequestToken: clientRequestToken,
    Description: description,
    KmsKeyId: kmsKeyId,
    SecretBinary: secretBinary,
    SecretString: secretString,
    Tags: list(tag),
    AddReplicaRegions: list(replicaRegion, { min: 1 }),
    ForceOverwriteReplicaSecret: boolean(),
    Type: string({ max: 256 }),
    CrossAccountPrimaryARN: string({ max: 2048 }),
  }),
  DeleteResourcePolicy: structure({ SecretId: secretId, PolicyName: policyName }),
  DeleteSecret: structure({
    SecretId: secretId,
    RecoveryWindowInDays: integer(),
    ForceDeleteWithoutRecovery: boolean(),
  }),
  DescribeSecret: structure({ SecretId: secretId }),
  DisassociateCrossAccountReplica: structure({
    SecretId: secretId,
    CrossAccountReplicaARN: required(string({ min: 1, max: 2048 })),
  }),
  GetRandomPassword: structure({
    PasswordLength: integer({ min: 1, max: 4096 }),
    ExcludeCharacters: string({ max: 4096 }),
    ExcludeNumbers: boolean(),
    ExcludePunctuation: boolean(),
    ExcludeUppercase: boolean(),
    ExcludeLowercase: boolean(),
    IncludeSpace: boolean(),
    RequireEachIncludedType: boolean(),
  }),
  GetResourcePolicy: structure({ SecretId: secretId, PolicyName: policyName }),
  GetSecretValue: structure({ SecretId: secretId, VersionId: versionId, VersionStage: versionStage }),
  ListResourcePolicies: structure({
    SecretId: secretId,
    MaxResults: integer({ min: 1, max: 100 }),
    NextToken: nextToken,
  }),
  ListSecretVersionIds: structure({
    SecretId: secretId,
    MaxResults: integer({ min: 1, max: 100 }),
    NextToken: nextToken,
    IncludeDeprecated: boolean(),
  }),
  ListSecrets: structure({
    IncludePlannedDeletion: boolean(),
    MaxResults: integer({ min: 1, max: 100 }),
    NextToken: nextToken,
    Filters: filters,
    SortOrder: string({ values: ['asc', 'desc'] }),
    SortBy: string({ values: ['created-date', 'last-accessed-date', 'last-changed-date', 'name'] }),
  }),
  PutResourcePolicy: structure({
    SecretId: secretId,
    ResourcePolicy: required(string({ min: 1, max: 20480 })),
    PolicyName: policyName,
    BlockPublicPolicy: boolean(),
  }),
  PutSecretValue: structure({
    SecretId: secretId,
    ClientRequestToken: clientRequestToken,
    SecretBinary: secretBinary,
    SecretString: secretString,
    VersionStages: list(versionStage, { min: 1, max: 20 }),
    RotationToken: string({ min: 36, max: 256 }),
  }),
  RemoveRegionsFromReplication: structure({
    SecretId: secretId,
    RemoveReplicaRegions: required(list(region, { min: 1 })),
  }),
  ReplicateSecretToRegions: structure({
    SecretId: secretId,
    AddReplicaRegions: required(list(replicaRegion, { min: 1 })),
    ForceOverwriteReplicaSecret: boolean(),
  }),
  RestoreSecret: structure({ SecretId: secretId }),
  RotateSecret: structure({
    SecretId: secretId,
    ClientRequestToken: clientRequestToken,
    RotationLambdaARN: string({ max: 2048 }),
    RotationRules: rotationRules,
    ExternalSecretRotationMetadata: list(metadataItem),
    ExternalSecretRotationRoleArn: string({ max: 2048 }),
    RotateImmediately: boolean(),
  }),
  StopReplicationToReplica: structure({ SecretId: secretId }),
  TagResource: structure({ SecretId: secretId, Tags: required(list(tag)) }),
  UntagResource: structure({ SecretId: secretId, TagKeys: required(list(string({ min: 1, max: 128 }))) }),
  UpdateSecret: structure({
    SecretId: secretId,
    ClientRequestToken: clientRequestToken,
    Description: description,
    KmsKeyId: kmsKeyId,
    SecretBinary: secretBinary,
    SecretString: secretString,
    Type: string({ max: 256 }),
  }),
  UpdateSecretVersionStage: structure({
    SecretId: secretId,
    VersionStage: required(versionStage),
    RemoveFromVersionId: versionId,
    MoveToVersionId: versionId,
  }),
  ValidateResourcePolicy: structure({
    SecretId: string({ min: 1, max: 2048 }),
    ResourcePolicy: required(string({ min: 1, max: 20480 })),
  }),
} as const;

export type AwsOperation = keyof typeof AWS_OPERATION_SHAPES;
export const AWS_OPERATIONS = Object.keys(AWS_OPERATION_SHAPES) as AwsOperation[];
export type AwsInput<O extends AwsOperation> = Infer<(typeof AWS_OPERATION_SHAPES)[O]>;

/** Operations answered with "one region" (docs/aws.md): Tessera does not replicate. */
export const REPLICATION_OPERATIONS: ReadonlySet<AwsOperation> = new Set([
  'AssociateCrossAccountReplica',
  'DisassociateCrossAccountReplica',
  'RemoveRegionsFromReplication',
  'ReplicateSecretToRegions',
  'StopReplicationToReplica',
]);

export const TARGET_PREFIX = 'secretsmanager.';

/**
 * The operation an `X-Amz-Target` header names. AWS answers an unknown target with
 * `UnknownOperationException` (no message) and a missing one with `MissingAuthenticationTokenException`
 * only when unsigned; a signed request without a target is an unknown operation.
 */
export function operationOf(target: string | undefined): AwsOperation {
  const name = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  if (name === undefined || !Object.hasOwn(AWS_OPERATION_SHAPES, name))
    throw new AwsError(400, 'UnknownOperationException', `The operation "${target ?? ''}" is not known.`);
  return name as AwsOperation;
}

/** The body checked against the operation's shape (SerializationException / ValidationException). */
export function parseOperationInput<O extends AwsOperation>(
  operation: O,
  body: Buffer | string,
): AwsInput<O> {
  const shape: StructureShape = AWS_OPERATION_SHAPES[operation];
  return parseBody(shape, body) as AwsInput<O>;
}
