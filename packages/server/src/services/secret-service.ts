/**
 * Secret operations, the one service protocol adapters call for secrets. Services speak domain, never
 * wire: protocol adapters translate. Values (create, put, read) are `secret-values.ts`, which adds
 * envelope encryption; this class adds stages, metadata, policies, tags and the deletion lifecycle, each
 * a pure rule of the model applied under a lock by `secret-transactions.ts`.
 */
import type { EpochMs, Secret, SecretLimits, SecretVersion } from '../domain/secret.js';
import {
  assertNotPendingDeletion,
  deleteSecret,
  isExpired,
  listVersions,
  restoreSecret,
  stagesOf,
  tagSecret,
  untagSecret,
  updateDescription,
  updateExtendedConfig,
  assertHandWritable,
  updateVersionStage,
} from '../domain/secret.js';
import type { SecretPolicy } from '../domain/secret-policy.js';
import { assertPolicyName, DEFAULT_POLICY_NAME, setSecretPolicy } from '../domain/secret-policy.js';
import type { Tag } from '../domain/validation.js';
import type { Page, SecretListQuery, SecretSummary, Store } from '../storage/store.js';
import type { Clock } from './clock.js';
import type { KeyService } from './key-service.js';
import type { CallerWrite, SecretGuard } from './secret-transactions.js';
import { SecretTransactions } from './secret-transactions.js';
import type {
  CreateSecretInput,
  EmptySecretInput,
  PutSecretValueInput,
  PutSecretValueResult,
  SecretValue,
  SecretValueResult,
  SecretValueSelector,
} from './secret-values.js';
import { SecretValues } from './secret-values.js';

export interface SecretServiceOptions {
  readonly store: Store;
  readonly keys: KeyService;
  readonly clock: Clock;
  readonly limits: SecretLimits;
  /** Told after a secret's policy was set or the secret destroyed (the access layer caches policies). */
  readonly policyChanged?: (secret: Pick<Secret, 'id' | 'name'>) => void;
}

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

export class SecretService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #limits: SecretLimits;
  readonly #policyChanged: (secret: Pick<Secret, 'id' | 'name'>) => void;
  readonly #secrets: SecretTransactions;
  readonly #values: SecretValues;

  constructor(options: SecretServiceOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#limits = options.limits;
    this.#policyChanged = options.policyChanged ?? (() => undefined);
    this.#secrets = new SecretTransactions(options.store, options.clock);
    this.#values = new SecretValues({
      ...options,
      transactions: this.#secrets,
      policyChanged: this.#policyChanged,
    });
  }

  async createSecret(input: CreateSecretInput): Promise<Secret> {
    return this.#values.createSecret(input);
  }

  async createEmptySecret(input: EmptySecretInput): Promise<Secret> {
    return this.#values.createEmptySecret(input);
  }

  async putSecretValue(input: PutSecretValueInput, write: CallerWrite = {}): Promise<PutSecretValueResult> {
    return this.#values.putSecretValue(input, write);
  }

  async getSecretValue(input: SecretValueSelector, guard?: SecretGuard): Promise<SecretValue> {
    return this.#values.getSecretValue(input, guard);
  }

  /**
   * Reads several values, each on its own: one item's domain error (not found, pending deletion, a
   * disabled key) is that item's result and does not fail the others. Results keep the request order.
   */
  async getSecretValues(
    selectors: readonly SecretValueSelector[],
    guard?: SecretGuard,
  ): Promise<SecretValueResult[]> {
    return this.#values.getSecretValues(selectors, guard);
  }

  /** Moves a stage; a caller's write is checked by its guard on the locked secret first (loaded once). */
  async updateVersionStage(
    input: {
      readonly name: string;
      readonly stage: string;
      readonly moveToVersion?: string | undefined;
      readonly removeFromVersion?: string | undefined;
    },
    write: CallerWrite = {},
  ): Promise<Secret> {
    return this.#secrets.change(
      input.name,
      (secret, now) => {
        if (write.byCaller) assertHandWritable(secret, 'UpdateSecretVersionStage');
        return updateVersionStage(secret, { ...input, now }, this.#limits);
      },
      write.guard,
    );
  }

  /** The secret's metadata, versions and stages; secrets pending deletion included. */
  async describeSecret(name: string): Promise<Secret> {
    return this.#secrets.live(name);
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
    const secret = await this.#secrets.live(name);
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
    changes: {
      readonly description?: string | undefined;
      readonly extendedConfig?: string | undefined;
      /** With `extendedConfig`: what its rotator binding was authorized against (null: nothing). */
      readonly authorizedRotationTarget?: string | null | undefined;
    },
  ): Promise<Secret> {
    return this.#secrets.change(name, (secret, now) => {
      assertNotPendingDeletion(secret);
      const described =
        changes.description === undefined ? secret : updateDescription(secret, changes.description, now);
      return changes.extendedConfig === undefined
        ? described
        : updateExtendedConfig(described, changes.extendedConfig, now, changes.authorizedRotationTarget);
    });
  }

  /** The secret's policy of this name (only `default` exists), or undefined while the default applies. */
  async getSecretPolicy(
    name: string,
    policyName = DEFAULT_POLICY_NAME,
    guard?: SecretGuard,
  ): Promise<SecretPolicyView> {
    const secret = await this.#secrets.live(name);
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
      const current = await this.#secrets.live(name, tx, true);
      const change = setSecretPolicy(current, { name: policyName, document, now: this.#clock.now() });
      await tx.secrets.save(change.secret);
      await tx.secrets.savePolicy(change.policy);
      return { secret: change.secret, policy: change.policy };
    });
    this.#policyChanged(view.secret);
    return view;
  }

  async tagSecret(name: string, tags: readonly Tag[]): Promise<Secret> {
    return this.#secrets.change(name, (secret, now) => tagSecret(secret, tags, now, this.#limits));
  }

  async untagSecret(name: string, tagKeys: readonly string[]): Promise<Secret> {
    return this.#secrets.change(name, (secret, now) => untagSecret(secret, tagKeys, now));
  }

  /** Tags several secrets in one transaction: every one of them changes, or none does. */
  async tagSecrets(names: readonly string[], tags: readonly Tag[]): Promise<void> {
    await this.#secrets.changeEach(names, (secret, now) => tagSecret(secret, tags, now, this.#limits));
  }

  /**
   * Removes tags from several secrets in one transaction (every tag each secret carries when `tagKeys`
   * is undefined): every one of them changes, or none does.
   */
  async untagSecrets(names: readonly string[], tagKeys: readonly string[] | undefined): Promise<void> {
    await this.#secrets.changeEach(names, (secret, now) => {
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
      const secret = await this.#secrets.live(name, tx, true);
      const outcome = deleteSecret(secret, { ...options, now: this.#clock.now() });
      if (outcome.kind === 'destroyed') {
        await tx.secrets.destroy(secret.id);
        this.#policyChanged(secret);
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
    return this.#secrets.change(name, restoreSecret);
  }

  /** Destroys secrets whose recovery window has ended; returns how many. */
  async purgeExpired(limit = 100): Promise<number> {
    const names = await this.#store.secrets.listExpired(this.#clock.now(), limit);
    for (const name of names) {
      await this.#store.transaction(async (tx) => {
        const secret = await tx.secrets.getByName(name, { forUpdate: true });
        if (secret && isExpired(secret, this.#clock.now())) {
          await tx.secrets.destroy(secret.id);
          this.#policyChanged(secret);
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
    return this.#secrets.change(name, rule);
  }
}
