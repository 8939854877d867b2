/**
 * The replay rule for signed requests, for every protocol: a signature nonce is accepted once per
 * access key within the timestamp window (`nonce-cache.ts`, in memory), and what is accepted is also
 * persisted, so that a restart does not open a 15-minute window for replaying requests signed before it
 * (docs/permissions.md, "Replay").
 *
 * Persisting costs no commit of its own: accepted nonces wait here and are written in the transaction
 * of the next audit batch (`AuditService`'s companion), the one that commits the request's first audit
 * event (the attempt of a write, the outcome of a read). A request is audited before it changes anything
 * or its answer leaves, so a request that did either has its nonce durably stored with that event.
 * At start, the nonces still inside the window are read back into the cache.
 */
import type { Repositories, Store, StoredNonce } from '../storage/store.js';
import type { AuditCompanion, AuditCompanionWrite } from './audit-service.js';
import type { Clock } from './clock.js';
import type { NonceVerdict } from './nonce-cache.js';
import { keptNonce, MAX_NONCES, NonceCache, nonceExpiry } from './nonce-cache.js';

/** Expired rows are deleted with an audit batch at most this often. */
const PURGE_INTERVAL_MS = 60_000;

export class ReplayGuard implements AuditCompanion {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #cache: NonceCache;
  readonly #maxNonces: number;
  #pending: StoredNonce[] = [];
  #lastPurge = 0;

  constructor(options: { readonly store: Store; readonly clock: Clock; readonly maxNonces?: number }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#maxNonces = options.maxNonces ?? MAX_NONCES;
    this.#cache = new NonceCache(options.clock, this.#maxNonces);
  }

  /** Reads the nonces persisted before a restart back into the cache; returns how many. */
  async load(): Promise<number> {
    const stored = await this.#store.nonces.unexpired(this.#clock.now(), this.#maxNonces);
    for (const { accessKeyId, nonce, expiresAt } of stored)
      this.#cache.restore(accessKeyId, nonce, expiresAt);
    return stored.length;
  }

  /** Checks a verified request's nonce; a fresh one is remembered and queued for persistence. */
  admit(accessKeyId: string, nonce: string, timestamp: number): NonceVerdict {
    const verdict = this.#cache.remember(accessKeyId, nonce, timestamp);
    if (verdict === 'fresh') {
      this.#pending.push({
        accessKeyId,
        nonce: keptNonce(nonce),
        expiresAt: nonceExpiry(timestamp, this.#clock.now()),
      });
    }
    return verdict;
  }

  take(): AuditCompanionWrite | undefined {
    const now = this.#clock.now();
    const purge = now - this.#lastPurge >= PURGE_INTERVAL_MS;
    if (this.#pending.length === 0 && !purge) return undefined;
    const nonces = this.#pending;
    this.#pending = [];
    if (purge) this.#lastPurge = now;
    return {
      write: async (tx: Repositories) => {
        await tx.nonces.remember(nonces);
        if (purge) await tx.nonces.purgeExpired(now);
      },
      restore: () => {
        this.#pending = nonces.concat(this.#pending);
        if (purge) this.#lastPurge = 0;
      },
    };
  }
}
