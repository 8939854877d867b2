/** Unit tests of the page boundary cache: when a kept listing may serve a reader, and its bounds. */
import { describe, expect, it } from 'vitest';

import type { ListingFacts } from './page-boundaries.js';
import { MAX_KNOWN_POSITIONS, PageBoundaryCache } from './page-boundaries.js';

const FACTS: ListingFacts = { total: 250, builtAt: undefined, nextExpiry: undefined };

describe('PageBoundaryCache', () => {
  it('serves what it kept while no write began, with the positions readers learnt', () => {
    const cache = new PageBoundaryCache(4);
    const entry = cache.remember('all', FACTS, cache.ticket());
    if (entry === undefined) throw new Error('not kept');
    cache.learn(entry, 100, 'k', cache.ticket());
    const kept = cache.lookup('all', undefined, cache.ticket());
    expect(kept?.total).toBe(250);
    expect(kept?.nearest(150)).toEqual({ position: 100, name: 'k' });
    expect(cache.lookup('other', undefined, cache.ticket())).toBeUndefined();
  });

  it('serves nothing while a write is in flight, and drops everything once it ended', () => {
    const cache = new PageBoundaryCache(4);
    cache.remember('all', FACTS, cache.ticket());
    const done = cache.writeStarted();
    const during = cache.ticket();
    expect(during.quiet).toBe(false);
    expect(cache.lookup('all', undefined, during)).toBeUndefined();
    // Facts read while the write was in flight may miss it: not kept.
    expect(cache.remember('all', FACTS, during)).toBeUndefined();
    done();
    done(); // a second call changes nothing
    expect(cache.size).toBe(0);
    expect(cache.ticket().quiet).toBe(true);
    expect(cache.lookup('all', undefined, cache.ticket())).toBeUndefined();
  });

  it('keeps nothing a reader read when a write began after it took its ticket', () => {
    const cache = new PageBoundaryCache(4);
    const entry = cache.remember('all', FACTS, cache.ticket());
    const ticket = cache.ticket();
    const done = cache.writeStarted();
    done();
    expect(cache.unchangedSince(ticket)).toBe(false);
    expect(cache.remember('all', FACTS, ticket)).toBeUndefined();
    if (entry === undefined) throw new Error('not kept');
    cache.learn(entry, 100, 'k', ticket);
    expect(entry.known).toBe(0);
  });

  it('tells a reader that the kept listing went stale during its read', () => {
    const cache = new PageBoundaryCache(4);
    cache.remember('all', FACTS, cache.ticket());
    const ticket = cache.ticket();
    expect(cache.lookup('all', undefined, ticket)).toBeDefined();
    const done = cache.writeStarted();
    expect(cache.unchangedSince(ticket)).toBe(false);
    done();
    expect(cache.unchangedSince(ticket)).toBe(false);
  });

  it('serves facts read at one time until the first deletion date among the listed secrets', () => {
    const cache = new PageBoundaryCache(4);
    cache.remember('timed', { ...FACTS, builtAt: 1_000, nextExpiry: 5_000 }, cache.ticket());
    const at = (time: number) => cache.lookup('timed', time, cache.ticket()) !== undefined;
    expect([at(999), at(1_000), at(4_999), at(5_000)]).toEqual([false, true, true, false]);
    cache.remember('untimed', { ...FACTS, builtAt: 1_000, nextExpiry: undefined }, cache.ticket());
    expect(cache.lookup('untimed', Number.MAX_SAFE_INTEGER, cache.ticket())).toBeDefined();
  });

  it('finds the nearest known position at or before a position, the start when none is', () => {
    const cache = new PageBoundaryCache(1);
    const entry = cache.remember('all', FACTS, cache.ticket());
    if (entry === undefined) throw new Error('not kept');
    for (const [position, name] of [
      [200, 't'],
      [100, 'k'],
      [100, 'k'],
    ] as const)
      cache.learn(entry, position, name, cache.ticket());
    expect(entry.known).toBe(2);
    expect(entry.nearest(99)).toEqual({ position: 0, name: undefined });
    expect(entry.nearest(100)).toEqual({ position: 100, name: 'k' });
    expect(entry.nearest(199)).toEqual({ position: 100, name: 'k' });
    expect(entry.nearest(5_000)).toEqual({ position: 200, name: 't' });
  });

  it('holds a bounded number of positions, thinning them evenly', () => {
    const cache = new PageBoundaryCache(1);
    const entry = cache.remember('all', { ...FACTS, total: 10_000_000 }, cache.ticket());
    if (entry === undefined) throw new Error('not kept');
    const name = (position: number) => `n${String(position).padStart(9, '0')}`;
    for (let page = 1; page <= 3 * MAX_KNOWN_POSITIONS; page += 1)
      cache.learn(entry, page * 100, name(page * 100), cache.ticket());
    expect(entry.known).toBeLessThanOrEqual(MAX_KNOWN_POSITIONS);
    expect(entry.known).toBeGreaterThan(MAX_KNOWN_POSITIONS / 4);
    const near = entry.nearest(250_050);
    expect(near.name).toBe(near.position === 0 ? undefined : name(near.position));
    expect(250_050 - near.position).toBeLessThan(1_000);
  });

  it('keeps at most its size of listings, dropping the least recently used', () => {
    const cache = new PageBoundaryCache(2);
    cache.remember('a', FACTS, cache.ticket());
    cache.remember('b', FACTS, cache.ticket());
    expect(cache.lookup('a', undefined, cache.ticket())).toBeDefined();
    cache.remember('c', FACTS, cache.ticket());
    expect(cache.size).toBe(2);
    expect(cache.lookup('b', undefined, cache.ticket())).toBeUndefined();
    expect(cache.lookup('a', undefined, cache.ticket())).toBeDefined();
    expect(cache.lookup('c', undefined, cache.ticket())).toBeDefined();
  });

  it('keeps nothing at size 0, and forgets everything on request', () => {
    const off = new PageBoundaryCache(0);
    expect(off.enabled).toBe(false);
    expect(off.remember('a', FACTS, off.ticket())).toBeUndefined();
    expect(off.size).toBe(0);
    const cache = new PageBoundaryCache(2);
    const ticket = cache.ticket();
    cache.remember('a', FACTS, ticket);
    cache.forgetAll();
    expect(cache.lookup('a', undefined, cache.ticket())).toBeUndefined();
    expect(cache.unchangedSince(ticket)).toBe(false);
  });
});
