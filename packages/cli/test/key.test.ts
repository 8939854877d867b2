/** `tessera key …`, run as a child process against a real server: rotation now and automatic, re-wrap. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import { Sandbox, startApiServer } from './helpers.js';

let server: ApiServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startApiServer({ env: { TESSERA_ROTATION_TICK_SECONDS: '0' } });
  sandbox = new Sandbox(server.baseUrl);
});

afterAll(async () => {
  sandbox.remove();
  await server.stop();
});

describe('tessera key', () => {
  it('rotates a key, sets its automatic rotation, and re-wraps the secrets under it', async () => {
    const api = server.client('openapi-acs3');
    const keyId = ((await api.call('CreateKey', {})).KeyMetadata as { KeyId: string }).KeyId;
    await api.call('CreateAlias', { AliasName: 'alias/cli-key', KeyId: keyId });
    await api.call('CreateSecret', {
      SecretName: 'cli/under-key',
      VersionId: 'v1',
      SecretData: 'kept',
      EncryptionKeyId: keyId,
    });

    const rotated = await sandbox.tessera(['key', 'rotate', 'alias/cli-key']);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(new RegExp(`^new version [0-9a-f-]{36} of ${keyId} is primary\\n$`));

    const policy = await sandbox.tessera(['key', 'rotation', keyId, '--interval', '90d']);
    expect(policy.code, policy.stderr).toBe(0);
    expect(policy.stdout).toMatch(/Automatic rotation\s+Enabled/);
    expect(policy.stdout).toMatch(/Interval\s+7776000s/);
    expect(policy.stdout.match(/Version /g)).toHaveLength(2);
    expect(policy.stdout).toContain('(primary)');

    const rewrapped = await sandbox.tessera(['key', 'rewrap', '--json']);
    expect(rewrapped.code, rewrapped.stderr).toBe(0);
    const counts = JSON.parse(rewrapped.stdout) as Record<string, number>;
    expect(counts.rewrapped).toBe(1);
    expect(counts.failed).toBe(0);
    const again = await sandbox.tessera(['key', 'rewrap']);
    expect(again.stdout).toMatch(/^re-wrapped 0 of \d+ data keys/);
    expect((await api.call('GetSecretValue', { SecretName: 'cli/under-key' })).SecretData).toBe('kept');

    const off = await sandbox.tessera(['key', 'rotation', keyId, '--disable']);
    expect(off.stdout).toMatch(/Automatic rotation\s+Disabled/);
  });

  it('refuses bad usage with exit 2 and an API error with its code', async () => {
    const usage = await sandbox.tessera(['key', 'rotation', 'some-key']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--interval');
    const missing = await sandbox.tessera(['key', 'status', 'key-doesnotexist']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Forbidden.KeyNotFound');
    const tooShort = await sandbox.tessera(['key', 'rotation', 'alias/cli-key', '--interval', '1d']);
    expect(tooShort.stderr).toContain('7d to 365d');
  });
});
