import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { isDomainError } from '../../src/domain/errors.js';
import { ARN_SUFFIX_PATTERN, createSecret, STAGE_CURRENT, STAGE_PENDING } from '../../src/domain/secret.js';
import { describeStoreConformance } from '../../src/storage/conformance.js';
import { MigrationError } from '../../src/storage/migrations.js';
import { openSqliteStore, SQLITE_IN_MEMORY } from '../../src/storage/sqlite.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
let files = 0;

/** A path for a database that does not exist yet, inside this file's temp folder. */
function freshPath(): string {
  files += 1;
  return join(root, `store-${files}`, 'tessera.db');
}

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describeStoreConformance('sqlite (file)', () => openSqliteStore({ path: freshPath() }));
// Without page boundaries kept, listings take the path a store takes while a write is in flight.
describeStoreConformance('sqlite (memory, no page boundaries kept)', () =>
  openSqliteStore({ path: SQLITE_IN_MEMORY, listingCacheEntries: 0 }),
);

const T0 = 1_700_000_000_000;

function sampleSecret(name: string) {
  return createSecret({
    id: `id-${name}`,
    name,
    description: 'kept across restarts',
    encryptionKeyId: 'service-key',
    tags: [{ key: 'env', value: 'prod' }],
    versionId: 'v1',
    dataType: 'text',
    now: T0,
    arnSuffix: 'Ab12Cd',
  });
}

