/**
 * The storage seam. Repositories follow aggregates (a secret with its versions and stages, a key with
 * its versions), and their methods are domain operations, not table CRUD. Storage only ever sees
 * ciphertext: secret values, data keys, key material and access-key secrets arrive already sealed.
 *
 * Every method outside `transaction` runs in its own transaction. Inside `transaction(work)`, `work`
 * receives repositories bound to that transaction; nothing inside it may do network calls or key
 * generation (do those first, then open the transaction).
 *
 * Implementations translate driver errors at this boundary: a unique-key clash becomes the matching
 * `DomainError` (`secret_already_exists`, `alias_already_exists`), busy/serialization failures become
 * `unavailable`. SQL text and table names never travel upward.
 */
import type { AuditRecord } from '../domain/audit.js';
import type { Attachment, Policy, PolicyRef, PolicyType, User } from '../domain/identity.js';
import type { DatabaseInstance } from '../domain/database-instance.js';
import type { ConsoleSession, LoginProfile } from '../domain/console-login.js';
import type { Alias, Key, KeyOwner, KeyState, KeyVersion } from '../domain/key.js';
import type { EpochMs, Secret, SecretType } from '../domain/secret.js';
import type { SecretPolicy } from '../domain/secret-policy.js';
import type { RotationPolicy, RotationRun } from '../domain/rotation.js';

/** A secret version's sealed value: its data key wrapped under the CMK, and the value under the data key. */
export interface SecretCiphertext {
  readonly encryptedDataKey: Uint8Array;
  readonly encryptedValue: Uint8Array;
}

/** The secret's metadata without versions and stages, as listings return it. */
export type SecretSummary = Omit<Secret, 'versions' | 'stages'>;

export interface SecretListQuery {
  /** Names starting with any of these (OR). */
  readonly namePrefixes?: readonly string[] | undefined;
  /** Descriptions equal to any of these (OR). */
  readonly descriptions?: readonly string[] | undefined;
  /** Secrets carrying a tag with any of these keys (OR). */
  readonly tagKeys?: readonly string[] | undefined;
  /** Secrets carrying a tag with any of these values (OR). */
  readonly tagValues?: readonly string[] | undefined;
  /**
   * Leave out secrets whose recovery window ended at or before this time: they no longer exist, even
   * before the sweeper destroys them. Absent: no such filter.
   */
  readonly existingAt?: EpochMs | undefined;
  /** Secrets of any of these types (OR); an empty list matches none. */
  readonly secretTypes?: readonly SecretType[] | undefined;
  /** Leave out secrets scheduled for deletion. Default false: they are listed like any other. */
  readonly excludePendingDeletion?: boolean | undefined;
  /**
   * Only names after this one (by code point): a position by name, for callers that page with the
   * last name they were given. `offset` then counts from there.
   */
  readonly after?: string | undefined;
  /** Rows to skip; listings are ordered by name (code point). */
  readonly offset: number;
  readonly limit: number;
}

export interface Page<T> {
  readonly items: T[];
  /** Rows matching the query, ignoring after, offset and limit. */
  readonly total: number;
}

export interface ReadOptions {
  /** Lock the row for the rest of the transaction where the engine has row locks (PostgreSQL). */
  readonly forUpdate?: boolean;
}

/** What `SecretRepository.save` writes besides the secret's metadata and stages. */
export interface SecretWrite {
  /** A version to insert: `secret.versions` already lists it. */
  readonly added?: { readonly versionId: string; readonly ciphertext: SecretCiphertext };
  /** Versions to delete with their ciphertext: `secret.versions` no longer lists them. */
  readonly evicted?: readonly string[];
}

