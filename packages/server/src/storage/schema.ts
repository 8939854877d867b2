/**
 * Kysely table types, shared by every engine. Column names are snake_case; the repositories map rows
 * to the camelCase domain types and check enum-like text columns on the way out.
 *
 * Timestamps are integer epoch milliseconds in `bigint` columns, typed `number` here: better-sqlite3
 * returns them as numbers, and epoch milliseconds stay far below 2^53. node-postgres returns `int8` as
 * a string, so the PostgreSQL wiring must install a type parser for OID 20 (`int8`) that turns it into
 * a number before these types are true there. Counts and `max()` results are converted explicitly.
 */

/** One row per secret; versions, stages and tags live in their own tables. */
export interface SecretsTable {
  id: string;
  /** Unique. Sorted by code point (see `StoreCapabilities.codePointCollation`). */
  name: string;
  description: string;
  encryption_key_id: string;
  created_at: number;
  updated_at: number;
  /** Set while the secret waits out its recovery window. */
  planned_delete_at: number | null;
  /** A `SecretType`. */
  secret_type: string;
  /** ExtendedConfig JSON text. */
  extended_config: string | null;
  /** Six letters and digits, made at creation and never changed (migration 0011 backfilled old rows). */
  arn_suffix: string;
  /** What the rotator binding was authorized against (`Secret.authorizedRotationTarget`); null when none. */
  authorized_rotation_target: string | null;
}

/** One row per live version of a secret, with its ciphertext. */
export interface SecretVersionsTable {
  secret_id: string;
  version_id: string;
  /**
   * Insertion order within the secret (1, 2, …; gaps after eviction). Versions come back ordered by
   * it, because two versions may share a `created_at` millisecond.
   */
  seq: number;
  created_at: number;
  /** A `SecretDataType`. */
  data_type: string;
  encrypted_data_key: Uint8Array;
  encrypted_value: Uint8Array;
}

/** Stage label → version; the primary key (secret_id, label) makes a label mark one version. */
export interface SecretStagesTable {
  secret_id: string;
  label: string;
  version_id: string;
}

/** A secret's tags, one row per key. */
export interface SecretTagsTable {
  secret_id: string;
  key: string;
  value: string;
  /** The tag's place in `Secret.tags`, so the list comes back in the order it was saved. */
  position: number;
}

/** A secret's resource policies, one row per policy name (only `default` so far). */
export interface SecretPoliciesTable {
  secret_id: string;
  name: string;
  /** The policy document as the caller sent it. */
  document: string;
  updated_at: number;
}

/** One row per key (CMK or service key); versions and tags live in their own tables. */
export interface KeysTable {
  /** Sorted by code point as the tie-breaker of key listings. */
  id: string;
  description: string;
  /** A `KeyOwner`. */
  owner: string;
  /** A `KeyState`. */
  state: string;
  created_at: number;
  delete_at: number | null;
  primary_version_id: string;
  last_rotated_at: number;
  /** Automatic rotation interval in seconds; null when off. */
  rotation_interval_seconds: number | null;
}

/** One row per key version, with its wrapped material. */
export interface KeyVersionsTable {
  key_id: string;
  version_id: string;
  /** Insertion order within the key, as `SecretVersionsTable.seq`. */
  seq: number;
  created_at: number;
  /** The key version's material, wrapped by the crypto layer before it gets here. */
  wrapped_material: Uint8Array;
}

/** A key's tags, one row per tag key, numbered as `SecretTagsTable`. */
export interface KeyTagsTable {
  key_id: string;
  key: string;
  value: string;
  position: number;
}

/** Alias name → key. */
export interface AliasesTable {
  /** Sorted by code point. */
  name: string;
  key_id: string;
}

/** API access keys; the secret half arrives sealed. */
export interface AccessKeysTable {
  id: string;
  user_name: string;
  /** An `AccessKeyStatus`. */
  status: string;
  encrypted_secret: Uint8Array;
  created_at: number;
}

/** RAM users; their access keys and attachments refer to them by name. */
export interface UsersTable {
  id: string;
  /** Unique. Sorted by code point for ListUsers. */
  name: string;
  display_name: string;
  comments: string;
  email: string;
  mobile_phone: string;
  created_at: number;
  updated_at: number;
}

/** Custom RAM policies; system policies are built in and have no row. */
export interface RamPoliciesTable {
  /** Sorted by code point for ListPolicies. */
  name: string;
  description: string;
  /** The document as the caller sent it. */
  document: string;
  created_at: number;
  updated_at: number;
}

/** Which policies are attached to which user. */
export interface UserPoliciesTable {
  user_name: string;
  /** A `PolicyType`. */
  policy_type: string;
  policy_name: string;
  attached_at: number;
}

