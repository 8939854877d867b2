/**
 * The rotation webhook (docs/rotation.md): a `Rotator` that asks an HTTP endpoint the user runs to do
 * each step, so any system can be rotated. Every step is one POST with a JSON body, signed with
 * HMAC-SHA-256 over `<timestamp>.<body>` under the webhook's signing key:
 *
 *   Tessera-Signature: t=<unix seconds>,v1=<hex HMAC>
 *
 * Answers: 2xx done; 408, 429, 5xx, a timeout or an unreachable endpoint are retried with backoff;
 * any other status (4xx, a redirect) fails the run without retries. Values travel only in request
 * bodies; errors and logs name the step and the status, never a body.
 */
import { createHmac } from 'node:crypto';
import type { RotationStep, Rotator, WebhookRotatorOptions } from '../services/rotation/rotator.js';
import { RotationStepError } from '../services/rotation/rotator.js';

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
    let response: Response;
    try {
      response = await fetch(endpoint.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(endpoint.timeoutMs),
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
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new RotationStepError(
        timedOut
          ? `The rotation webhook "${endpoint.name}" did not answer the ${name} step within ${endpoint.timeoutMs} ms.`
          : `The rotation webhook "${endpoint.name}" could not be reached for the ${name} step.`,
        { retryable: true },
      );
    }
    const text = await readLimited(response);
    if (response.ok) return text;
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new RotationStepError(
      `The rotation webhook "${endpoint.name}" answered HTTP ${response.status} to the ${name} step.`,
      { retryable },
    );
  }
}

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

async function readLimited(response: Response): Promise<string> {
  const buffer = await response.arrayBuffer().catch(() => new ArrayBuffer(0));
  if (buffer.byteLength > MAX_RESPONSE_BYTES) {
    throw new RotationStepError('The rotation webhook answered with more than 64 KiB.', { retryable: false });
  }
  return new TextDecoder().decode(buffer);
}