export interface SecretRepository {
  /** The secret with this name, versions (oldest first) and stages included. Secrets pending deletion are returned too. */
  getByName(name: string, options?: ReadOptions): Promise<Secret | undefined>;
  /** Inserts a new secret with its single first version. Name taken → `secret_already_exists`. */
  /** A new secret with its one version and that version's ciphertext, or with no version and none. */
  insert(secret: Secret, ciphertext?: SecretCiphertext): Promise<void>;
  /**
   * Persists the aggregate as given: description, tags, update time, planned deletion, the whole stage
   * map (replacing the stored one), plus the version added and the versions evicted.
   */
  save(secret: Secret, write?: SecretWrite): Promise<void>;
  getCiphertext(secretId: string, versionId: string): Promise<SecretCiphertext | undefined>;
  list(query: SecretListQuery): Promise<Page<SecretSummary>>;
  /** The secret's policy with this name, if one was set. */
  getPolicy(secretId: string, name: string): Promise<SecretPolicy | undefined>;
  /** Inserts or replaces the policy `(secretId, name)`. A secret that is not stored → `secret_not_found`. */
  savePolicy(policy: SecretPolicy): Promise<void>;
  /** Deletes the secret, its versions, ciphertexts, stages, tags and policies. */
  destroy(secretId: string): Promise<void>;
  /** Names of secrets whose recovery window ended at or before `now`, at most `limit`. */
  listExpired(now: EpochMs, limit: number): Promise<string[]>;
  /**
   * One page of every stored secret version's wrapped data key, in (secret id, version id) order,
   * after the given position: what the re-wrap pass walks (docs/crypto.md).
   */
  listDataKeys(after: DataKeyPosition | undefined, limit: number): Promise<WrappedDataKey[]>;
  /**
   * Replaces one version's wrapped data key if it still holds `expected` (compare-and-set, so a
   * concurrent re-wrap or a destroyed secret is simply skipped). Returns whether it was replaced.
   */
  replaceDataKey(key: WrappedDataKey, replacement: Uint8Array): Promise<boolean>;
}

export interface DataKeyPosition {
  readonly secretId: string;
  readonly versionId: string;
}

export interface WrappedDataKey extends DataKeyPosition {
  readonly encryptedDataKey: Uint8Array;
}

export interface KeyListQuery {
  readonly owner: KeyOwner;
  readonly states?: readonly KeyState[] | undefined;
  /** Rows to skip; listings are ordered by creation time, then id. */
  readonly offset: number;
  readonly limit: number;
}

export interface KeyRepository {
  /** Inserts a key with its first version and that version's wrapped material. */
  insert(key: Key, version: KeyVersion, wrappedMaterial: Uint8Array): Promise<void>;
  get(keyId: string, options?: ReadOptions): Promise<Key | undefined>;
  /** The service key (owner `service`), if it has been created. */
  getServiceKey(): Promise<Key | undefined>;
  /** Persists the key's metadata: description, state, deletion date, primary version, rotation time, tags. */
  save(key: Key): Promise<void>;
  addVersion(version: KeyVersion, wrappedMaterial: Uint8Array): Promise<void>;
  getWrappedMaterial(keyId: string, versionId: string): Promise<Uint8Array | undefined>;
  /** Oldest first. */
  listVersions(keyId: string): Promise<KeyVersion[]>;
  list(query: KeyListQuery): Promise<Page<Key>>;
  /** Deletes the key, its versions and material, and its aliases. */
  destroy(keyId: string): Promise<void>;
  /** Ids of keys whose pending window ended at or before `now`, at most `limit`. */
  listExpired(now: EpochMs, limit: number): Promise<string[]>;
  /** Ids of enabled customer keys whose automatic rotation is due at `now`, longest-waiting first. */
  listDueForRotation(now: EpochMs, limit: number): Promise<string[]>;
}

export interface AliasListQuery {
  readonly keyId?: string | undefined;
  /** Rows to skip; listings are ordered by alias name. */
  readonly offset: number;
  readonly limit: number;
}

export interface AliasRepository {
  /** Alias name taken → `alias_already_exists`. */
  insert(alias: Alias): Promise<void>;
  get(name: string): Promise<Alias | undefined>;
  /** Points an existing alias at another key. */
  update(alias: Alias): Promise<void>;
  /** Returns whether an alias was deleted. */
  delete(name: string): Promise<boolean>;
  list(query: AliasListQuery): Promise<Page<Alias>>;
}

export type AccessKeyStatus = 'active' | 'inactive';

export interface AccessKeyRecord {
  readonly id: string;
  readonly userName: string;
  readonly status: AccessKeyStatus;
  /** The access key secret sealed under the root key (signature checks need it back, so it is not hashed). */
  readonly encryptedSecret: Uint8Array;
  readonly createdAt: EpochMs;
}

export interface AccessKeyRepository {
  /** Inserts the record, or replaces the one with the same id. */
  put(record: AccessKeyRecord): Promise<void>;
  get(id: string): Promise<AccessKeyRecord | undefined>;
  listForUser(userName: string): Promise<AccessKeyRecord[]>;
  /** Returns whether a key was deleted. */
  delete(id: string): Promise<boolean>;
}

/** A page of a name-ordered listing: names after `after` (exclusive), at most `limit`. */
export interface NameListQuery {
  readonly after?: string | undefined;
  readonly limit: number;
}

