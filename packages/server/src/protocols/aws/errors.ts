/**
 * AWS wire errors. Domain errors map through `AWS_DOMAIN_ERRORS`, a total `Record` over the domain
 * catalog (a new domain code without a mapping here does not compile). Failures that exist only on
 * this wire (signatures, malformed JSON, model constraints) are `AwsError`s raised by the adapter.
 *
 * AWS answers almost every client error with HTTP 400 and names it in `__type`; the SDKs read the
 * code from the body (or `x-amzn-errortype`) and the message from `message` (docs/aws.md).
 */
import type { ErrorCode } from '../../domain/errors.js';

/** Every code this adapter can send, so a typo in a raise site does not compile. */
export const AWS_ERROR_CODES = [
  'AccessDeniedException',
  'DecryptionFailure',
  'EncryptionFailure',
  'IncompleteSignature',
  'InternalServiceError',
  'InvalidNextTokenException',
  'InvalidParameterException',
  'InvalidRequestException',
  'InvalidSignatureException',
  'LimitExceededException',
  'MalformedPolicyDocumentException',
  'MissingAuthenticationTokenException',
  'PreconditionNotMetException',
  'PublicPolicyException',
  'ResourceExistsException',
  'ResourceNotFoundException',
  'SerializationException',
  'ServiceUnavailable',
  'ThrottlingException',
  'UnknownOperationException',
  'UnrecognizedClientException',
  'ValidationException',
] as const;
export type AwsErrorCode = (typeof AWS_ERROR_CODES)[number];

