import { describe, expect, it } from 'vitest';
import { CacheEntries } from './cache-entries.js';

describe('CacheEntries', () => {
  it('does not keep a load that overlapped a forget, of any entry', () => {
    const entries = new CacheEntries<string, number>({ maxEntries: 10, maxAgeMs: undefined });
    const before = entries.ticket();
    entries.forget('other');
    entries.keep('a', 1, before);
    expect(entries.get('a')).toBeUndefined();
    const after = entries.ticket();
    entries.keep('a', 2, after);
    expect(entries.get('a')?.value).toBe(2);
    for (const forget of [
      () => {
        entries.forgetAll();
      },
      () => {
        entries.forgetWhere(() => false);
      },
    ]) {
      const overlapping = entries.ticket();
      forget();
      entries.keep('b', 3, overlapping);
      expect(entries.get('b')).toBeUndefined();
    }
  });

  it('reads an entry again once it is as old as maxAgeMs, counted from when its load started', () => {
    let now = 1_000;
    const entries = new CacheEntries<string, string>({ maxEntries: 10, maxAgeMs: 500, now: () => now });
    const ticket = entries.ticket();
    now += 100; // the load took 100 ms
    entries.keep('k', 'v', ticket);
    now += 399;
    expect(entries.get('k')?.value).toBe('v');
    now += 1;
    expect(entries.get('k')).toBeUndefined();
    expect(entries.size).toBe(0);
  });

  it('keeps nothing when maxAgeMs is 0, and entries forever without it', () => {
    let now = 0;
    const none = new CacheEntries<string, string>({ maxEntries: 10, maxAgeMs: 0, now: () => now });
    none.keep('k', 'v', none.ticket());
    expect(none.get('k')).toBeUndefined();
    const forever = new CacheEntries<string, string>({ maxEntries: 10, maxAgeMs: undefined, now: () => now });
    forever.keep('k', 'v', forever.ticket());
    now += 1e12;
    expect(forever.get('k')?.value).toBe('v');
  });

  it('holds maxEntries at most, dropping the oldest loaded first', () => {
    const entries = new CacheEntries<number, number>({ maxEntries: 3, maxAgeMs: undefined });
    for (const key of [1, 2, 3]) entries.keep(key, key, entries.ticket());
    entries.keep(1, 10, entries.ticket()); // loaded again: now the newest
    entries.keep(4, 4, entries.ticket());
    expect(entries.size).toBe(3);
    expect(entries.get(2)).toBeUndefined();
    expect([1, 3, 4].map((key) => entries.get(key)?.value)).toEqual([10, 3, 4]);
    entries.forgetWhere((value) => value > 3);
    expect([1, 3, 4].map((key) => entries.get(key)?.value)).toEqual([undefined, 3, undefined]);
  });
});
