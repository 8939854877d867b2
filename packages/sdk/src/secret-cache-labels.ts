/**
 * The label-refresh machinery of `SecretCache`: what the cache knows about each secret's stage labels,
 * how long it trusts them (`fresh`, cleared by a timer so reads never consult the clock), the background
 * refresh ahead of expiry, and what a failed refresh does: serve the last good labels for up to
 * `maxStaleMs` after a transient error, forget the secret after a definitive one. Values are the
 * reader's business (`secret-cache.ts`); a refresh reaches them through `LabelSource`.
 */
import type { Clock } from './clock.js';
import { isRetryableError } from './errors.js';
import type { CachedSecret, CurrentAndPrevious, RefreshEvent } from './secret-cache-types.js';

/** What the cache knows about one secret's labels. */
export interface LabelEntry {
  readonly name: string;
  /** stage → version id. */
  stages: Map<string, string>;
  /** True when `stages` came from a full listing (so a label absent from it does not exist). */
  complete: boolean;
  /** When the server last confirmed `stages` (the start of that request). */
  verifiedAt: number;
  /** Whether `verifiedAt` is within the interval; cleared by `expiryTimer`. */
  fresh: boolean;
  /** Sequence number of the newest listing applied; older answers never overwrite newer ones. */
  appliedSeq: number;
  /** When the last refresh failed transiently; undefined after a success. */
  failedAt: number | undefined;
  /** Labels the application reads: a refresh prefetches their values. */
  readonly watched: Set<string>;
  /** Watched stage → the value it points to, when held: what warm reads return. */
  hot: Map<string, CachedSecret>;
  /** The last `getCurrentAndPrevious` answer, until `hot` changes. */
  pair: CurrentAndPrevious | undefined;
  refreshTimer: unknown;
  expiryTimer: unknown;
  refreshing: Promise<void> | undefined;
  forced: Promise<void> | undefined;
}

/** What a refresh needs from the reader, which owns the values. */
export interface LabelSource {
  /** stage → version id for every labelled version. */
  listStages(name: string): Promise<Map<string, string>>;
  /** Fetches the values the watched stages now point to, where not held yet. */
  prefetch(name: string, stages: ReadonlyMap<string, string>, watched: ReadonlySet<string>): Promise<void>;
  /** Points each watched stage at the value it now names (after the entry's labels changed). */
  pin(entry: LabelEntry): void;
}

export interface SecretLabelsOptions {
  readonly source: LabelSource;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly aheadMs: number;
  readonly maxStaleMs: number;
  readonly onRefresh: ((event: RefreshEvent) => void) | undefined;
}

/** After a failed refresh, the next attempt comes this fraction of the interval later. */
const RETRY_FRACTION = 0.1;

export class SecretLabels {
  readonly #source: LabelSource;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #aheadMs: number;
  readonly #maxStaleMs: number;
  readonly #onRefresh: ((event: RefreshEvent) => void) | undefined;
  readonly #entries = new Map<string, LabelEntry>();
  #seq = 0;
  #closed = false;

  constructor(options: SecretLabelsOptions) {
    this.#source = options.source;
    this.#clock = options.clock;
    this.#intervalMs = options.intervalMs;
    this.#aheadMs = options.aheadMs;
    this.#maxStaleMs = options.maxStaleMs;
    this.#onRefresh = options.onRefresh;
  }

  get(name: string): LabelEntry | undefined {
    return this.#entries.get(name);
  }

