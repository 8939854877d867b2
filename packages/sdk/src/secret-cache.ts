/**
 * `SecretCache`: the reader applications use. The official clients re-fetch every value on a TTL; this
 * cache instead relies on what the model guarantees:
 *
 * - A version's value never changes, so values are cached by (secret, version id) and never re-fetched
 *   while held. Only the labels move.
 * - Which version each stage label points to is trusted for `refreshIntervalMs`. At `refreshAhead` of it
 *   the cache re-reads the labels in the background with ListSecretVersionIds (no secret data on the
 *   wire) and fetches only values it does not hold yet, so reads keep hitting memory across a refresh.
 * - When the server is unreachable or answers a transient error, the last good value keeps being served
 *   for up to `maxStaleMs` past its interval; a definitive error (secret deleted, access denied) drops it.
 * - Concurrent reads of something missing share one request.
 * - A caller allowed `kms:GetSecretValue` but not `kms:ListSecretVersionIds` still follows rotation:
 *   the first refused listing switches that secret to re-reading its watched stages with
 *   GetSecretValue at the same interval (values on the wire each time), and says so once.
 *
 * A warm read is two Map lookups and a flag check: each secret keeps direct references to the values its
 * labels in use point to, rebuilt whenever labels or values change, and a timer clears its `fresh` flag
 * when the interval runs out (so reads never consult the clock). The labels, their timers and refreshes
 * are `secret-cache-labels.ts`; this module is the reader and the values it holds.
 */
import type { TesseraClient } from './client.js';
import { TesseraClient as Client } from './client.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { TesseraApiError, TesseraConfigError, TesseraError } from './errors.js';
import { Lru } from './lru.js';
import type { LabelEntry } from './secret-cache-labels.js';
import { SecretLabels } from './secret-cache-labels.js';

export const ACS_CURRENT = 'ACSCurrent';
export const ACS_PREVIOUS = 'ACSPrevious';

export interface SecretCacheOptions {
  /** The client the cache reads through. Default: `new TesseraClient()` (settings from the environment). */
  readonly client?: TesseraClient | undefined;
  /** How long the cache trusts which version a stage points to, in milliseconds. Default 60,000. */
  readonly refreshIntervalMs?: number | undefined;
  /** Fraction of the interval after which a secret is refreshed in the background. Default 0.8. */
  readonly refreshAhead?: number | undefined;
  /**
   * How long past its interval a value is still served while refreshes fail with a transient error
   * (network failure, timeout, `Rejected.Throttling`, `ServiceUnavailableTemporary`, `InternalFailure`).
   * After that, reads throw the refresh's error. Default 900,000 (15 minutes); 0 disables stale reads.
   */
  readonly maxStaleMs?: number | undefined;
  /**
   * Versions kept in memory besides those the labels in use point to (which are always kept): older
   * versions, and versions read by id. Least recently used first out. Default 1,000.
   */
  readonly maxVersions?: number | undefined;
  /** Time and timers. Default: the system clock, with unref'd timers. */
  readonly clock?: Clock | undefined;
  /** Told about every refresh outcome: for logs and metrics. */
  readonly onRefresh?: ((event: RefreshEvent) => void) | undefined;
  /**
   * Told once when the cache falls back to refreshing by GetSecretValue because ListSecretVersionIds is
   * refused. Default: `process.emitWarning` (one line on stderr).
   */
  readonly onWarning?: ((message: string) => void) | undefined;
}

/** One version's value as the cache hands it out; the same frozen object on every hit. */
export type { CachedSecret, CurrentAndPrevious, RefreshEvent } from './secret-cache-types.js';
import type { CachedSecret, CurrentAndPrevious, RefreshEvent } from './secret-cache-types.js';

const DEFAULTS = { refreshIntervalMs: 60_000, refreshAhead: 0.8, maxStaleMs: 900_000, maxVersions: 1_000 };

/** ListSecretVersionIds' largest page; a secret has at most 8 labels, so one page holds every labelled version. */
const LIST_PAGE_SIZE = 100;

/**
 * A caching reader of secret values that follows rotation. Create one per process and share it;
 * call `close()` on shutdown.
 */
