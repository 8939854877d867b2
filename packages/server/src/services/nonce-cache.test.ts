import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/fakes/manual-clock.js';
import { NonceCache, TIMESTAMP_WINDOW_MS } from './nonce-cache.js';

describe('NonceCache', () => {
  it('refuses a nonce used again with the same key inside the window, not with another key', () => {
    const clock = new ManualClock();
    const cache = new NonceCache(clock);
    const now = clock.now();
    expect(cache.remember('key-a', 'n1', now)).toBe('fresh');
    expect(cache.remember('key-a', 'n1', now)).toBe('replayed');
    expect(cache.remember('key-b', 'n1', now)).toBe('fresh');
    clock.advance(TIMESTAMP_WINDOW_MS + 1);
    // The timestamp check refuses the old request by now; the nonce may be reused with a fresh one.
    expect(cache.remember('key-a', 'n1', clock.now())).toBe('fresh');
  });

  it('keeps a long nonce as a digest, telling different long nonces apart', () => {
    const clock = new ManualClock();
    const cache = new NonceCache(clock);
    const long = 'x'.repeat(100_000);
    expect(cache.remember('k', long, clock.now())).toBe('fresh');
    expect(cache.remember('k', long, clock.now())).toBe('replayed');
    expect(cache.remember('k', `${long}y`, clock.now())).toBe('fresh');
    expect(cache.remember('k', '#short', clock.now())).toBe('fresh');
    expect(cache.remember('k', '#short', clock.now())).toBe('replayed');
  });

  it('holds at most its cap; a forgotten nonce still cannot be replayed, later requests still pass', () => {
    const clock = new ManualClock();
    const cache = new NonceCache(clock, 3);
    const start = clock.now();
    expect(cache.remember('k', 'n1', start)).toBe('fresh');
    clock.advance(1000);
    expect(cache.remember('k', 'n2', clock.now())).toBe('fresh');
    expect(cache.remember('other', 'o1', clock.now())).toBe('fresh');
    clock.advance(1000);
    // Full: n1 is forgotten to make room, and key k's window now starts after n1's timestamp.
    expect(cache.remember('k', 'n3', clock.now())).toBe('fresh');
    expect(cache.size).toBe(3);
    expect(cache.remember('k', 'n1', start)).toBe('too-old');
    // Another request of k timestamped as early as the forgotten one is refused too (it cannot be told
    // from a replay); one timestamped later, and other keys, are not affected.
    expect(cache.remember('k', 'new', start)).toBe('too-old');
    expect(cache.remember('k', 'n4', clock.now())).toBe('fresh');
    expect(cache.remember('other', 'o2', start)).toBe('fresh');
    // Nonces still held are still refused as replays.
    expect(cache.remember('k', 'n4', clock.now())).toBe('replayed');
  });

  it('sweeps expired nonces so that the cap is not reached by old traffic', () => {
    const clock = new ManualClock();
    const cache = new NonceCache(clock, 10);
    for (let i = 0; i < 10; i++) cache.remember('k', `n${i}`, clock.now());
    clock.advance(TIMESTAMP_WINDOW_MS + 60_001);
    expect(cache.remember('k', 'late', clock.now())).toBe('fresh');
    expect(cache.size).toBe(1);
    // Nothing was forgotten early, so no floor: a request from the start of the window passes.
    expect(cache.remember('k', 'early', clock.now() - TIMESTAMP_WINDOW_MS + 1000)).toBe('fresh');
  });
});
