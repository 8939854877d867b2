/**
 * One rotation run executes once: RotateSecret's background work and scheduler ticks in the same
 * process race on one run, and each webhook step arrives exactly once. The webhook answers slowly so
 * the executors overlap. Two servers on one PostgreSQL database (a database this run creates and drops)
 * race the same way. (Across processes: test/process/rotation-processes.test.ts; the claim's
 * compare-and-set: the lease cases of the storage conformance suite.)
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestInstance } from '../../helpers.js';
import { ManualClock } from '../../fakes/manual-clock.js';
import { WebhookReceiver } from '../../fakes/webhook-receiver.js';
import type { ApiClient, ApiServer } from './harness.js';
import { startApiServer } from './harness.js';

const ADMIN_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = `tessera_test_${randomBytes(6).toString('hex')}`;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: ApiServer;
let api: ApiClient;
let receiver: WebhookReceiver;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  // A 5-second lease (renewed every 1.7 s while a step runs), so a step can outlast it.
  server = await startApiServer({
    clock,
    env: { TESSERA_ROTATION_TICK_SECONDS: '0', TESSERA_ROTATION_LEASE_SECONDS: '5' },
  });
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
  await admin(`drop database if exists ${DATABASE} with (force)`);
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

  it('keeps the claim through a step that outlasts the lease, so a tick then does not take over', async () => {
    const previous = receiver.handler;
    receiver.handler = (call) => ({
      status: 200,
      body: call.step === 'create' ? { value: 'slow-value' } : {},
      delayMs: call.step === 'create' ? 4000 : 0,
    });
    try {
      await createBound('claim/slow-step');
      await api.call('RotateSecret', { SecretName: 'claim/slow-step', VersionId: 'r1' });
      while (stepsOf('claim/slow-step').length === 0) await sleep(20);
      clock.advance(6_000); // the lease taken when the step began has run out on the database's clock
      await sleep(2_500); // and the executor, alive and waiting for the webhook, has renewed it since
      await server.instance.tessera.services.rotationScheduler.tick();
      expect(stepsOf('claim/slow-step')).toEqual(['create']);
      await server.instance.tessera.services.rotation.settle();
      await tickWhile([server.instance], 'claim/slow-step');
      expect(stepsOf('claim/slow-step')).toEqual(['create', 'set', 'test', 'finish']);
    } finally {
      receiver.handler = previous;
    }
  });

  it('two servers on one PostgreSQL database, racing each other and themselves, reach each step once', async () => {
    await admin(`create database ${DATABASE}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${DATABASE}`;
    const env = {
      TESSERA_ROTATION_TICK_SECONDS: '0',
      TESSERA_DATABASE_URL: url.toString(),
      TESSERA_ROOT_KEY: randomBytes(32).toString('base64'),
    };
    const nodes = [await startApiServer({ clock, env }), await startApiServer({ clock, env })];
    try {
      const first = nodes[0]!.client('openapi-acs3');
      const created = await first.call('CreateRotationWebhook', { WebhookName: 'shared', Url: receiver.url });
      receiver.signingKey = Buffer.from(created.SigningKey as string, 'base64');
      await first.call('CreateSecret', {
        SecretName: 'claim/two-nodes',
        VersionId: 'v1',
        SecretData: 'old-value',
        ExtendedConfig: JSON.stringify({ RotationWebhook: 'shared' }),
      });
      await Promise.all(
        nodes.map((node) =>
          node
            .client('openapi-acs3')
            .call('RotateSecret', { SecretName: 'claim/two-nodes', VersionId: 'r1' }),
        ),
      );
      await tickWhile(
        nodes.map((n) => n.instance),
        'claim/two-nodes',
      );
      expect(stepsOf('claim/two-nodes')).toEqual(['create', 'set', 'test', 'finish']);
      const value = await nodes[1]!
        .client('openapi-acs3')
        .call('GetSecretValue', { SecretName: 'claim/two-nodes' });
      expect(value).toMatchObject({ VersionId: 'r1', SecretData: 'rotated-value' });
    } finally {
      for (const node of nodes) await node.stop();
    }
  });
});
