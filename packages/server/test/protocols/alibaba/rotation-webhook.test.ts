/**
 * Rotation through a webhook rotator, end to end: the real API (openapi ACS3 client), a real
 * `node:http` receiver that verifies every signature, and the schedule driven by a manual clock (never
 * real waiting, except one 1-second webhook timeout). Request signatures are checked against the same
 * clock, so a test that jumps days ahead ticks the schedule, then jumps back before calling the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../fakes/manual-clock.js';
import { WebhookReceiver } from '../../fakes/webhook-receiver.js';
import type { ApiClient, ApiServer, Body } from './harness.js';
import { expectFailure, startApiServer } from './harness.js';

const DAY_MS = 86_400_000;
let server: ApiServer;
let api: ApiClient;
let receiver: WebhookReceiver;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  server = await startApiServer({ clock, env: { TESSERA_ROTATION_TICK_SECONDS: '0' } });
  api = server.client('openapi-acs3');
  receiver = new WebhookReceiver();
  const url = await receiver.start();
  const created = await api.call('CreateRotationWebhook', { WebhookName: 'hook', Url: url });
  expect(created).toMatchObject({ WebhookName: 'hook', Url: url, TimeoutSeconds: 10 });
  receiver.signingKey = Buffer.from(created.SigningKey as string, 'base64');
  expect(receiver.signingKey).toHaveLength(32);
});

afterAll(async () => {
  await server.stop();
  await receiver.stop();
});

const services = () => server.instance.tessera.services;
/** Waits for the runs RotateSecret started in the background, then lets the schedule look once. */
async function settle(): Promise<void> {
  await services().rotation.settle();
}
async function tick(): Promise<void> {
  await services().rotationScheduler.tick();
}

async function createBound(name: string, value = 'old-password'): Promise<void> {
  await api.call('CreateSecret', {
    SecretName: name,
    VersionId: 'v1',
    SecretData: value,
    ExtendedConfig: JSON.stringify({ RotationWebhook: 'hook' }),
  });
}

async function current(name: string): Promise<Body> {
  return api.call('GetSecretValue', { SecretName: name });
}

async function stagesOf(name: string): Promise<Record<string, unknown>> {
  const listing = await api.call('ListSecretVersionIds', { SecretName: name, IncludeDeprecated: 'true' });
  const items = (listing.VersionIds as { VersionId: Body[] }).VersionId;
  const stages: Record<string, string[]> = {};
  for (const item of items) {
    stages[String(item.VersionId)] = (item.VersionStages as { VersionStage: string[] }).VersionStage;
  }
  return stages;
}