  /**
   * A number for a request about to ask the server for labels: answers are applied in this order, so an
   * older answer never overwrites a newer one.
   */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** Stops every timer and forgets every secret. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) this.#stopTimers(entry);
    this.#entries.clear();
  }

  /** Brings an expired or partial entry up to date, or decides the stale one may be served. */
  async revalidate(entry: LabelEntry): Promise<void> {
    // The last refresh failed: serve the stale labels at once rather than make readers wait on another
    // attempt (against an unresponsive server, that is timeoutMs per try); the retry timer keeps trying.
    if (entry.failedAt !== undefined && this.servable(entry, this.#clock.now())) return;
    try {
      await this.refresh(entry);
    } catch (error) {
      // Still registered after a transient failure means still servable (see #runRefresh).
      if (isRetryableError(error) && this.#entries.get(entry.name) === entry) return;
      throw error;
    }
  }

  /**
   * One refresh per entry and slot at a time: a refresh started by the timer or by a read is shared
   * (`refreshing`), and so is one started by `refreshNow` (`forced`).
   */
  refresh(entry: LabelEntry, slot: 'refreshing' | 'forced' = 'refreshing'): Promise<void> {
    const running = entry[slot];
    if (running !== undefined) return running;
    const run = this.#runRefresh(entry, slot);
    entry[slot] = run;
    return run;
  }

  async #runRefresh(entry: LabelEntry, slot: 'refreshing' | 'forced'): Promise<void> {
    const seq = ++this.#seq;
    const startedAt = this.#clock.now();
    // Cleared before the outcome is acted on, so a timer it schedules starts a new refresh, not this one.
    const settle = () => {
      entry[slot] = undefined;
    };
    try {
      const stages = await this.#source.listStages(entry.name);
      await this.#source.prefetch(entry.name, stages, entry.watched);
      settle();
      if (this.#entries.get(entry.name) !== entry) return;
      let changedStages: string[] = [];
      if (seq > entry.appliedSeq) {
        changedStages = changes(entry.stages, stages);
        entry.stages = stages;
        entry.complete = true;
        entry.appliedSeq = seq;
        this.#source.pin(entry);
        this.#verified(entry, startedAt);
      }
      entry.failedAt = undefined;
      this.#onRefresh?.({ type: 'refreshed', secretName: entry.name, changedStages });
    } catch (error) {
      settle();
      if (this.#entries.get(entry.name) === entry) {
        const now = this.#clock.now();
        if (isRetryableError(error) && this.servable(entry, now)) {
          entry.failedAt = now;
          this.#scheduleRefresh(entry, this.#retryDelayMs());
          const staleUntil = entry.verifiedAt + this.#intervalMs + this.#maxStaleMs;
          this.#onRefresh?.({ type: 'failed', secretName: entry.name, error, staleUntil });
        } else {
          this.#drop(entry);
          this.#onRefresh?.({ type: 'dropped', secretName: entry.name, error });
        }
      }
      throw error;
    }
  }

  /** Registers a secret whose labels the server confirmed at `verifiedAt` (-Infinity: not yet asked). */
  create(name: string, verifiedAt: number): LabelEntry {
    const entry: LabelEntry = {
      name,
      stages: new Map(),
      complete: false,
      verifiedAt,
      fresh: false,
      appliedSeq: 0,
      failedAt: undefined,
      watched: new Set(),
      hot: new Map(),
      pair: undefined,
      refreshTimer: undefined,
      expiryTimer: undefined,
      refreshing: undefined,
      forced: undefined,
    };
    this.#entries.set(name, entry);
    if (Number.isFinite(verifiedAt)) this.#verified(entry, verifiedAt);
    return entry;
  }

  /** The server confirmed the entry's labels at `at`: fresh until the interval runs out, refreshed ahead of that. */
  #verified(entry: LabelEntry, at: number): void {
    const now = this.#clock.now();
    entry.verifiedAt = at;
    entry.fresh = now - at < this.#intervalMs;
    if (this.#closed) return;
    this.#clock.clearTimeout(entry.expiryTimer);
    entry.expiryTimer = this.#clock.setTimeout(
      () => {
        entry.expiryTimer = undefined;
        entry.fresh = false;
      },
      Math.max(0, at + this.#intervalMs - now),
    );
    this.#scheduleRefresh(entry, at + this.#aheadMs - now);
  }

  #scheduleRefresh(entry: LabelEntry, delayMs: number): void {
    if (this.#closed) return;
    this.#clock.clearTimeout(entry.refreshTimer);
    entry.refreshTimer = this.#clock.setTimeout(
      () => {
        entry.refreshTimer = undefined;
        if (this.#entries.get(entry.name) !== entry) return;
        // The outcome is reported through onRefresh; readers see it through the entry's state.
        this.refresh(entry).catch(() => undefined);
      },
      Math.max(0, delayMs),
    );
  }

  #stopTimers(entry: LabelEntry): void {
    this.#clock.clearTimeout(entry.refreshTimer);
    this.#clock.clearTimeout(entry.expiryTimer);
    entry.refreshTimer = undefined;
    entry.expiryTimer = undefined;
    entry.fresh = false;
  }

  #drop(entry: LabelEntry): void {
    this.#stopTimers(entry);
    if (this.#entries.get(entry.name) === entry) this.#entries.delete(entry.name);
  }

  expired(entry: LabelEntry): boolean {
    return this.#clock.now() - entry.verifiedAt >= this.#intervalMs;
  }

  /** Whether the entry's labels may still be served when the server cannot confirm them. */
  servable(entry: LabelEntry, now: number): boolean {
    return now - entry.verifiedAt < this.#intervalMs + this.#maxStaleMs;
  }
  #retryDelayMs(): number {
    return this.#intervalMs * RETRY_FRACTION;
  }
}

function changes(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const stages = new Set([...before.keys(), ...after.keys()]);
  return [...stages].filter((stage) => before.get(stage) !== after.get(stage)).sort();
}