describe('sqlite store', () => {
  it('migrates stored ACSPending labels to $pending and gives older secrets a random ARN suffix', async () => {
    const path = freshPath();
    const first = await openSqliteStore({ path });
    const ciphertext = { encryptedDataKey: new Uint8Array([1]), encryptedValue: new Uint8Array([2]) };
    await first.secrets.insert(sampleSecret('older-a'), ciphertext);
    await first.secrets.insert(sampleSecret('older-b'), ciphertext);
    await first.close();
    // The database as the previous release left it: Alibaba's pending label, no suffix column.
    const raw = new BetterSqlite3(path);
    try {
      raw
        .prepare(
          `insert into secret_stages (secret_id, label, version_id) values ('id-older-a', 'ACSPending', 'v1')`,
        )
        .run();
      raw.prepare(`alter table secrets drop column arn_suffix`).run();
      raw.prepare(`alter table audit_events drop column protocol`).run();
      // The migrations after 0010 are undone too: they run again in order.
      raw.prepare(`drop table console_sessions`).run();
      raw.prepare(`drop table login_profiles`).run();
      raw.prepare(`alter table secret_rotation drop column cron_expression`).run();
      raw.prepare(`delete from kysely_migration where name > '0011'`).run();
    } finally {
      raw.close();
    }
    const store = await openSqliteStore({ path });
    try {
      const a = await store.secrets.getByName('older-a');
      const b = await store.secrets.getByName('older-b');
      expect([...(a?.stages ?? [])]).toEqual([
        [STAGE_CURRENT, 'v1'],
        [STAGE_PENDING, 'v1'],
      ]);
      expect(a?.arnSuffix).toMatch(ARN_SUFFIX_PATTERN);
      expect(b?.arnSuffix).toMatch(ARN_SUFFIX_PATTERN);
      expect(a?.arnSuffix).not.toBe(b?.arnSuffix);
    } finally {
      await store.close();
    }
  });

  it('runs in WAL mode, fsyncing the WAL itself before acknowledging, with foreign keys and a busy timeout', async () => {
    const store = await openSqliteStore({ path: freshPath(), busyTimeoutMs: 1234 });
    try {
      // NORMAL: SQLite does not sync on COMMIT; the store's driver fsyncs the WAL off the event loop
      // before any commit is acknowledged (sqlite-driver.ts), which is what FULL would guarantee.
      expect(await store.settings()).toEqual({
        journalMode: 'wal',
        synchronous: 1,
        foreignKeys: true,
        busyTimeoutMs: 1234,
        syncsWalBeforeAcknowledging: true,
      });
    } finally {
      await store.close();
    }
  });

  it('keeps full durability settings in memory too, where WAL does not apply', async () => {
    const store = await openSqliteStore({ path: SQLITE_IN_MEMORY });
    try {
      const settings = await store.settings();
      expect(settings.journalMode).toBe('memory');
      expect(settings.synchronous).toBe(2);
      expect(settings.syncsWalBeforeAcknowledging).toBe(false);
      expect(settings.foreignKeys).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('creates the folder and a database file readable only by its owner', async () => {
    const path = freshPath();
    const store = await openSqliteStore({ path });
    try {
      await store.meta.set('k', 'v');
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        if (existsSync(file)) expect(statSync(file).mode & 0o777, file).toBe(0o600);
      }
      expect(existsSync(path)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('keeps data across close and reopen, and reopening migrates nothing twice', async () => {
    const path = freshPath();
    const secret = sampleSecret('persisted');
    const ciphertext = {
      encryptedDataKey: new Uint8Array([0, 1, 255]),
      encryptedValue: new Uint8Array([7, 0, 7]),
    };
    const first = await openSqliteStore({ path });
    await first.secrets.insert(secret, ciphertext);
    await first.meta.set('account-id', '42');
    await first.close();

    for (let reopen = 0; reopen < 2; reopen++) {
      const store = await openSqliteStore({ path });
      try {
        expect(await store.secrets.getByName('persisted')).toEqual(secret);
        const stored = await store.secrets.getCiphertext(secret.id, 'v1');
        expect(Buffer.from(stored?.encryptedValue ?? []).toString('hex')).toBe('070007');
        expect(await store.meta.get('account-id')).toBe('42');
      } finally {
        await store.close();
      }
    }

    const raw = new BetterSqlite3(path, { readonly: true });
    try {
      const applied = raw.prepare('select name from kysely_migration order by name').pluck().all();
      expect(applied).toEqual([
        '0001_initial',
        '0002_secret_policies',
        '0003_audit_events',
        '0004_identities',
        '0005_rotation',
        '0006_database_instances',
        '0007_secret_listing_index',
        '0008_authorized_rotation_target',
        '0009_signature_nonces',
        '0010_key_rotation',
        '0011_neutral_identifiers',
        '0012_audit_protocol',
        '0013_console_sign_in',
        '0014_rotation_cron',
        '0015_append_only_nonces',
      ]);
    } finally {
      raw.close();
    }
  });

  it('refuses to open a database migrated by a newer build, loudly', async () => {
    const path = freshPath();
    await (await openSqliteStore({ path })).close();
    const raw = new BetterSqlite3(path);
    raw
      .prepare('insert into kysely_migration (name, timestamp) values (?, ?)')
      .run('9999_future', new Date().toISOString());
    raw.close();

    const opening = openSqliteStore({ path });
    await expect(opening).rejects.toBeInstanceOf(MigrationError);
    await expect(opening).rejects.toThrow(/migration/i);
  });

  it('names the file when it is not a database', async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      'this is not a database, just text that is long enough to have a header. '.repeat(10),
    );
    await expect(openSqliteStore({ path })).rejects.toThrow(`Cannot open the SQLite database "${path}"`);
  });

  it('answers unavailable when another connection holds the write lock past the busy timeout', async () => {
    const path = freshPath();
    const holder = await openSqliteStore({ path });
    const waiter = await openSqliteStore({ path, busyTimeoutMs: 50 });
    try {
      let blocked: unknown;
      await holder.transaction(async (tx) => {
        await tx.meta.set('held', 'yes');
        blocked = await waiter.meta.set('blocked', 'yes').then(
          () => undefined,
          (error: unknown) => error,
        );
      });
      expect(isDomainError(blocked, 'unavailable')).toBe(true);
      expect(await waiter.meta.get('held')).toBe('yes');
      expect(await waiter.meta.get('blocked')).toBeUndefined();
    } finally {
      await holder.close();
      await waiter.close();
    }
  });
});
