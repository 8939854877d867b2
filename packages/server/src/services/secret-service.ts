/**
 * Secret operations: the model's rules (domain/secret.ts) applied inside storage transactions, with
 * envelope encryption around them. Services speak domain, never wire: protocol adapters translate.
 *
 * Encryption (`secret-envelope.ts`) happens before a transaction opens (no key work inside one); the
 * transaction re-reads the secret under a lock and applies the rule to the fresh state, so concurrent
 * writers never lose each other's labels or versions.
 */
import { randomUUID } from 'node:crypto';
import { constantTimeEqual } from '../crypto/compare.js';
import { DomainError } from '../domain/errors.js';
import type { EpochMs, Secret, SecretLimits, SecretType, SecretVersion } from '../domain/secret.js';
import {
  assertNotPendingDeletion,
  createSecret,
  deleteSecret,
  findVersion,
  isExpired,
  listVersions,
  putVersion,
  resolveVersion,
  restoreSecret,
  stagesOf,
  tagSecret,
  untagSecret,
  updateDescription,
  updateExtendedConfig,
  updateVersionStage,
} from '../domain/secret.js';
import type { SecretPolicy } from '../domain/secret-policy.js';
import {
  assertPolicyName,
  DEFAULT_POLICY_NAME,
  parsePolicyDocument,
  setSecretPolicy,
} from '../domain/secret-policy.js';
import type { SecretDataType, Tag } from '../domain/validation.js';
import { validateSecretData } from '../domain/validation.js';
import type { Page, Repositories, SecretListQuery, SecretSummary, Store } from '../storage/store.js';
import type { Clock } from './clock.js';
import type { KeyService } from './key-service.js';
import { SecretEnvelope } from './secret-envelope.js';

/** Attempts of an optimistic write before giving up with `unavailable` (only a storm of racing writers gets there). */
const WRITE_ATTEMPTS = 5;

export interface SecretServiceOptions {
  readonly store: Store;
  readonly keys: KeyService;
  readonly clock: Clock;
  readonly limits: SecretLimits;
  /** Told after a secret's policy was set or the secret destroyed (the access layer caches policies). */
  readonly policyChanged?: (secretId: string) => void;
}

/**
 * Runs on the secret a read found, before anything else is checked or decrypted: the access check of
 * the caller, so a refused caller learns nothing about the secret's state and the secret is loaded once.
 */
export type SecretGuard = (secret: Secret) => Promise<void>;

export interface CreateSecretInput {
  readonly name: string;
  readonly versionId: string;
  readonly data: string;
  readonly dataType: SecretDataType;
  readonly description?: string | undefined;
  /** Key id, key ARN or alias of a customer key; absent means the service key. */
  readonly encryptionKeyId?: string | undefined;
  readonly tags?: readonly Tag[] | undefined;
  /** A policy document to attach as the `default` policy; absent means the default policy. */
  readonly policy?: string | undefined;
  /** Default `Generic`. */
  readonly secretType?: SecretType | undefined;
  /** ExtendedConfig JSON text. */
  readonly extendedConfig?: string | undefined;
}

export interface PutSecretValueInput {
  readonly name: string;
  readonly versionId: string;
  readonly data: string;
  readonly dataType: SecretDataType;
  /** Labels for the new version; absent means "make it current". */
  readonly stages?: readonly string[] | undefined;
}

export interface PutSecretValueResult {
  readonly secret: Secret;
  readonly versionId: string;
  readonly stages: string[];
  /** False when the version already existed with the same value (the idempotent re-put). */
  readonly created: boolean;
}

export interface SecretValue {
  readonly secret: Secret;
  readonly version: SecretVersion;
  readonly stages: string[];
  readonly data: string;
}

/** What a read of one secret value asks for (the current version when neither field is given). */
export interface SecretValueSelector {
  readonly name: string;
  readonly versionId?: string | undefined;
  readonly stage?: string | undefined;
}

/** One item of a batch read: the value, or the domain error that item alone ran into. */
export type SecretValueResult =
  { readonly ok: true; readonly value: SecretValue } | { readonly ok: false; readonly error: DomainError };

export interface SecretPolicyView {
  readonly secret: Secret;
  /** Undefined while nobody has set one: the default policy applies. */
  readonly policy: SecretPolicy | undefined;
}

export interface VersionListing {
  readonly secret: Secret;
  /** Newest first. */
  readonly versions: { readonly version: SecretVersion; readonly stages: string[] }[];
}

