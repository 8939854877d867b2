/** `tessera rotation …`, run as a child process against a real server and a real webhook receiver. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../server/test/fakes/webhook-receiver.js';
import type { ApiServer } from './helpers.js';
import { Sandbox, startApiServer } from './helpers.js';

let server: ApiServer;
let sandbox: Sandbox;
let receiver: WebhookReceiver;

beforeAll(async () => {
  server = await startApiServer({ env: { TESSERA_ROTATION_TICK_SECONDS: '0' } });
  sandbox = new Sandbox(server.baseUrl);
  receiver = new WebhookReceiver();
  await receiver.start();
});

afterAll(async () => {
  sandbox.remove();
  await server.stop();
  await receiver.stop();
});

describe('tessera rotation', () => {
  it('registers a webhook, rotates, shows the status and the policy', async () => {
    const created = await sandbox.tessera([
      'rotation',
      'webhook',
      'create',
      'cli-hook',
      '--url',
      receiver.url,
    ]);
    expect(created.code, created.stderr).toBe(0);
    receiver.signingKey = Buffer.from(created.stdout.trim(), 'base64');
    expect(receiver.signingKey).toHaveLength(32);
    expect(created.stderr).toContain('shown only now');
    const listed = await sandbox.tessera(['rotation', 'webhook', 'list']);
    expect(listed.stdout).toContain('cli-hook');
    expect(listed.stdout).not.toContain(created.stdout.trim());

    await server.client('openapi-acs3').call('CreateSecret', {
      SecretName: 'cli/rotating',
      VersionId: 'v1',
      SecretData: 'old',
      ExtendedConfig: '{"RotationWebhook":"cli-hook"}',
    });

    receiver.handler = (call) =>
      call.step === 'set' ? { status: 502 } : { status: 200, body: { value: 'new' } };
    const rotated = await sandbox.tessera(['rotation', 'rotate', 'cli/rotating', '--version-id', 'r1']);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('started (version r1)');
    await server.instance.tessera.services.rotation.settle();

    const failing = await sandbox.tessera(['rotation', 'status', 'cli/rotating', '--json']);
    expect(failing.code, failing.stderr).toBe(0);
    expect(JSON.parse(failing.stdout)).toMatchObject({
      rotationStatus: 'Retrying',
      rotationStep: 'set',
      rotationAttempts: 1,
      lastRotationError: expect.stringContaining('HTTP 502') as string,
    });
    const table = await sandbox.tessera(['rotation', 'status', 'cli/rotating']);
    expect(table.stdout).toMatch(/Last run\s+Retrying/);
    expect(table.stdout).toMatch(/Error\s+The rotation webhook "cli-hook" answered HTTP 502/);

    const policy = await sandbox.tessera(['rotation', 'policy', 'cli/rotating', '--interval', '30d']);
    expect(policy.code, policy.stderr).toBe(0);
    expect(policy.stdout).toContain('rotates every 30d;');
    const hours = await sandbox.tessera(['rotation', 'policy', 'cli/rotating', '--interval', '36h']);
    expect(hours.stdout).toContain('rotates every 36h;'); // in the unit given, not 129600s
    const described = await sandbox.tessera(['rotation', 'status', 'cli/rotating']);
    expect(described.stdout).toMatch(/Interval\s+36h\n/);
    const bad = await sandbox.tessera(['rotation', 'policy', 'cli/rotating', '--interval', '1h']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('RotationInterval');
    const off = await sandbox.tessera(['rotation', 'policy', 'cli/rotating', '--disable']);
    expect(off.stdout).toContain('is off');
    const usage = await sandbox.tessera(['rotation', 'policy', 'cli/rotating']);
    expect(usage.code).toBe(2);

    // A webhook that secrets are bound to stays until they are gone.
    const inUse = await sandbox.tessera(['rotation', 'webhook', 'delete', 'cli-hook']);
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toContain('cli/rotating');
    await server.client('openapi-acs3').call('DeleteSecret', {
      SecretName: 'cli/rotating',
      ForceDeleteWithoutRecovery: 'true',
    });
    const deleted = await sandbox.tessera(['rotation', 'webhook', 'delete', 'cli-hook']);
    expect(deleted.code, deleted.stderr).toBe(0);
  });

  it('says so when a secret has no rotator', async () => {
    await server.client('openapi-acs3').call('CreateSecret', {
      SecretName: 'cli/plain',
      VersionId: 'v1',
      SecretData: 'x',
    });
    const shown = await sandbox.tessera(['rotation', 'status', 'cli/plain']);
    expect(shown.stdout).toContain('no rotator serves this secret');
    const refused = await sandbox.tessera(['rotation', 'rotate', 'cli/plain']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Rejected.UnsupportedOperation');
  });
});
