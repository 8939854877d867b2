/**
 * Secret policies compiled for evaluation, cached in memory per secret id: GetSecretValue is the hot
 * path, and parsing a JSON document on every read would dominate it. SecretService calls `forget` when a
 * policy is set and when a secret is destroyed (`policyChanged`).
 *
 * Single process only: another Tessera process writing the same database would not reach this cache,
 * so with a shared (PostgreSQL) database the app turns it off (`enabled: false`).
 */
import { DomainError } from '../domain/errors.js';
import type { ResourcePolicy } from '../domain/policy-evaluation.js';
import { compileSecretPolicy } from '../domain/policy-evaluation.js';
import type { Secret } from '../domain/secret.js';
import { DEFAULT_POLICY_NAME, parsePolicyDocument } from '../domain/secret-policy.js';
import type { Store } from '../storage/store.js';
import type { MetricsRecorder } from './metrics.js';
import { NO_METRICS } from './metrics.js';

/** Entries kept; beyond this the oldest are dropped (ids of destroyed secrets are never asked again). */
const MAX_ENTRIES = 10_000;

export class SecretPolicyCache {
  readonly #store: Pick<Store, 'secrets'>;
  /** Undefined value: the secret has the default policy, which grants and denies nothing by itself. */
  readonly #entries = new Map<string, ResourcePolicy | undefined>();
  /** Bumped by every `forget`: a load that overlapped one may have read the old document, so it is not kept. */
  #generation = 0;

  readonly #enabled: boolean;
  readonly #metrics: MetricsRecorder;

  /** `enabled: false` when other processes write the same database: every check reads the policy. */
  constructor(options: { store: Pick<Store, 'secrets'>; enabled?: boolean; metrics?: MetricsRecorder }) {
    this.#store = options.store;
    this.#enabled = options.enabled ?? true;
    this.#metrics = options.metrics ?? NO_METRICS;
  }

  /** The secret's policy ready for `authorize`; undefined while the default policy applies. */
  async policyOf(secret: Pick<Secret, 'id' | 'name'>): Promise<ResourcePolicy | undefined> {
    const hit = this.#entries.has(secret.id);
    if (this.#enabled) this.#metrics.cacheLookup('secret_policy', hit);
    if (hit) return this.#entries.get(secret.id);
    const generation = this.#generation;
    const stored = await this.#store.secrets.getPolicy(secret.id, DEFAULT_POLICY_NAME);
    let compiled: ResourcePolicy | undefined;
    try {
      compiled = stored === undefined ? undefined : compileSecretPolicy(parsePolicyDocument(stored.document));
    } catch (error) {
      // Documents are validated when set; one that no longer parses is damaged data. Refuse (fail closed).
      throw new DomainError(
        'internal',
        `The policy of the secret "${secret.name}" cannot be read.`,
        {},
        {
          cause: error,
        },
      );
    }
    if (this.#enabled && generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
      this.#entries.set(secret.id, compiled);
    }
    return compiled;
  }

  /** The secret's policy changed or the secret is gone. */
  forget(secretId: string): void {
    this.#generation++;
    this.#entries.delete(secretId);
  }
}
