/** What a rotator is told about the secret it rotates. */
export interface RotationTarget {
  readonly secretName: string;
  readonly secretType: 'Generic' | 'Rds';
  /** ExtendedConfig parsed as a JSON object; undefined when the secret has none. */
  readonly extendedConfig: Readonly<Record<string, unknown>> | undefined;
}

export interface RotationStep extends RotationTarget {
  /** The run's id, stable across retries and restarts. */
  readonly runId: string;
  /** The version id the pending value is (or will be) stored under. */
  readonly pendingVersionId: string;
  /** The value labelled $current when the run started (plaintext, never logged). */
  readonly currentValue: string;
}

export interface Rotator {
  /** The next value, e.g. a new password or the other DoubleUsers account. Called once per run: the engine
   * stores the result as the $pending version and reuses it on every retry and after a restart. */
  createValue(step: RotationStep): Promise<string>;
  /** Makes the target system accept the pending value (ALTER USER …). Must be idempotent. */
  setValue(step: RotationStep & { readonly pendingValue: string }): Promise<void>;
  /** Proves the pending value works (logs in with it). */
  testValue(step: RotationStep & { readonly pendingValue: string }): Promise<void>;
  /** Runs after $current moved to the pending version; idempotent cleanup, may do nothing. */
  finish(step: RotationStep & { readonly pendingValue: string }): Promise<void>;
}

/** Picks the rotator for a secret; undefined when the secret cannot be rotated. */
export interface RotatorResolver {
  rotatorFor(target: RotationTarget): Rotator | undefined;
}

/** A step failed: `message` is shown to users (DescribeSecret, `tessera rotation status`), so it never
 * contains a secret value or a password. `retryable` false stops the run's retries. */
export class RotationStepError extends Error {
  override name = 'RotationStepError';
  readonly retryable: boolean;
  constructor(message: string, options?: { retryable?: boolean; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options?.retryable ?? true;
  }
}

/** A webhook endpoint as the webhook rotator calls it (the signing key already unsealed). */
export interface WebhookEndpoint {
  readonly name: string;
  readonly url: string;
  readonly signingKey: Uint8Array;
  readonly timeoutMs: number;
}

export interface WebhookRotatorOptions {
  readonly endpoint: WebhookEndpoint;
  /** Makes a value when the endpoint's answer to `create` carries none (a random password). */
  readonly generateValue: (step: RotationStep) => string;
  /** Current time in ms, for the signature's timestamp (the service clock). */
  readonly now: () => number;
}

/** Makes the outbound webhook adapter (rotators/webhook-rotator.ts), wired in app.ts. */
export type WebhookRotatorFactory = (options: WebhookRotatorOptions) => Rotator;
