/**
 * The store as services see it with the secret cache (`secret-cache.ts`): reads of a secret by name
 * and of a version's sealed value outside a transaction are served from memory; every write through
 * the secret repository — in a transaction or on its own — forgets the secret when it starts and again
 * once it has settled, then announces the change to other nodes. Reads inside a transaction (the
 * locked re-read before a write) always go to the database.
 *
 * Wrapping the repository, rather than asking each use case to invalidate, means a write path added
 * later cannot forget to: the repository is the only way to change a secret (storage/store.ts).
 */
import type {
  DataKeyPosition,
  Page,
  ReadOptions,
  Repositories,
  SecretCiphertext,
  SecretListQuery,
  SecretRepository,
  SecretSummary,
  SecretWrite,
  Store,
  TransactionOptions,
  WrappedDataKey,
} from '../storage/store.js';
import type { Secret } from '../domain/secret.js';
import type { SecretPolicy } from '../domain/secret-policy.js';
import type { ChangeFeed } from './change-feed.js';
import type { CommittedWrite, SecretCache } from './secret-cache.js';

/**
 * What one unit of work wrote, by secret name: the aggregate it stored (with the version it added),
 * or undefined when the outcome is not known by name; the key `undefined`: a secret known only by id.
 */
type Touched = Map<string | undefined, CommittedWrite | undefined>;

export function withSecretCache(store: Store, cache: SecretCache, feed: ChangeFeed): Store {
  if (!cache.enabled) return store;
  const settle = (touched: Touched, committed: boolean): void => {
    for (const [name, write] of touched) {
      if (name === undefined) cache.forgetAll();
      else cache.endWrite(name, committed ? write : undefined);
    }
    for (const name of touched.keys()) feed.announce('secret', name);
  };
  const secrets = new CachedSecrets(store.secrets, cache, undefined, settle);
  const transaction = async <T>(
    work: (tx: Repositories) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> => {
    const touched: Touched = new Map<string | undefined, CommittedWrite | undefined>();
    let committed = false;
    try {
      const result = await store.transaction(
        (tx) => work(withSecrets(tx, new CachedSecrets(tx.secrets, cache, touched, settle))),
        options,
      );
      committed = true;
      return result;
    } finally {
      settle(touched, committed);
    }
  };
  return new Proxy(store, {
    get(inner, property) {
      if (property === 'secrets') return secrets;
      if (property === 'transaction') return transaction;
      const value: unknown = Reflect.get(inner, property, inner);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(inner) : value;
    },
  });
}

function withSecrets(tx: Repositories, secrets: SecretRepository): Repositories {
  return new Proxy(tx, {
    get(inner, property) {
      return property === 'secrets' ? secrets : (Reflect.get(inner, property, inner) as unknown);
    },
  });
}

/**
 * The secret repository with the cache in front. `touched` collects the names a transaction wrote,
 * settled when it ends; outside a transaction (`touched` undefined) each write settles on its own.
 */
class CachedSecrets implements SecretRepository {
  readonly #inner: SecretRepository;
  readonly #cache: SecretCache;
  readonly #touched: Touched | undefined;
  readonly #settle: (touched: Touched, committed: boolean) => void;

  constructor(
    inner: SecretRepository,
    cache: SecretCache,
    touched: Touched | undefined,
    settle: (touched: Touched, committed: boolean) => void,
  ) {
    this.#inner = inner;
    this.#cache = cache;
    this.#touched = touched;
    this.#settle = settle;
  }

  getByName(name: string, options?: ReadOptions): Promise<Secret | undefined> {
    if (this.#touched !== undefined || options?.forUpdate) return this.#inner.getByName(name, options);
    return this.#cache.secret(name, () => this.#inner.getByName(name));
  }

  getCiphertext(secretId: string, versionId: string): Promise<SecretCiphertext | undefined> {
    if (this.#touched !== undefined) return this.#inner.getCiphertext(secretId, versionId);
    return this.#cache.ciphertext(secretId, versionId, () => this.#inner.getCiphertext(secretId, versionId));
  }

  insert(secret: Secret, ciphertext?: SecretCiphertext): Promise<void> {
    const [first] = secret.versions;
    const added = first && ciphertext ? { versionId: first.versionId, ciphertext } : undefined;
    return this.#write(secret.name, { secret, added }, () => this.#inner.insert(secret, ciphertext));
  }

  save(secret: Secret, write?: SecretWrite): Promise<void> {
    return this.#write(secret.name, { secret, added: write?.added }, () => this.#inner.save(secret, write));
  }

  // A policy is not part of the cached aggregate (the secret policy cache keeps those).
  savePolicy(policy: SecretPolicy): Promise<void> {
    return this.#inner.savePolicy(policy);
  }

  destroy(secretId: string): Promise<void> {
    return this.#write(undefined, undefined, () => this.#inner.destroy(secretId));
  }

  /**
   * A re-wrapped data key is forgotten here only: the one other nodes hold still opens (a key keeps the
   * material of its earlier versions), so telling them would only empty their caches during a re-wrap pass.
   */
  async replaceDataKey(key: WrappedDataKey, replacement: Uint8Array): Promise<boolean> {
    this.#cache.forgetId(key.secretId);
    try {
      return await this.#inner.replaceDataKey(key, replacement);
    } finally {
      this.#cache.forgetId(key.secretId);
    }
  }

  list(query: SecretListQuery): Promise<Page<SecretSummary>> {
    return this.#inner.list(query);
  }

  getPolicy(secretId: string, name: string): Promise<SecretPolicy | undefined> {
    return this.#inner.getPolicy(secretId, name);
  }

  listExpired(now: number, limit: number): Promise<string[]> {
    return this.#inner.listExpired(now, limit);
  }

  listDataKeys(after: DataKeyPosition | undefined, limit: number): Promise<WrappedDataKey[]> {
    return this.#inner.listDataKeys(after, limit);
  }

  /**
   * Forgets before the write (loads in flight are not kept), and settles once the unit of work has: a
   * second write to the same secret in one unit leaves the outcome unknown by name.
   */
  async #write<T>(
    name: string | undefined,
    wrote: CommittedWrite | undefined,
    write: () => Promise<T>,
  ): Promise<T> {
    const touched: Touched = this.#touched ?? new Map<string | undefined, CommittedWrite | undefined>();
    if (name === undefined) this.#cache.forgetAll();
    else if (touched.has(name)) touched.set(name, undefined);
    else {
      this.#cache.beginWrite(name);
      touched.set(name, wrote);
    }
    if (name === undefined) touched.set(undefined, undefined);
    let committed = false;
    try {
      const result = await write();
      committed = true;
      return result;
    } finally {
      if (this.#touched === undefined) this.#settle(touched, committed);
    }
  }
}
