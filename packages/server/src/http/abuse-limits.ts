/**
 * Abuse limits of the server's edge, independent of any protocol: a token bucket per caller (requests
 * per second with a burst), and a decaying count of failures per subject (an access key id, a source
 * address) that turns into a growing delay. Both keep their state in memory, bounded: idle entries are
 * dropped, and past a cap the oldest entry goes. Time comes from the injected clock.
 */
/** Time in milliseconds; the server's clock (services/clock.ts) is one, structurally. */
export interface Clock {
  now(): number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * A Map that can drop its oldest entry cheaply. It keeps one iterator between calls: a fresh iterator
 * would step over every entry deleted at the front since the map was last compacted, which makes a run
 * of evictions quadratic. (Iterators of a Map are live: they skip deleted entries and reach added ones.)
 */
export class EvictingMap<K, V> extends Map<K, V> {
  #oldest: MapIterator<[K, V]> | undefined;

  /** Deletes and returns the entry inserted longest ago, or undefined when empty. */
  dropOldest(): [K, V] | undefined {
    let oldest = this.#oldest?.next();
    if (oldest === undefined || oldest.done === true) {
      // A finished iterator stays finished even when entries are added later: start a new one.
      this.#oldest = this.entries();
      oldest = this.#oldest.next();
    }
    if (oldest.done === true) return undefined;
    this.delete(oldest.value[0]);
    return oldest.value;
  }
}

export interface TokenBucketOptions {
  readonly clock: Clock;
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** The bucket's size: how many requests may come at once after a quiet spell. */
  readonly burst: number;
  /** Buckets kept at most (default 100,000); past it the least recently used one is dropped. */
  readonly maxBuckets?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets by key. A full bucket is the same as none, so buckets that refill are dropped. */
export class TokenBuckets {
  readonly #clock: Clock;
  readonly #perMs: number;
  readonly #burst: number;
  readonly #max: number;
  readonly #buckets = new EvictingMap<string, Bucket>();
  #lastSweep: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1))
      throw new RangeError('a token bucket needs a positive rate and a burst of at least 1');
    this.#clock = options.clock;
    this.#perMs = options.ratePerSecond / 1000;
    this.#burst = options.burst;
    this.#max = options.maxBuckets ?? 100_000;
    this.#lastSweep = options.clock.now();
  }

  /** Takes a token for `key`: 0 when there was one, else the milliseconds until there will be one. */
  take(key: string): number {
    const now = this.#clock.now();
    if (now - this.#lastSweep >= SWEEP_INTERVAL_MS) this.#sweep(now);
    const bucket = this.#buckets.get(key);
    const tokens = bucket ? this.#level(bucket, now) : this.#burst;
    const admitted = tokens >= 1;
    // Re-inserted on every use, throttled or not, so that the map's order is least recently used first.
    this.#buckets.delete(key);
    this.#buckets.set(key, { tokens: admitted ? tokens - 1 : tokens, at: now });
    if (this.#buckets.size > this.#max) this.#buckets.dropOldest();
    return admitted ? 0 : Math.ceil((1 - tokens) / this.#perMs);
  }

  /** How many buckets are held (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  #level(bucket: Bucket, now: number): number {
    return Math.min(this.#burst, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
  }

  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [key, bucket] of this.#buckets)
      if (this.#level(bucket, now) >= this.#burst) this.#buckets.delete(key);
  }
}

export interface FailureCounterOptions {
  readonly clock: Clock;
  /** One failure is forgiven per this many milliseconds. */
  readonly decayMs: number;
  /** Subjects kept at most (default 100,000); past it the oldest one is dropped. */
  readonly maxSubjects?: number;
}

interface Count {
  value: number;
  at: number;
}

/** Failures per subject, decaying linearly: a subject that stops failing is forgotten in time. */
export class FailureCounter {
  readonly #clock: Clock;
  readonly #decayMs: number;
  readonly #max: number;
  readonly #counts = new EvictingMap<string, Count>();
  #lastSweep: number;

  constructor(options: FailureCounterOptions) {
    this.#clock = options.clock;
    this.#decayMs = options.decayMs;
    this.#max = options.maxSubjects ?? 100_000;
    this.#lastSweep = options.clock.now();
  }

  /** Records one failure of `subject`; returns its count including this one. */
  record(subject: string): number {
    const now = this.#clock.now();
    if (now - this.#lastSweep >= SWEEP_INTERVAL_MS) this.#sweep(now);
    const previous = this.#counts.get(subject);
    const value = (previous ? this.#decayed(previous, now) : 0) + 1;
    this.#counts.delete(subject);
    this.#counts.set(subject, { value, at: now });
    if (this.#counts.size > this.#max) this.#counts.dropOldest();
    return value;
  }

  /** The subject's current count (0 when unknown). */
  count(subject: string): number {
    const entry = this.#counts.get(subject);
    return entry ? this.#decayed(entry, this.#clock.now()) : 0;
  }

  get size(): number {
    return this.#counts.size;
  }

  #decayed(entry: Count, now: number): number {
    return Math.max(0, entry.value - Math.max(0, now - entry.at) / this.#decayMs);
  }

  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [subject, entry] of this.#counts)
      if (this.#decayed(entry, now) === 0) this.#counts.delete(subject);
  }
}

/**
 * The delay before answering a failure, growing with the count: none for the first `free` failures,
 * then `baseMs` doubling with each further failure, never more than `maxMs`.
 */
export function failureDelayMs(
  count: number,
  policy: { readonly free: number; readonly baseMs: number; readonly maxMs: number },
): number {
  const over = Math.floor(count) - policy.free;
  if (over <= 0) return 0;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(over - 1, 30));
}
