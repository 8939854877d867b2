/**
 * `tessera backup` and `tessera restore` as processes against real servers: a snapshot taken under
 * write load (from a SQLite server, then from a PostgreSQL one) holds every write acknowledged before
 * it began; restored on SQLite, on PostgreSQL and back (the move docs/operations.md describes), the server answers the same values, versions, labels
 * and policies, and the audit chain verifies. Refusals: a non-empty target, another root key, a cut-off
 * file. The file holds no plaintext value.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Sandbox } from './helpers.js';
import type { Result } from './helpers.js';
import { ROOT_KEY, createDatabase, fingerprint, seed, startServer } from './ops-harness.js';
import type { RunningServer } from './ops-harness.js';

let sandbox: Sandbox;
const servers: RunningServer[] = [];
const databases: { drop: () => Promise<void> }[] = [];

beforeAll(() => {
  sandbox = new Sandbox();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await Promise.all(databases.map((database) => database.drop()));
  sandbox.remove();
});

async function serve(env: Record<string, string>): Promise<RunningServer> {
  const server = await startServer({ TESSERA_ROOT_KEY: ROOT_KEY, ...env });
  servers.push(server);
  return server;
}

async function stop(server: RunningServer): Promise<void> {
  await server.stop();
  servers.splice(servers.indexOf(server), 1);
}

/** `tessera ARGS` with only the server's settings in the environment. */
function tessera(args: string[], env: Record<string, string>): Promise<Result> {
  return sandbox.bare(args, { env: { TESSERA_ROOT_KEY: ROOT_KEY, ...env } });
}

async function auditVerifies(server: RunningServer): Promise<Result> {
  return sandbox.tessera(['audit', 'verify'], {
    env: {
      TESSERA_ENDPOINT: server.address,
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'OpsAdmin0000000000000001',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'OpsSecret000000000000000000000001',
    },
  });
}

/**
 * Creates secrets `PREFIX/0`, `PREFIX/1`, … one after another until stopped, each counted once its
 * answer arrived; resolves once 20 are in. `stop()` returns the ones acknowledged at the moment the
 * caller started its snapshot (`before`: taken when `writeLoad` resolved) and all of them.
 */
async function writeLoad(server: RunningServer, prefix: string) {
  const acknowledged: string[] = [];
  const state = { writing: true };
  const load = (async () => {
    for (let n = 0; state.writing; n++) {
      await server.client.call('CreateSecret', {
        SecretName: `${prefix}/${n}`,
        VersionId: 'v1',
        SecretData: `${prefix}-${n}`,
      });
      acknowledged.push(`${prefix}/${n}`);
    }
  })();
  while (acknowledged.length < 20) await new Promise((resolve) => setTimeout(resolve, 20));
  const before = [...acknowledged];
  return {
    async stop() {
      state.writing = false;
      await load;
      return { before, acknowledged };
    },
  };
}

