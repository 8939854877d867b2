/**
 * One process at a time owns a SQLite data folder: the server for its whole life, or an offline
 * operation (restore, root-key rotation). The lock is an exclusive SQLite lock on a database file of
 * its own (`tessera.lock`), held by an open write transaction that never commits. SQLite takes it with
 * POSIX record locks, which the kernel drops when the process ends in any way (SIGKILL and power loss
 * included), so a crashed server never blocks the next start. Who holds it is written beside it
 * (`tessera.lock.json`: pid, host, start time, purpose) for the refusal message only; the lock itself
 * is the truth.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

import BetterSqlite3 from 'better-sqlite3';

export const LOCK_FILE = 'tessera.lock';
export const LOCK_HOLDER_FILE = 'tessera.lock.json';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601. */
  readonly startedAt: string;
  /** What the holder is doing: `server`, `restore`, `root-key rotation`. */
  readonly purpose: string;
}

/** The folder is locked by another process (or another server in this one). */
export class DataFolderLockedError extends Error {
  override name = 'DataFolderLockedError';
  readonly holder: LockHolder | undefined;

  constructor(dataDir: string, holder: LockHolder | undefined) {
    super(
      holder === undefined
        ? `The data folder ${dataDir} is in use by another Tessera process (it has not said which yet).`
        : `The data folder ${dataDir} is in use by another Tessera process: ${holder.purpose} pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}.`,
    );
    this.holder = holder;
  }
}

export interface DataFolderLock {
  /** Gives the folder up; safe to call more than once. The process ending gives it up as well. */
  release(): void;
}

/**
 * Takes the data folder's lock for `purpose`, or throws `DataFolderLockedError` naming the holder.
 * The folder must exist.
 */
export function lockDataFolder(dataDir: string, purpose: string): DataFolderLock {
  const lockPath = join(dataDir, LOCK_FILE);
  const holderPath = join(dataDir, LOCK_HOLDER_FILE);
  // No busy timeout: a held lock is an answer, not a wait.
  const database = new BetterSqlite3(lockPath, { timeout: 0 });
  try {
    database.exec('begin exclusive');
  } catch (error) {
    database.close();
    if (isBusy(error)) throw new DataFolderLockedError(dataDir, readHolder(holderPath));
    throw error;
  }
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    purpose,
  };
  writeFileSync(holderPath, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      rmSync(holderPath, { force: true });
      database.exec('rollback');
      database.close();
    },
  };
}

function isBusy(error: unknown): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED')
  );
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (
      typeof parsed.pid === 'number' &&
      typeof parsed.host === 'string' &&
      typeof parsed.startedAt === 'string' &&
      typeof parsed.purpose === 'string'
    ) {
      return { pid: parsed.pid, host: parsed.host, startedAt: parsed.startedAt, purpose: parsed.purpose };
    }
  } catch {
    // Not written yet (the holder is between taking the lock and writing it) or unreadable.
  }
  return undefined;
}
