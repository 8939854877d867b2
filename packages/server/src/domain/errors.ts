/**
 * The one error type services throw. Each code is a stable snake_case literal from the catalog below;
 * every protocol adapter maps the whole catalog to its own wire codes (a `Record` over `ErrorCode`,
 * so a new code without a mapping is a compile error).
 *
 * Messages are for users: product vocabulary, quoting the identifier the caller sent, never a secret
 * value, key material or anything from storage internals.
 */

/** What kind of failure a code is (not found, conflict, …), for adapters whose wire codes follow that split. */
export type ErrorClass = 'client' | 'denied' | 'not_found' | 'conflict' | 'unavailable' | 'internal';

export const ERROR_CATALOG = {
  invalid_argument: { class: 'client', message: 'A parameter is not valid.' },
  missing_argument: { class: 'client', message: 'A required parameter is missing.' },
  limit_exceeded: { class: 'client', message: 'A resource limit is exceeded.' },
  unsupported_operation: { class: 'client', message: 'The operation is not supported for this resource.' },
  /** A dry run that would have succeeded: it did everything but answer (docs/behaviour.md rule 14). */
  dry_run_passed: { class: 'client', message: 'Request would have succeeded, but DryRun flag is set.' },
  /**
   * No policy allows the operation on the resource, or one denies it. Answered the same whether the
   * resource exists or not (docs/permissions.md); `details.resource` is the refused ARN, for the trail.
   */
  access_denied: { class: 'denied', message: 'You are not authorized to do this operation.' },
  secret_not_found: { class: 'not_found', message: 'The secret does not exist.' },
  secret_version_not_found: { class: 'not_found', message: 'The secret version does not exist.' },
  secret_stage_not_found: { class: 'not_found', message: 'No version of the secret has this stage.' },
  secret_already_exists: { class: 'conflict', message: 'A secret with this name already exists.' },
  secret_pending_deletion: { class: 'conflict', message: 'The secret is scheduled for deletion.' },
  secret_version_conflict: {
    class: 'conflict',
    message: 'The version already exists with a different value; versions are write-once.',
  },
  key_not_found: { class: 'not_found', message: 'The key does not exist.' },
  key_version_not_found: { class: 'not_found', message: 'The key version does not exist.' },
  alias_not_found: { class: 'not_found', message: 'The alias does not exist.' },
  alias_already_exists: { class: 'conflict', message: 'The alias already exists.' },
  key_disabled: { class: 'conflict', message: 'The key is disabled.' },
  key_pending_deletion: { class: 'conflict', message: 'The key is scheduled for deletion.' },
  key_state_conflict: { class: 'conflict', message: 'The key is not in a state that allows this change.' },
  invalid_ciphertext: { class: 'client', message: 'The ciphertext is not valid for this key and context.' },
  user_not_found: { class: 'not_found', message: 'The user does not exist.' },
  user_already_exists: { class: 'conflict', message: 'A user with this name already exists.' },
  user_has_access_keys: { class: 'conflict', message: 'The user still has access keys; delete them first.' },
  user_has_policies: {
    class: 'conflict',
    message: 'The user still has policies attached; detach them first.',
  },
  administrator_protected: {
    class: 'conflict',
    message: 'The administrator cannot be deleted, renamed or left without an active access key.',
  },
  access_key_not_found: { class: 'not_found', message: 'The access key does not exist for this user.' },
  access_key_limit_exceeded: { class: 'conflict', message: 'A user has at most two access keys.' },
  policy_not_found: { class: 'not_found', message: 'The policy does not exist.' },
  policy_already_exists: { class: 'conflict', message: 'A policy with this name already exists.' },
  policy_in_use: { class: 'conflict', message: 'The policy is attached to users; detach it first.' },
  policy_already_attached: { class: 'conflict', message: 'The policy is already attached to the user.' },
  policy_not_attached: { class: 'not_found', message: 'The policy is not attached to the user.' },
  policy_attachment_limit_exceeded: {
    class: 'conflict',
    message: 'The user has as many policies of this type attached as allowed.',
  },
  malformed_policy_document: { class: 'client', message: 'The policy document is not valid.' },
  rotation_in_progress: { class: 'conflict', message: 'The secret is already being rotated.' },
  rotation_webhook_not_found: { class: 'not_found', message: 'The rotation webhook does not exist.' },
  rotation_webhook_already_exists: {
    class: 'conflict',
    message: 'A rotation webhook with this name exists.',
  },
  rotation_webhook_in_use: {
    class: 'conflict',
    message: 'Secrets are still bound to the rotation webhook.',
  },
  database_instance_not_found: { class: 'not_found', message: 'The database instance is not registered.' },
  database_instance_already_exists: {
    class: 'conflict',
    message: 'A database instance with this id is already registered.',
  },
  database_instance_in_use: {
    class: 'conflict',
    message: 'Managed database secrets still use the instance.',
  },
  login_profile_not_found: { class: 'not_found', message: 'The user has no login profile.' },
  login_profile_already_exists: { class: 'conflict', message: 'The user already has a login profile.' },
  mfa_device_not_found: { class: 'not_found', message: 'The user has no MFA device bound.' },
  mfa_device_already_bound: { class: 'conflict', message: 'The user already has an MFA device bound.' },
  unavailable: { class: 'unavailable', message: 'The service is temporarily unavailable.' },
  internal: { class: 'internal', message: 'Internal failure.' },
} as const satisfies Record<string, { class: ErrorClass; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

/** Extra structured facts an adapter may render (which parameter, which resource). */
export interface ErrorDetails {
  /** The domain name of the offending argument, e.g. `versionId`; adapters translate it to wire names. */
  readonly field?: string;
  /** The identifier the caller used for the missing or conflicting resource. */
  readonly resource?: string;
  /** Which rule a value broke, for adapters whose wire codes say so (RAM's `InvalidParameter.X.Length`). */
  readonly rule?: 'length' | 'chars' | 'format' | 'value';
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message?: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super(message ?? ERROR_CATALOG[code].message, options);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }

  get errorClass(): ErrorClass {
    return ERROR_CATALOG[this.code].class;
  }
}

export function isDomainError(error: unknown, code?: ErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}

/** Shorthand for the common "argument X is not valid" error. */
export function invalidArgument(field: string, message: string): DomainError {
  return new DomainError('invalid_argument', message, { field });
}