/** Users, custom RAM policies and their attachments. System policies are not stored. */
export interface IdentityRepository {
  /** Name taken → `user_already_exists`. */
  insertUser(user: User): Promise<void>;
  getUser(name: string, options?: ReadOptions): Promise<User | undefined>;
  /** Ordered by name (code point). */
  listUsers(query: NameListQuery): Promise<User[]>;
  /**
   * Persists the user's fields. When `previousName` differs from `user.name` the user is renamed, and
   * its access keys and attachments follow; the new name taken → `user_already_exists`.
   */
  saveUser(previousName: string, user: User): Promise<void>;
  /** Deletes the user row only (callers check keys and attachments first). */
  deleteUser(name: string): Promise<boolean>;
  /** A custom policy; name taken → `policy_already_exists`. */
  insertPolicy(policy: Policy): Promise<void>;
  getPolicy(name: string, options?: ReadOptions): Promise<Policy | undefined>;
  /** Custom policies ordered by name (code point). */
  listPolicies(query: NameListQuery): Promise<Policy[]>;
  deletePolicy(name: string): Promise<boolean>;
  /** The same attachment twice → `policy_already_attached`. */
  attach(attachment: Attachment): Promise<void>;
  detach(userName: string, policy: PolicyRef): Promise<boolean>;
  /** A user's attachments, oldest first, then by type and name. */
  listAttachments(userName: string): Promise<Attachment[]>;
  /** How many users each named policy of `type` is attached to (names without any are left out). */
  attachmentCounts(type: PolicyType, names: readonly string[]): Promise<Map<string, number>>;
}

/** Small instance-wide facts: the account id, the root-key check value. */
export interface MetaRepository {
  get(name: string): Promise<string | undefined>;
  /** Inserts or replaces. */
  set(name: string, value: string): Promise<void>;
}

/** A signature nonce an access key used, kept until its request's timestamp leaves the window. */
export interface StoredNonce {
  readonly accessKeyId: string;
  readonly nonce: string;
  readonly expiresAt: EpochMs;
}

/** Accepted signature nonces, so that a restart does not forget them (docs/permissions.md, "Replay"). */
export interface NonceRepository {
  /** Appends (a log: a nonce stored again for the key is kept with both expiries). */
  remember(nonces: readonly StoredNonce[]): Promise<void>;
  /** Nonces not expired at `now`, each once with its latest expiry, earliest expiry first, at most `limit`. */
  unexpired(now: EpochMs, limit: number): Promise<StoredNonce[]>;
  /** Deletes the entries expired at `now`; returns how many rows went. */
  purgeExpired(now: EpochMs): Promise<number>;
}

/** Filters of an audit lookup; all given ones must match (AND). */
export interface AuditQuery {
  /** Events at or after this time. */
  readonly startTime?: EpochMs | undefined;
  /** Events at or before this time. */
  readonly endTime?: EpochMs | undefined;
  /** Events of this user name. */
  readonly principal?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly action?: string | undefined;
  /** Events about this resource: its secret name, key id or noted resource equals it. */
  readonly resource?: string | undefined;
  readonly requestId?: string | undefined;
  /** Only records below this seq: the seek position of the next page (never an offset). */
  readonly beforeSeq?: number | undefined;
  readonly limit: number;
}

