/**
 * The abuse limits of http/caller-guard.ts in this API's words: a key over its rate gets 429
 * `Rejected.Throttling` with an `x-acs-retry-after` hint; `SignatureDoesNotMatch` and
 * `InvalidAccessKeyId.NotFound` are the failures counted and held back.
 */
import type { CallerGuardOptions } from '../../http/caller-guard.js';
import { CallerGuard } from '../../http/caller-guard.js';
import type { Authenticated, Authenticator, SignedRequest } from './auth.js';
import { claimedAccessKeyId } from './auth.js';
import { ProtocolError } from './errors.js';

export { FAILURE_POLICY, MAX_HELD_FAILURES, sourceSubject } from '../../http/caller-guard.js';

/** Codes that mean a caller tried a signature or key id that does not work. */
const COUNTED = new Set(['SignatureDoesNotMatch', 'InvalidAccessKeyId.NotFound']);

export type CallerLimitsOptions = CallerGuardOptions;

export interface FailedCaller {
  /** The peer's address. */
  readonly sourceIp: string;
  /** The access key id the request names (whether or not it exists). */
  readonly claimedAccessKeyId: string | undefined;
}

/** The shared guard (http/caller-guard.ts) answering in this API's words. */
export class CallerLimits {
  readonly #guard: CallerGuard;

  constructor(options: CallerLimitsOptions) {
    this.#guard = new CallerGuard(options);
  }

  /** Takes a token for an authenticated access key; throws 429 Rejected.Throttling when there is none. */
  admit(accessKeyId: string): void {
    const waitMs = this.#guard.take(accessKeyId);
    if (waitMs > 0) {
      throw new ProtocolError(
        429,
        'Rejected.Throttling',
        `Request was denied due to request throttling: this access key may make ${this.#guard.ratePerSecond} requests per second.`,
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
      await this.#guard.failed({ ...caller, wrongSignature: code === 'SignatureDoesNotMatch' });
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
