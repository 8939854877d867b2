/** `tessera user`, `tessera access-key` and `tessera policy`, run as child processes against a real server. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import { Sandbox, startApiServer } from './helpers.js';

let server: ApiServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startApiServer();
  sandbox = new Sandbox(server.baseUrl);
});

afterAll(async () => {
  sandbox.remove();
  await server.stop();
});

const DOCUMENT = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'kms:DescribeRegions', Resource: '*' }],
});

async function ok(args: string[], input?: string) {
  const result = await sandbox.tessera(args, input === undefined ? {} : { input });
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

describe('tessera user', () => {
  it('creates, shows, lists, updates and deletes a user', async () => {
    const created = await ok(['user', 'create', 'cli-alice', '--display-name', 'Alice', '--comments', 'ops']);
    expect(created.stdout).toMatch(/^User name:\s+cli-alice$/m);
    expect(created.stdout).toMatch(/^Display name:\s+Alice$/m);
    const json = JSON.parse((await ok(['user', 'get', 'cli-alice', '--json'])).stdout) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ userName: 'cli-alice', displayName: 'Alice', comments: 'ops' });
    const list = await ok(['user', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^USER NAME\s+DISPLAY NAME\s+USER ID\s+CREATED/);
    expect(list.stdout).toMatch(/^administrator\s/m);
    expect(list.stdout).toMatch(/^cli-alice\s+Alice\s+\d{16}\s/m);
    const renamed = await ok(['user', 'update', 'cli-alice', '--new-name', 'cli-alice2']);
    expect(renamed.stdout).toMatch(/^User name:\s+cli-alice2$/m);
    await ok(['user', 'delete', 'cli-alice2']);
    const gone = await sandbox.tessera(['user', 'get', 'cli-alice2']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('EntityNotExist.User');
  });

  it('exits 2 on usage errors and 1 on API errors', async () => {
    const missing = await sandbox.tessera(['user', 'create']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing NAME');
    expect((await sandbox.tessera(['user', 'frobnicate'])).code).toBe(2);
    expect((await sandbox.tessera(['user', 'update', 'administrator'])).code).toBe(2);
    const bad = await sandbox.tessera(['user', 'create', 'bad name']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('InvalidParameter.UserName.InvalidChars');
    const help = await sandbox.tessera(['user', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('tessera user create NAME');
    expect(help.stdout).toContain('Exit status:');
  });
});

describe('tessera user password and mfa', () => {
  const signIn = async (userName: string, password: string) =>
    (
      await fetch(`${server.baseUrl}/console/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName, password }),
      })
    ).json() as Promise<{ Code?: string; userName?: string }>;

  it('sets a console password from stdin, changes it, turns MFA on and off, and removes it', async () => {
    await ok(['user', 'create', 'cli-console']);
    const set = await ok(['user', 'password', 'cli-console'], 'first-console-pw\n');
    expect(set.stdout).toMatch(/^User name:\s+cli-console$/m);
    expect(set.stdout).not.toContain('first-console-pw');
    expect(await signIn('cli-console', 'first-console-pw')).toMatchObject({ userName: 'cli-console' });
    await ok(['user', 'password', 'cli-console'], 'second-console-pw');
    expect(await signIn('cli-console', 'first-console-pw')).toMatchObject({ Code: 'InvalidCredentials' });
    expect(await signIn('cli-console', 'second-console-pw')).toMatchObject({ userName: 'cli-console' });

    const enabled = await ok(['user', 'mfa', 'enable', 'cli-console']);
    expect(enabled.stdout).toMatch(/^Secret:\s+[A-Z2-7]{32}$/m);
    expect(enabled.stdout).toMatch(/^URI:\s+otpauth:\/\/totp\//m);
    expect(await signIn('cli-console', 'second-console-pw')).toMatchObject({ Code: 'MfaCodeRequired' });
    await ok(['user', 'mfa', 'disable', 'cli-console']);
    expect(await signIn('cli-console', 'second-console-pw')).toMatchObject({ userName: 'cli-console' });

    await ok(['user', 'password', 'cli-console', '--remove']);
    expect(await signIn('cli-console', 'second-console-pw')).toMatchObject({ Code: 'InvalidCredentials' });
    const short = await sandbox.tessera(['user', 'password', 'cli-console'], { input: 'short' });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('8–128 characters');
    expect((await sandbox.tessera(['user', 'mfa', 'sideways', 'cli-console'])).code).toBe(2);
  });
});

describe('tessera access-key', () => {
  it('creates a key shown once, lists it without its secret, deactivates it and deletes it', async () => {
    await ok(['user', 'create', 'cli-keys']);
    const created = JSON.parse(
      (await ok(['access-key', 'create', '--user', 'cli-keys', '--json'])).stdout,
    ) as {
      accessKeyId: string;
      accessKeySecret: string;
      status: string;
    };
    expect(created.status).toBe('Active');
    expect(created.accessKeySecret).toHaveLength(30);

    // The new key works for the CLI itself.
    const asUser = await sandbox.tessera(['kms', 'DescribeRegions'], {
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: created.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: created.accessKeySecret,
      },
    });
    expect(asUser.code, asUser.stderr).toBe(0);
    const refused = await sandbox.tessera(['user', 'list'], {
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: created.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: created.accessKeySecret,
      },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('NoPermission');

    const list = await ok(['access-key', 'list', '--user', 'cli-keys']);
    expect(list.stdout).toMatch(new RegExp(`^${created.accessKeyId}\\s+Active\\s`, 'm'));
    expect(list.stdout).not.toContain(created.accessKeySecret);
    await ok(['access-key', 'create', '--user', 'cli-keys']);
    const third = await sandbox.tessera(['access-key', 'create', '--user', 'cli-keys']);
    expect(third.code).toBe(1);
    expect(third.stderr).toContain('LimitExceeded.User.AccessKey');

    await ok(['access-key', 'update', created.accessKeyId, '--status', 'inactive', '--user', 'cli-keys']);
    expect((await ok(['access-key', 'list', '--user', 'cli-keys'])).stdout).toMatch(
      new RegExp(`^${created.accessKeyId}\\s+Inactive\\s`, 'm'),
    );
    expect(
      (await sandbox.tessera(['access-key', 'update', created.accessKeyId, '--user', 'cli-keys'])).code,
    ).toBe(2);
    await ok(['access-key', 'delete', created.accessKeyId, '--user', 'cli-keys']);
    const again = await sandbox.tessera(['access-key', 'delete', created.accessKeyId, '--user', 'cli-keys']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('EntityNotExist.User.AccessKey');
  });
});

describe('tessera policy', () => {
  it('creates a policy from a file or stdin, attaches, lists, detaches and deletes it', async () => {
    const file = join(sandbox.root, 'policy.json');
    writeFileSync(file, DOCUMENT);
    await ok(['user', 'create', 'cli-policy-user']);
    const created = await ok(['policy', 'create', 'cli-regions', '--file', file, '--description', 'regions']);
    expect(created.stdout).toMatch(/^Type:\s+Custom$/m);
    await ok(['policy', 'create', 'cli-stdin', '--file', '-'], DOCUMENT);
    const got = await ok(['policy', 'get', 'cli-stdin']);
    expect(got.stdout).toContain('"kms:DescribeRegions"');

    await ok(['policy', 'attach', 'cli-regions', '--user', 'cli-policy-user']);
    await ok([
      'policy',
      'attach',
      'AliyunKMSReadOnlyAccess',
      '--type',
      'System',
      '--user',
      'cli-policy-user',
    ]);
    const attached = await ok(['user', 'policies', 'cli-policy-user']);
    expect(attached.stdout).toMatch(/^cli-regions\s+Custom\s/m);
    expect(attached.stdout).toMatch(/^AliyunKMSReadOnlyAccess\s+System\s/m);
    const listed = await ok(['policy', 'list', '--type', 'custom']);
    expect(listed.stdout).toMatch(/^cli-regions\s+Custom\s+1\s+regions$/m);
    expect(listed.stdout).not.toContain('AdministratorAccess');

    const inUse = await sandbox.tessera(['policy', 'delete', 'cli-regions']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('DeleteConflict.Policy.User');
    await ok(['policy', 'detach', 'cli-regions', '--user', 'cli-policy-user']);
    await ok([
      'policy',
      'detach',
      'AliyunKMSReadOnlyAccess',
      '--type',
      'system',
      '--user',
      'cli-policy-user',
    ]);
    await ok(['policy', 'delete', 'cli-regions']);
    expect((await ok(['user', 'policies', 'cli-policy-user', '--json'])).stdout.trim()).toBe('[]');
  });

  it('refuses a malformed document with exit 1 and bad command lines with exit 2', async () => {
    const file = join(sandbox.root, 'bad.json');
    writeFileSync(file, '{"Version":"1","Statement":[{"Effect":"Allow"}]}');
    const malformed = await sandbox.tessera(['policy', 'create', 'cli-bad', '--file', file]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('MalformedPolicyDocument');
    expect((await sandbox.tessera(['policy', 'create', 'cli-bad'])).code).toBe(2);
    expect(
      (await sandbox.tessera(['policy', 'create', 'cli-bad', '--file', join(sandbox.root, 'none')])).code,
    ).toBe(2);
    expect((await sandbox.tessera(['policy', 'attach', 'cli-bad'])).code).toBe(2);
    expect((await sandbox.tessera(['policy', 'get', 'x', '--type', 'Weird'])).code).toBe(2);
  });
});
