/**
 * The WAL checkpoint worker (storage/sqlite-checkpointer.ts): once started it copies what the WAL holds
 * into the database file without the writer checkpointing itself, and stopping it is immediate — also
 * before it started, so a store opened and closed at once never pays for a thread.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { WalCheckpointer } from '../../src/storage/sqlite-checkpointer.js';

let dir: string;
let path: string;
let writer: BetterSqlite3.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-checkpoint-'));
  path = join(dir, 'data.db');
  writer = new BetterSqlite3(path);
  writer.pragma('journal_mode = WAL');
  // The writer never checkpoints by itself here: whatever reaches the file, the worker copied.
  writer.pragma('wal_autocheckpoint = 0');
  writer.exec('create table rows (value text not null)');
});

afterEach(() => {
  writer.close();
  rmSync(dir, { recursive: true, force: true });
});

it('copies the WAL into the database file from its own thread', async () => {
  const insert = writer.prepare('insert into rows (value) values (?)');
  writer.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run('x'.repeat(400));
  })();
  const before = statSync(path).size;
  const checkpointer = WalCheckpointer.start(path, 5_000);
  try {
    await expect
      .poll(() => statSync(path).size, { timeout: 5_000, interval: 50 })
      .toBeGreaterThan(before + 500_000);
  } finally {
    await checkpointer.stop();
  }
});

it('stops at once, also before its thread started', async () => {
  const checkpointer = WalCheckpointer.start(path, 5_000);
  const started = performance.now();
  await checkpointer.stop();
  expect(performance.now() - started).toBeLessThan(50);
});
