/**
 * Alibaba wire errors. Domain errors map through `DOMAIN_ERRORS`, a total `Record` over the domain
 * catalog (a new domain code without a mapping here does not compile). Failures that exist only on the
 * wire (signatures, unknown actions, malformed parameters) are `ProtocolError`s raised in this adapter.
 */
import type { ErrorCode } from '../../domain/errors.js';
import type { Product } from '../../domain/operations.js';

export class ProtocolError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds a throttled client should wait, sent as `x-acs-retry-after`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ProtocolError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function missingParameter(name: string): ProtocolError {
  return new ProtocolError(400, 'MissingParameter', `The parameter "${name}" is needed but not provided.`);
}

export function invalidParameter(name: string, why?: string): ProtocolError {
  return new ProtocolError(
    400,
    'InvalidParameter',
    `The specified parameter "${name}" is not valid.${why === undefined ? '' : ` ${why}`}`,
  );
}

/** How each domain error looks on this wire (docs/behaviour.md rules 7, 10, 16). */
export const DOMAIN_ERRORS: Record<ErrorCode, { readonly status: number; readonly code: string }> = {
  invalid_argument: { status: 400, code: 'InvalidParameter' },
  missing_argument: { status: 400, code: 'MissingParameter' },
  limit_exceeded: { status: 400, code: 'Rejected.LimitExceeded' },
  unsupported_operation: { status: 400, code: 'Rejected.UnsupportedOperation' },
  dry_run_passed: { status: 400, code: 'DryRunOperationError' },
  // KMS's code; RAM and ActionTrail answer their own (`ACCESS_DENIED_BY_PRODUCT`).
  access_denied: { status: 403, code: 'Forbidden.NoPermission' },
  secret_not_found: { status: 404, code: 'Forbidden.ResourceNotFound' },
  secret_version_not_found: { status: 404, code: 'Forbidden.ResourceNotFound' },
  secret_stage_not_found: { status: 404, code: 'Forbidden.ResourceNotFound' },
  secret_already_exists: { status: 409, code: 'Rejected.ResourceExist' },
  secret_pending_deletion: { status: 409, code: 'Rejected.ResourceInDeleteWindow' },
  secret_version_conflict: { status: 409, code: 'Rejected.ResourceExist' },
  key_not_found: { status: 404, code: 'Forbidden.KeyNotFound' },
  key_version_not_found: { status: 404, code: 'Forbidden.KeyVersionNotFound' },
  alias_not_found: { status: 404, code: 'Forbidden.AliasNotFound' },
  alias_already_exists: { status: 400, code: 'AliasAlreadyExists' },
  key_disabled: { status: 409, code: 'Rejected.Disabled' },
  key_pending_deletion: { status: 409, code: 'Rejected.PendingDeletion' },
  key_state_conflict: { status: 409, code: 'Rejected.StateModifiedFailed' },
  invalid_ciphertext: { status: 400, code: 'InvalidParameter' },
  // RAM's own codes (RAM API errors page, alibabacloud.com/help/doc-detail/28754.htm).
  user_not_found: { status: 404, code: 'EntityNotExist.User' },
  user_already_exists: { status: 409, code: 'EntityAlreadyExists.User' },
  user_has_access_keys: { status: 409, code: 'DeleteConflict.User.AccessKey' },
  user_has_policies: { status: 409, code: 'DeleteConflict.User.Policy' },
  administrator_protected: { status: 409, code: 'Rejected.AdministratorProtected' },
  access_key_not_found: { status: 404, code: 'EntityNotExist.User.AccessKey' },
  access_key_limit_exceeded: { status: 409, code: 'LimitExceeded.User.AccessKey' },
  policy_not_found: { status: 404, code: 'EntityNotExist.Policy' },
  policy_already_exists: { status: 409, code: 'EntityAlreadyExists.Policy' },
  policy_in_use: { status: 409, code: 'DeleteConflict.Policy.User' },
  policy_already_attached: { status: 409, code: 'EntityAlreadyExists.User.Policy' },
  policy_not_attached: { status: 404, code: 'EntityNotExist.User.Policy' },
  policy_attachment_limit_exceeded: { status: 409, code: 'LimitExceeded.User.Policy' },
  malformed_policy_document: { status: 400, code: 'MalformedPolicyDocument' },
  login_profile_not_found: { status: 404, code: 'EntityNotExist.User.LoginProfile' },
  login_profile_already_exists: { status: 409, code: 'EntityAlreadyExists.User.LoginProfile' },
  mfa_device_not_found: { status: 404, code: 'EntityNotExist.User.MFADevice' },
  mfa_device_already_bound: { status: 409, code: 'EntityAlreadyExists.User.MFADevice' },
  rotation_in_progress: { status: 409, code: 'Rejected.RotationInProgress' },
  rotation_webhook_not_found: { status: 404, code: 'Forbidden.ResourceNotFound' },
  rotation_webhook_already_exists: { status: 409, code: 'Rejected.ResourceExist' },
  rotation_webhook_in_use: { status: 409, code: 'Rejected.ResourceInUse' },
  database_instance_not_found: { status: 404, code: 'Forbidden.ResourceNotFound' },
  database_instance_already_exists: { status: 409, code: 'Rejected.ResourceExist' },
  database_instance_in_use: { status: 409, code: 'Rejected.ResourceInUse' },
  unavailable: { status: 503, code: 'ServiceUnavailableTemporary' },
  internal: { status: 500, code: 'InternalFailure' },
};