export class AwsError extends Error {
  readonly status: number;
  readonly code: AwsErrorCode;
  /** Seconds a throttled client should wait (sent as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: AwsErrorCode, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'AwsError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A rule of the operation broken by a value (AWS: "InvalidParameterException"). */
export function invalidParameter(message: string): AwsError {
  return new AwsError(400, 'InvalidParameterException', message);
}

/** A request valid in itself that the resource's state does not allow (AWS: "InvalidRequestException"). */
export function invalidRequest(message: string): AwsError {
  return new AwsError(400, 'InvalidRequestException', message);
}

/** A body that is not JSON, or a member of the wrong JSON type. */
export function serializationError(message: string): AwsError {
  return new AwsError(400, 'SerializationException', message);
}

/**
 * Model constraints (required, length, range, enumeration), in AWS's wording: "2 validation errors
 * detected: Value at 'secretId' failed to satisfy constraint: Member must not be null; …". Values are
 * never quoted back, unlike AWS for non-sensitive members: the message must not carry a secret.
 */
export function validationError(problems: readonly string[]): AwsError {
  const count = problems.length;
  return new AwsError(
    400,
    'ValidationException',
    `${count} validation error${count === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
  );
}

/** The answer for an operation Tessera does not serve because it keeps one region (replication). */
export function singleRegion(operation: string): AwsError {
  return invalidRequest(
    `${operation} is not available: Tessera serves one region and does not replicate secrets.`,
  );
}

/** How each domain error looks on this wire. */
export const AWS_DOMAIN_ERRORS: Record<ErrorCode, { readonly status: number; readonly code: AwsErrorCode }> =
  {
    invalid_argument: { status: 400, code: 'InvalidParameterException' },
    missing_argument: { status: 400, code: 'InvalidParameterException' },
    limit_exceeded: { status: 400, code: 'LimitExceededException' },
    unsupported_operation: { status: 400, code: 'InvalidRequestException' },
    // Secrets Manager has no dry runs; only an Alibaba KMS operation can ask for one.
    dry_run_passed: { status: 400, code: 'InvalidRequestException' },
    // Whether or not the resource exists (docs/permissions.md).
    access_denied: { status: 400, code: 'AccessDeniedException' },
    secret_not_found: { status: 400, code: 'ResourceNotFoundException' },
    secret_version_not_found: { status: 400, code: 'ResourceNotFoundException' },
    secret_stage_not_found: { status: 400, code: 'ResourceNotFoundException' },
    secret_already_exists: { status: 400, code: 'ResourceExistsException' },
    secret_pending_deletion: { status: 400, code: 'InvalidRequestException' },
    secret_version_conflict: { status: 400, code: 'ResourceExistsException' },
    // A key the secret cannot use: AWS says EncryptionFailure on writes and DecryptionFailure on reads
    // (`awsCodeFor` switches on the operation).
    key_not_found: { status: 400, code: 'EncryptionFailure' },
    key_version_not_found: { status: 400, code: 'DecryptionFailure' },
    alias_not_found: { status: 400, code: 'EncryptionFailure' },
    alias_already_exists: { status: 400, code: 'ResourceExistsException' },
    key_disabled: { status: 400, code: 'EncryptionFailure' },
    key_pending_deletion: { status: 400, code: 'EncryptionFailure' },
    key_state_conflict: { status: 400, code: 'InvalidRequestException' },
    invalid_ciphertext: { status: 400, code: 'DecryptionFailure' },
    // Identity administration is not part of this API; these codes can only surface through a
    // shared service call and map to the nearest AWS meaning.
    user_not_found: { status: 400, code: 'ResourceNotFoundException' },
    user_already_exists: { status: 400, code: 'ResourceExistsException' },
    user_has_access_keys: { status: 400, code: 'InvalidRequestException' },
    user_has_policies: { status: 400, code: 'InvalidRequestException' },
    administrator_protected: { status: 400, code: 'InvalidRequestException' },
    login_profile_not_found: { status: 400, code: 'ResourceNotFoundException' },
    login_profile_already_exists: { status: 400, code: 'ResourceExistsException' },
    mfa_device_not_found: { status: 400, code: 'ResourceNotFoundException' },
    mfa_device_already_bound: { status: 400, code: 'ResourceExistsException' },
    access_key_not_found: { status: 400, code: 'ResourceNotFoundException' },
    access_key_limit_exceeded: { status: 400, code: 'LimitExceededException' },
    policy_not_found: { status: 400, code: 'ResourceNotFoundException' },
    policy_already_exists: { status: 400, code: 'ResourceExistsException' },
    policy_in_use: { status: 400, code: 'InvalidRequestException' },
    policy_already_attached: { status: 400, code: 'ResourceExistsException' },
    policy_not_attached: { status: 400, code: 'ResourceNotFoundException' },
    policy_attachment_limit_exceeded: { status: 400, code: 'LimitExceededException' },
    malformed_policy_document: { status: 400, code: 'MalformedPolicyDocumentException' },
    // AWS: "A previous rotation isn't complete. That rotation will be reattempted."
    rotation_in_progress: { status: 400, code: 'InvalidRequestException' },
    // RotationLambdaARN naming no rotator: the request is wrong, the secret is not missing.
    rotation_webhook_not_found: { status: 400, code: 'InvalidRequestException' },
    rotation_webhook_in_use: { status: 400, code: 'InvalidRequestException' },
    rotation_webhook_already_exists: { status: 400, code: 'ResourceExistsException' },
    database_instance_not_found: { status: 400, code: 'InvalidRequestException' },
    database_instance_already_exists: { status: 400, code: 'ResourceExistsException' },
    database_instance_in_use: { status: 400, code: 'InvalidRequestException' },
    unavailable: { status: 503, code: 'ServiceUnavailable' },
    internal: { status: 500, code: 'InternalServiceError' },
  };

/** Operations that only read a secret's value: a key problem there is a failure to decrypt. */
const DECRYPTING_OPERATIONS: ReadonlySet<string> = new Set(['GetSecretValue', 'BatchGetSecretValue']);
const KEY_CODES: ReadonlySet<ErrorCode> = new Set([
  'key_not_found',
  'alias_not_found',
  'key_disabled',
  'key_pending_deletion',
]);

/** The wire form of a domain code in an operation. */
export function awsCodeFor(
  code: ErrorCode,
  operation: string,
): { readonly status: number; readonly code: AwsErrorCode } {
  if (KEY_CODES.has(code) && DECRYPTING_OPERATIONS.has(operation))
    return { status: 400, code: 'DecryptionFailure' };
  return AWS_DOMAIN_ERRORS[code];
}

/** Domain argument names as this API spells them, for messages that name a parameter. */
export const AWS_FIELD_NAMES: Readonly<Record<string, string>> = {
  secretName: 'Name',
  versionId: 'VersionId',
  versionStage: 'VersionStage',
  versionStages: 'VersionStages',
  moveToVersion: 'MoveToVersionId',
  removeFromVersion: 'RemoveFromVersionId',
  description: 'Description',
  secretData: 'SecretString',
  tags: 'Tags',
  tagKeys: 'TagKeys',
  recoveryWindowInDays: 'RecoveryWindowInDays',
  policy: 'ResourcePolicy',
  passwordLength: 'PasswordLength',
  excludeCharacters: 'ExcludeCharacters',
  rotationInterval: 'RotationRules',
  encryptionKeyId: 'KmsKeyId',
};