/** A pure rule applied to a secret read under a lock (`#change`). */
type SecretRule = (secret: Secret, now: EpochMs) => Secret;

export class SecretService {
  readonly #store: Store;
  readonly #keys: KeyService;
  readonly #envelope: SecretEnvelope;
  readonly #clock: Clock;
  readonly #limits: SecretLimits;
  readonly #policyChanged: (secretId: string) => void;

  constructor(options: SecretServiceOptions) {
    this.#store = options.store;
    this.#keys = options.keys;
    this.#envelope = new SecretEnvelope(options.keys);
    this.#clock = options.clock;
    this.#limits = options.limits;
    this.#policyChanged = options.policyChanged ?? (() => undefined);
  }

  async createSecret(input: CreateSecretInput): Promise<Secret> {
    const now = this.#clock.now();
    validateSecretData(input.data, input.dataType);
    if (input.policy !== undefined) parsePolicyDocument(input.policy);
    const key =
      input.encryptionKeyId === undefined
        ? await this.#keys.serviceKey()
        : await this.#keys.resolve(input.encryptionKeyId);
    // Validate every rule before spending a data key on it.
    const secret = createSecret(
      {
        id: randomUUID(),
        name: input.name,
        description: input.description ?? '',
        encryptionKeyId: key.id,
        tags: input.tags ?? [],
        versionId: input.versionId,
        dataType: input.dataType,
        now,
        secretType: input.secretType,
        extendedConfig: input.extendedConfig,
      },
      this.#limits,
    );
    const ciphertext = await this.#envelope.seal(
      key,
      { secretId: secret.id, versionId: input.versionId, dataType: input.dataType },
      input.data,
    );
    await this.#store.transaction(async (tx) => {
      const existing = await tx.secrets.getByName(input.name, { forUpdate: true });
      if (existing && isExpired(existing, now)) {
        await tx.secrets.destroy(existing.id);
        this.#policyChanged(existing.id);
      } else if (existing) {
        assertNotPendingDeletion(existing);
        throw new DomainError('secret_already_exists', `A secret named "${input.name}" already exists.`, {
          resource: input.name,
        });
      }
      await tx.secrets.insert(secret, ciphertext);
      if (input.policy !== undefined) {
        const { policy } = setSecretPolicy(secret, {
          name: DEFAULT_POLICY_NAME,
          document: input.policy,
          now,
        });
        await tx.secrets.savePolicy(policy);
      }
    });
    return secret;
  }

  async putSecretValue(input: PutSecretValueInput): Promise<PutSecretValueResult> {
    validateSecretData(input.data, input.dataType);
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const secret = await this.#live(input.name);
      assertNotPendingDeletion(secret);
      if (findVersion(secret, input.versionId)) return this.#rePut(secret, input);
      // Check the rules on what we just read, so a bad request costs no encryption.
      putVersion(secret, { ...input, now: this.#clock.now() }, this.#limits);
      const key = await this.#envelope.keyOf(secret);
      const ciphertext = await this.#envelope.seal(
        key,
        { secretId: secret.id, versionId: input.versionId, dataType: input.dataType },
        input.data,
      );
      const result = await this.#store.transaction(async (tx) => {
        const fresh = await this.#live(input.name, tx, true);
        // Replaced meanwhile (deleted and re-created) or the version appeared: start over on the new state.
        if (fresh.id !== secret.id || findVersion(fresh, input.versionId)) return undefined;
        const change = putVersion(fresh, { ...input, now: this.#clock.now() }, this.#limits);
        await tx.secrets.save(change.secret, {
          added: { versionId: input.versionId, ciphertext },
          evicted: change.evicted,
        });
        return change.secret;
      });
      if (result) {
        return {
          secret: result,
          versionId: input.versionId,
          stages: stagesOf(result, input.versionId),
          created: true,
        };
      }
    }
    throw new DomainError('unavailable', 'The secret is changing too quickly; try again.');
  }

  /** Same id again: success without change if the value is the same, a conflict otherwise (DECISIONS 2). */
  async #rePut(secret: Secret, input: PutSecretValueInput): Promise<PutSecretValueResult> {
    const stored = await this.#read(secret, resolveVersion(secret, { versionId: input.versionId }));
    const same = stored.version.dataType === input.dataType && constantTimeEqual(stored.data, input.data);
    if (!same) {
      throw new DomainError(
        'secret_version_conflict',
        `The version "${input.versionId}" of the secret "${secret.name}" already exists with a different value.`,
        { resource: input.versionId },
      );
    }
    return { secret, versionId: input.versionId, stages: stored.stages, created: false };
  }

  async getSecretValue(input: SecretValueSelector, guard?: SecretGuard): Promise<SecretValue> {
    const secret = await this.#live(input.name);
    if (guard) await guard(secret);
    assertNotPendingDeletion(secret);
    return this.#read(secret, resolveVersion(secret, input));
  }

  /**
   * Reads several values, each on its own: one item's domain error (not found, pending deletion, a
   * disabled key) is that item's result and does not fail the others. Results keep the request order.
   */
  async getSecretValues(
    selectors: readonly SecretValueSelector[],
    guard?: SecretGuard,
  ): Promise<SecretValueResult[]> {
    const results: SecretValueResult[] = [];
    for (const selector of selectors) {
      try {
        results.push({ ok: true, value: await this.getSecretValue(selector, guard) });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        results.push({ ok: false, error });
      }
    }
    return results;
  }

  async #read(secret: Secret, version: SecretVersion): Promise<SecretValue> {
    const ciphertext = await this.#store.secrets.getCiphertext(secret.id, version.versionId);
    if (!ciphertext) {
      // Evicted between reading the secret and reading its ciphertext.
      throw new DomainError(
        'secret_version_not_found',
        `The secret "${secret.name}" has no version "${version.versionId}".`,
        {
          resource: version.versionId,
        },
      );
    }
    const binding = { secretId: secret.id, versionId: version.versionId, dataType: version.dataType };
    const data = await this.#envelope.open(binding, ciphertext);
    return { secret, version, stages: stagesOf(secret, version.versionId), data };
  }

  async updateVersionStage(input: {
    readonly name: string;
    readonly stage: string;
    readonly moveToVersion?: string | undefined;
    readonly removeFromVersion?: string | undefined;
  }): Promise<Secret> {
    return this.#change(input.name, (secret, now) =>
      updateVersionStage(secret, { ...input, now }, this.#limits),
    );
  }

  /** The secret's metadata, versions and stages; secrets pending deletion included. */
  async describeSecret(name: string): Promise<Secret> {
    return this.#live(name);
  }

  /**
   * Secrets matching the query, ordered by name. Secrets pending deletion are listed (callers show
   * their planned deletion time) unless `excludePendingDeletion`; secrets whose window has ended are
   * gone even before the sweeper destroys them.
   */
  async listSecrets(query: Omit<SecretListQuery, 'existingAt'>): Promise<Page<SecretSummary>> {
    return this.#store.secrets.list({ ...query, existingAt: this.#clock.now() });
  }

  async listVersions(name: string, includeDeprecated: boolean, guard?: SecretGuard): Promise<VersionListing> {
    const secret = await this.#live(name);
    if (guard) await guard(secret);
    assertNotPendingDeletion(secret);
    return {
      secret,
      versions: listVersions(secret, includeDeprecated).map((version) => ({
        version,
        stages: stagesOf(secret, version.versionId),
      })),
    };
  }

  /** Changes the secret's metadata; with nothing to change it only checks the secret can take changes. */
  async updateSecret(
    name: string,
    changes: { readonly description?: string | undefined; readonly extendedConfig?: string | undefined },
  ): Promise<Secret> {
    return this.#change(name, (secret, now) => {
      assertNotPendingDeletion(secret);
      const described =
        changes.description === undefined ? secret : updateDescription(secret, changes.description, now);
      return changes.extendedConfig === undefined
        ? described
        : updateExtendedConfig(described, changes.extendedConfig, now);
    });
  }

  /** The secret's policy of this name (only `default` exists), or undefined while the default applies. */
  async getSecretPolicy(
    name: string,
    policyName = DEFAULT_POLICY_NAME,
    guard?: SecretGuard,
  ): Promise<SecretPolicyView> {
    const secret = await this.#live(name);
    if (guard) await guard(secret);
    assertNotPendingDeletion(secret);
    assertPolicyName(secret, policyName);
    return { secret, policy: await this.#store.secrets.getPolicy(secret.id, policyName) };
  }

  /** Validates and stores the secret's policy document, replacing the one before. */
  async setSecretPolicy(
    name: string,
    document: string,
    policyName = DEFAULT_POLICY_NAME,
  ): Promise<SecretPolicyView> {
    const view = await this.#store.transaction(async (tx) => {
      const current = await this.#live(name, tx, true);
      const change = setSecretPolicy(current, { name: policyName, document, now: this.#clock.now() });
      await tx.secrets.save(change.secret);
      await tx.secrets.savePolicy(change.policy);
      return { secret: change.secret, policy: change.policy };
    });
    this.#policyChanged(view.secret.id);
    return view;
  }

  async tagSecret(name: string, tags: readonly Tag[]): Promise<Secret> {
    return this.#change(name, (secret, now) => tagSecret(secret, tags, now, this.#limits));
  }

  async untagSecret(name: string, tagKeys: readonly string[]): Promise<Secret> {
    return this.#change(name, (secret, now) => untagSecret(secret, tagKeys, now));
  }

  /** Tags several secrets in one transaction: every one of them changes, or none does. */
  async tagSecrets(names: readonly string[], tags: readonly Tag[]): Promise<void> {
    await this.#changeEach(names, (secret, now) => tagSecret(secret, tags, now, this.#limits));
  }

  /**
   * Removes tags from several secrets in one transaction (every tag each secret carries when `tagKeys`
   * is undefined): every one of them changes, or none does.
   */
  async untagSecrets(names: readonly string[], tagKeys: readonly string[] | undefined): Promise<void> {
    await this.#changeEach(names, (secret, now) => {
      const drop = tagKeys ?? secret.tags.map((t) => t.key);
      return drop.length === 0 ? secret : untagSecret(secret, drop, now);
    });
  }

  /** Schedules deletion (or destroys at once when forced); returns the planned deletion time. */
  async deleteSecret(
    name: string,
    options: { readonly recoveryWindowDays?: number | undefined; readonly force: boolean },
  ): Promise<{ readonly secret: Secret; readonly plannedDeleteAt: EpochMs }> {
    return this.#store.transaction(async (tx) => {
      const secret = await this.#live(name, tx, true);
      const outcome = deleteSecret(secret, { ...options, now: this.#clock.now() });
      if (outcome.kind === 'destroyed') {
        await tx.secrets.destroy(secret.id);
        this.#policyChanged(secret.id);
        return { secret, plannedDeleteAt: outcome.deletedAt };
      }
      await tx.secrets.save(outcome.secret);
      return {
        secret: outcome.secret,
        plannedDeleteAt: outcome.secret.plannedDeleteAt ?? outcome.secret.updatedAt,
      };
    });
  }

  async restoreSecret(name: string): Promise<Secret> {
    return this.#change(name, restoreSecret);
  }

  /** Destroys secrets whose recovery window has ended; returns how many. */
  async purgeExpired(limit = 100): Promise<number> {
    const names = await this.#store.secrets.listExpired(this.#clock.now(), limit);
    for (const name of names) {
      await this.#store.transaction(async (tx) => {
        const secret = await tx.secrets.getByName(name, { forUpdate: true });
        if (secret && isExpired(secret, this.#clock.now())) {
          await tx.secrets.destroy(secret.id);
          this.#policyChanged(secret.id);
        }
      });
    }
    return names.length;
  }

  /**
   * Applies a pure rule of another model to the secret under the usual lock: rotation moves its labels
   * with `domain/rotation.ts` `reconcileLabels`, which uses this model's own stage rules.
   */
  async applyRule(name: string, rule: (secret: Secret, now: EpochMs) => Secret): Promise<Secret> {
    return this.#change(name, rule);
  }

  /** Read-modify-write of one secret under a lock: the pure rule decides, storage persists. */
  async #change(name: string, apply: SecretRule): Promise<Secret> {
    return this.#store.transaction((tx) => this.#apply(tx, name, apply));
  }

  /** `#change` for several secrets in one transaction: a rule refusing any of them changes none. */
  async #changeEach(names: readonly string[], apply: SecretRule): Promise<void> {
    await this.#store.transaction(async (tx) => {
      for (const name of names) await this.#apply(tx, name, apply);
    });
  }

  async #apply(tx: Repositories, name: string, apply: SecretRule): Promise<Secret> {
    const current = await this.#live(name, tx, true);
    const changed = apply(current, this.#clock.now());
    // Rules return the very same object when nothing changes; then there is nothing to write.
    if (changed !== current) await tx.secrets.save(changed);
    return changed;
  }

  /** The secret by name; one whose recovery window has run out no longer exists. */
  async #live(name: string, repos: Repositories = this.#store, forUpdate = false): Promise<Secret> {
    const secret = await repos.secrets.getByName(name, { forUpdate });
    if (!secret || isExpired(secret, this.#clock.now())) {
      throw new DomainError('secret_not_found', `The secret "${name}" does not exist.`, { resource: name });
    }
    return secret;
  }
}
