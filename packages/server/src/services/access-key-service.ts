/**
 * Access keys: the credentials that sign API requests. Signature checks need the secret itself (HMAC),
 * so secrets are sealed under the root key rather than hashed, and opened only to verify a request.
 *
 * Every user has at most two keys (RAM's limit); the administrator's bootstrap key is exempt, because it
 * comes from the environment or the first start. `resolve` runs on every request, so resolved keys are
 * cached in memory; every change made through this service drops the key from the cache once it has
 * committed and tells the other nodes sharing the database (change feed topic `access-key`), which drop
 * it too. Entries are read again after the feed's `maxStalenessMs` where other nodes make changes (the
 * bound when a notice is lost), and after `CACHE_TTL_MS` in any case (docs/caching.md).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constantTimeEqual } from '../crypto/compare.js';
import { openAccessKeySecret, sealAccessKeySecret } from '../crypto/envelope.js';
import { DomainError } from '../domain/errors.js';
import { ADMINISTRATOR, checkAccessKeyLimit, checkAdministratorKeepsAccess } from '../domain/identity.js';
import type { EpochMs } from '../domain/secret.js';
import type { AccessKeyRecord, AccessKeyStatus, Repositories, Store } from '../storage/store.js';
import { CacheEntries } from './cache-entries.js';
import type { ChangeFeed } from './change-feed.js';
import { LOCAL_CHANGE_FEED } from './change-feed.js';
import type { Clock } from './clock.js';
import { newAccessKeyId, newAccessKeySecret } from './ids.js';
import type { MetricsRecorder } from './metrics.js';
import { NO_METRICS } from './metrics.js';

/** The built-in administrator, who exists from the first start. */
export { ADMINISTRATOR };
export type { AccessKeyStatus };
export const BOOTSTRAP_CREDENTIALS_FILE = 'bootstrap-credentials.json';

export interface ResolvedAccessKey {
  readonly id: string;
  readonly userName: string;
  readonly status: AccessKeyStatus;
  readonly secret: string;
}

/** An access key as listings show it: never its secret. */
export interface AccessKeySummary {
  readonly id: string;
  readonly userName: string;
  readonly status: AccessKeyStatus;
  readonly createdAt: EpochMs;
}

/** A new key: the only time its secret is returned. */
export interface CreatedAccessKey extends AccessKeySummary {
  readonly secret: string;
}

/** How long a resolved key is trusted without reading storage again, at most. */
const CACHE_TTL_MS = 60_000;
/** Resolved keys kept at most; the oldest entry goes first. Only keys that exist are cached. */
const MAX_CACHED_KEYS = 10_000;

export type BootstrapOutcome =
  | { readonly source: 'environment' | 'existing'; readonly accessKeyId: string }
  | { readonly source: 'generated'; readonly accessKeyId: string; readonly credentialsFile: string };

export class AccessKeyService {
  readonly #store: Store;
  readonly #rootKey: Uint8Array;
  readonly #clock: Clock;
  /** Only keys that exist are kept; a load that overlapped a change is not (`CacheEntries`). */
  readonly #cache: CacheEntries<string, ResolvedAccessKey>;
  readonly #changes: ChangeFeed;
  readonly #metrics: MetricsRecorder;

