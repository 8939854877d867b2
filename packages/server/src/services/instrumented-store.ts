/**
 * The store as services see it when metrics are on: every repository call that fails for a storage
 * reason (the store's `unavailable` — busy, unreachable — or `internal`) is counted, by that kind.
 * Domain outcomes the store reports (a name taken, a key not found) are answers, not store errors.
 * A Proxy, so every repository and method, present or added later, is covered without a list.
 */
import { isDomainError } from '../domain/errors.js';
import type { Repositories, Store, TransactionOptions } from '../storage/store.js';
import type { MetricsRecorder } from './metrics.js';

export function instrumentStore(store: Store, metrics: MetricsRecorder): Store {
  const counted = new WeakSet<object>();
  const count = (error: unknown): void => {
    if (typeof error === 'object' && error !== null) {
      if (counted.has(error)) return;
      counted.add(error);
    }
    if (isDomainError(error, 'unavailable')) metrics.storeError('unavailable');
    else if (isDomainError(error, 'internal')) metrics.storeError('internal');
  };
  const wrapped = new WeakMap<object, object>();
  const repository = <R extends object>(target: R): R => {
    const known = wrapped.get(target) as R | undefined;
    if (known) return known;
    const proxy = wrapMethods(target);
    wrapped.set(target, proxy);
    return proxy;
  };
  const wrapMethods = <R extends object>(target: R): R =>
    new Proxy(target, {
      get(inner, property) {
        const value: unknown = Reflect.get(inner, property, inner);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]): unknown => {
          const result: unknown = Reflect.apply(value, inner, args);
          if (result instanceof Promise) {
            return result.catch((error: unknown) => {
              count(error);
              throw error;
            });
          }
          return result;
        };
      },
    });
  const repositories = <R extends object>(target: R): R =>
    new Proxy(target, {
      get(inner, property) {
        const value: unknown = Reflect.get(inner, property, inner);
        return typeof value === 'object' && value !== null ? repository(value) : value;
      },
    });
  return new Proxy(store, {
    get(inner, property) {
      if (property === 'transaction') {
        return async <T>(
          work: (tx: Repositories) => Promise<T>,
          options?: TransactionOptions,
        ): Promise<T> => {
          try {
            return await inner.transaction((tx) => work(repositories(tx)), options);
          } catch (error) {
            // A failed commit; an error the work threw was counted where it arose, or is not the store's.
            if (isDomainError(error, 'unavailable')) count(error);
            throw error;
          }
        };
      }
      const value: unknown = Reflect.get(inner, property, inner);
      if (typeof value === 'function') return (value as (...args: unknown[]) => unknown).bind(inner);
      return typeof value === 'object' && value !== null ? repository(value) : value;
    },
  });
}
