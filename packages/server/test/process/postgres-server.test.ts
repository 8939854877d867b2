/**
 * The server with `TESSERA_DATABASE_URL`: its store is the real PostgreSQL on 127.0.0.1:5432 (user
 * `postgres`, trust; override with TESSERA_TEST_POSTGRES_URL), in a database this run creates and
 * drops. Two nodes share it: one in this process (the API harness), one the built server as a process.
 * An unreachable server fails the run, never skips it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DATABASE_FILE } from '../../src/app.js';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  clientsFor,
  startApiServer,
} from '../protocols/alibaba/harness.js';
import { tempDir } from '../helpers.js';
import { spawnServer, waitForLog } from './run-server.js';

const ADMIN_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = `tessera_test_${randomBytes(6).toString('hex')}`;
const databaseUrl = (): string => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
};

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${ADMIN_URL} (these tests need it; set TESSERA_TEST_POSTGRES_URL ` +
        `to another server): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`create database ${DATABASE}`);
});

afterAll(async () => {
  await admin(`drop database if exists ${DATABASE} with (force)`);
});

describe('the server on PostgreSQL (TESSERA_DATABASE_URL)', () => {
  it('answers CreateSecret and GetSecretValue, and a second node process shares its secrets', async () => {
    const env = {
      TESSERA_DATABASE_URL: databaseUrl(),
      TESSERA_ROOT_KEY: randomBytes(32).toString('base64'),
    };
    const first = await startApiServer({ env });
    const dir = tempDir();
    const second = spawnServer({
      ...env,
      TESSERA_DATA_DIR: dir.path,
      TESSERA_PORT: '0',
      TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
      TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
    });
    try {
      for (const client of first.clients) {
        const name = `pg/${client.name}`;
        const created = await client.call('CreateSecret', {
          SecretName: name,
          VersionId: 'v1',
          SecretData: `value of ${name}`,
        });
        expect(created.SecretName).toBe(name);
        const read = await client.call('GetSecretValue', { SecretName: name });
        expect(read).toMatchObject({ SecretName: name, VersionId: 'v1', SecretData: `value of ${name}` });
      }
      // The store is PostgreSQL, not a SQLite file in the data folder.
      expect(existsSync(join(first.instance.dataDir, DATABASE_FILE))).toBe(false);

      const ready = await waitForLog(second, (line) => line.msg === 'tessera is ready');
      const baseUrl = String(ready.address);
      const node = { baseUrl, endpoint: baseUrl.replace(/^http:\/\//, '') };
      const credentials = { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET };
      for (const client of clientsFor(node, credentials)) {
        const read = await client.call('GetSecretValue', { SecretName: `pg/${client.name}` });
        expect(read.SecretData).toBe(`value of pg/${client.name}`);
      }
      const [secondClient] = clientsFor(node, credentials);
      await secondClient?.call('PutSecretValue', {
        SecretName: 'pg/kms20160120',
        VersionId: 'v2',
        SecretData: 'written by the second node',
      });
      const current = await first
        .client('openapi-acs3')
        .call('GetSecretValue', { SecretName: 'pg/kms20160120' });
      expect(current).toMatchObject({ VersionId: 'v2', SecretData: 'written by the second node' });
      expect(existsSync(join(dir.path, DATABASE_FILE))).toBe(false);

      // A key disabled on one node stops reads on the other within the caches' staleness bound
      // (TESSERA_CACHE_MAX_STALENESS_MS, 1,000 ms by default): the change feed tells it (docs/caching.md).
      const firstApi = first.client('pop-core-post');
      const { KeyId: keyId } = (await firstApi.call('CreateKey', {})).KeyMetadata as { KeyId: string };
      await firstApi.call('CreateSecret', {
        SecretName: 'pg/under-cmk',
        VersionId: 'v1',
        SecretData: 'sealed under a CMK',
        EncryptionKeyId: keyId,
      });
      const secondRead = () => secondClient?.call('GetSecretValue', { SecretName: 'pg/under-cmk' });
      expect((await secondRead())?.SecretData).toBe('sealed under a CMK');
      await firstApi.call('DisableKey', { KeyId: keyId });
      const disabledAt = performance.now();
      for (;;) {
        const started = performance.now() - disabledAt;
        const refused = await Promise.resolve(secondRead()).then(
          () => false,
          (error: unknown) => (error as { code?: string }).code === 'Rejected.Disabled',
        );
        if (refused) break;
        expect(started, 'a read that started after the bound still used the key').toBeLessThan(1000);
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
      await first.stop();
      dir.remove();
    }
  });
});