  constructor(options: {
    store: Store;
    rootKey: Uint8Array;
    clock: Clock;
    /** How access-key changes reach other nodes' caches and theirs this one's (default: a single node). */
    changes?: ChangeFeed;
    metrics?: MetricsRecorder;
  }) {
    this.#changes = options.changes ?? LOCAL_CHANGE_FEED;
    const { maxStalenessMs } = this.#changes;
    this.#cache = new CacheEntries({
      maxEntries: MAX_CACHED_KEYS,
      maxAgeMs: Math.min(CACHE_TTL_MS, maxStalenessMs ?? CACHE_TTL_MS),
    });
    this.#changes.subscribe((topic, accessKeyId) => {
      if (topic !== undefined && topic !== 'access-key') return;
      if (topic === undefined || accessKeyId === undefined) this.#cache.forgetAll();
      else this.#cache.forget(accessKeyId);
    });
    this.#metrics = options.metrics ?? NO_METRICS;
    this.#store = options.store;
    this.#rootKey = options.rootKey;
    this.#clock = options.clock;
  }

  /**
   * Makes sure the administrator can sign in: with the key pair from the environment when given (created
   * or updated to match), else with the one already stored, else with a new pair written to
   * `<dataDir>/bootstrap-credentials.json` (mode 0600). Only the id is ever logged by callers.
   */
  async ensureBootstrap(
    fromEnvironment: { readonly id: string; readonly secret: string } | undefined,
    dataDir: string,
  ): Promise<BootstrapOutcome> {
    if (fromEnvironment) {
      const existing = await this.resolve(fromEnvironment.id);
      const matches =
        existing?.userName === ADMINISTRATOR &&
        existing.status === 'active' &&
        constantTimeEqual(existing.secret, fromEnvironment.secret);
      if (!matches) await this.#put(fromEnvironment.id, ADMINISTRATOR, fromEnvironment.secret);
      return { source: 'environment', accessKeyId: fromEnvironment.id };
    }
    const active = (await this.#store.accessKeys.listForUser(ADMINISTRATOR)).find(
      (k) => k.status === 'active',
    );
    if (active) return { source: 'existing', accessKeyId: active.id };
    const id = newAccessKeyId();
    const secret = newAccessKeySecret();
    const credentialsFile = join(dataDir, BOOTSTRAP_CREDENTIALS_FILE);
    const document = {
      AccessKeyId: id,
      AccessKeySecret: secret,
      UserName: ADMINISTRATOR,
      Note: 'Bootstrap administrator key. Store it somewhere safe, then delete this file.',
    };
    // Always a new file: one already there keeps its own mode while the secret is written, and a link
    // in its place would carry the secret wherever it points. `wx` refuses to follow or reuse either.
    // Store the key first: a credentials file must never name a key that does not exist.
    await this.#put(id, ADMINISTRATOR, secret);
    rmSync(credentialsFile, { force: true });
    writeFileSync(credentialsFile, JSON.stringify(document, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    return { source: 'generated', accessKeyId: id, credentialsFile };
  }

  /**
   * Creates a new active key for an existing user: the only time its secret is returned. A third key →
   * `access_key_limit_exceeded`; no such user → `user_not_found`.
   */
  async create(userName: string): Promise<CreatedAccessKey> {
    const id = newAccessKeyId();
    const secret = newAccessKeySecret();
    const record = this.#record(id, userName, secret);
    await this.#store.transaction(async (tx) => {
      await requireUser(tx, userName);
      checkAccessKeyLimit(userName, (await tx.accessKeys.listForUser(userName)).length);
      await tx.accessKeys.put(record);
    });
    return { id, userName, status: record.status, createdAt: record.createdAt, secret };
  }

  /** A user's keys, oldest first, without secrets. No such user → `user_not_found`. */
  async list(userName: string): Promise<AccessKeySummary[]> {
    return this.#store.transaction(async (tx) => {
      await requireUser(tx, userName);
      return (await tx.accessKeys.listForUser(userName)).map(summary);
    });
  }

  /**
   * Activates or deactivates a key; an inactive key's requests are refused. `owner`, when given, must
   * own the key (RAM's UpdateAccessKey names the user); a key that is not there → `access_key_not_found`.
   */
  async setStatus(accessKeyId: string, status: AccessKeyStatus, owner?: string): Promise<AccessKeySummary> {
    try {
      return await this.#store.transaction(async (tx) => {
        const record = await this.#owned(tx, accessKeyId, owner);
        if (record.status === status) return summary(record);
        if (status === 'inactive') await this.#checkAdministratorKeepsAccess(tx, record);
        const updated = { ...record, status };
        await tx.accessKeys.put(updated);
        return summary(updated);
      });
    } finally {
      this.#forget(accessKeyId);
    }
  }

  /** Deletes a key; its requests are refused from then on (404 for an unknown key id). */
  async delete(accessKeyId: string, owner?: string): Promise<void> {
    try {
      await this.#store.transaction(async (tx) => {
        const record = await this.#owned(tx, accessKeyId, owner);
        await this.#checkAdministratorKeepsAccess(tx, record);
        await tx.accessKeys.delete(accessKeyId);
      });
    } finally {
      this.#forget(accessKeyId);
    }
  }

  /**
   * Drops a user's keys from the cache (after a rename, which changes their owner's name); the other
   * nodes drop every key, as the feed names keys, not users.
   */
  forgetUser(userName: string): void {
    this.#cache.forgetWhere((key) => key.userName === userName);
    this.#changes.announce('access-key');
  }

  #forget(accessKeyId: string): void {
    this.#cache.forget(accessKeyId);
    this.#changes.announce('access-key', accessKeyId);
  }

  /** The key with its secret opened, for signature verification; undefined when unknown. */
  async resolve(accessKeyId: string): Promise<ResolvedAccessKey | undefined> {
    const cached = this.#cache.get(accessKeyId);
    this.#metrics.cacheLookup('access_key', cached !== undefined);
    if (cached) return cached.value;
    const ticket = this.#cache.ticket();
    const record = await this.#store.accessKeys.get(accessKeyId);
    if (!record) return undefined;
    const key: ResolvedAccessKey = {
      id: record.id,
      userName: record.userName,
      status: record.status,
      secret: openAccessKeySecret(this.#rootKey, record.id, record.encryptedSecret),
    };
    this.#cache.keep(accessKeyId, key, ticket);
    return key;
  }

  async #owned(tx: Repositories, accessKeyId: string, owner: string | undefined): Promise<AccessKeyRecord> {
    if (owner !== undefined) await requireUser(tx, owner);
    const record = await tx.accessKeys.get(accessKeyId);
    if (!record || (owner !== undefined && record.userName !== owner)) {
      throw new DomainError(
        'access_key_not_found',
        `The access key "${accessKeyId}" does not exist${owner === undefined ? '' : ` for the user "${owner}"`}.`,
        { resource: accessKeyId },
      );
    }
    return record;
  }

  async #checkAdministratorKeepsAccess(tx: Repositories, losing: AccessKeyRecord): Promise<void> {
    if (losing.userName !== ADMINISTRATOR || losing.status !== 'active') return;
    const active = (await tx.accessKeys.listForUser(ADMINISTRATOR)).filter(
      (k) => k.status === 'active' && k.id !== losing.id,
    );
    checkAdministratorKeepsAccess(ADMINISTRATOR, active.length);
  }

  #record(id: string, userName: string, secret: string): AccessKeyRecord {
    return {
      id,
      userName,
      status: 'active',
      encryptedSecret: sealAccessKeySecret(this.#rootKey, id, secret),
      createdAt: this.#clock.now(),
    };
  }

  async #put(id: string, userName: string, secret: string): Promise<void> {
    try {
      await this.#store.accessKeys.put(this.#record(id, userName, secret));
    } finally {
      this.#forget(id);
    }
  }
}

async function requireUser(tx: Repositories, userName: string): Promise<void> {
  if (!(await tx.identities.getUser(userName, { forUpdate: true }))) {
    throw new DomainError('user_not_found', `The user "${userName}" does not exist.`, { resource: userName });
  }
}

function summary(record: AccessKeyRecord): AccessKeySummary {
  return { id: record.id, userName: record.userName, status: record.status, createdAt: record.createdAt };
}
