/**
 * The SQLite driver's group commit and reader connection (storage/sqlite-driver.ts), through the store:
 * concurrent transactions share a commit but fail alone, nothing is acknowledged before another
 * connection can see it committed, and reads neither wait for nor see an open batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { openSqliteStore } from '../../src/storage/sqlite.js';
import type { SqliteStore } from '../../src/storage/sqlite.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-group-commit-'));
let files = 0;

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function withStore(test: (store: SqliteStore, path: string) => Promise<void>): Promise<void> {
  files += 1;
  const path = join(root, `store-${files}`, 'tessera.db');
  const store = await openSqliteStore({ path });
  try {
    await test(store, path);
  } finally {
    await store.close();
  }
}

/** What another connection (as after a restart) sees committed in the meta table. */
function committedMeta(path: string, name: string): string | undefined {
  const other = new BetterSqlite3(path, { readonly: true });
  try {
    const row = other.prepare('select value from meta where name = ?').get(name) as
      { value: string } | undefined;
    return row?.value;
  } finally {
    other.close();
  }
}

describe('sqlite group commit', () => {
  it('commits concurrent transactions, and a failing one rolls back alone', async () => {
    await withStore(async (store, path) => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.meta.set(`unit-${i}`, String(i));
            if (i % 5 === 3) throw new Error(`unit ${i} fails`);
            return i;
          }),
        ),
      );
      outcomes.forEach((outcome, i) => {
        if (i % 5 === 3) {
          expect(outcome.status).toBe('rejected');
          expect(committedMeta(path, `unit-${i}`)).toBeUndefined();
        } else {
          expect(outcome).toEqual({ status: 'fulfilled', value: i });
          expect(committedMeta(path, `unit-${i}`)).toBe(String(i));
        }
      });
    });
  });

  it('acknowledges each transaction only once another connection sees it committed', async () => {
    await withStore(async (store, path) => {
      const seen = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          await store.transaction((tx) => tx.meta.set(`ack-${i}`, 'x'));
          return committedMeta(path, `ack-${i}`);
        }),
      );
      expect(seen).toEqual(Array.from({ length: 10 }, () => 'x'));
    });
  });

  it('answers reads outside transactions from committed data, without waiting for an open batch', async () => {
    await withStore(async (store) => {
      await store.meta.set('state', 'before');
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let wrote!: () => void;
      const written = new Promise<void>((resolve) => (wrote = resolve));
      const writer = store.transaction(async (tx) => {
        await tx.meta.set('state', 'after');
        wrote();
        await held;
      });
      await written;
      // The unit is open and holds the writer: the read neither blocks nor sees its write.
      expect(await store.meta.get('state')).toBe('before');
      release();
      await writer;
      expect(await store.meta.get('state')).toBe('after');
    });
  });

  it('makes a write outside a transaction durable before it returns', async () => {
    await withStore(async (store, path) => {
      await store.meta.set('single', 'yes');
      expect(committedMeta(path, 'single')).toBe('yes');
    });
  });
});
