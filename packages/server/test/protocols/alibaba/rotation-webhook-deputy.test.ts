/**
 * The third way a narrow RAM user made Tessera use a credential the user may not read
 * (docs/threat-model.md): binding someone else's secret to one's own rotation webhook. Refused end to
 * end with a real `node:http` receiver that must never be called; and a webhook deleted and registered
 * again under a bound name is refused at run time.
 */
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../src/app.js';
import type { WebhookReceiver } from '../../fakes/webhook-receiver.js';
import type { ApiClient, ApiServer } from './harness.js';
import { errorOf, expectFailure, startApiServer } from './harness.js';
import { allow, ramUser, ROTATION_TEST_ENV, secretResource, startReceiver } from './rotation-attack-kit.js';

let server: ApiServer;
let admin: ApiClient;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startApiServer({ env: ROTATION_TEST_ENV });
  admin = server.client('pop-core-post');
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await server.stop();
});

async function rotate(client: ApiClient, name: string, versionId: string): Promise<void> {
  await client.call('RotateSecret', { SecretName: name, VersionId: versionId });
  await server.instance.tessera.services.rotation.settle();
}

describe('webhooks', () => {
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startReceiver('attacker-chosen');
  });

  afterAll(async () => {
    await receiver.stop();
  });

  it("hole 3: binding a secret one cannot read to one's own webhook is refused; the webhook is never called", async () => {
    await admin.call('CreateSecret', {
      SecretName: 'team/token',
      VersionId: 'v1',
      SecretData: 'TeamSecret0',
    });
    const attacker = await ramUser(
      server,
      allow(['kms:CreateRotationWebhook'], ['*']),
      allow(['kms:UpdateSecret', 'kms:RotateSecret', 'kms:DescribeSecret'], [secretResource('team/*')]),
    );
    const hook = await attacker.call('CreateRotationWebhook', {
      WebhookName: 'attacker-hook',
      Url: receiver.url,
    });
    receiver.signingKey = Buffer.from(hook.SigningKey as string, 'base64');
    await expectFailure(
      attacker.call('UpdateSecret', {
        SecretName: 'team/token',
        ExtendedConfig: JSON.stringify({ RotationWebhook: 'attacker-hook' }),
      }),
      403,
      'Forbidden.NoPermission',
    );
    await errorOf(attacker.call('RotateSecret', { SecretName: 'team/token', VersionId: 'r1' }));
    await server.instance.tessera.services.rotation.settle();
    expect(receiver.calls).toHaveLength(0);
    const value = await admin.call('GetSecretValue', { SecretName: 'team/token' });
    expect(value).toMatchObject({ SecretData: 'TeamSecret0', VersionId: 'v1' });
    expect((await admin.call('DescribeSecret', { SecretName: 'team/token' })).ExtendedConfig).toBeUndefined();
  });

  it('a bound webhook cannot be deleted, and one re-created under its name is refused at run time', async () => {
    const owner = await startReceiver('owner-value');
    cleanups.push(() => owner.stop());
    const created = await admin.call('CreateRotationWebhook', { WebhookName: 'ops-hook', Url: owner.url });
    owner.signingKey = Buffer.from(created.SigningKey as string, 'base64');
    await admin.call('CreateSecret', {
      SecretName: 'ops/token',
      VersionId: 'v1',
      SecretData: 'OpsSecret0',
      ExtendedConfig: JSON.stringify({ RotationWebhook: 'ops-hook' }),
    });
    const attacker = await ramUser(
      server,
      allow(['kms:CreateRotationWebhook', 'kms:DeleteRotationWebhook'], ['*']),
    );
    await expectFailure(
      attacker.call('DeleteRotationWebhook', { WebhookName: 'ops-hook' }),
      409,
      'Rejected.ResourceInUse',
    );
    // Were it gone anyway (a path that skipped the check), a re-created one under the name gets nothing.
    const database = new BetterSqlite3(join(server.instance.dataDir, DATABASE_FILE));
    database.prepare('DELETE FROM rotation_webhooks WHERE name = ?').run('ops-hook');
    database.close();
    await attacker.call('CreateRotationWebhook', { WebhookName: 'ops-hook', Url: receiver.url });
    await rotate(admin, 'ops/token', 'r1');
    expect(receiver.calls).toHaveLength(0);
    expect(owner.calls).toHaveLength(0);
    const described = await admin.call('DescribeSecret', { SecretName: 'ops/token' });
    expect(described).toMatchObject({ RotationStatus: 'Failed', LastRotationErrorStep: 'create' });
    expect(String(described.LastRotationError)).toContain('not what this secret');
    expect(await admin.call('GetSecretValue', { SecretName: 'ops/token' })).toMatchObject({
      SecretData: 'OpsSecret0',
    });
  });
});