/** The audit trail: append-only, chained records (docs/audit.md). No method edits or removes one. */
export interface AuditRepository {
  /** The newest record's seq and hash; undefined while the trail is empty. */
  head(): Promise<{ readonly seq: number; readonly hash: string } | undefined>;
  /**
   * Inserts records whose seq, prevHash and hash the caller computed from `head()` in the same
   * transaction. A seq already taken (another writer appended first) → `unavailable`.
   */
  append(records: readonly AuditRecord[]): Promise<void>;
  /** Matching records, newest (highest seq) first, at most `limit`. */
  query(query: AuditQuery): Promise<AuditRecord[]>;
  /** Records with seq above `afterSeq`, oldest first, at most `limit`: for walking the chain. */
  scan(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /**
   * Replaces the chain links (`prevHash`, `hash`) of existing records, leaving every event field as
   * it is: only for re-keying the whole chain when the root key is rotated (docs/operations.md).
   */
  relink(links: readonly AuditLink[]): Promise<void>;
}

/** A record's place in the chain, as `AuditRepository.relink` rewrites it. */
export interface AuditLink {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** A secret due for a scheduled rotation. */
export interface DueRotation {
  readonly secretId: string;
  readonly secretName: string;
}

/** Rotation policies and runs (domain/rotation.ts). */
export interface RotationRepository {
  getPolicy(secretId: string): Promise<RotationPolicy | undefined>;
  /** Inserts or replaces the secret's policy. */
  savePolicy(policy: RotationPolicy): Promise<void>;
  /**
   * Secrets whose enabled policy is due at `now` and that are not scheduled for deletion, the longest
   * overdue first, at most `limit`.
   */
  listDuePolicies(now: EpochMs, limit: number): Promise<DueRotation[]>;
  /**
   * Inserts a new run. A second run in progress for the same secret, or a second run with the same
   * secret and version id → `rotation_in_progress` (the database enforces both, across processes).
   */
  insertRun(run: RotationRun): Promise<void>;
  /** Persists a run's state; a run that ended no longer blocks a new one. */
  saveRun(run: RotationRun): Promise<void>;
  getRun(runId: string): Promise<RotationRun | undefined>;
  /** The secret's run with this version id (the idempotency token). */
  findRun(secretId: string, versionId: string): Promise<RotationRun | undefined>;
  /** The secret's run in progress, if any. */
  activeRun(secretId: string): Promise<RotationRun | undefined>;
  /** The secret's most recently started run. */
  latestRun(secretId: string): Promise<RotationRun | undefined>;
  /** Runs in progress whose next attempt is due at `now`, oldest first. */
  listDueRuns(now: EpochMs, limit: number): Promise<RotationRun[]>;
}

/**
 * Named leases shared by every process on the database: whoever holds an unexpired lease does the
 * work it names (the scheduler's tick, one rotation run). Each method is one atomic statement.
 */
export interface LeaseRepository {
  /**
   * Takes the lease when it is free, expired or already held by `holder` (then renews it), until
   * `now + ttlMs`. Returns whether `holder` holds it afterwards.
   */
  acquire(name: string, holder: string, now: EpochMs, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` holds it. */
  release(name: string, holder: string): Promise<void>;
}

export interface RotationWebhookRecord {
  readonly name: string;
  readonly url: string;
  /** The HMAC signing key, sealed under the root key. */
  readonly encryptedSigningKey: Uint8Array;
  readonly timeoutMs: number;
  readonly createdAt: EpochMs;
}

export interface RotationWebhookRepository {
  /** Name taken → `rotation_webhook_already_exists`. */
  insert(record: RotationWebhookRecord): Promise<void>;
  get(name: string): Promise<RotationWebhookRecord | undefined>;
  /** Ordered by name. */
  list(): Promise<RotationWebhookRecord[]>;
  /** Returns whether one was deleted. */
  delete(name: string): Promise<boolean>;
}

/** Database instances registered for managed database secrets, ordered by id in listings. */
export interface DatabaseInstanceRepository {
  get(id: string): Promise<DatabaseInstance | undefined>;
  /** Id taken → `database_instance_already_exists`. */
  insert(instance: DatabaseInstance): Promise<void>;
  /** Replaces the stored settings of an existing instance. */
  save(instance: DatabaseInstance): Promise<void>;
  /** Returns whether an instance was deleted. */
  delete(id: string): Promise<boolean>;
  list(query: { readonly offset: number; readonly limit: number }): Promise<Page<DatabaseInstance>>;
}

/** Console login profiles (one per user) and sessions (by the hash of their token). */
export interface ConsoleLoginRepository {
  getProfile(userName: string, options?: ReadOptions): Promise<LoginProfile | undefined>;
  /** Inserts or replaces the user's profile. */
  putProfile(profile: LoginProfile): Promise<void>;
  /** Deletes the profile and every session of the user; returns whether a profile was deleted. */
  deleteProfile(userName: string): Promise<boolean>;
  /** Moves the profile and sessions of a renamed user. */
  renameUser(previousName: string, newName: string): Promise<void>;
  insertSession(session: ConsoleSession): Promise<void>;
  getSession(idHash: string): Promise<ConsoleSession | undefined>;
  touchSession(idHash: string, lastSeenAt: EpochMs): Promise<void>;
  deleteSession(idHash: string): Promise<boolean>;
  /** Ends every session of the user (password changed, profile deleted); returns how many. */
  deleteSessionsOf(userName: string): Promise<number>;
  /** Deletes sessions last seen at or before `idleBefore` or created at or before `createdBefore`. */
  deleteStaleSessions(idleBefore: EpochMs, createdBefore: EpochMs): Promise<number>;
}

/** A value sealed under the root key, wherever it is stored; `sealed` is the stored ciphertext. */
export type RootSealedItem =
  | {
      readonly kind: 'key_material';
      readonly keyId: string;
      readonly versionId: string;
      readonly sealed: Uint8Array;
    }
  | { readonly kind: 'access_key_secret'; readonly accessKeyId: string; readonly sealed: Uint8Array }
  | { readonly kind: 'webhook_signing_key'; readonly name: string; readonly sealed: Uint8Array }
  | { readonly kind: 'mfa_secret'; readonly userName: string; readonly sealed: Uint8Array };

/**
 * Everything the store holds sealed under the root key, in one place, so root-key rotation re-seals
 * all of it and a new sealed column cannot be forgotten there (it must be listed here).
 */
export interface RootSealedRepository {
  /** Every root-sealed value in the store. */
  list(): Promise<RootSealedItem[]>;
  /** Stores `item.sealed` in place of the value `item` names. */
  replace(item: RootSealedItem): Promise<void>;
}

export interface Repositories {
  readonly secrets: SecretRepository;
  readonly keys: KeyRepository;
  readonly aliases: AliasRepository;
  readonly accessKeys: AccessKeyRepository;
  readonly meta: MetaRepository;
  readonly audit: AuditRepository;
  readonly identities: IdentityRepository;
  readonly rotation: RotationRepository;
  readonly leases: LeaseRepository;
  readonly rotationWebhooks: RotationWebhookRepository;
  readonly databaseInstances: DatabaseInstanceRepository;
  readonly consoleLogins: ConsoleLoginRepository;
  readonly nonces: NonceRepository;
  readonly rootSealed: RootSealedRepository;
}

/** A stored column's value as every engine hands it back: byte strings as `Uint8Array`. */
export type StoredValue = string | number | null | Uint8Array;
export type StoredRow = Readonly<Record<string, StoredValue>>;

/** Some rows of one table, as a backup carries them. */
export interface RowBatch {
  readonly table: string;
  readonly rows: readonly StoredRow[];
}

/** What an export or import moved: the schema the rows belong to, and rows per table. */
export interface RowTransferSummary {
  /** The newest migration of the schema, e.g. `0007_secret_listing_index`. */
  readonly schemaVersion: string;
  readonly rows: Readonly<Record<string, number>>;
}

/** Thrown by `Store.importRows` when the target already holds data; nothing was written. */
export class StoreNotEmptyError extends Error {
  override name = 'StoreNotEmptyError';
}

/** Thrown by `Store.importRows` when the rows belong to another schema version; nothing was written. */
export class SchemaMismatchError extends Error {
  override name = 'SchemaMismatchError';
}

/**
 * When `Store.transaction` may resolve. `durable` (the default): once its commit is durable, so a
 * power cut cannot undo it. `relaxed`: once it is committed (other connections see it, a process
 * crash keeps it) but possibly before it reaches the disk, which the store's next durable commit (or
 * its own sync, soon after) covers; a power cut can lose it. Only for writes whose loss on a power cut
 * is an accepted trade-off (reads' audit events with `TESSERA_AUDIT_READ_DURABILITY=relaxed`,
 * docs/audit.md), never for a change a caller is told has happened.
 */
export type CommitDurability = 'durable' | 'relaxed';

export interface TransactionOptions {
  /** Defaults to `durable`. */
  readonly durability?: CommitDurability | undefined;
}

export interface Store extends Repositories {
  /**
   * Runs `work` in one transaction: all its writes commit durably together, or none do. With
   * `durability: 'relaxed'` it resolves once committed, before the commit is durable; it still never
   * resolves before a durable commit it could have read from is durable (an answer built on its reads
   * cannot be undone by a power cut).
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Resolves once every transaction committed before the call (relaxed ones included) is durable. */
  syncCommitted(): Promise<void>;
  /**
   * Hands every table's rows to `sink`, table by table in load order, all read from one consistent
   * snapshot while other processes keep reading and writing: every write committed before the export
   * began is in it, none committed after. Transient rows (leases) are left out.
   */
  exportRows(sink: (batch: RowBatch) => Promise<void>): Promise<RowTransferSummary>;
  /**
   * Loads exported rows in one transaction, then runs `check` on the loaded data inside it (a throw
   * rolls everything back). Refuses a store holding data (`StoreNotEmptyError`) and rows of another
   * schema version (`SchemaMismatchError`).
   */
  importRows(
    schemaVersion: string,
    batches: AsyncIterable<RowBatch>,
    check: (tx: Repositories) => Promise<void>,
  ): Promise<RowTransferSummary>;
  /** Whether no table holds a row (leases aside). */
  isEmpty(): Promise<boolean>;
  close(): Promise<void>;
}
