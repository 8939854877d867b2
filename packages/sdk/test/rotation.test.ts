/**
 * Rotation through the SDK: a webhook registered and a secret bound to it with the typed client, a
 * rotation started with `rotateSecret`, and a `SecretCache` (on a manual clock) that picks up the
 * rotated credential at its next refresh, without being recreated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../server/test/fakes/webhook-receiver.js';
import type { RefreshEvent } from '../src/index.js';
import { SecretCache } from '../src/index.js';
import { ManualClock } from './fakes/manual-clock.js';
import type { TestServer } from './helpers.js';
import { startServer, uniqueName } from './helpers.js';

let api: TestServer;
let receiver: WebhookReceiver;

beforeAll(async () => {
  api = await startServer();
  receiver = new WebhookReceiver();
  await receiver.start();
});

afterAll(async () => {
  await api.stop();
  await receiver.stop();
});

describe('rotation through the SDK', () => {
  it('SecretCache picks up a rotated credential at its next refresh, without a restart', async () => {
    const client = api.client();
    const hook = await client.createRotationWebhook({ webhookName: uniqueName('hook'), url: receiver.url });
    receiver.signingKey = Buffer.from(hook.signingKey, 'base64');
    receiver.handler = (call) =>
      call.step === 'create' ? { status: 200, body: { value: 'rotated-password' } } : { status: 200 };
    const secretName = uniqueName('rotating');
    await client.createSecret({
      secretName,
      versionId: 'v1',
      secretData: 'first-password',
      extendedConfig: JSON.stringify({ RotationWebhook: hook.webhookName }),
    });

    const clock = new ManualClock();
    let waiting: ((event: RefreshEvent) => void) | undefined;
    const cache = new SecretCache({
      client,
      clock,
      refreshIntervalMs: 60_000,
      onRefresh: (event) => waiting?.(event),
    });
    try {
      expect((await cache.get(secretName)).secretData).toBe('first-password');

      expect(await client.rotateSecret({ secretName, versionId: 'r1' })).toMatchObject({
        secretName,
        versionId: 'r1',
      });
      await api.server.instance.tessera.services.rotation.settle();
      expect(receiver.calls.every((c) => c.signatureValid)).toBe(true);
      const described = await client.describeSecret({ secretName });
      expect(described).toMatchObject({ rotationStatus: 'Succeeded', rotationVersionId: 'r1' });

      // Still the cached value until the refresh interval passes; then the new one, same cache object.
      expect((await cache.get(secretName)).secretData).toBe('first-password');
      const refreshed = new Promise<RefreshEvent>((resolve) => {
        waiting = resolve;
      });
      clock.advance(60_000);
      expect(await refreshed).toMatchObject({ type: 'refreshed', secretName });
      expect(await cache.get(secretName)).toMatchObject({ versionId: 'r1', secretData: 'rotated-password' });
      const both = await cache.getCurrentAndPrevious(secretName);
      expect(both.previous?.secretData).toBe('first-password');
    } finally {
      cache.close();
    }
  });

  it('turns automatic rotation on and off and lists webhooks', async () => {
    const client = api.client();
    const hook = await client.createRotationWebhook({
      webhookName: uniqueName('hook'),
      url: receiver.url,
      timeoutSeconds: 5,
    });
    const secretName = uniqueName('scheduled');
    await client.createSecret({
      secretName,
      versionId: 'v1',
      secretData: 'x',
      extendedConfig: JSON.stringify({ RotationWebhook: hook.webhookName }),
    });
    await client.updateSecretRotationPolicy({
      secretName,
      enableAutomaticRotation: true,
      rotationInterval: '30d',
    });
    expect(await client.describeSecret({ secretName })).toMatchObject({
      automaticRotation: 'Enabled',
      rotationInterval: '2592000s',
    });
    await client.updateSecretRotationPolicy({ secretName, enableAutomaticRotation: false });
    expect((await client.describeSecret({ secretName })).automaticRotation).toBe('Disabled');
    const listed = await client.listRotationWebhooks();
    expect(listed.rotationWebhooks.find((w) => w.webhookName === hook.webhookName)).toMatchObject({
      timeoutSeconds: 5,
    });
    // A webhook that secrets are bound to stays until they are gone.
    await expect(client.deleteRotationWebhook({ webhookName: hook.webhookName })).rejects.toMatchObject({
      code: 'Rejected.ResourceInUse',
    });
    await client.deleteSecret({ secretName, forceDeleteWithoutRecovery: true });
    await client.deleteRotationWebhook({ webhookName: hook.webhookName });
  });
});
