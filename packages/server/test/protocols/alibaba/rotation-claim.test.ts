/**
 * One rotation run executes once: RotateSecret's background work and scheduler ticks in the same
 * process race on one run, and each webhook step arrives exactly once. The webhook answers slowly so
 * the executors overlap. (Across processes: test/process/rotation-processes.test.ts, and the lease
 * cases of the storage conformance suite.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestInstance } from '../../helpers.js';
import { ManualClock } from '../../fakes/manual-clock.js';
import { WebhookReceiver } from '../../fakes/webhook-receiver.js';
import type { ApiClient, ApiServer } from './harness.js';
import { startApiServer } from './harness.js';

let server: ApiServer;
let api: ApiClient;
let receiver: WebhookReceiver;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  server = await startApiServer({ clock, env: { TESSERA_ROTATION_TICK_SECONDS: '0' } });
  api = server.client('openapi-acs3');
  receiver = new WebhookReceiver();
  const url = await receiver.start();
  const created = await api.call('CreateRotationWebhook', { WebhookName: 'slow', Url: url });
  receiver.signingKey = Buffer.from(created.SigningKey as string, 'base64');
  receiver.handler = (call) => ({
    status: 200,
    body: call.step === 'create' ? { value: 'rotated-value' } : {},
    delayMs: 150,
  });
});

afterAll(async () => {
  await server.stop();
  await receiver.stop();
});

async function createBound(name: string): Promise<void> {
  await api.call('CreateSecret', {
    SecretName: name,
    VersionId: 'v1',
    SecretData: 'old-value',
    ExtendedConfig: JSON.stringify({ RotationWebhook: 'slow' }),
  });
}

function stepsOf(name: string): string[] {
  return receiver.calls.filter((c) => c.body.secretName === name).map((c) => c.step);
}

/** Ticks (each one a second executor of every due run) until the run ends or the budget is spent. */
async function tickWhile(instances: readonly TestInstance[], name: string): Promise<void> {
  for (let round = 0; round < 40 && stepsOf(name).length < 4; round++) {
    await Promise.all(instances.map((i) => i.tessera.services.rotationScheduler.tick()));
  }
  await Promise.all(instances.map((i) => i.tessera.services.rotation.settle()));
}

describe('one rotation run executes once', () => {
  it('RotateSecret and scheduler ticks racing on the same run reach each webhook step once', async () => {
    await createBound('claim/one-process');
    await api.call('RotateSecret', { SecretName: 'claim/one-process', VersionId: 'r1' });
    // The run is due at once, so every tick is a second executor while RotateSecret's is at work.
    await tickWhile([server.instance], 'claim/one-process');
    expect(stepsOf('claim/one-process')).toEqual(['create', 'set', 'test', 'finish']);
    const value = await api.call('GetSecretValue', { SecretName: 'claim/one-process' });
    expect(value).toMatchObject({ VersionId: 'r1', SecretData: 'rotated-value' });
    const described = await api.call('DescribeSecret', { SecretName: 'claim/one-process' });
    expect(described).toMatchObject({ RotationStatus: 'Succeeded', RotationAttempts: 0 });
  });
});