export class SecretCache {
  readonly #client: TesseraClient;
  readonly #clock: Clock;
  readonly #labels: SecretLabels;
  readonly #values: Lru<string, CachedSecret>;
  readonly #flights = new Map<string, Promise<CachedSecret>>();
  readonly #pairFlights = new Map<string, Promise<CurrentAndPrevious>>();
  /** Secrets whose labels may not be listed: refreshed by reading their watched stages instead. */
  readonly #listDenied = new Set<string>();
  readonly #onWarning: (message: string) => void;
  #warned = false;
  #closed = false;

  constructor(options: SecretCacheOptions = {}) {
    const interval = options.refreshIntervalMs ?? DEFAULTS.refreshIntervalMs;
    const ahead = options.refreshAhead ?? DEFAULTS.refreshAhead;
    const maxStale = options.maxStaleMs ?? DEFAULTS.maxStaleMs;
    const maxVersions = options.maxVersions ?? DEFAULTS.maxVersions;
    const problems: string[] = [];
    if (!Number.isFinite(interval) || interval <= 0) problems.push('refreshIntervalMs must be positive');
    if (!(ahead > 0 && ahead <= 1)) problems.push('refreshAhead must be in (0, 1]');
    if (!Number.isFinite(maxStale) || maxStale < 0) problems.push('maxStaleMs must be 0 or more');
    if (!Number.isSafeInteger(maxVersions) || maxVersions < 1) {
      problems.push('maxVersions must be a whole number, 1 or more');
    }
    if (problems.length > 0) throw new TesseraConfigError(`SecretCache: ${problems.join('; ')}.`);
    this.#client = options.client ?? new Client();
    this.#clock = options.clock ?? systemClock;
    this.#onWarning =
      options.onWarning ??
      ((message) => {
        process.emitWarning(message, 'TesseraWarning');
      });
    this.#values = new Lru(maxVersions);
    this.#labels = new SecretLabels({
      source: {
        listStages: (name) => this.#listStages(name),
        prefetch: (name, stages, watched) => this.#prefetch(name, stages, watched),
        pin: (entry) => {
          this.#pin(entry);
        },
      },
      clock: this.#clock,
      intervalMs: interval,
      aheadMs: interval * ahead,
      maxStaleMs: maxStale,
      onRefresh: options.onRefresh,
    });
  }

  /**
   * The value of the version a stage points to (`ACSCurrent` by default). Served from memory while the
   * label is fresh; otherwise one request (shared by concurrent callers).
   */
  async get(
    secretName: string,
    options?: { readonly versionStage?: string | undefined },
  ): Promise<CachedSecret> {
    const stage = options?.versionStage ?? ACS_CURRENT;
    const entry = this.#labels.get(secretName);
    if (entry?.fresh === true) {
      const value = entry.hot.get(stage);
      if (value !== undefined) return value;
    }
    this.#assertOpen();
    return this.#shared(this.#flights, `${secretName}\u0000${stage}`, () => this.#resolve(secretName, stage));
  }

  /** A version by id. Versions never change, so once read it is served from memory while it is held. */
  async getVersion(secretName: string, versionId: string): Promise<CachedSecret> {
    this.#assertOpen();
    return this.#values.get(valueKey(secretName, versionId)) ?? this.#fetchVersion(secretName, versionId);
  }

  /**
   * `ACSCurrent` and `ACSPrevious` together, for the overlap window of a rotation: a consumer whose
   * login with `current` fails can try `previous` (or the reverse while the target catches up).
   */
  async getCurrentAndPrevious(secretName: string): Promise<CurrentAndPrevious> {
    const entry = this.#labels.get(secretName);
    if (entry?.fresh === true && entry.complete) {
      if (entry.pair !== undefined) return entry.pair;
      const current = entry.hot.get(ACS_CURRENT);
      const previous = entry.hot.get(ACS_PREVIOUS);
      if (current !== undefined && (previous !== undefined || !entry.stages.has(ACS_PREVIOUS))) {
        entry.pair = Object.freeze({ current, previous });
        return entry.pair;
      }
    }
    this.#assertOpen();
    return this.#shared(this.#pairFlights, secretName, () => this.#resolvePair(secretName));
  }

  /**
   * Re-reads a secret's labels now, whatever their age, and fetches new values of the labels in use.
   * For an application whose login with a cached credential just failed. Concurrent calls share one
   * request; rejects when the server cannot be asked. Does nothing for a secret never read.
   */
  async refreshNow(secretName: string): Promise<void> {
    this.#assertOpen();
    const entry = this.#labels.get(secretName);
    if (entry === undefined) return;
    // Not joined with a background refresh already in flight: that one may predate the rotation that
    // made the caller's login fail.
    await this.#labels.refresh(entry, 'forced');
  }

  /**
   * The stage labels the cache last saw on a version (sorted); empty when it knows none. Only the
   * labels it reads are certain to be known: without permission to list versions, only those.
   */
  stagesOf(secretName: string, versionId: string): string[] {
    const entry = this.#labels.get(secretName);
    if (entry === undefined) return [];
    return [...entry.stages]
      .filter(([, id]) => id === versionId)
      .map(([stage]) => stage)
      .sort();
  }

  /** Stops every timer and forgets every value. Reads after `close()` throw; in-flight ones finish. */
  close(): void {
    this.#closed = true;
    this.#labels.close();
    this.#values.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new TesseraError('The SecretCache is closed.');
  }

  #shared<T>(flights: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
    let flight = flights.get(key);
    if (flight === undefined) {
      flight = start().finally(() => flights.delete(key));
      flights.set(key, flight);
    }
    return flight;
  }

  async #resolve(name: string, stage: string): Promise<CachedSecret> {
    let entry = this.#labels.get(name);
    if (entry !== undefined && this.#labels.expired(entry)) {
      await this.#labels.revalidate(entry);
      entry = this.#labels.get(name);
    }
    if (entry === undefined) return this.#fetchStage(name, stage);
    entry.watched.add(stage);
    const versionId = entry.stages.get(stage);
    if (versionId === undefined) return this.#fetchStage(name, stage);
    const value = this.#held(entry, stage, versionId) ?? (await this.#fetchVersion(name, versionId));
    this.#pin(entry);
    return value;
  }

  /** The value a stage points to, if held: pinned for a watched stage, else in the LRU. */
  #held(entry: LabelEntry, stage: string, versionId: string): CachedSecret | undefined {
    const pinned = entry.hot.get(stage);
    return pinned?.versionId === versionId ? pinned : this.#values.get(valueKey(entry.name, versionId));
  }

  async #resolvePair(name: string): Promise<CurrentAndPrevious> {
    let entry = this.#labels.get(name);
    if (entry === undefined) {
      // Registered before it is filled, so a concurrent `get` joins this listing instead of starting its own.
      entry = this.#labels.create(name, Number.NEGATIVE_INFINITY);
    }
    entry.watched.add(ACS_CURRENT).add(ACS_PREVIOUS);
    if (!entry.complete || this.#labels.expired(entry)) await this.#labels.revalidate(entry);
    const current = await this.#resolve(name, ACS_CURRENT);
    const latest = this.#labels.get(name);
    const previousId = latest?.stages.get(ACS_PREVIOUS);
    if (latest === undefined || previousId === undefined) return { current, previous: undefined };
    const previous =
      this.#held(latest, ACS_PREVIOUS, previousId) ?? (await this.#fetchVersion(name, previousId));
    this.#pin(latest);
    return { current, previous };
  }

  /** stage → version id for every labelled version (or, without permission to list, the watched ones). */
  async #listStages(name: string): Promise<Map<string, string>> {
    if (this.#listDenied.has(name)) return this.#stagesByValue(name);
    const stages = new Map<string, string>();
    for (let page = 1; ; page++) {
      let listing;
      try {
        listing = await this.#client.listSecretVersionIds({
          secretName: name,
          pageNumber: page,
          pageSize: LIST_PAGE_SIZE,
        });
      } catch (error) {
        if (!(error instanceof TesseraApiError && error.code === 'Forbidden.NoPermission')) throw error;
        this.#listDenied.add(name);
        if (!this.#warned) {
          this.#warned = true;
          this.#onWarning(
            `SecretCache: kms:ListSecretVersionIds is refused for "${name}"; following rotation by re-reading values with GetSecretValue every refresh instead (grant kms:ListSecretVersionIds, or attach AliyunKMSSecretUserAccess, to avoid it).`,
          );
        }
        return this.#stagesByValue(name);
      }
      for (const version of listing.versionIds) {
        for (const stage of version.versionStages) stages.set(stage, version.versionId);
      }
      if (listing.versionIds.length === 0 || page * listing.pageSize >= listing.totalCount) return stages;
    }
  }

  /**
   * The watched stages' versions, learned by reading their values (ACSCurrent always). A watched stage
   * other than ACSCurrent that the server refuses or cannot find is taken as absent; ACSCurrent's
   * error is the refresh's error.
   */
  async #stagesByValue(name: string): Promise<Map<string, string>> {
    const watched = new Set([ACS_CURRENT, ...(this.#labels.get(name)?.watched ?? [])]);
    const stages = new Map<string, string>();
    await Promise.all(
      [...watched].map(async (stage) => {
        try {
          const answer = await this.#client.getSecretValue({ secretName: name, versionStage: stage });
          this.#store(name, answer);
          for (const label of answer.versionStages) stages.set(label, answer.versionId);
          stages.set(stage, answer.versionId);
        } catch (error) {
          if (stage === ACS_CURRENT || !(error instanceof TesseraApiError) || error.retryable) throw error;
        }
      }),
    );
    return stages;
  }

  /** A read by stage: the value, and what its answer says about the labels. */
  async #fetchStage(name: string, stage: string): Promise<CachedSecret> {
    const seq = this.#labels.nextSeq();
    const startedAt = this.#clock.now();
    const answer = await this.#client.getSecretValue({ secretName: name, versionStage: stage });
    const value = this.#store(name, answer);
    if (this.#closed) return value;
    const entry = this.#labels.get(name) ?? this.#labels.create(name, startedAt);
    entry.watched.add(stage);
    if (seq > entry.appliedSeq) {
      // Labels point at one version each: those this version no longer holds have moved, we do not know where.
      for (const [label, versionId] of entry.stages) {
        if (versionId === answer.versionId && !answer.versionStages.includes(label))
          entry.stages.delete(label);
      }
      for (const label of answer.versionStages) entry.stages.set(label, answer.versionId);
      entry.stages.set(stage, answer.versionId);
      entry.complete = false;
    }
    this.#pin(entry);
    return value;
  }

  #fetchVersion(name: string, versionId: string): Promise<CachedSecret> {
    return this.#shared(this.#flights, `${name}\u0000\u0000${versionId}`, async () => {
      const answer = await this.#client.getSecretValue({ secretName: name, versionId });
      return this.#store(name, answer);
    });
  }

  #store(
    name: string,
    answer: Pick<CachedSecret, 'secretName' | 'versionId' | 'secretData' | 'secretDataType' | 'createTime'>,
  ): CachedSecret {
    const value: CachedSecret = Object.freeze({
      secretName: answer.secretName,
      versionId: answer.versionId,
      secretData: answer.secretData,
      secretDataType: answer.secretDataType,
      createTime: answer.createTime,
    });
    if (!this.#closed) this.#values.set(valueKey(name, answer.versionId), value);
    return value;
  }

  /** Points each watched stage at the value it now names, keeping held values even if the LRU let go. */
  #pin(entry: LabelEntry): void {
    const hot = new Map<string, CachedSecret>();
    for (const stage of entry.watched) {
      const versionId = entry.stages.get(stage);
      if (versionId === undefined) continue;
      const pinned = entry.hot.get(stage);
      const value =
        pinned?.versionId === versionId ? pinned : this.#values.peek(valueKey(entry.name, versionId));
      if (value !== undefined) hot.set(stage, value);
    }
    entry.hot = hot;
    entry.pair = undefined;
  }

  /** Fetches the values the watched stages point to in a fresh listing, where not held yet. */
  async #prefetch(
    name: string,
    stages: ReadonlyMap<string, string>,
    watched: ReadonlySet<string>,
  ): Promise<void> {
    await Promise.all(
      [...watched].map(async (stage) => {
        const versionId = stages.get(stage);
        if (versionId !== undefined && !this.#values.has(valueKey(name, versionId))) {
          await this.#fetchVersion(name, versionId);
        }
      }),
    );
  }
}

function valueKey(name: string, versionId: string): string {
  return `${name}\u0000${versionId}`;
}
