/**
 * Abuse limits around SigV4 authentication, as the Alibaba API has them (protocols/alibaba/caller-limits.ts,
 * whose policy this shares): an authenticated access key takes a token from its bucket or the request is
 * refused with `ThrottlingException` and a `Retry-After` hint (off unless TESSERA_RATE_LIMIT_PER_SECOND is
 * set); a wrong signature or unknown key id is counted against the source address (and a wrong signature
 * against the claimed key id), and past the free failures the error answer is held back, longer with each
 * further failure. Only failure answers wait.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FailureCounter, failureDelayMs, TokenBuckets } from '../../http/abuse-limits.js';
import type { Clock } from '../../services/clock.js';
import { FAILURE_POLICY, MAX_HELD_FAILURES, sourceSubject } from '../alibaba/caller-limits.js';
import { AwsError } from './errors.js';

export interface AwsCallerLimitsOptions {
  readonly clock: Clock;
  /** Requests per second per access key; 0 turns the rate limit off. */
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly wait?: (ms: number) => Promise<unknown>;
}

const SIGNATURE_MISMATCH = /does not match/;

export class AwsCallerLimits {
  readonly #ratePerSecond: number;
  readonly #buckets: TokenBuckets | undefined;
  readonly #failures: FailureCounter;
  readonly #wait: (ms: number) => Promise<unknown>;
  #held = 0;

  constructor(options: AwsCallerLimitsOptions) {
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

  /** Takes a token for an authenticated access key; throws ThrottlingException when there is none. */
  admit(accessKeyId: string): void {
    const waitMs = this.#buckets?.take(accessKeyId) ?? 0;
    if (waitMs > 0)
      throw new AwsError(
        400,
        'ThrottlingException',
        `Rate exceeded: this access key may make ${this.#ratePerSecond} requests per second.`,
        Math.max(1, Math.ceil(waitMs / 1000)),
      );
  }

  /** Counts a wrong signature or key id, holds the answer back when the caller fails often, rethrows. */
  async refused(error: unknown, sourceIp: string, claimedAccessKeyId: string | undefined): Promise<never> {
    if (!(error instanceof AwsError)) throw error;
    const wrongSignature =
      error.code === 'InvalidSignatureException' && SIGNATURE_MISMATCH.test(error.message);
    const unknownKey = error.code === 'UnrecognizedClientException';
    if (wrongSignature || unknownKey) {
      let count = this.#failures.record(`ip ${sourceSubject(sourceIp)}`);
      if (wrongSignature && claimedAccessKeyId !== undefined)
        count = Math.max(count, this.#failures.record(`key ${claimedAccessKeyId}`));
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
