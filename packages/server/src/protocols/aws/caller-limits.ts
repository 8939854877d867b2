/**
 * Abuse limits around SigV4 authentication, the same guard as the Alibaba API's (http/caller-guard.ts)
 * in AWS's words: a key over its rate gets `ThrottlingException` with a `Retry-After` hint; a wrong
 * signature (`InvalidSignatureException`) or an unknown key id (`UnrecognizedClientException`) is
 * counted, and past the free failures its answer is held back. Only failure answers wait.
 */
import type { CallerGuardOptions } from '../../http/caller-guard.js';
import { CallerGuard } from '../../http/caller-guard.js';
import { AwsError } from './errors.js';

export type AwsCallerLimitsOptions = CallerGuardOptions;

const SIGNATURE_MISMATCH = /does not match/;

/** The shared guard (http/caller-guard.ts) answering in AWS's words. */
export class AwsCallerLimits {
  readonly #guard: CallerGuard;

  constructor(options: AwsCallerLimitsOptions) {
    this.#guard = new CallerGuard(options);
  }

  /** Takes a token for an authenticated access key; throws ThrottlingException when there is none. */
  admit(accessKeyId: string): void {
    const waitMs = this.#guard.take(accessKeyId);
    if (waitMs > 0)
      throw new AwsError(
        400,
        'ThrottlingException',
        `Rate exceeded: this access key may make ${this.#guard.ratePerSecond} requests per second.`,
        Math.max(1, Math.ceil(waitMs / 1000)),
      );
  }

  /** Counts a wrong signature or key id, holds the answer back when the caller fails often, rethrows. */
  async refused(error: unknown, sourceIp: string, claimedAccessKeyId: string | undefined): Promise<never> {
    if (!(error instanceof AwsError)) throw error;
    const wrongSignature =
      error.code === 'InvalidSignatureException' && SIGNATURE_MISMATCH.test(error.message);
    if (wrongSignature || error.code === 'UnrecognizedClientException') {
      await this.#guard.failed({ sourceIp, claimedAccessKeyId, wrongSignature });
    }
    throw error;
  }
}
