/**
 * Nonces seen per access key, each kept until its request's timestamp leaves the ±15-minute window
 * (after that the timestamp check refuses a replay anyway). In memory, for every protocol that signs
 * requests with a timestamp and a nonce; `services/replay-guard.ts` persists what it accepts and
 * restores it here at start, so a restart does not forget them (docs/permissions.md, "Replay").
 *
 * Bounded: at most `maxEntries` nonces, a long nonce kept as its SHA-256. Past the cap the oldest nonce
 * is forgotten, and so that forgetting it cannot let its request be replayed, the key's window closes
 * behind it: requests of that key timestamped at or before the forgotten one are refused from then on.
 * The cap is reached only by more than ~550 requests a second sustained for 15 minutes; the floor then
 * trails now by cap ÷ rate (100 s at 5,000 requests a second), so a client whose clock is right never
 * meets it. One that does is told to retry (throttling: a fresh signature carries the current time)
 * rather than that its request was a replay.
 * Refusing every new request at the cap instead would stop all callers until the oldest nonces expire,
 * up to 15 minutes; forgetting nonces without the floor would open a replay hole.
 */
import { createHash } from 'node:crypto';
import { EvictingMap } from '../http/abuse-limits.js';
import type { Clock } from './clock.js';

export const TIMESTAMP_WINDOW_MS = 15 * 60_000;
/** About 70 MB at the cap (measured: ~135 bytes per nonce with a UUID nonce). */
export const MAX_NONCES = 500_000;
/** Nonces longer than this are kept as a digest (UUIDs, what the SDKs send, are 36 characters). */
const MAX_KEPT_NONCE_CHARS = 64;
const SWEEP_INTERVAL_MS = 60_000;

export type NonceVerdict =
  /** First use: remembered. */
  | 'fresh'
  /** Used before inside the window. */
  | 'replayed'
  /** Timestamped at or before a nonce this key had to forget: cannot be told from a replay. */
  | 'too-old';

export class NonceCache {
  readonly #clock: Clock;
  readonly #max: number;
  /** `keyId NUL nonce` → the time until which the nonce is kept; in insertion order. */
  readonly #expiries = new EvictingMap<string, number>();
  /** Per key: requests timestamped at or before this are refused (nonces up to it were forgotten). */
  readonly #floors = new Map<string, number>();
  #lastSweep = 0;
  constructor(clock: Clock, maxEntries = MAX_NONCES) {
    this.#clock = clock;
    this.#max = maxEntries;
  }

  remember(accessKeyId: string, nonce: string, timestamp: number): NonceVerdict {
    const now = this.#clock.now();
    if (now - this.#lastSweep > SWEEP_INTERVAL_MS) this.#sweep(now);
    const entry = `${accessKeyId}\u0000${keptNonce(nonce)}`;
    const expiry = this.#expiries.get(entry);
    if (expiry !== undefined && expiry > now) return 'replayed';
    const floor = this.#floors.get(accessKeyId);
    if (floor !== undefined && timestamp <= floor) return 'too-old';
    if (expiry !== undefined) this.#expiries.delete(entry);
    while (this.#expiries.size >= this.#max) this.#forgetOldest(now);
    this.#expiries.set(entry, nonceExpiry(timestamp, now));
    return 'fresh';
  }

  /**
   * Puts back a nonce remembered before a restart: `kept` as `keptNonce` gave it, kept until `expiresAt`.
   * Past the cap the oldest is forgotten as in `remember`, with the same floor.
   */
  restore(accessKeyId: string, kept: string, expiresAt: number): void {
    const now = this.#clock.now();
    if (expiresAt <= now) return;
    const entry = `${accessKeyId}\u0000${kept}`;
    if ((this.#expiries.get(entry) ?? -Infinity) >= expiresAt) return;
    this.#expiries.delete(entry);
    while (this.#expiries.size >= this.#max) this.#forgetOldest(now);
    this.#expiries.set(entry, expiresAt);
  }

  get size(): number {
    return this.#expiries.size;
  }

  #forgetOldest(now: number): void {
    const oldest = this.#expiries.dropOldest();
    if (oldest === undefined) return;
    const [entry, expiry] = oldest;
    if (expiry <= now) return;
    // The nonce was kept until `expiry` = max(timestamp, then) + window, so its request's timestamp is at
    // most `expiry - window`: refusing that and everything earlier refuses its replay.
    const keyId = entry.slice(0, entry.indexOf('\u0000'));
    const floor = expiry - TIMESTAMP_WINDOW_MS;
    if (floor > (this.#floors.get(keyId) ?? -Infinity)) this.#floors.set(keyId, floor);
  }

  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [entry, expiry] of this.#expiries) if (expiry <= now) this.#expiries.delete(entry);
    // A floor older than the window refuses nothing the timestamp check does not already refuse.
    for (const [keyId, floor] of this.#floors)
      if (floor < now - TIMESTAMP_WINDOW_MS) this.#floors.delete(keyId);
  }
}

/** Until when a nonce used at `now` by a request timestamped `timestamp` is kept. */
export function nonceExpiry(timestamp: number, now: number): number {
  return Math.max(timestamp, now) + TIMESTAMP_WINDOW_MS;
}

/** The nonce itself when short, else a digest (a caller must not make the server hold 100 KiB per nonce). */
export function keptNonce(nonce: string): string {
  return nonce.length <= MAX_KEPT_NONCE_CHARS && !nonce.startsWith('#')
    ? nonce
    : `#${createHash('sha256').update(nonce, 'utf8').digest('base64')}`;
}
