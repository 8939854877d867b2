import { describe, expect, it } from 'vitest';
import type { Secret } from '../../src/domain/secret.js';
import type { ChangeFeed, ChangeListener } from '../../src/services/change-feed.js';
import { LOCAL_CHANGE_FEED } from '../../src/services/change-feed.js';
import { withSecretCache } from '../../src/services/cached-store.js';
import { SecretCache } from '../../src/services/secret-cache.js';
import type { Repositories, SecretCiphertext, SecretRepository, Store } from '../../src/storage/store.js';

/** A secret repository over a map that counts the loads reaching it. */
class CountingSecrets {
  readonly rows = new Map<string, Secret>();
  loads = 0;
  ciphertextLoads = 0;

  getByName(name: string): Promise<Secret | undefined> {
    this.loads += 1;
    return Promise.resolve(this.rows.get(name));
  }

  getCiphertext(): Promise<SecretCiphertext | undefined> {
    this.ciphertextLoads += 1;
    return Promise.resolve({ encryptedDataKey: new Uint8Array(100), encryptedValue: new Uint8Array(900) });
  }

  save(secret: Secret): Promise<void> {
    this.rows.set(secret.name, secret);
    return Promise.resolve();
  }

  destroy(secretId: string): Promise<void> {
    for (const [name, secret] of this.rows) if (secret.id === secretId) this.rows.delete(name);
    return Promise.resolve();
  }
}

function secret(name: string, description = '', id = `id-${name}`): Secret {
  return { id, name, description } as Secret;
}

/** A store whose transactions commit when `commit()` is called (or at once). */
function fakeStore(inner: CountingSecrets, options: { holdCommits?: boolean } = {}) {
  const held: (() => void)[] = [];
  const store = {
    secrets: inner as unknown as SecretRepository,
    async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
      const staged = new Map<string, Secret>();
      const tx = {
        secrets: {
          getByName: (name: string) => inner.getByName(name),
          save: (s: Secret) => {
            staged.set(s.name, s);
            return Promise.resolve();
          },
        },
      } as unknown as Repositories;
      const result = await work(tx);
      if (options.holdCommits) await new Promise<void>((resolve) => held.push(resolve));
      for (const s of staged.values()) inner.rows.set(s.name, s);
      return result;
    },
  } as unknown as Store;
  return { store, commit: () => held.shift()?.() };
}

const LIMITS = { entries: 100, bytes: 1 << 20 };

function cached(inner: CountingSecrets, feed: ChangeFeed = LOCAL_CHANGE_FEED, limits = LIMITS) {
  const { store, commit } = fakeStore(inner, { holdCommits: false });
  const cache = new SecretCache({ limits, feed });
  return { store: withSecretCache(store, cache, feed), cache, commit };
}

