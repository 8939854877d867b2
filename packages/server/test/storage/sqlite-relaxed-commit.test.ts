/**
 * Relaxed units of the SQLite driver (storage/sqlite-driver.ts), with the WAL fsync injected so a test
 * can hold it back: a relaxed unit is acknowledged once its batch's COMMIT has returned (another
 * connection sees it) while the fsync is still in flight, a durable one only after that fsync; a
 * relaxed unit still waits for an earlier durable unit's fsync; `syncCommitted` waits for the sync.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SqliteStoreDriver } from '../../src/storage/sqlite-driver.js';
import type { FsyncFunction } from '../../src/storage/sqlite-driver.js';

let dir: string;
let path: string;
let driver: SqliteStoreDriver;
/** fsyncs asked for and not yet let through, oldest first. */
let held: ((error: NodeJS.ErrnoException | null) => void)[];
/** fsync calls so far. */
let fsyncs: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-relaxed-'));
  path = join(dir, 'relaxed.db');
  const writer = new BetterSqlite3(path);
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = NORMAL');
  writer.exec('create table events (id integer primary key, name text not null)');
  const reader = new BetterSqlite3(path);
  reader.pragma('query_only = ON');
  held = [];
  fsyncs = 0;
  const fsync: FsyncFunction = (_fd, callback) => {
    fsyncs += 1;
    held.push(callback);
  };
  driver = new SqliteStoreDriver({ writer, reader, walPath: `${path}-wal`, fsync });
});

afterEach(async () => {
  // Let every sync through (the driver waits for them on destroy).
  const drain = setInterval(() => {
    held.splice(0).forEach((callback) => {
      callback(null);
    });
  }, 1);
  try {
    await driver.destroy();
  } finally {
    clearInterval(drain);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** One write transaction through the driver, as Kysely runs it; relaxed or durable. */
async function unit(name: string, relaxed: boolean): Promise<void> {
  const connection = await driver.acquireConnection();
  await driver.beginTransaction(connection, {});
  if (relaxed) driver.relaxRunningUnit();
  await connection.executeQuery(CompiledQuery.raw('insert into events (name) values (?)', [name]));
  await driver.commitTransaction(connection);
}

/** Whether another connection (as after a process crash) sees the row committed. */
function committed(name: string): boolean {
  const other = new BetterSqlite3(path, { readonly: true });
  try {
    return other.prepare('select 1 from events where name = ?').get(name) !== undefined;
  } finally {
    other.close();
  }
}

/** Tracks a promise's outcome without awaiting it. */
function watch(promise: Promise<unknown>): { state: 'pending' | 'resolved' | 'rejected' } {
  const tracked = { state: 'pending' as 'pending' | 'resolved' | 'rejected' };
  promise.then(
    () => (tracked.state = 'resolved'),
    () => (tracked.state = 'rejected'),
  );
  return tracked;
}

/** Waits a few turns, then checks every promise resolved. */
async function watchAll(promises: Promise<unknown>[]): Promise<void> {
  const watched = promises.map(watch);
  await turns();
  expect(watched.map((w) => w.state)).toEqual(promises.map(() => 'resolved'));
}

/** Lets the event loop run a few turns (the driver commits on setImmediate). */
async function turns(count = 10): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

function release(error: NodeJS.ErrnoException | null = null): void {
  const callback = held.shift();
  if (!callback) throw new Error('no fsync is in flight');
  callback(error);
}

describe('sqlite relaxed units', () => {
  it('acknowledges a relaxed unit once committed, before its fsync; a durable one only after', async () => {
    const relaxed = watch(unit('relaxed', true));
    await turns();
    expect(fsyncs, 'the relaxed batch is still fsynced').toBe(1);
    expect(held).toHaveLength(1);
    expect(relaxed.state, 'relaxed: answered while its fsync is in flight').toBe('resolved');
    expect(committed('relaxed')).toBe(true);

    const durable = watch(unit('durable', false));
    await turns();
    // A batch holding a durable unit waits for the fsync in flight before it commits (one COMMIT per fsync).
    expect(committed('durable'), 'durable: its batch gathers units while an fsync is in flight').toBe(false);
    release(); // the relaxed batch's fsync; the durable batch commits and its own fsync starts after it
    await turns();
    expect(committed('durable')).toBe(true);
    expect(durable.state, 'durable: committed but not yet synced').toBe('pending');
    release();
    await turns();
    expect(durable.state).toBe('resolved');
  });

  it('commits a batch of relaxed units at once even while an fsync is in flight', async () => {
    await watchAll([unit('first', true)]);
    expect(held).toHaveLength(1);
    const second = watch(unit('second', true));
    await turns();
    expect(committed('second')).toBe(true);
    expect(second.state, 'relaxed units do not wait for a sync they do not need').toBe('resolved');
  });

  it('keeps a relaxed unit waiting for the fsync of an earlier durable unit it may have read', async () => {
    const durable = watch(unit('durable', false));
    await turns();
    expect(held).toHaveLength(1);
    const relaxed = watch(unit('relaxed', true));
    await turns();
    expect(committed('relaxed')).toBe(true);
    expect(relaxed.state, 'waits for the durable batch before it').toBe('pending');
    release();
    await turns();
    expect(durable.state).toBe('resolved');
    expect(relaxed.state, 'its own fsync is still in flight').toBe('resolved');
    expect(held).toHaveLength(1);
  });

  it('rejects durable units, and relaxed ones waiting on them, when the fsync fails', async () => {
    const durable = watch(unit('durable', false));
    await turns();
    const relaxed = watch(unit('relaxed', true));
    await turns();
    release(Object.assign(new Error('EIO'), { code: 'EIO' }));
    await turns();
    expect(durable.state).toBe('rejected');
    expect(relaxed.state).toBe('rejected');
  });

  it('resolves syncCommitted once every commit so far is synced', async () => {
    await unit('relaxed', true);
    const synced = watch(driver.syncCommitted());
    await turns();
    expect(synced.state).toBe('pending');
    release();
    await turns();
    expect(synced.state).toBe('resolved');
    await driver.syncCommitted();
    expect(held).toHaveLength(0);
  });
});
