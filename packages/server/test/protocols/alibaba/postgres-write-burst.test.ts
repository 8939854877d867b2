/**
 * A burst of guarded writes on PostgreSQL, more at once than the pool has connections: each write's
 * access check may read policies (always with caches off, as here; with them on after an entry aged
 * out or a reconnect emptied them), and
 * that check once ran inside the write's transaction, so every pooled connection ended up held by a
 * transaction waiting for one more connection until the pool's connect timeout (issue 14's benchmark
 * found it). Checked before the transaction opens, every write of the burst succeeds.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_POSTGRES_POOL_SIZE } from '../../../src/storage/postgres.js';
import type { ApiServer } from './harness.js';
import { startApiServer } from './harness.js';

const ADMIN_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = `tessera_test_${randomBytes(6).toString('hex')}`;
const BURST = DEFAULT_POSTGRES_POOL_SIZE * 4;

async function onAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

let server: ApiServer;

beforeAll(async () => {
  await onAdmin(`create database ${DATABASE}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  server = await startApiServer({
    env: {
      TESSERA_DATABASE_URL: url.toString(),
      TESSERA_ROOT_KEY: randomBytes(32).toString('base64'),
      TESSERA_ROTATION_TICK_SECONDS: '0',
      // Caches off: every access check reads its policies, as after a cache entry aged out.
      TESSERA_CACHE_MAX_STALENESS_MS: '0',
    },
  });
});

afterAll(async () => {
  await server.stop();
  await onAdmin(`drop database if exists ${DATABASE} with (force)`);
});

it(`answers ${BURST} concurrent UpdateSecretVersionStage calls with a pool of ${DEFAULT_POSTGRES_POOL_SIZE}`, async () => {
  const admin = server.client('pop-core-post');
  const names = Array.from({ length: BURST }, (_, i) => `burst/${i}`);
  for (const name of names) {
    await admin.call('CreateSecret', { SecretName: name, VersionId: 'v1', SecretData: 'one' });
    await admin.call('PutSecretValue', { SecretName: name, VersionId: 'v2', SecretData: 'two' });
  }
  for (const round of ['v1', 'v2']) {
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      names.map((name) =>
        admin.call('UpdateSecretVersionStage', {
          SecretName: name,
          VersionStage: 'ACSCurrent',
          MoveToVersion: round,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    // Far below the pool's connect timeout, which a deadlocked burst would wait out.
    expect(performance.now() - started).toBeLessThan(8_000);
  }
  const current = await admin.call('GetSecretValue', { SecretName: names[0] });
  expect(current.VersionId).toBe('v2');
}, 60_000);
