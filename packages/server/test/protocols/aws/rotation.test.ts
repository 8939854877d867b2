/**
 * Rotation in AWS terms: the two scenarios of the rotation guide (docs/rotation.md) — one call that
 * makes a new AWSCURRENT, and a pending label, registration with the target, then moving AWSCURRENT —
 * and RotateSecret / CancelRotateSecret driving Tessera's own engine through a webhook rotator named
 * by `RotationLambdaARN`, with `RotationRules` (days, rate(), cron(), Duration) and `RotateImmediately`.
 */
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../fakes/manual-clock.js';
import { RECEIVER_NETWORK_ENV, WebhookReceiver } from '../../fakes/webhook-receiver.js';
import type { AwsServer } from './harness.js';
import { expectAwsError, startAwsServer, token } from './harness.js';

let server: AwsServer;
let receiver: WebhookReceiver;
const clock = new ManualClock(Date.now());

describe('rotation in AWS terms (official SDK v3)', () => {
  beforeAll(async () => {
    server = await startAwsServer({
      clock,
      env: { TESSERA_ROTATION_TICK_SECONDS: '0', ...RECEIVER_NETWORK_ENV },
    });
    receiver = new WebhookReceiver();
    const url = await receiver.start();
    const created = await server.alibaba.call('CreateRotationWebhook', { WebhookName: 'hook', Url: url });
    receiver.signingKey = Buffer.from(created.SigningKey as string, 'base64');
  });
  afterAll(async () => {
    await server.stop();
    await receiver.stop();
  });

  it('scenario 1: a single PutSecretValue makes the new value AWSCURRENT and the old one AWSPREVIOUS', async () => {
    await server.sm.send(
      new CreateSecretCommand({
        Name: 'MyOAuthAppSecret',
        SecretString: 'app-secret-1',
        ClientRequestToken: token('v1'),
      }),
    );
    await server.sm.send(
      new PutSecretValueCommand({
        SecretId: 'MyOAuthAppSecret',
        SecretString: 'app-secret-2',
        ClientRequestToken: token('v2'),
      }),
    );
    const current = await server.sm.send(new GetSecretValueCommand({ SecretId: 'MyOAuthAppSecret' }));
    expect(current).toMatchObject({ SecretString: 'app-secret-2', VersionStages: ['AWSCURRENT'] });
    const previous = await server.sm.send(
      new GetSecretValueCommand({ SecretId: 'MyOAuthAppSecret', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.SecretString).toBe('app-secret-1');
  });

  it('scenario 2: pending label, register with the target, then move AWSCURRENT', async () => {
    await server.sm.send(
      new CreateSecretCommand({
        Name: 'db_cred',
        SecretString: '{"uname":"alice","pwd":"old"}',
        ClientRequestToken: token('v1'),
      }),
    );
    const { RandomPassword: password } = await server.sm.send(
      new GetRandomPasswordCommand({ ExcludePunctuation: true }),
    );
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    await server.sm.send(
      new PutSecretValueCommand({
        SecretId: 'db_cred',
        SecretString: JSON.stringify({ uname: 'alice', pwd: password }),
        ClientRequestToken: token('v2'),
        VersionStages: ['AWSPENDING'],
      }),
    );
    // Until the move, consumers still read the old value.
    expect((await server.sm.send(new GetSecretValueCommand({ SecretId: 'db_cred' }))).VersionId).toBe(
      token('v1'),
    );
    const pending = await server.sm.send(
      new GetSecretValueCommand({ SecretId: 'db_cred', VersionStage: 'AWSPENDING' }),
    );
    expect(pending.VersionId).toBe(token('v2'));
    await server.sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 'db_cred',
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token('v2'),
        RemoveFromVersionId: token('v1'),
      }),
    );
    const described = await server.sm.send(new DescribeSecretCommand({ SecretId: 'db_cred' }));
    expect(described.VersionIdsToStages).toEqual({
      [token('v1')]: ['AWSPREVIOUS'],
      [token('v2')]: ['AWSCURRENT', 'AWSPENDING'],
    });
  });

  it('refuses RotateSecret on a secret without a rotator', async () => {
    await expectAwsError(
      server.sm.send(new RotateSecretCommand({ SecretId: 'db_cred' })),
      'InvalidRequestException',
    );
  });

  it('rotates through the webhook named by RotationLambdaARN in the four AWS steps', async () => {
    await server.sm.send(
      new CreateSecretCommand({ Name: 'rotated', SecretString: 'old', ClientRequestToken: token('r1') }),
    );
    receiver.handler = (call) =>
      call.step === 'create' ? { status: 200, body: { value: 'new' } } : { status: 200, body: {} };
    const rotated = await server.sm.send(
      new RotateSecretCommand({
        SecretId: 'rotated',
        RotationLambdaARN: 'hook',
        RotationRules: { ScheduleExpression: 'rate(10 days)', Duration: '2h' },
        ClientRequestToken: token('r2'),
      }),
    );
    expect(rotated.VersionId).toBe(token('r2'));
    await server.api.instance.tessera.services.rotation.settle();
    expect(receiver.steps()).toEqual(['create', 'set', 'test', 'finish']);
    const current = await server.sm.send(new GetSecretValueCommand({ SecretId: 'rotated' }));
    expect(current).toMatchObject({ SecretString: 'new', VersionId: token('r2') });
    const described = await server.sm.send(new DescribeSecretCommand({ SecretId: 'rotated' }));
    expect(described).toMatchObject({
      RotationEnabled: true,
      RotationLambdaARN: expect.stringContaining('hook') as unknown,
      RotationRules: { ScheduleExpression: 'rate(10 days)', Duration: '2h', AutomaticallyAfterDays: 10 },
    });
    expect(described.LastRotatedDate).toBeInstanceOf(Date);
    expect(described.NextRotationDate).toBeInstanceOf(Date);
  });

  it("rotates at a cron schedule's firings, catching up once after downtime", async () => {
    // A client made after each jump of the clock signs with the server's time.
    const sm = () => server.secretsManager();
    // Other secrets of this file come due too while the clock jumps weeks ahead.
    const weeklySteps = () => receiver.calls.filter((c) => c.body.secretName === 'weekly').map((c) => c.step);
    await sm().send(new CreateSecretCommand({ Name: 'weekly', SecretString: 'old' }));
    receiver.calls.length = 0;
    receiver.handler = (call) =>
      call.step === 'create' ? { status: 200, body: { value: 'new' } } : { status: 200, body: {} };
    await sm().send(
      new RotateSecretCommand({
        SecretId: 'weekly',
        RotationLambdaARN: 'arn:aws:lambda:eu-central-1:123456789012:function:hook',
        RotationRules: { ScheduleExpression: 'cron(0 4 ? * MON *)', Duration: '3h' },
        RotateImmediately: false,
      }),
    );
    const { rotation, rotationScheduler } = server.api.instance.tessera.services;
    const start = clock.now();
    await rotation.settle();
    expect(weeklySteps()).toEqual([]);
    const described = await sm().send(new DescribeSecretCommand({ SecretId: 'weekly' }));
    expect(described).toMatchObject({
      RotationEnabled: true,
      RotationRules: { ScheduleExpression: 'cron(0 4 ? * MON *)', Duration: '3h', AutomaticallyAfterDays: 7 },
    });
    const first = described.NextRotationDate?.getTime() ?? 0;
    expect(new Date(first).getUTCDay()).toBe(1);
    expect(new Date(first).getUTCHours()).toBe(4);
    expect(first - clock.now()).toBeGreaterThan(0);
    expect(first - clock.now()).toBeLessThanOrEqual(7 * 86_400_000);

    // Just before the firing nothing runs; at it, one rotation, and the next time is a week later.
    clock.advance(first - clock.now() - 1);
    await rotationScheduler.tick();
    expect(weeklySteps()).toEqual([]);
    clock.advance(1);
    await rotationScheduler.tick();
    await rotation.settle();
    expect(weeklySteps()).toEqual(['create', 'set', 'test', 'finish']);
    const rotated = await sm().send(new DescribeSecretCommand({ SecretId: 'weekly' }));
    expect(rotated.LastRotatedDate?.getTime()).toBe(first);
    expect(rotated.NextRotationDate?.getTime()).toBe(first + 7 * 86_400_000);
    expect((await sm().send(new GetSecretValueCommand({ SecretId: 'weekly' }))).SecretString).toBe('new');

    // Three weeks down: one catch-up run, then the next Monday 04:00 after it.
    receiver.calls.length = 0;
    clock.advance(3 * 7 * 86_400_000 + 2 * 3_600_000);
    await rotationScheduler.tick();
    await rotation.settle();
    await rotationScheduler.tick();
    await rotation.settle();
    expect(weeklySteps()).toEqual(['create', 'set', 'test', 'finish']);
    const caughtUp = await sm().send(new DescribeSecretCommand({ SecretId: 'weekly' }));
    expect(caughtUp.NextRotationDate?.getTime()).toBe(first + 4 * 7 * 86_400_000);
    clock.advance(start - clock.now()); // back, for the tests after this one
  });

  it('only schedules with RotateImmediately=false, on a rate schedule', async () => {
    await server.sm.send(new CreateSecretCommand({ Name: 'scheduled', SecretString: 'old' }));
    receiver.calls.length = 0;
    await server.sm.send(
      new RotateSecretCommand({
        SecretId: 'scheduled',
        RotationLambdaARN: 'arn:aws:lambda:eu-central-1:123456789012:function:hook',
        RotationRules: { ScheduleExpression: 'rate(3 days)' },
        RotateImmediately: false,
      }),
    );
    await server.api.instance.tessera.services.rotation.settle();
    expect(receiver.calls).toHaveLength(0);
    const described = await server.sm.send(new DescribeSecretCommand({ SecretId: 'scheduled' }));
    expect(described).toMatchObject({
      RotationEnabled: true,
      RotationRules: { ScheduleExpression: 'rate(3 days)' },
    });
    expect(described.NextRotationDate?.getTime()).toBe(clock.now() + 3 * 86_400_000);
  });

  it('refuses bad RotationRules as AWS does', async () => {
    for (const rules of [
      { AutomaticallyAfterDays: 1, ScheduleExpression: 'rate(1 day)' },
      { ScheduleExpression: 'rate(1 hour)' },
      { ScheduleExpression: 'cron(30 4 * * ? *)' },
      { ScheduleExpression: 'cron(0 4 30 FEB ? *)' },
      { ScheduleExpression: 'rate(1 day)', Duration: '25h' },
    ]) {
      await expectAwsError(
        server.sm.send(new RotateSecretCommand({ SecretId: 'scheduled', RotationRules: rules })),
        'InvalidParameterException',
      );
    }
  });

  it('cancels automatic rotation', async () => {
    await server.sm.send(new CancelRotateSecretCommand({ SecretId: 'scheduled' }));
    const described = await server.sm.send(new DescribeSecretCommand({ SecretId: 'scheduled' }));
    expect(described.RotationEnabled).toBe(false);
    expect(described.NextRotationDate).toBeUndefined();
  });
});
