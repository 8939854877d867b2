/**
 * Every AWS Secrets Manager operation Tessera runs, with the catalog operation (domain/operations.ts)
 * the pipeline authorizes and audits it as. AWS names its operations as the catalog does where both
 * APIs have them; the others are the catalog operation with the same effect (a resource policy is a
 * secret policy, CancelRotateSecret turns the rotation policy off). The replication operations are
 * refused by the adapter before dispatch (adapter.ts).
 */
import type { OperationName } from '../../../domain/operations.js';
import type { AwsActionTable } from '../action.js';
import type { AwsOperation } from '../operations.js';
import { RESOURCE_POLICY_ACTIONS } from './resource-policies.js';
import { ROTATION_ACTIONS } from './rotation.js';
import { SECRET_METADATA_ACTIONS } from './secret-metadata.js';
import { SECRET_VALUE_ACTIONS } from './secret-values.js';

export const AWS_ACTIONS: AwsActionTable = {
  ...SECRET_VALUE_ACTIONS,
  ...SECRET_METADATA_ACTIONS,
  ...ROTATION_ACTIONS,
  ...RESOURCE_POLICY_ACTIONS,
};

/** The catalog operation of each AWS operation that has an action. */
export const AWS_CATALOG_OPERATIONS: { readonly [O in AwsOperation]?: OperationName } = {
  CreateSecret: 'CreateSecret',
  GetSecretValue: 'GetSecretValue',
  BatchGetSecretValue: 'BatchGetSecretValue',
  PutSecretValue: 'PutSecretValue',
  UpdateSecretVersionStage: 'UpdateSecretVersionStage',
  ListSecretVersionIds: 'ListSecretVersionIds',
  DescribeSecret: 'DescribeSecret',
  ListSecrets: 'ListSecrets',
  UpdateSecret: 'UpdateSecret',
  DeleteSecret: 'DeleteSecret',
  RestoreSecret: 'RestoreSecret',
  TagResource: 'TagResource',
  UntagResource: 'UntagResource',
  GetRandomPassword: 'GetRandomPassword',
  RotateSecret: 'RotateSecret',
  CancelRotateSecret: 'UpdateSecretRotationPolicy',
  GetResourcePolicy: 'GetSecretPolicy',
  ListResourcePolicies: 'GetSecretPolicy',
  PutResourcePolicy: 'SetSecretPolicy',
  DeleteResourcePolicy: 'SetSecretPolicy',
  // Without a SecretId: GetSecretPolicy on every secret (`…:secret/*`).
  ValidateResourcePolicy: 'GetSecretPolicy',
};
