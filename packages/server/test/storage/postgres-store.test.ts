/**
 * The PostgreSQL store against a real server (127.0.0.1:5432, user `postgres`, trust auth; override
 * with TESSERA_TEST_POSTGRES_URL). Each run creates a database of its own and drops it afterwards;
 * each conformance case gets a fresh schema in it. An unreachable server fails the run: never skipped.
 */
import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isDomainError } from '../../src/domain/errors.js';
import { createSecret } from '../../src/domain/secret.js';
import { describeListingConformance, describeStoreConformance } from '../../src/storage/conformance.js';
import { openPostgresStore } from '../../src/storage/postgres.js';
import type { Store } from '../../src/storage/store.js';

const ADMIN_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = `tessera_test_${randomBytes(6).toString('hex')}`;
const databaseUrl = (): string => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
};
let schemas = 0;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
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
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin((client) => client.query(`create database ${DATABASE}`));
});

afterAll(async () => {
  await admin((client) => client.query(`drop database if exists ${DATABASE} with (force)`));
});

/** A store in a schema no other case has used: empty and freshly migrated. */
function openFresh(options: { listingCacheEntries?: number } = {}): Promise<Store> {
  schemas += 1;
  return openPostgresStore({
    connectionString: databaseUrl(),
    schema: `case_${schemas}`,
    maxConnections: 4,
    ...options,
  });
}

describeStoreConformance('postgres', () => openFresh());
// Page boundaries are off by default on PostgreSQL (other processes may write); the same cases with them kept.
describeListingConformance('postgres (page boundaries kept)', () => openFresh({ listingCacheEntries: 64 }));

const T0 = 1_700_000_000_000;

describe('postgres store', () => {
  it('keeps bytes, epoch milliseconds and code-point order across a reopen of the same schema', async () => {
    const schema = `reopen_${schemas++}`;
    const first = await openPostgresStore({ connectionString: databaseUrl(), schema });
    const secret = createSecret({
      id: 'id-1',
      name: 'b-secret',
      description: 'kept',
      encryptionKeyId: 'service-key',
      tags: [],
      versionId: 'v1',
      dataType: 'binary',
      now: T0,
      arnSuffix: 'Ab12Cd',
    });
    try {
      await first.secrets.insert(secret, {
        encryptedDataKey: new Uint8Array([0, 255, 1]),
        encryptedValue: new Uint8Array([7, 0, 7]),
      });
      await first.secrets.insert(
        { ...secret, id: 'id-2', name: 'B-secret' },
        { encryptedDataKey: new Uint8Array([1]), encryptedValue: new Uint8Array([2]) },
      );
    } finally {
      await first.close();
    }
    // Migrating again finds the schema up to date and changes nothing.
    const second = await openPostgresStore({ connectionString: databaseUrl(), schema });
    try {
      const read = await second.secrets.getByName('b-secret');
      expect(read?.createdAt).toBe(T0);
      const ciphertext = await second.secrets.getCiphertext('id-1', 'v1');
      expect(ciphertext?.encryptedDataKey).toBeInstanceOf(Uint8Array);
      expect(Array.from(ciphertext?.encryptedDataKey ?? [])).toEqual([0, 255, 1]);
      const page = await second.secrets.list({ offset: 0, limit: 10 });
      expect(page.total).toBe(2);
      expect(page.items.map((item) => item.name)).toEqual(['B-secret', 'b-secret']);
    } finally {
      await second.close();
    }
  });

  it('reports an unreachable server as an error naming the database, without the password', async () => {
    const error = await openPostgresStore({
      connectionString: 'postgresql://tessera:s3cret-pw@127.0.0.1:1/tessera',
      connectTimeoutMs: 2_000,
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('Cannot open the PostgreSQL database "tessera" on 127.0.0.1:1');
    expect(message).not.toContain('s3cret-pw');
    expect(isDomainError(error)).toBe(false);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(
      openPostgresStore({ connectionString: databaseUrl(), schema: 'x"; drop table secrets; --' }),
    ).rejects.toThrow('plain identifier');
  });
});
