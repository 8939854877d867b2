/**
 * `tessera root-key rotate` as a process against real servers: refused while the server runs; with the
 * server stopped it re-seals everything, replaces the key file, and the server then answers the same
 * values (secrets, a CMK's ciphertext) with a verified chain while the old key no longer starts it.
 * Killed at random moments, it leaves the store wholly under one key: exactly one of the two keys
 * starts the server, and everything reads back.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLI_ENTRY, Sandbox } from './helpers.js';
import { ADMIN_ID, ADMIN_SECRET, createDatabase, fingerprint, seed, startServer } from './ops-harness.js';
import type { RunningServer } from './ops-harness.js';

let sandbox: Sandbox;

beforeAll(() => {
  sandbox = new Sandbox();
});

afterAll(() => {
  sandbox.remove();
});

const newKey = (): string => randomBytes(32).toString('base64');

describe('tessera root-key rotate', () => {
  it('re-seals a stopped server’s store under a new key; the old key opens nothing; a kill midway leaves one whole key', async () => {
    const keyFile = join(sandbox.root, 'keys', 'root.key');
    mkdirSync(join(sandbox.root, 'keys'), { mode: 0o700 });
    const oldKey = newKey();
    writeFileSync(keyFile, `${oldKey}\n`, { mode: 0o600 });
    const settings = { TESSERA_DATA_DIR: join(sandbox.root, 'data'), TESSERA_ROOT_KEY_FILE: keyFile };

    let server: RunningServer | undefined = await startServer(settings);
    const names = await seed(server.client);
    const created = await server.client.call('CreateKey', { Description: 'cmk' });
    const keyId = (created.KeyMetadata as { KeyId: string }).KeyId;
    const encrypted = await server.client.call('Encrypt', {
      KeyId: keyId,
      Plaintext: Buffer.from('under a cmk').toString('base64'),
    });
    const blob = String(encrypted.CiphertextBlob);
    const expected = await fingerprint(server.client, names);
    const readsBack = async (running: RunningServer): Promise<void> => {
      expect(await fingerprint(running.client, names)).toEqual(expected);
      const decrypted = await running.client.call('Decrypt', { CiphertextBlob: blob });
      expect(Buffer.from(String(decrypted.Plaintext), 'base64').toString()).toBe('under a cmk');
      const verified = await sandbox.tessera(['audit', 'verify'], {
        env: {
          TESSERA_ENDPOINT: running.address,
          ALIBABA_CLOUD_ACCESS_KEY_ID: ADMIN_ID,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: ADMIN_SECRET,
        },
      });
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    };

    const nextKeyFile = join(sandbox.root, 'keys', 'next.key');
    const nextKey = newKey();
    writeFileSync(nextKeyFile, `${nextKey}\n`, { mode: 0o600 });
    const whileRunning = await sandbox.bare(['root-key', 'rotate', '--new-key-file', nextKeyFile], {
      env: settings,
    });
    expect(whileRunning.code).toBe(4);
    expect(whileRunning.stderr).toMatch(/in use by another Tessera process: server pid \d+/);

    await server.stop();
    const rotated = await sandbox.bare(['root-key', 'rotate', '--new-key-file', nextKeyFile], {
      env: settings,
    });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(
      /^re-sealed under the new root key: 2 key versions, 1 access-key secrets, 0 webhook signing keys, 0 MFA secrets, \d+ audit records re-linked\n/,
    );
    expect(rotated.stdout).toContain(`the key file ${keyFile} now holds the new key`);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(nextKey);

    await expect(
      startServer({ TESSERA_DATA_DIR: settings.TESSERA_DATA_DIR, TESSERA_ROOT_KEY: oldKey }),
    ).rejects.toThrow('does not match');
    server = await startServer(settings);
    await readsBack(server);
    // The sealed audit head was sealed again under the new key: the start finds nothing to report.
    expect(server.log()).not.toMatch(/sealed audit head|sealed head/);
    await server.stop();

    // The new key from the environment instead of a file.
    const third = newKey();
    const fromEnv = await sandbox.bare(['root-key', 'rotate'], {
      env: { ...settings, TESSERA_NEW_ROOT_KEY: third },
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(third);

    // Killed at moments from start-up to the transaction: one key opens everything, the other nothing.
    let current = third;
    for (const delayMs of [150, 300, 450, 600, 800]) {
      const candidate = newKey();
      const child = spawn(process.execPath, [CLI_ENTRY, 'root-key', 'rotate'], {
        env: { ...sandbox.env({}, false), ...settings, TESSERA_NEW_ROOT_KEY: candidate },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill('SIGKILL');
      await exited;
      const opened: string[] = [];
      for (const key of [current, candidate]) {
        try {
          const running = await startServer({
            TESSERA_DATA_DIR: settings.TESSERA_DATA_DIR,
            TESSERA_ROOT_KEY: key,
          });
          try {
            await readsBack(running);
          } finally {
            await running.stop();
          }
          opened.push(key);
        } catch (error) {
          if (!String(error).includes('does not match')) throw error;
        }
      }
      expect(opened.length, `after a kill at ${delayMs} ms`).toBe(1);
      current = opened[0] ?? current;
      writeFileSync(keyFile, `${current}\n`, { mode: 0o600 });
    }
  });

  it('on PostgreSQL: refused while a node holds the scheduler lease, done once every node is stopped', async () => {
    const database = await createDatabase();
    try {
      const oldKey = newKey();
      const settings = {
        TESSERA_DATA_DIR: join(sandbox.root, 'pg-node'),
        TESSERA_DATABASE_URL: database.url,
        TESSERA_ROOT_KEY: oldKey,
      };
      const node = await startServer({ ...settings, TESSERA_ROTATION_TICK_SECONDS: '1' });
      const names = await seed(node.client);
      const expected = await fingerprint(node.client, names);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const next = newKey();
      const refused = await sandbox.bare(['root-key', 'rotate'], {
        env: { ...settings, TESSERA_NEW_ROOT_KEY: next },
      });
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain('holds the rotation scheduler lease');
      await node.stop();
      const rotated = await sandbox.bare(['root-key', 'rotate'], {
        env: { ...settings, TESSERA_NEW_ROOT_KEY: next },
      });
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.stdout).toContain('set TESSERA_ROOT_KEY to the new key before starting the server');
      const after = await startServer({ ...settings, TESSERA_ROOT_KEY: next });
      try {
        expect(await fingerprint(after.client, names)).toEqual(expected);
      } finally {
        await after.stop();
      }
    } finally {
      await database.drop();
    }
  });
});
