/**
 * The abuse limits every signed API applies around authentication (README, "Abuse limits"): after a
 * request is authenticated its access key takes a token from its bucket (off unless
 * TESSERA_RATE_LIMIT_PER_SECOND is set); when authentication fails on the signature or on an unknown key
 * id, the failure is counted against the source address and, for a wrong signature, against the claimed
 * key id too, and past the free failures the error answer is held back, longer with each further failure
 * (capped), on a timer that blocks nothing else. Only failure answers wait: a correctly signed request is
 * never slowed, whoever else is failing with the same key. Each protocol words its own refusals.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from './abuse-limits.js';
import { FailureCounter, failureDelayMs, TokenBuckets } from './abuse-limits.js';

/**
 * Failures answered at once per subject, then 100 ms doubling up to 2 s; one failure forgiven per 3 s.
 * A client with a wrong secret retrying a few times a minute is never held back; a guesser gets one
 * answer per 2 s per connection.
 */
export const FAILURE_POLICY = { free: 20, baseMs: 100, maxMs: 2_000, decayMs: 3_000 } as const;
/**
 * Failure answers held back at most at once. Beyond it a failure is answered at once: holding an
 * unbounded number of sockets open would turn the brake into a way of exhausting the server.
 */
export const MAX_HELD_FAILURES = 1_000;

export interface CallerGuardOptions {
  readonly clock: Clock;
  /** Requests per second per access key; 0 turns the rate limit off. */
  readonly ratePerSecond: number;
  readonly burst: number;
  /** Waits before a failure answer (tests record the delays instead of sleeping). */
  readonly wait?: (ms: number) => Promise<unknown>;
}

/** A failed authentication, as the guard counts it. */
export interface AuthenticationFailure {
  /** The peer's address. */
  readonly sourceIp: string;
  /** The access key id the request names (whether or not it exists). */
  readonly claimedAccessKeyId: string | undefined;
  /** A wrong signature (counted against the claimed key too), not an unknown key id. */
  readonly wrongSignature: boolean;
}

export class CallerGuard {
  readonly ratePerSecond: number;
  readonly #buckets: TokenBuckets | undefined;
  readonly #failures: FailureCounter;
  readonly #wait: (ms: number) => Promise<unknown>;
  #held = 0;

  constructor(options: CallerGuardOptions) {
    this.ratePerSecond = options.ratePerSecond;
    this.#buckets =
      options.ratePerSecond > 0
        ? new TokenBuckets({
            clock: options.clock,
            ratePerSecond: options.ratePerSecond,
            burst: options.burst,
          })
        : undefined;
    this.#failures = new FailureCounter({ clock: options.clock, decayMs: FAILURE_POLICY.decayMs });
    this.#wait = options.wait ?? ((ms) => sleep(ms));
  }

  /** Takes a token for an authenticated access key: 0 admits it, else the milliseconds until one is due. */
  take(accessKeyId: string): number {
    return this.#buckets?.take(accessKeyId) ?? 0;
  }

  /** Counts a failure and holds its answer back when the caller has failed often lately. */
  async failed(failure: AuthenticationFailure): Promise<void> {
    let count = this.#failures.record(`ip ${sourceSubject(failure.sourceIp)}`);
    if (failure.wrongSignature && failure.claimedAccessKeyId !== undefined) {
      count = Math.max(count, this.#failures.record(`key ${failure.claimedAccessKeyId}`));
    }
    const delayMs = failureDelayMs(count, FAILURE_POLICY);
    if (delayMs > 0 && this.#held < MAX_HELD_FAILURES) {
      this.#held++;
      try {
        await this.#wait(delayMs);
      } finally {
        this.#held--;
      }
    }
  }
}

/**
 * Whom a source address stands for: an IPv4 address itself, an IPv6 address its /64 (one host usually
 * holds a whole /64, so counting single addresses would let it rotate through them).
 */
export function sourceSubject(address: string): string {
  const bare = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!bare.includes(':')) return bare;
  const [head = '', tail] = bare.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => (parseInt(group, 16) || 0).toString(16))
    .join(':')}::/64`;
}
