import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StartupError } from '../../src/app.js';
import { BOOTSTRAP_CREDENTIALS_FILE } from '../../src/services/access-key-service.js';
import { startTessera, tempDir } from '../helpers.js';

describe('server process in-process', () => {
  it('serves /healthz 200 on a fresh data folder', async () => {
    const instance = await startTessera();
    try {
      const base = await instance.tessera.listen();
      const response = await fetch(`${base}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await instance.stop();
    }
  });

  it('generates a root key (0600, with a warning) and bootstrap credentials (0600, id logged, secret never)', async () => {
    const instance = await startTessera();
    try {
      const keyFile = join(instance.dataDir, 'root.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(instance.logs.text).toMatch(/generated a new root key.*production should supply its own/);

      const credentialsFile = join(instance.dataDir, BOOTSTRAP_CREDENTIALS_FILE);
      expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
      const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as {
        AccessKeyId: string;
        AccessKeySecret: string;
      };
      expect(instance.logs.text).toContain(credentials.AccessKeyId);
      expect(instance.logs.text).not.toContain(credentials.AccessKeySecret);
      const resolved = await instance.tessera.services.accessKeys.resolve(credentials.AccessKeyId);
      expect(resolved).toMatchObject({
        userName: 'administrator',
        status: 'active',
        secret: credentials.AccessKeySecret,
      });
    } finally {
      await instance.stop();
    }
  });

  it('writes the bootstrap credentials to a new private file, never through a file or link already there', async () => {
    const outside = tempDir();
    const dir = tempDir();
    try {
      const elsewhere = join(outside.path, 'elsewhere.json');
      writeFileSync(elsewhere, 'not for secrets\n', { mode: 0o644 });
      symlinkSync(elsewhere, join(dir.path, BOOTSTRAP_CREDENTIALS_FILE));
      const instance = await startTessera({ dataDir: dir.path, keepData: true });
      await instance.stop();
      expect(readFileSync(elsewhere, 'utf8')).toBe('not for secrets\n');
      const credentialsFile = join(dir.path, BOOTSTRAP_CREDENTIALS_FILE);
      expect(lstatSync(credentialsFile).isFile()).toBe(true);
      expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(credentialsFile, 'utf8')).toContain('AccessKeySecret');
    } finally {
      dir.remove();
      outside.remove();
    }
  });

  it('takes the bootstrap key from the environment and writes no credentials file', async () => {
    const env = {
      TESSERA_ROOT_ACCESS_KEY_ID: 'TestAdmin01',
      TESSERA_ROOT_ACCESS_KEY_SECRET: 'test-admin-secret-0001',
    };
    const instance = await startTessera({ env });
    try {
      expect(() => statSync(join(instance.dataDir, BOOTSTRAP_CREDENTIALS_FILE))).toThrow();
      expect((await instance.tessera.services.accessKeys.resolve('TestAdmin01'))?.secret).toBe(
        'test-admin-secret-0001',
      );
      expect(instance.logs.text).not.toContain('test-admin-secret-0001');
    } finally {
      await instance.stop();
    }
  });

  it('keeps data across restarts and refuses to start with another root key', async () => {
    const dir = tempDir();
    const rootKey = randomBytes(32).toString('base64');
    const first = await startTessera({
      dataDir: dir.path,
      keepData: true,
      env: { TESSERA_ROOT_KEY: rootKey },
    });
    await first.tessera.services.secrets.createSecret({
      name: 'kept',
      versionId: 'v1',
      data: 'still here',
      dataType: 'text',
    });
    const accountId = first.tessera.identity.accountId;
    await first.stop();

    const second = await startTessera({
      dataDir: dir.path,
      keepData: true,
      env: { TESSERA_ROOT_KEY: rootKey },
    });
    expect((await second.tessera.services.secrets.getSecretValue({ name: 'kept' })).data).toBe('still here');
    expect(second.tessera.identity.accountId).toBe(accountId);
    await second.stop();

    await expect(
      startTessera({
        dataDir: dir.path,
        keepData: true,
        env: { TESSERA_ROOT_KEY: randomBytes(32).toString('base64') },
      }),
    ).rejects.toBeInstanceOf(StartupError);
    dir.remove();
  });

  it('finishes in-flight requests on close and refuses new ones', async () => {
    const instance = await startTessera();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    instance.tessera.http.get('/slow', async () => {
      await gate;
      return { finished: true };
    });
    const base = await instance.tessera.listen();
    const inFlight = fetch(`${base}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = instance.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    await closing;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
