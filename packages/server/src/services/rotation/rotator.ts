import { createHash } from 'node:crypto';
import type { DatabaseInstance } from '../../domain/database-instance.js';
import type { WebhookAddressGuard } from '../../rotators/webhook-address-guard.js';

/** What a rotator is told about the secret it rotates. */
export interface RotationTarget {
  readonly secretName: string;
  readonly secretType: 'Generic' | 'Rds';
  /** ExtendedConfig parsed as a JSON object; undefined when the secret has none. */
  readonly extendedConfig: Readonly<Record<string, unknown>> | undefined;
  /**
   * The fingerprint of what the binding was authorized against (`databaseTargetFingerprint`,
   * `webhookTargetFingerprint`), null when nobody authorized it. A rotator compares it with what it is
   * about to reach and refuses on any difference (docs/threat-model.md).
   */
  readonly authorizedTarget: string | null;
}

function fingerprint(kind: string, facts: readonly unknown[]): string {
  return `${kind}:${createHash('sha256').update(JSON.stringify(facts)).digest('base64url')}`;
}

/**
 * Everything about a database instance that decides where the administrator's password is sent and
 * which password it is: engine, address, database, TLS mode and CA, administrator secret.
 */
export function databaseTargetFingerprint(
  instance: Pick<
    DatabaseInstance,
    'id' | 'engine' | 'host' | 'port' | 'database' | 'tlsMode' | 'caCertificate' | 'adminSecretName'
  >,
): string {
  return fingerprint('database', [
    instance.id,
    instance.engine,
    instance.host,
    instance.port,
    instance.database,
    instance.tlsMode,
    instance.caCertificate,
    instance.adminSecretName,
  ]);
}

/** A webhook registration: its name, URL and creation time (a re-created webhook is another one). */
export function webhookTargetFingerprint(webhook: {
  readonly name: string;
  readonly url: string;
  readonly createdAt: number;
}): string {
  return fingerprint('webhook', [webhook.name, webhook.url, webhook.createdAt]);
}

/** The refusal when what a rotator would reach is not what was authorized; retrying cannot help. */
export function unauthorizedTargetError(what: string): RotationStepError {
  return new RotationStepError(
    `${what} is not what this secret's rotation was authorized for (it changed, or the binding predates the check); nothing was sent. Someone allowed kms:GetSecretValue and kms:PutSecretValue on the secret, and kms:GetSecretValue on a database instance's administrator secret, authorizes it again by sending the secret's ExtendedConfig with UpdateSecret.`,
    { retryable: false },
  );
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
 * contains a secret value or a password. `retryable` false stops the run's retries. `detail` and
 * `auditCode` say exactly what failed, for the log and the audit trail only (never a value either). */
export class RotationStepError extends Error {
  override name = 'RotationStepError';
  readonly retryable: boolean;
  readonly detail: Readonly<Record<string, unknown>> | undefined;
  /** The audit event's result code; `RotationStepFailed` when undefined. */
  readonly auditCode: string | undefined;
  constructor(
    message: string,
    options?: {
      retryable?: boolean;
      cause?: unknown;
      detail?: Readonly<Record<string, unknown>>;
      auditCode?: string;
    },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options?.retryable ?? true;
    this.detail = options?.detail;
    this.auditCode = options?.auditCode;
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
  /** Which addresses the endpoint may have. */
  readonly guard: WebhookAddressGuard;
}

/** Makes the outbound webhook adapter (rotators/webhook-rotator.ts), wired in app.ts. */
export type WebhookRotatorFactory = (options: WebhookRotatorOptions) => Rotator;