/** A refusal as each product answers it: KMS documents `Forbidden.NoPermission`, RAM and ActionTrail `NoPermission`. */
export const ACCESS_DENIED_BY_PRODUCT: Record<Product, { readonly status: number; readonly code: string }> = {
  kms: DOMAIN_ERRORS.access_denied,
  ram: { status: 403, code: 'NoPermission' },
  actiontrail: { status: 403, code: 'NoPermission' },
};

/** Domain argument names as this API spells them, for messages that name a parameter. */
export const WIRE_FIELD_NAMES: Readonly<Record<string, string>> = {
  secretName: 'SecretName',
  versionId: 'VersionId',
  versionStage: 'VersionStage',
  versionStages: 'VersionStages',
  moveToVersion: 'MoveToVersion',
  removeFromVersion: 'RemoveFromVersion',
  description: 'Description',
  secretData: 'SecretData',
  tags: 'Tags',
  tagKeys: 'TagKeys',
  recoveryWindowInDays: 'RecoveryWindowInDays',
  pendingWindowInDays: 'PendingWindowInDays',
  aliasName: 'AliasName',
  ciphertextBlob: 'CiphertextBlob',
  policy: 'Policy',
  plaintext: 'Plaintext',
  passwordLength: 'PasswordLength',
  excludeCharacters: 'ExcludeCharacters',
  numberOfBytes: 'NumberOfBytes',
  userName: 'UserName',
  newUserName: 'NewUserName',
  displayName: 'DisplayName',
  newDisplayName: 'NewDisplayName',
  comments: 'Comments',
  newComments: 'NewComments',
  email: 'Email',
  newEmail: 'NewEmail',
  mobilePhone: 'MobilePhone',
  newMobilePhone: 'NewMobilePhone',
  policyName: 'PolicyName',
  policyDocument: 'PolicyDocument',
  extendedConfig: 'ExtendedConfig',
  secretType: 'SecretType',
  rotationInterval: 'RotationInterval',
  enableAutomaticRotation: 'EnableAutomaticRotation',
  webhookName: 'WebhookName',
  webhookUrl: 'Url',
  webhookTimeout: 'TimeoutSeconds',
  dbInstanceId: 'DBInstanceId',
  engine: 'Engine',
  host: 'Host',
  port: 'Port',
  database: 'Database',
  tlsMode: 'TlsMode',
  caCertificate: 'CaCertificate',
  adminSecretName: 'AdminSecretName',
  secretDataType: 'SecretDataType',
};
