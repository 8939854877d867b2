/**
 * Abuse limits around authentication. After a request is authenticated, its access key takes
 * a token from its bucket, or the request is refused with 429 `Rejected.Throttling` and an
 * `x-acs-retry-after` hint (off unless TESSERA_RATE_LIMIT_PER_SECOND is set). When authentication fails
 * on the signature or on an unknown key id, the failure is counted against the source address and, for
 * a wrong signature, against the claimed key id too; past 20 failures the error answer is held back,
 * longer with each further failure (capped), on a timer that blocks nothing else. Only failure answers
 * wait: a correctly signed request is never slowed, whoever else is failing with the same key.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FailureCounter, failureDelayMs, TokenBuckets } from '../../http/abuse-limits.js';
import type { Clock } from '../../services/clock.js';
import type { Authenticated, Authenticator, SignedRequest } from './auth.js';
import { claimedAccessKeyId } from './auth.js';
import { ProtocolError } from './errors.js';

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

/** Codes that mean a caller tried a signature or key id that does not work. */
const COUNTED = new Set(['SignatureDoesNotMatch', 'InvalidAccessKeyId.NotFound']);

export interface CallerLimitsOptions {
  readonly clock: Clock;
  /** Requests per second per access key; 0 turns the rate limit off. */
  readonly ratePerSecond: number;
  readonly burst: number;
  /** Waits before a failure answer (tests record the delays instead of sleeping). */
  readonly wait?: (ms: number) => Promise<unknown>;
}

export interface FailedCaller {
  /** The peer's address. */
  readonly sourceIp: string;
  /** The access key id the request names (whether or not it exists). */
  readonly claimedAccessKeyId: string | undefined;
}

export class CallerLimits {
  readonly #ratePerSecond: number;
  readonly #buckets: TokenBuckets | undefined;
  readonly #failures: FailureCounter;
  readonly #wait: (ms: number) => Promise<unknown>;
  #held = 0;

  constructor(options: CallerLimitsOptions) {
    this.#ratePerSecond = options.ratePerSecond;
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

  /** Takes a token for an authenticated access key; throws 429 Rejected.Throttling when there is none. */
  admit(accessKeyId: string): void {
    const waitMs = this.#buckets?.take(accessKeyId) ?? 0;
    if (waitMs > 0) {
      throw new ProtocolError(
        429,
        'Rejected.Throttling',
        `Request was denied due to request throttling: this access key may make ${this.#ratePerSecond} requests per second.`,
        Math.max(1, Math.ceil(waitMs / 1000)),
      );
    }
  }

  /**
   * Handles an authentication failure: counts it when it is a wrong signature or key id, holds the
   * answer back when the caller has failed often lately, then throws the original error.
   */
  async refused(error: unknown, caller: FailedCaller): Promise<never> {
    const code = error instanceof ProtocolError ? error.code : undefined;
    if (code !== undefined && COUNTED.has(code)) {
      let count = this.#failures.record(`ip ${sourceSubject(caller.sourceIp)}`);
      if (code === 'SignatureDoesNotMatch' && caller.claimedAccessKeyId !== undefined) {
        count = Math.max(count, this.#failures.record(`key ${caller.claimedAccessKeyId}`));
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
    throw error;
  }
}

/** The rate limit's settings when it is off. */
export const NO_RATE_LIMIT = { ratePerSecond: 0, burst: 1 } as const;

/** An authenticator whose failures go through `CallerLimits.refused` (counted, and held back when frequent). */
export class GuardedAuthenticator {
  readonly #inner: Pick<Authenticator, 'authenticate'>;
  readonly #limits: CallerLimits;

  constructor(inner: Pick<Authenticator, 'authenticate'>, limits: CallerLimits) {
    this.#inner = inner;
    this.#limits = limits;
  }

  async authenticate(request: SignedRequest & { readonly sourceIp: string }): Promise<Authenticated> {
    try {
      return await this.#inner.authenticate(request);
    } catch (error) {
      return this.#limits.refused(error, {
        sourceIp: request.sourceIp,
        claimedAccessKeyId: claimedAccessKeyId(request),
      });
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
