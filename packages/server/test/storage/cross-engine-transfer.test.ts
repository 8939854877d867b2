/**
 * Rows exported from one engine load into the other unchanged: SQLite → PostgreSQL → SQLite gives
 * back the same export, byte strings, epoch milliseconds and all (the move documented in
 * docs/operations.md, at the storage level).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { exportOf, fillEveryTable } from '../../src/storage/conformance/row-transfer-cases.js';
import { openPostgresStore } from '../../src/storage/postgres.js';
import { openSqliteStore } from '../../src/storage/sqlite.js';
import type { RowBatch, Store } from '../../src/storage/store.js';

const ADMIN_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = `tessera_move_${randomBytes(6).toString('hex')}`;
const root = mkdtempSync(join(tmpdir(), 'tessera-move-'));

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
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
  rmSync(root, { recursive: true, force: true });
});

function postgresUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

/** Copies every row of `from` into the empty `to` through the export/import seam. */
async function copy(from: Store, to: Store): Promise<void> {
  const batches: RowBatch[] = [];
  const { schemaVersion } = await from.exportRows((batch) => {
    batches.push(batch);
    return Promise.resolve();
  });
  async function* replay(): AsyncIterable<RowBatch> {
    for (const batch of batches) {
      await Promise.resolve();
      yield batch;
    }
  }
  await to.importRows(schemaVersion, replay(), () => Promise.resolve());
}

describe('moving rows between engines', () => {
  it('SQLite → PostgreSQL → SQLite keeps every row as it was', async () => {
    const sqlite = await openSqliteStore({ path: join(root, 'a', 'tessera.db') });
    const postgres = await openPostgresStore({ connectionString: postgresUrl(), schema: 'moved' });
    const back = await openSqliteStore({ path: join(root, 'b', 'tessera.db') });
    try {
      await fillEveryTable(sqlite);
      const original = await exportOf(sqlite);
      await copy(sqlite, postgres);
      expect(await exportOf(postgres)).toEqual(original);
      await copy(postgres, back);
      expect(await exportOf(back)).toEqual(original);
      expect(await back.secrets.getByName('db/password')).toEqual(
        await sqlite.secrets.getByName('db/password'),
      );
    } finally {
      await Promise.all([sqlite.close(), postgres.close(), back.close()]);
    }
  });
});