describe('secret cache', () => {
  it('answers repeated reads from memory, and the next read after a write with what it stored', async () => {
    const inner = new CountingSecrets();
    inner.rows.set('a', secret('a', 'one'));
    const { store } = cached(inner);
    expect((await store.secrets.getByName('a'))?.description).toBe('one');
    expect((await store.secrets.getByName('a'))?.description).toBe('one');
    expect(inner.loads).toBe(1);

    await store.secrets.save(secret('a', 'two'));
    expect((await store.secrets.getByName('a'))?.description).toBe('two');

    await store.transaction((tx) => tx.secrets.save(secret('a', 'three')));
    expect((await store.secrets.getByName('a'))?.description).toBe('three');
    // A committed write leaves the state it stored: neither read after a write loaded anything.
    expect(inner.loads).toBe(1);
  });

  it('keeps nothing from a write that failed, or that overlapped another write to the secret', async () => {
    const inner = new CountingSecrets();
    inner.rows.set('a', secret('a', 'stored'));
    const { store: plain, commit } = fakeStore(inner, { holdCommits: true });
    const cache = new SecretCache({ limits: LIMITS, feed: LOCAL_CHANGE_FEED });
    const store = withSecretCache(plain, cache, LOCAL_CHANGE_FEED);
    const failing = store.transaction(async (tx) => {
      await tx.secrets.save(secret('a', 'never committed'));
      throw new Error('refused');
    });
    await expect(failing).rejects.toThrow('refused');
    expect((await store.secrets.getByName('a'))?.description).toBe('stored');

    const first = store.transaction((tx) => tx.secrets.save(secret('a', 'first')));
    const second = store.transaction((tx) => tx.secrets.save(secret('a', 'second')));
    await new Promise((resolve) => setImmediate(resolve));
    commit();
    await first;
    commit();
    await second;
    const loads = inner.loads;
    expect((await store.secrets.getByName('a'))?.description).toBe('second');
    expect(inner.loads).toBe(loads + 1);
  });

  it('keeps sealed values beside their secret and drops them with it', async () => {
    const inner = new CountingSecrets();
    inner.rows.set('a', secret('a'));
    const { store } = cached(inner);
    await store.secrets.getByName('a');
    await store.secrets.getCiphertext('id-a', 'v1');
    await store.secrets.getCiphertext('id-a', 'v1');
    expect(inner.ciphertextLoads).toBe(1);
    await store.secrets.destroy('id-a');
    inner.rows.set('a', secret('a'));
    await store.secrets.getByName('a');
    await store.secrets.getCiphertext('id-a', 'v1');
    expect(inner.ciphertextLoads).toBe(2);
  });

  it('does not keep what a read loaded while a write to the secret was committing', async () => {
    const inner = new CountingSecrets();
    inner.rows.set('a', secret('a', 'old'));
    const { store: plain, commit } = fakeStore(inner, { holdCommits: true });
    const cache = new SecretCache({ limits: LIMITS, feed: LOCAL_CHANGE_FEED });
    const store = withSecretCache(plain, cache, LOCAL_CHANGE_FEED);
    const writing = store.transaction((tx) => tx.secrets.save(secret('a', 'new')));
    await new Promise((resolve) => setImmediate(resolve));
    // The read runs before the commit: it sees the old state, which must not outlive the commit.
    expect((await store.secrets.getByName('a'))?.description).toBe('old');
    commit();
    await writing;
    expect((await store.secrets.getByName('a'))?.description).toBe('new');
  });

  it('does not keep a load that overlapped a change, even one that started first', async () => {
    const cache = new SecretCache({ limits: LIMITS, feed: LOCAL_CHANGE_FEED });
    let finish!: (value: Secret) => void;
    const loading = cache.secret('a', () => new Promise<Secret>((resolve) => (finish = resolve)));
    cache.forget('a');
    finish(secret('a', 'before'));
    await loading;
    let loads = 0;
    await cache.secret('a', () => {
      loads += 1;
      return Promise.resolve(secret('a', 'after'));
    });
    expect(loads).toBe(1);
  });

  it('forgets what another node announces, and reads again past the staleness bound', async () => {
    const listeners: ChangeListener[] = [];
    const feed: ChangeFeed = {
      ...LOCAL_CHANGE_FEED,
      maxStalenessMs: 30,
      subscribe: (listener) => {
        listeners.push(listener);
        return () => undefined;
      },
    };
    const inner = new CountingSecrets();
    inner.rows.set('a', secret('a'));
    inner.rows.set('b', secret('b'));
    const { store } = cached(inner, feed);
    await store.secrets.getByName('a');
    await store.secrets.getByName('b');
    for (const listener of listeners) listener('secret', 'a');
    await store.secrets.getByName('a');
    await store.secrets.getByName('b');
    expect(inner.loads).toBe(3);
    for (const listener of listeners) listener(undefined, undefined);
    await store.secrets.getByName('b');
    expect(inner.loads).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 40));
    await store.secrets.getByName('b');
    expect(inner.loads).toBe(5);
  });

  it('keeps at most its entries and bytes, least recently used out first', async () => {
    const inner = new CountingSecrets();
    for (const name of ['a', 'b', 'c']) inner.rows.set(name, secret(name));
    const { store } = cached(inner, LOCAL_CHANGE_FEED, { entries: 2, bytes: 1 << 20 });
    await store.secrets.getByName('a');
    await store.secrets.getByName('b');
    await store.secrets.getByName('a');
    await store.secrets.getByName('c');
    expect(inner.loads).toBe(3);
    await store.secrets.getByName('a');
    expect(inner.loads).toBe(3);
    await store.secrets.getByName('b');
    expect(inner.loads).toBe(4);

    // Each entry counts 1 KiB plus its values (1,000 bytes here): 3 KiB hold one secret with a value.
    const bytes = new CountingSecrets();
    for (const name of ['a', 'b']) bytes.rows.set(name, secret(name));
    const small = cached(bytes, LOCAL_CHANGE_FEED, { entries: 100, bytes: 3000 });
    await small.store.secrets.getByName('a');
    await small.store.secrets.getCiphertext('id-a', 'v1');
    await small.store.secrets.getByName('b');
    await small.store.secrets.getCiphertext('id-b', 'v1');
    await small.store.secrets.getByName('a');
    expect(bytes.loads).toBe(3);
  });

  it('keeps nothing from a write during which another node announced a change', async () => {
    const listeners: ChangeListener[] = [];
    const feed: ChangeFeed = {
      ...LOCAL_CHANGE_FEED,
      subscribe: (listener) => {
        listeners.push(listener);
        return () => undefined;
      },
    };
    const inner = new CountingSecrets();
    const { store } = cached(inner, feed);
    await store.transaction(async (tx) => {
      await tx.secrets.save(secret('a', 'ours'));
      // Another node changed the secret meanwhile: what we stored may no longer be the stored state.
      for (const listener of listeners) listener('secret', 'a');
    });
    await store.secrets.getByName('a');
    expect(inner.loads).toBe(1);
  });

  it('hands transaction options (relaxed durability) to the store underneath', async () => {
    const seen: unknown[] = [];
    const inner = new CountingSecrets();
    const plain = {
      secrets: inner,
      transaction: (work: (tx: Repositories) => Promise<unknown>, options?: unknown) => {
        seen.push(options);
        return work({ secrets: inner } as unknown as Repositories);
      },
    } as unknown as Store;
    const cache = new SecretCache({ limits: LIMITS, feed: LOCAL_CHANGE_FEED });
    const store = withSecretCache(plain, cache, LOCAL_CHANGE_FEED);
    await store.transaction(() => Promise.resolve(), { durability: 'relaxed' });
    expect(seen).toEqual([{ durability: 'relaxed' }]);
  });

  it('is off with no entries: every read loads', async () => {
    const inner = new CountingSecrets();
    inner.rows.set('a', secret('a'));
    const { store } = cached(inner, LOCAL_CHANGE_FEED, { entries: 0, bytes: 1 });
    await store.secrets.getByName('a');
    await store.secrets.getByName('a');
    expect(inner.loads).toBe(2);
  });
});