/** Instance-wide name → value facts. */
export interface MetaTable {
  name: string;
  value: string;
}

/**
 * The audit trail: one row per record, append-only, chained by `prev_hash` → `hash` (docs/audit.md).
 * Nullable columns are the event fields a request may not have (no principal before authentication).
 */
export interface AuditEventsTable {
  /** 1, 2, 3, … without gaps; the primary key, so two writers can never fork the chain. */
  seq: number;
  /** Epoch milliseconds. */
  time: number;
  request_id: string;
  /** An `AuditPhase`. */
  phase: string;
  principal: string | null;
  access_key_id: string | null;
  source_ip: string | null;
  action: string | null;
  resource: string | null;
  secret_name: string | null;
  version_id: string | null;
  version_stage: string | null;
  key_id: string | null;
  result_code: string | null;
  http_status: number | null;
  prev_hash: string;
  hash: string;
  /** The entry point (migration 0012); null on older and core events. */
  protocol: string | null;
}

/** A secret's rotation policy; no row means automatic rotation was never configured. */
export interface SecretRotationTable {
  secret_id: string;
  /** 0 or 1. */
  enabled: number;
  interval_seconds: number | null;
  next_rotation_at: number | null;
  last_rotation_at: number | null;
  /** A `cron(…)` schedule as written; null for an interval schedule. */
  cron_expression: string | null;
}

/** One row per rotation run, with the step it reached (so a restarted server resumes it). */
export interface RotationRunsTable {
  id: string;
  secret_id: string;
  secret_name: string;
  /** The pending version's id, also RotateSecret's idempotency token. */
  version_id: string;
  /** The version that was current when the run started. */
  from_version_id: string;
  /** A `RotationTrigger`. */
  trigger: string;
  /** A `RotationStepName`. */
  step: string;
  /** A `RotationStatus`. */
  status: string;
  attempts: number;
  next_attempt_at: number;
  /** User-safe text from the rotator; never a value. */
  last_error: string | null;
  last_error_step: string | null;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
  /** `secret_id` while in progress, null afterwards; unique. */
  active_secret_id: string | null;
}

/** Named leases: the holder does the work until the lease expires or is released. */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

/** Registered rotation webhooks; the signing key arrives sealed under the root key. */
export interface RotationWebhooksTable {
  name: string;
  url: string;
  encrypted_signing_key: Uint8Array;
  timeout_ms: number;
  created_at: number;
}

/** A database instance registered for managed database secrets; credentials live in a secret, not here. */
export interface DatabaseInstancesTable {
  /** The user's `DBInstanceId`; listings sort by it. */
  id: string;
  /** A `DatabaseEngine`. */
  engine: string;
  host: string;
  port: number;
  database_name: string | null;
  /** A `TlsMode`. */
  tls_mode: string;
  ca_certificate: string | null;
  admin_secret_name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

/** Console login profiles (one per user at most): a password hash, never a password. */
export interface LoginProfilesTable {
  user_name: string;
  password_hash: string;
  /** 0 or 1. */
  password_reset_required: number;
  /** 0 or 1. */
  mfa_bind_required: number;
  /** The TOTP secret sealed under the root key; null without MFA. */
  sealed_mfa_secret: Uint8Array | null;
  mfa_last_step: number | null;
  created_at: number;
  updated_at: number;
}

/** Console sessions, by the SHA-256 of their token (the token itself is only in the browser's cookie). */
export interface ConsoleSessionsTable {
  id_hash: string;
  user_name: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
}

/** Signature nonces accepted within the timestamp window (docs/permissions.md, "Replay"). */
export interface SignatureNoncesTable {
  access_key_id: string;
  /** The nonce, or a digest of a long one. */
  nonce: string;
  expires_at: number;
}

/** The whole schema as Kysely sees it. Kysely's own migration tables are not listed: only the migrator touches them. */
export interface Database {
  secrets: SecretsTable;
  secret_versions: SecretVersionsTable;
  secret_stages: SecretStagesTable;
  secret_tags: SecretTagsTable;
  secret_policies: SecretPoliciesTable;
  keys: KeysTable;
  key_versions: KeyVersionsTable;
  key_tags: KeyTagsTable;
  aliases: AliasesTable;
  access_keys: AccessKeysTable;
  users: UsersTable;
  ram_policies: RamPoliciesTable;
  user_policies: UserPoliciesTable;
  meta: MetaTable;
  audit_events: AuditEventsTable;
  secret_rotation: SecretRotationTable;
  rotation_runs: RotationRunsTable;
  leases: LeasesTable;
  rotation_webhooks: RotationWebhooksTable;
  database_instances: DatabaseInstancesTable;
  signature_nonces: SignatureNoncesTable;
  login_profiles: LoginProfilesTable;
  console_sessions: ConsoleSessionsTable;
}
