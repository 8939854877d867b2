/** Unit tests of the page boundary cache: when kept boundaries may serve a reader, and its bound. */
import { describe, expect, it } from 'vitest';

import type { PageBoundaries } from './page-boundaries.js';
import { PageBoundaryCache } from './page-boundaries.js';

const BOUNDARIES: PageBoundaries = {
  total: 250,
  stride: 100,
  names: ['a', 'k', 't'],
  builtAt: undefined,
  nextExpiry: undefined,
};

describe('PageBoundaryCache', () => {
  it('serves what it kept while no write began', () => {
    const cache = new PageBoundaryCache(4);
    const ticket = cache.ticket();
    cache.remember('all', BOUNDARIES, ticket);
    expect(cache.lookup('all', undefined, cache.ticket())).toMatchObject(BOUNDARIES);
    expect(cache.lookup('other', undefined, cache.ticket())).toBeUndefined();
  });

  it('serves nothing while a write is in flight, and drops everything once it ended', () => {
    const cache = new PageBoundaryCache(4);
    cache.remember('all', BOUNDARIES, cache.ticket());
    const done = cache.writeStarted();
    const during = cache.ticket();
    expect(during.quiet).toBe(false);
    expect(cache.lookup('all', undefined, during)).toBeUndefined();
    // Boundaries read while the write was in flight may miss it: not kept.
    cache.remember('all', BOUNDARIES, during);
    done();
    done(); // a second call changes nothing
    expect(cache.size).toBe(0);
    expect(cache.ticket().quiet).toBe(true);
    expect(cache.lookup('all', undefined, cache.ticket())).toBeUndefined();
  });

  it('does not keep boundaries when a write began after the reader took its ticket', () => {
    const cache = new PageBoundaryCache(4);
    const ticket = cache.ticket();
    const done = cache.writeStarted();
    done();
    expect(cache.unchangedSince(ticket)).toBe(false);
    cache.remember('all', BOUNDARIES, ticket);
    expect(cache.size).toBe(0);
  });

  it('tells a reader that kept boundaries went stale during its read', () => {
    const cache = new PageBoundaryCache(4);
    cache.remember('all', BOUNDARIES, cache.ticket());
    const ticket = cache.ticket();
    expect(cache.lookup('all', undefined, ticket)).toBeDefined();
    const done = cache.writeStarted();
    expect(cache.unchangedSince(ticket)).toBe(false);
    done();
    expect(cache.unchangedSince(ticket)).toBe(false);
  });

  it('serves boundaries built at one time until the first deletion date among the listed secrets', () => {
    const cache = new PageBoundaryCache(4);
    cache.remember('timed', { ...BOUNDARIES, builtAt: 1_000, nextExpiry: 5_000 }, cache.ticket());
    const at = (time: number) => cache.lookup('timed', time, cache.ticket()) !== undefined;
    expect([at(999), at(1_000), at(4_999), at(5_000)]).toEqual([false, true, true, false]);
    cache.remember('untimed', { ...BOUNDARIES, builtAt: 1_000, nextExpiry: undefined }, cache.ticket());
    expect(cache.lookup('untimed', Number.MAX_SAFE_INTEGER, cache.ticket())).toBeDefined();
  });

  it('keeps at most its size, dropping the least recently used', () => {
    const cache = new PageBoundaryCache(2);
    cache.remember('a', BOUNDARIES, cache.ticket());
    cache.remember('b', BOUNDARIES, cache.ticket());
    expect(cache.lookup('a', undefined, cache.ticket())).toBeDefined();
    cache.remember('c', BOUNDARIES, cache.ticket());
    expect(cache.size).toBe(2);
    expect(cache.lookup('b', undefined, cache.ticket())).toBeUndefined();
    expect(cache.lookup('a', undefined, cache.ticket())).toBeDefined();
    expect(cache.lookup('c', undefined, cache.ticket())).toBeDefined();
  });

  it('keeps nothing at size 0, and forgets everything on request', () => {
    const off = new PageBoundaryCache(0);
    expect(off.enabled).toBe(false);
    off.remember('a', BOUNDARIES, off.ticket());
    expect(off.size).toBe(0);
    const cache = new PageBoundaryCache(2);
    const ticket = cache.ticket();
    cache.remember('a', BOUNDARIES, ticket);
    cache.forgetAll();
    expect(cache.lookup('a', undefined, cache.ticket())).toBeUndefined();
    expect(cache.unchangedSince(ticket)).toBe(false);
  });
});