describe('backup and restore', () => {
  it('snapshots a SQLite server under write load and restores it on SQLite, PostgreSQL and back', async () => {
    const original = { TESSERA_DATA_DIR: join(sandbox.root, 'original') };
    const source = await serve(original);
    const names = await seed(source.client);

    const sqliteLoad = await writeLoad(source, 'load');
    const file = join(sandbox.root, 'first.tbak');
    const backedUp = await tessera(['backup', file], original);
    const { before, acknowledged } = await sqliteLoad.stop();
    expect(backedUp.code, backedUp.stderr).toBe(0);
    expect(backedUp.stdout).toMatch(
      /^backed up the sqlite store \(schema \d{4}_\w+\) to .*first\.tbak: \d+ bytes\n/,
    );
    expect(acknowledged.length).toBeGreaterThan(before.length);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(file);
    for (const plaintext of ['db-first-value', 'api-token-value', 'load-0', 'app/db', 'payments']) {
      expect(bytes.includes(Buffer.from(plaintext)), plaintext).toBe(false);
    }
    const expected = await fingerprint(source.client, names);

    // SQLite → SQLite.
    const sqliteTarget = { TESSERA_DATA_DIR: join(sandbox.root, 'restored') };
    const restored = await tessera(['restore', file], sqliteTarget);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/audit chain verified: \d+ records/);
    const onSqlite = await serve(sqliteTarget);
    expect(await fingerprint(onSqlite.client, names)).toEqual(expected);
    for (const name of before) {
      const value = await onSqlite.client.call('GetSecretValue', { SecretName: name });
      expect(value.SecretData).toBe(name.replace('load/', 'load-'));
    }
    expect((await auditVerifies(onSqlite)).code).toBe(0);

    // A target holding data is refused and left as it was.
    const again = await tessera(['restore', file], { TESSERA_DATA_DIR: join(sandbox.root, 'original-copy') });
    expect(again.code).toBe(0);
    await stop(onSqlite);
    const refused = await tessera(['restore', file], sqliteTarget);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('already holds data');
    // A running server's folder is refused before anything is read.
    const busy = await tessera(['restore', file], original);
    expect(busy.code).toBe(4);
    expect(busy.stderr).toMatch(/in use by another Tessera process: server pid \d+/);

    // SQLite → PostgreSQL, then a backup of the PostgreSQL server → SQLite.
    const database = await createDatabase();
    databases.push(database);
    const postgresTarget = {
      TESSERA_DATABASE_URL: database.url,
      TESSERA_DATA_DIR: join(sandbox.root, 'pg-node'),
    };
    const toPostgres = await tessera(['restore', file], postgresTarget);
    expect(toPostgres.code, toPostgres.stderr).toBe(0);
    expect(toPostgres.stdout).toContain('into the postgresql store');
    const onPostgres = await serve(postgresTarget);
    expect(await fingerprint(onPostgres.client, names)).toEqual(expected);
    expect((await auditVerifies(onPostgres)).code).toBe(0);
    await onPostgres.client.call('PutSecretValue', {
      SecretName: 'app/api',
      VersionId: 'a2',
      SecretData: 'from-postgres',
    });
    const movedNames = [...names];
    const fromPostgresExpected = await fingerprint(onPostgres.client, movedNames);
    const pgFile = join(sandbox.root, 'from-postgres.tbak');
    const postgresLoad = await writeLoad(onPostgres, 'pg-load');
    const pgBackup = await tessera(['backup', pgFile], postgresTarget);
    const underLoad = await postgresLoad.stop();
    expect(pgBackup.code, pgBackup.stderr).toBe(0);
    expect(underLoad.acknowledged.length).toBeGreaterThan(underLoad.before.length);
    expect(pgBackup.stdout).toContain('backed up the postgresql store');

    const backHome = { TESSERA_DATA_DIR: join(sandbox.root, 'back-home') };
    expect((await tessera(['restore', pgFile], backHome)).code).toBe(0);
    const back = await serve(backHome);
    expect(await fingerprint(back.client, movedNames)).toEqual(fromPostgresExpected);
    for (const name of underLoad.before) {
      const value = await back.client.call('GetSecretValue', { SecretName: name });
      expect(value.SecretData).toBe(name.replace('pg-load/', 'pg-load-'));
    }
    expect((await auditVerifies(back)).code).toBe(0);
  });

  it('refuses another root key and a cut-off or altered file, writing nothing', async () => {
    const folder = { TESSERA_DATA_DIR: join(sandbox.root, 'small') };
    const server = await serve(folder);
    await seed(server.client);
    const file = join(sandbox.root, 'small.tbak');
    expect((await tessera(['backup', file], folder)).code).toBe(0);
    expect((await tessera(['backup', file], folder)).stderr).toContain('already exists');

    const otherKey = randomBytes(32).toString('base64');
    const wrongKey = await tessera(['restore', file], {
      TESSERA_DATA_DIR: join(sandbox.root, 'wrong-key'),
      TESSERA_ROOT_KEY: otherKey,
    });
    expect(wrongKey.code).toBe(4);
    expect(wrongKey.stderr).toContain('does not open with this root key');

    const bytes = readFileSync(file);
    const cut = join(sandbox.root, 'cut.tbak');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const cutOff = await tessera(['restore', cut], { TESSERA_DATA_DIR: join(sandbox.root, 'cut') });
    expect(cutOff.code).toBe(4);
    expect(cutOff.stderr).toContain('damaged, cut off or altered');

    const altered = Buffer.from(bytes);
    altered[altered.length - 40] = (altered[altered.length - 40] ?? 0) ^ 1;
    const alteredFile = join(sandbox.root, 'altered.tbak');
    writeFileSync(alteredFile, altered);
    const alteredResult = await tessera(['restore', alteredFile], {
      TESSERA_DATA_DIR: join(sandbox.root, 'altered'),
    });
    expect(alteredResult.code).toBe(4);
  });
});
