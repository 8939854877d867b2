import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/fakes/manual-clock.js';
import { EvictingMap, FailureCounter, failureDelayMs, TokenBuckets } from './abuse-limits.js';

describe('TokenBuckets', () => {
  it('lets a burst through, then one request per 1/rate seconds, and says how long to wait', () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ clock, ratePerSecond: 10, burst: 3 });
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    expect(buckets.take('a')).toBe(100);
    clock.advance(40);
    expect(buckets.take('a')).toBe(60);
    clock.advance(60);
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(100);
    // Another key has its own bucket.
    expect(buckets.take('b')).toBe(0);
  });

  it('never holds more than the burst, however long a key was idle', () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ clock, ratePerSecond: 1, burst: 2 });
    buckets.take('a');
    clock.advance(3_600_000);
    expect([buckets.take('a'), buckets.take('a')]).toEqual([0, 0]);
    expect(buckets.take('a')).toBe(1000);
  });

  it('drops buckets that have refilled (idle keys cost no memory) and keeps those still draining', () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ clock, ratePerSecond: 1, burst: 100 });
    for (let i = 0; i < 50; i++) buckets.take(`idle-${i}`);
    for (let i = 0; i < 100; i++) buckets.take('busy');
    expect(buckets.size).toBe(51);
    clock.advance(60_000);
    buckets.take('other');
    // Each idle key refilled its one token in a second; `busy` needs 100 s to refill.
    expect(buckets.size).toBe(2);
    expect(buckets.take('busy')).toBe(0);
  });

  it('keeps at most maxBuckets, dropping the least recently used', () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ clock, ratePerSecond: 1, burst: 1, maxBuckets: 3 });
    for (const key of ['a', 'b', 'c']) buckets.take(key);
    buckets.take('a');
    buckets.take('d');
    expect(buckets.size).toBe(3);
    // `b` was the least recently used: dropped, so it starts with a full bucket again.
    expect(buckets.take('b')).toBe(0);
    expect(buckets.take('a')).toBeGreaterThan(0);
  });

  it('refuses a rate of 0 (the caller turns the limit off instead)', () => {
    expect(() => new TokenBuckets({ clock: new ManualClock(), ratePerSecond: 0, burst: 1 })).toThrow(
      RangeError,
    );
  });
});

describe('FailureCounter', () => {
  it('counts failures per subject and forgives one per decay period', () => {
    const clock = new ManualClock();
    const counter = new FailureCounter({ clock, decayMs: 1000 });
    for (let i = 0; i < 5; i++) counter.record('a');
    expect(counter.record('a')).toBe(6);
    expect(counter.count('b')).toBe(0);
    clock.advance(2500);
    expect(counter.count('a')).toBe(3.5);
    expect(counter.record('a')).toBe(4.5);
    clock.advance(10_000);
    expect(counter.count('a')).toBe(0);
  });

  it('forgets subjects whose count decayed to nothing, and keeps at most maxSubjects', () => {
    const clock = new ManualClock();
    const counter = new FailureCounter({ clock, decayMs: 1000, maxSubjects: 100 });
    for (let i = 0; i < 150; i++) counter.record(`ip-${i}`);
    expect(counter.size).toBe(100);
    // The oldest went first.
    expect(counter.count('ip-0')).toBe(0);
    expect(counter.count('ip-149')).toBe(1);
    clock.advance(60_000);
    counter.record('late');
    expect(counter.size).toBe(1);
  });
});

describe('failureDelayMs', () => {
  it('is free for the first failures, then doubles up to the cap', () => {
    const policy = { free: 3, baseMs: 100, maxMs: 1000 };
    expect([0, 1, 3, 3.9, 4, 5, 6, 7, 8, 50, 1e9].map((count) => failureDelayMs(count, policy))).toEqual([
      0, 0, 0, 0, 100, 200, 400, 800, 1000, 1000, 1000,
    ]);
  });
});

describe('EvictingMap', () => {
  it('drops entries oldest first, across deletions, re-insertions and an emptied map', () => {
    const map = new EvictingMap<string, number>();
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) map.set(key, i);
    expect(map.dropOldest()).toEqual(['a', 0]);
    map.delete('b');
    map.delete('c');
    map.set('c', 9);
    expect(map.dropOldest()).toEqual(['d', 3]);
    expect(map.dropOldest()).toEqual(['c', 9]);
    expect(map.dropOldest()).toBeUndefined();
    map.set('e', 5);
    expect(map.dropOldest()).toEqual(['e', 5]);
  });

  it('stays fast when the front of the map is dropped over and over', () => {
    const map = new EvictingMap<number, number>();
    for (let i = 0; i < 200_000; i++) map.set(i, i);
    // Each insertion past 200,000 drops one: linear overall (a fresh iterator per drop is quadratic).
    let outOfOrder = 0;
    for (let i = 200_000; i < 400_000; i++) {
      map.set(i, i);
      if (map.dropOldest()?.[0] !== i - 200_000) outOfOrder++;
    }
    expect(outOfOrder).toBe(0);
    expect(map.size).toBe(200_000);
  });
});
