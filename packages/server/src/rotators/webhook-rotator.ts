/**
 * The rotation webhook (docs/rotation.md): a `Rotator` that asks an HTTP endpoint the user runs to do
 * each step, so any system can be rotated. Every step is one POST with a JSON body, signed with
 * HMAC-SHA-256 over `<timestamp>.<body>` under the webhook's signing key:
 *
 *   Tessera-Signature: t=<unix seconds>,v1=<hex HMAC>
 *
 * Answers: 2xx done; 408, 429, 5xx, a timeout or an unreachable endpoint are retried with backoff;
 * any other status (4xx, a redirect, which is never followed) fails the run without retries. Values
 * travel only in request bodies; errors and logs name the step and the status, never a body.
 *
 * The endpoint's address is checked on every call (`webhook-address-guard.ts`). A refused address, a
 * failed connection and a timeout read the same to users, so a webhook cannot be used to tell closed
 * ports from filtered or forbidden ones; the difference goes to the log and the audit trail.
 */
import { createHmac } from 'node:crypto';
import type { RotationStep, Rotator, WebhookRotatorOptions } from '../services/rotation/rotator.js';
import { RotationStepError } from '../services/rotation/rotator.js';
import { ALLOWED_NETWORKS_SETTING } from './webhook-address-guard.js';
import type { WebhookAnswer } from './webhook-transport.js';
import { postToWebhook, WebhookTransportError } from './webhook-transport.js';

export const SIGNATURE_HEADER = 'Tessera-Signature';
/** A created value may not be larger than a secret value may be. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export type { WebhookEndpoint, WebhookRotatorOptions } from '../services/rotation/rotator.js';

type StepName = 'create' | 'set' | 'test' | 'finish';

/** `t=<seconds>,v1=<hex>` for this body at this time. */
export function signWebhookBody(key: Uint8Array, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

export class WebhookRotator implements Rotator {
  readonly #options: WebhookRotatorOptions;

  constructor(options: WebhookRotatorOptions) {
    this.#options = options;
  }

  async createValue(step: RotationStep): Promise<string> {
    const answer = await this.#post('create', step, { currentValue: step.currentValue });
    const value = valueOf(answer);
    return value ?? this.#options.generateValue(step);
  }

  async setValue(step: RotationStep & { readonly pendingValue: string }): Promise<void> {
    await this.#post('set', step, { currentValue: step.currentValue, pendingValue: step.pendingValue });
  }

  async testValue(step: RotationStep & { readonly pendingValue: string }): Promise<void> {
    await this.#post('test', step, { pendingValue: step.pendingValue });
  }

  async finish(step: RotationStep & { readonly pendingValue: string }): Promise<void> {
    await this.#post('finish', step, {});
  }

  async #post(name: StepName, step: RotationStep, values: Record<string, string>): Promise<string> {
    const { endpoint, now } = this.#options;
    const body = JSON.stringify({
      step: name,
      secretName: step.secretName,
      secretType: step.secretType,
      runId: step.runId,
      versionId: step.pendingVersionId,
      extendedConfig: step.extendedConfig,
      ...values,
    });
    const timestamp = Math.floor(now() / 1000);
    let response: WebhookAnswer;
    try {
      response = await postToWebhook(new URL(endpoint.url), {
        timeoutMs: endpoint.timeoutMs,
        guard: this.#options.guard,
        maxResponseBytes: MAX_RESPONSE_BYTES,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Tessera-Rotation/1',
          [SIGNATURE_HEADER]: signWebhookBody(endpoint.signingKey, timestamp, body),
          'Tessera-Step': name,
          'Tessera-Run-Id': step.runId,
          'Tessera-Webhook': endpoint.name,
        },
        body,
      });
    } catch (error) {
      throw this.#transportFailure(name, error);
    }
    if (response.status >= 200 && response.status < 300) return response.text;
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new RotationStepError(
      `The rotation webhook "${endpoint.name}" answered HTTP ${response.status} to the ${name} step.`,
      { retryable },
    );
  }

  /** One message for every way of getting no answer; which one it was goes to the log and audit. */
  #transportFailure(step: StepName, error: unknown): RotationStepError {
    const { endpoint } = this.#options;
    if (error instanceof WebhookTransportError && error.kind === 'too_large') {
      return new RotationStepError('The rotation webhook answered with more than 64 KiB.', {
        retryable: false,
      });
    }
    const kind = error instanceof WebhookTransportError ? error.kind : 'unreachable';
    const detail = error instanceof WebhookTransportError ? error.detail : {};
    const seconds = endpoint.timeoutMs / 1000;
    return new RotationStepError(
      `The rotation webhook "${endpoint.name}" could not be reached for the ${step} step, or did not answer ` +
        `within ${seconds} s. Check its URL and that it is up; an endpoint on a loopback, private or ` +
        `link-local network must be allowed by an operator in ${ALLOWED_NETWORKS_SETTING}.`,
      {
        retryable: true,
        auditCode: AUDIT_CODES[kind],
        detail: { webhook: endpoint.name, failure: kind, ...detail },
      },
    );
  }
}

const AUDIT_CODES = {
  address_refused: 'RotationStepFailed.WebhookAddressRefused',
  timeout: 'RotationStepFailed.WebhookTimeout',
  unreachable: 'RotationStepFailed.WebhookUnreachable',
  too_large: 'RotationStepFailed.WebhookAnswerTooLarge',
} as const;

/** The created value from `{"value": "..."}`; undefined when the endpoint sent none. */
function valueOf(answer: string): string | undefined {
  if (answer.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch {
    throw new RotationStepError(
      'The rotation webhook answered the create step with something other than JSON.',
      {
        retryable: false,
      },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || !('value' in parsed) || parsed.value === undefined) {
    return undefined;
  }
  if (typeof parsed.value !== 'string' || parsed.value === '') {
    throw new RotationStepError('The rotation webhook\'s "value" must be a non-empty string.', {
      retryable: false,
    });
  }
  return parsed.value;
}
