/**
 * Secret policies compiled for evaluation, cached in memory per secret: GetSecretValue is the hot path,
 * and parsing a JSON document on every read would dominate it. SecretService calls `forget` when a
 * policy is set and when a secret is destroyed (`policyChanged`); the change feed tells the other nodes
 * sharing the database (topic `secret`, by name), which forget theirs, and where other nodes may make
 * changes an entry is also read again once older than the feed's `maxStalenessMs` (docs/caching.md).
 *
 * Entries are kept by secret name, as the feed names secrets, and remember the secret's id: a secret
 * destroyed and created again under the same name is another secret, whose policy is read afresh.
 */
import { DomainError } from '../domain/errors.js';
import type { ResourcePolicy } from '../domain/policy-evaluation.js';
import { compileSecretPolicy } from '../domain/policy-evaluation.js';
import type { Secret } from '../domain/secret.js';
import { DEFAULT_POLICY_NAME, parsePolicyDocument } from '../domain/secret-policy.js';
import type { Store } from '../storage/store.js';
import { CacheEntries } from './cache-entries.js';
import type { ChangeFeed } from './change-feed.js';
import { LOCAL_CHANGE_FEED } from './change-feed.js';
import type { MetricsRecorder } from './metrics.js';
import { NO_METRICS } from './metrics.js';

/** Entries kept; beyond this the oldest are dropped (names of destroyed secrets may never be asked again). */
const MAX_ENTRIES = 10_000;

interface CompiledPolicy {
  readonly secretId: string;
  /** Undefined: the secret has the default policy, which grants and denies nothing by itself. */
  readonly policy: ResourcePolicy | undefined;
}

export class SecretPolicyCache {
  readonly #store: Pick<Store, 'secrets'>;
  readonly #entries: CacheEntries<string, CompiledPolicy>;
  readonly #changes: ChangeFeed;
  readonly #metrics: MetricsRecorder;

  constructor(options: { store: Pick<Store, 'secrets'>; changes?: ChangeFeed; metrics?: MetricsRecorder }) {
    this.#store = options.store;
    this.#changes = options.changes ?? LOCAL_CHANGE_FEED;
    this.#metrics = options.metrics ?? NO_METRICS;
    this.#entries = new CacheEntries({ maxEntries: MAX_ENTRIES, maxAgeMs: this.#changes.maxStalenessMs });
    this.#changes.subscribe((topic, name) => {
      if (topic !== undefined && topic !== 'secret') return;
      if (topic === undefined || name === undefined) this.#entries.forgetAll();
      else this.#entries.forget(name);
    });
  }

  /** The secret's policy ready for `authorize`; undefined while the default policy applies. */
  async policyOf(secret: Pick<Secret, 'id' | 'name'>): Promise<ResourcePolicy | undefined> {
    const cached = this.#entries.get(secret.name);
    const hit = cached !== undefined && cached.value.secretId === secret.id;
    this.#metrics.cacheLookup('secret_policy', hit);
    if (hit) return cached.value.policy;
    const ticket = this.#entries.ticket();
    const stored = await this.#store.secrets.getPolicy(secret.id, DEFAULT_POLICY_NAME);
    let policy: ResourcePolicy | undefined;
    try {
      policy = stored === undefined ? undefined : compileSecretPolicy(parsePolicyDocument(stored.document));
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
    this.#entries.keep(secret.name, { secretId: secret.id, policy }, ticket);
    return policy;
  }

  /** The secret's policy changed or the secret is gone: forgotten here and on the other nodes. */
  forget(secret: Pick<Secret, 'id' | 'name'>): void {
    this.#entries.forget(secret.name);
    this.#changes.announce('secret', secret.name);
  }
}
