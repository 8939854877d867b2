/**
 * How secret operations read and change a secret: by name, treating an expired secret as gone, and
 * for changes under a row lock inside one storage transaction, so that concurrent writers never lose
 * each other's labels, tags or versions. The pure rule decides; storage persists what it returns.
 */
import { DomainError } from '../domain/errors.js';
import type { EpochMs, Secret } from '../domain/secret.js';
import { isExpired } from '../domain/secret.js';
import type { Repositories, Store } from '../storage/store.js';
import type { Clock } from './clock.js';

/**
 * Runs on the secret a read found, before anything else is checked or decrypted: the access check of
 * the caller, so a refused caller learns nothing about the secret's state and the secret is loaded once.
 */
export type SecretGuard = (secret: Secret) => Promise<void>;

/** How a caller's write reaches a secret: its access check, and whether it is a caller's own write. */
export interface CallerWrite {
  readonly guard?: SecretGuard | undefined;
  /**
   * A caller's write (PutSecretValue, UpdateSecretVersionStage), not a rotation run's: Generic secrets
   * only, since a managed secret's versions are written by its rotation (docs/database-secrets.md).
   */
  readonly byCaller?: boolean | undefined;
}

/** Times a guarded change re-checks a secret that was replaced between its check and its lock. */
const CHECK_ATTEMPTS = 3;

/** A pure rule applied to a secret read under a lock. */
export type SecretRule = (secret: Secret, now: EpochMs) => Secret;

export class SecretTransactions {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** The secret by name; one whose recovery window has run out no longer exists. */
  async live(name: string, repos: Repositories = this.#store, forUpdate = false): Promise<Secret> {
    const secret = await repos.secrets.getByName(name, { forUpdate });
    if (!secret || isExpired(secret, this.#clock.now())) {
      throw new DomainError('secret_not_found', `The secret "${name}" does not exist.`, { resource: name });
    }
    return secret;
  }

  /**
   * Read-modify-write of one secret under a lock: the pure rule decides, storage persists. The guard,
   * when given, checks the secret before the transaction opens: an access check reads policies on
   * connections of its own, and doing that while holding one of the pool's connections lets a burst of
   * writers take every connection and wait for one more (PostgreSQL, issue 14). The locked secret must
   * be the one checked; one replaced meanwhile (deleted and created again) is checked afresh.
   */
  async change(name: string, apply: SecretRule, guard?: SecretGuard): Promise<Secret> {
    if (!guard) return this.#store.transaction((tx) => this.#apply(tx, name, apply));
    for (let attempt = 0; attempt < CHECK_ATTEMPTS; attempt++) {
      const checked = await this.live(name);
      await guard(checked);
      const changed = await this.#store.transaction((tx) => this.#applyChecked(tx, name, apply, checked.id));
      if (changed) return changed;
    }
    throw new DomainError('unavailable', 'The secret is changing too quickly; try again.');
  }

  /** `change` for several secrets in one transaction: a rule refusing any of them changes none. */
  async changeEach(names: readonly string[], apply: SecretRule): Promise<void> {
    await this.#store.transaction(async (tx) => {
      for (const name of names) await this.#apply(tx, name, apply);
    });
  }

  async #apply(tx: Repositories, name: string, apply: SecretRule): Promise<Secret> {
    return this.#applyTo(tx, await this.live(name, tx, true), apply);
  }

  /** `#apply` on the secret the guard checked; undefined when the name now holds another secret. */
  async #applyChecked(
    tx: Repositories,
    name: string,
    apply: SecretRule,
    checkedId: string,
  ): Promise<Secret | undefined> {
    const current = await this.live(name, tx, true);
    return current.id === checkedId ? this.#applyTo(tx, current, apply) : undefined;
  }

  async #applyTo(tx: Repositories, current: Secret, apply: SecretRule): Promise<Secret> {
    const changed = apply(current, this.#clock.now());
    // Rules return the very same object when nothing changes; then there is nothing to write.
    if (changed !== current) await tx.secrets.save(changed);
    return changed;
  }
}