function iso(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function callsFor(name: string) {
  return receiver.calls.filter((c) => c.body.secretName === name);
}

describe('rotation webhook', () => {
  it('rotates through signed create, set, test and finish calls and moves the labels', async () => {
    receiver.handler = (call) =>
      call.step === 'create' ? { status: 200, body: { value: 'from-the-webhook' } } : { status: 204 };
    await createBound('rot/ok');
    const answer = await api.call('RotateSecret', { SecretName: 'rot/ok', VersionId: 'r1' });
    expect(answer).toMatchObject({ SecretName: 'rot/ok', VersionId: 'r1' });
    expect(answer.Arn).toMatch(/:secret\/rot\/ok$/);
    await settle();

    const calls = callsFor('rot/ok');
    expect(calls.map((c) => c.step)).toEqual(['create', 'set', 'test', 'finish']);
    expect(calls.every((c) => c.signatureValid)).toBe(true);
    const runIds = new Set(calls.map((c) => c.body.runId));
    expect(runIds.size).toBe(1);
    expect(calls.every((c) => c.body.versionId === 'r1' && c.headers['tessera-step'] === c.body.step)).toBe(
      true,
    );
    // Each step gets the values it needs and no more.
    expect(calls[0]!.body).toMatchObject({ currentValue: 'old-password' });
    expect(calls[0]!.body.pendingValue).toBeUndefined();
    expect(calls[1]!.body).toMatchObject({ currentValue: 'old-password', pendingValue: 'from-the-webhook' });
    expect(calls[2]!.body).toMatchObject({ pendingValue: 'from-the-webhook' });
    expect(calls[2]!.body.currentValue).toBeUndefined();
    expect(calls[3]!.body.pendingValue).toBeUndefined();

    expect(await current('rot/ok')).toMatchObject({ VersionId: 'r1', SecretData: 'from-the-webhook' });
    expect(await stagesOf('rot/ok')).toEqual({ r1: ['ACSCurrent'], v1: ['ACSPrevious'] });
    const described = await api.call('DescribeSecret', { SecretName: 'rot/ok' });
    expect(described).toMatchObject({
      AutomaticRotation: 'Disabled',
      RotationStatus: 'Succeeded',
      RotationStep: 'finish',
      RotationVersionId: 'r1',
      RotationAttempts: 0,
    });
    expect(described.LastRotationError).toBeUndefined();
    expect(described.LastRotationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // The VersionId is the idempotency token: the same token again starts nothing.
    await api.call('RotateSecret', { SecretName: 'rot/ok', VersionId: 'r1' });
    await settle();
    expect(callsFor('rot/ok')).toHaveLength(4);
  });

  it('makes a password itself when the webhook returns no value', async () => {
    receiver.handler = () => ({ status: 200 });
    await createBound('rot/generated');
    await api.call('RotateSecret', { SecretName: 'rot/generated', VersionId: 'r1' });
    await settle();
    const value = (await current('rot/generated')).SecretData as string;
    expect(value).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(callsFor('rot/generated').find((c) => c.step === 'set')?.body.pendingValue).toBe(value);
  });

  it('leaves ACSCurrent on the old value when set fails, and retries with the same pending value', async () => {
    let failures = 2;
    receiver.handler = (call) => {
      if (call.step === 'create') return { status: 200, body: { value: 'next-password' } };
      if (call.step === 'set' && failures > 0) {
        failures--;
        return { status: 503, body: { error: 'database busy' } };
      }
      return { status: 200 };
    };
    await createBound('rot/retry');
    await api.call('RotateSecret', { SecretName: 'rot/retry', VersionId: 'r1' });
    await settle();

    expect(await current('rot/retry')).toMatchObject({ VersionId: 'v1', SecretData: 'old-password' });
    expect(await stagesOf('rot/retry')).toEqual({ r1: ['ACSPending'], v1: ['ACSCurrent'] });
    const waiting = await api.call('DescribeSecret', { SecretName: 'rot/retry' });
    expect(waiting).toMatchObject({
      RotationStatus: 'Retrying',
      RotationStep: 'set',
      RotationAttempts: 1,
      LastRotationErrorStep: 'set',
    });
    expect(waiting.LastRotationError).toContain('HTTP 503');
    expect(JSON.stringify(waiting)).not.toContain('next-password');

    // Not due yet: a tick changes nothing.
    await tick();
    expect(callsFor('rot/retry').filter((c) => c.step === 'set')).toHaveLength(1);
    clock.advance(30_000);
    await tick();
    expect(callsFor('rot/retry').filter((c) => c.step === 'set')).toHaveLength(2);
    // The second failure doubles the wait.
    clock.advance(30_000);
    await tick();
    expect(callsFor('rot/retry').filter((c) => c.step === 'set')).toHaveLength(2);
    clock.advance(30_000);
    await tick();

    const steps = callsFor('rot/retry').map((c) => c.step);
    expect(steps).toEqual(['create', 'set', 'set', 'set', 'test', 'finish']);
    const pendingValues = callsFor('rot/retry')
      .filter((c) => c.step === 'set')
      .map((c) => c.body.pendingValue);
    expect(new Set(pendingValues)).toEqual(new Set(['next-password']));
    expect(await current('rot/retry')).toMatchObject({ VersionId: 'r1', SecretData: 'next-password' });
    expect(await api.call('DescribeSecret', { SecretName: 'rot/retry' })).toMatchObject({
      RotationStatus: 'Succeeded',
    });

    // Every executed step is in the audit trail, failures included, under the engine's own principal,
    // and no value is. The core records built-in stages in its own spelling; LookupEvents renders them.
    const { events } = await services().audit.lookup({
      principal: '$rotation',
      resource: 'rot/retry',
      limit: 50,
    });
    const trail = events
      .slice()
      .reverse()
      .map((e) => [e.action, e.resultCode, e.versionId, e.versionStage]);
    expect(trail).toEqual([
      ['RotationCreate', 'Success', 'r1', '$pending'],
      ['RotationSet', 'RotationStepFailed', 'r1', null],
      ['RotationSet', 'RotationStepFailed', 'r1', null],
      ['RotationSet', 'Success', 'r1', null],
      ['RotationTest', 'Success', 'r1', '$current'],
      ['RotationFinish', 'Success', 'r1', null],
    ]);
    expect(JSON.stringify(events)).not.toContain('next-password');
    expect((await services().audit.verify()).broken).toBeUndefined();
  });

  it('stops at a 4xx answer: no retries, ACSCurrent kept, ACSPending dropped, the error visible', async () => {
    receiver.handler = (call) =>
      call.step === 'test' ? { status: 400 } : { status: 200, body: { value: 'rejected-password' } };
    await createBound('rot/rejected');
    await api.call('RotateSecret', { SecretName: 'rot/rejected', VersionId: 'r1' });
    await settle();
    clock.advance(60_000);
    await tick();
    expect(callsFor('rot/rejected').map((c) => c.step)).toEqual(['create', 'set', 'test']);
    expect(await current('rot/rejected')).toMatchObject({ VersionId: 'v1', SecretData: 'old-password' });
    expect(await stagesOf('rot/rejected')).toEqual({ r1: [], v1: ['ACSCurrent'] });
    const described = await api.call('DescribeSecret', { SecretName: 'rot/rejected' });
    expect(described).toMatchObject({ RotationStatus: 'Failed', LastRotationErrorStep: 'test' });
    expect(described.LastRotationError).toContain('HTTP 400');
    // A new token starts a new run once the failed one ended.
    receiver.handler = (call) =>
      call.step === 'create' ? { status: 200, body: { value: 'second-try' } } : { status: 200 };
    await api.call('RotateSecret', { SecretName: 'rot/rejected', VersionId: 'r2' });
    await settle();
    expect(await current('rot/rejected')).toMatchObject({ VersionId: 'r2', SecretData: 'second-try' });
  });

  it('retries a step the webhook does not answer in time', async () => {
    const url = receiver.url;
    const created = await api.call('CreateRotationWebhook', {
      WebhookName: 'slow-hook',
      Url: url,
      TimeoutSeconds: 1,
    });
    const slowKey = Buffer.from(created.SigningKey as string, 'base64');
    expect(slowKey.equals(receiver.signingKey!)).toBe(false);
    let slow = true;
    receiver.handler = (call) => {
      if (call.step === 'create' && slow) {
        slow = false;
        return { status: 200, body: { value: 'too-late' }, delayMs: 1500 };
      }
      return call.step === 'create' ? { status: 200, body: { value: 'in-time' } } : { status: 200 };
    };
    await api.call('CreateSecret', {
      SecretName: 'rot/slow',
      VersionId: 'v1',
      SecretData: 'old-password',
      ExtendedConfig: JSON.stringify({ RotationWebhook: 'slow-hook' }),
    });
    await api.call('RotateSecret', { SecretName: 'rot/slow', VersionId: 'r1' });
    await settle();
    const waiting = await api.call('DescribeSecret', { SecretName: 'rot/slow' });
    expect(waiting).toMatchObject({ RotationStatus: 'Retrying', RotationStep: 'create' });
    expect(waiting.LastRotationError).toContain('did not answer');
    expect(await stagesOf('rot/slow')).toEqual({ v1: ['ACSCurrent'] });
    clock.advance(30_000);
    await tick();
    expect(await current('rot/slow')).toMatchObject({ VersionId: 'r1', SecretData: 'in-time' });
  });

  it('rotates on schedule, once after downtime however many intervals were missed', async () => {
    receiver.handler = (call) =>
      call.step === 'create' ? { status: 200, body: { value: `scheduled-${clock.now()}` } } : { status: 200 };
    await createBound('rot/scheduled');
    await api.call('UpdateSecretRotationPolicy', {
      SecretName: 'rot/scheduled',
      EnableAutomaticRotation: true,
      RotationInterval: '7d',
    });
    const enabled = await api.call('DescribeSecret', { SecretName: 'rot/scheduled' });
    expect(enabled).toMatchObject({
      AutomaticRotation: 'Enabled',
      RotationInterval: '604800s',
      NextRotationDate: iso(clock.now() + 7 * DAY_MS),
    });
    expect(await current('rot/scheduled')).toMatchObject({
      AutomaticRotation: 'Enabled',
      RotationInterval: '604800s',
    });
    await tick();
    expect(callsFor('rot/scheduled')).toHaveLength(0);

    // Five intervals of downtime: one run catches up, and the next is one interval after it.
    clock.advance(35 * DAY_MS);
    const rotatedAt = clock.now();
    await tick();
    await tick();
    clock.advance(-35 * DAY_MS);
    expect(callsFor('rot/scheduled').map((c) => c.step)).toEqual(['create', 'set', 'test', 'finish']);
    const after = await api.call('DescribeSecret', { SecretName: 'rot/scheduled' });
    expect(after).toMatchObject({
      LastRotationDate: iso(rotatedAt),
      NextRotationDate: iso(rotatedAt + 7 * DAY_MS),
      RotationStatus: 'Succeeded',
    });
    expect((await current('rot/scheduled')).SecretData).toBe(`scheduled-${rotatedAt}`);

    await api.call('UpdateSecretRotationPolicy', {
      SecretName: 'rot/scheduled',
      EnableAutomaticRotation: false,
    });
    const disabled = await api.call('DescribeSecret', { SecretName: 'rot/scheduled' });
    expect(disabled).toMatchObject({ AutomaticRotation: 'Disabled', RotationInterval: '604800s' });
    expect(disabled.NextRotationDate).toBeUndefined();
  });

  it('creates a secret with automatic rotation enabled when a rotator serves it', async () => {
    const created = await api.call('CreateSecret', {
      SecretName: 'rot/created',
      VersionId: 'v1',
      SecretData: 'x',
      ExtendedConfig: JSON.stringify({ RotationWebhook: 'hook' }),
      EnableAutomaticRotation: true,
      RotationInterval: '30d',
    });
    expect(created).toMatchObject({ AutomaticRotation: 'Enabled', RotationInterval: '2592000s' });
    const fetched = await api.call('GetSecretValue', {
      SecretName: 'rot/created',
      FetchExtendedConfig: true,
    });
    expect(fetched.ExtendedConfig).toBe('{"RotationWebhook":"hook"}');
  });

  it('refuses to rotate what no rotator serves, and bad intervals, in the API shape', async () => {
    await api.call('CreateSecret', { SecretName: 'rot/plain', VersionId: 'v1', SecretData: 'x' });
    await expectFailure(
      api.call('RotateSecret', { SecretName: 'rot/plain', VersionId: 'r1' }),
      400,
      'Rejected.UnsupportedOperation',
    );
    await expectFailure(
      api.call('UpdateSecretRotationPolicy', {
        SecretName: 'rot/plain',
        EnableAutomaticRotation: true,
        RotationInterval: '7d',
      }),
      400,
      'Rejected.UnsupportedOperation',
    );
    await expectFailure(
      api.call('CreateSecret', {
        SecretName: 'rot/plain2',
        VersionId: 'v1',
        SecretData: 'x',
        EnableAutomaticRotation: true,
        RotationInterval: '7d',
      }),
      400,
      'Rejected.UnsupportedOperation',
    );
    await expectFailure(
      api.call('CreateSecret', {
        SecretName: 'rot/unknown-hook',
        VersionId: 'v1',
        SecretData: 'x',
        ExtendedConfig: JSON.stringify({ RotationWebhook: 'nobody' }),
        EnableAutomaticRotation: true,
        RotationInterval: '7d',
      }),
      404,
      'Forbidden.ResourceNotFound',
    );
    await createBound('rot/intervals');
    for (const interval of ['5h', '8761h', '7x', '-7d', '']) {
      await expectFailure(
        api.call('UpdateSecretRotationPolicy', {
          SecretName: 'rot/intervals',
          EnableAutomaticRotation: true,
          RotationInterval: interval,
        }),
        400,
        interval === '' ? 'MissingParameter' : 'InvalidParameter',
      );
    }
    await expectFailure(
      api.call('UpdateSecretRotationPolicy', { SecretName: 'rot/intervals', RotationInterval: '7d' }),
      400,
      'MissingParameter',
    );
    await expectFailure(
      api.call('RotateSecret', { SecretName: 'rot/intervals', VersionId: 'bad id' }),
      400,
      'InvalidParameter',
    );
    await expectFailure(
      api.call('RotateSecret', { SecretName: 'rot/none', VersionId: 'r1' }),
      404,
      'Forbidden.ResourceNotFound',
    );
    // The plain Generic secret shows no rotation fields at all.
    const plain = await api.call('DescribeSecret', { SecretName: 'rot/plain' });
    expect(plain.AutomaticRotation).toBeUndefined();
  });

  it('refuses a second run while one is in progress', async () => {
    receiver.handler = (call) =>
      call.step === 'set' ? { status: 500 } : { status: 200, body: { value: 'p' } };
    await createBound('rot/busy');
    await api.call('RotateSecret', { SecretName: 'rot/busy', VersionId: 'r1' });
    await settle();
    await expectFailure(
      api.call('RotateSecret', { SecretName: 'rot/busy', VersionId: 'r2' }),
      409,
      'Rejected.RotationInProgress',
    );
  });

  it('lists and deletes webhooks without ever showing the signing key again', async () => {
    const listed = await api.call('ListRotationWebhooks', {});
    const hooks = (listed.RotationWebhooks as { RotationWebhook: Body[] }).RotationWebhook;
    expect(hooks.map((h) => h.WebhookName)).toEqual(['hook', 'slow-hook']);
    expect(JSON.stringify(listed)).not.toContain('SigningKey');
    await expectFailure(
      api.call('CreateRotationWebhook', { WebhookName: 'hook', Url: receiver.url }),
      409,
      'Rejected.ResourceExist',
    );
    await expectFailure(
      api.call('CreateRotationWebhook', { WebhookName: 'bad', Url: 'ftp://example.com/' }),
      400,
      'InvalidParameter',
    );
    // Secrets bind by name: while one is bound, the webhook stays (a re-created one would get its values).
    const inUse = await expectFailure(
      api.call('DeleteRotationWebhook', { WebhookName: 'slow-hook' }),
      409,
      'Rejected.ResourceInUse',
    );
    expect(inUse.message).toContain('rot/slow');
    await api.call('DeleteSecret', { SecretName: 'rot/slow', ForceDeleteWithoutRecovery: true });
    await api.call('DeleteRotationWebhook', { WebhookName: 'slow-hook' });
    await expectFailure(
      api.call('DeleteRotationWebhook', { WebhookName: 'slow-hook' }),
      404,
      'Forbidden.ResourceNotFound',
    );
  });
});
