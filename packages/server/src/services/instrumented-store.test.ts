/** The instrumented store forwards every argument of `transaction`, not just the work. */
import { describe, expect, it } from 'vitest';

import { openSqliteStore, SQLITE_IN_MEMORY } from '../storage/sqlite.js';
import type { Repositories, Store, TransactionOptions } from '../storage/store.js';
import { instrumentStore } from './instrumented-store.js';
import { NO_METRICS } from './metrics.js';

describe('instrumentStore', () => {
  it("passes a transaction's options through (a relaxed commit stays relaxed with metrics on)", async () => {
    const inner = await openSqliteStore({ path: SQLITE_IN_MEMORY });
    const seen: (TransactionOptions | undefined)[] = [];
    const spy = new Proxy(inner, {
      get(target, property) {
        if (property === 'transaction') {
          return <T>(work: (tx: Repositories) => Promise<T>, options?: TransactionOptions) => {
            seen.push(options);
            return target.transaction(work, options);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as Store;
    const store = instrumentStore(spy, NO_METRICS);
    try {
      await store.transaction((tx) => tx.meta.set('a', '1'), { durability: 'relaxed' });
      await store.transaction((tx) => tx.meta.set('b', '2'));
      expect(seen).toEqual([{ durability: 'relaxed' }, undefined]);
      expect(await store.meta.get('a')).toBe('1');
    } finally {
      await store.close();
    }
  });
});
