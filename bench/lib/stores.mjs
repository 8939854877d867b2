// The store a benchmark runs Tessera on, and the floor it is measured against: raw single-row durable
// commits on the same store (SQLite: a file on the same disk as the data folder; PostgreSQL: the same
// server, a fresh database). `--store sqlite|postgres` in the benchmark scripts picks one.
import { execFileSync } from 'node:child_process';
import { fileURLToPath, URL } from 'node:url';
import { SERVER_CPU, nodeCommand } from './common.mjs';
import { createBenchDatabase, postgresInfo } from './postgres.mjs';

export const STORES = ['sqlite', 'postgres'];

/** What the tables call each store. */
export const STORE_LABELS = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

function runRaw(script, args) {
  const { command, args: commandArgs } = nodeCommand(SERVER_CPU, [
    fileURLToPath(new URL(script, import.meta.url)),
    ...args.map(String),
  ]);
  return JSON.parse(execFileSync(command, commandArgs, { encoding: 'utf8' }).trim());
}

/**
 * Prepares `store` for one benchmark process: `serverEnv` for `startServer`, `rawCommits` for the
 * floor (pinned to the server's CPU, as the server is), `description` for the record, and `close`.
 * Throws for PostgreSQL when no server is reachable (run.mjs checks first and skips it then).
 */
export async function openBenchStore(store, dataDir) {
  if (store === 'sqlite') {
    return {
      store,
      label: STORE_LABELS.sqlite,
      serverEnv: {},
      description: 'SQLite: WAL, the WAL fsynced before every acknowledgement (group commit)',
      /** better-sqlite3, WAL, synchronous=FULL, BEGIN IMMEDIATE; INSERT; COMMIT on one connection. */
      rawCommits({ durationMs, valueBytes }) {
        return { ...runRaw('./raw-sqlite.mjs', [dataDir, durationMs, valueBytes]), concurrency: 1 };
      },
      async close() {},
    };
  }
  if (store !== 'postgres') throw new Error(`unknown store "${store}" (one of ${STORES.join(', ')})`);
  const info = await postgresInfo();
  if (!info.reachable) throw new Error(`PostgreSQL is not reachable: ${info.reason}`);
  const database = await createBenchDatabase();
  return {
    store,
    label: STORE_LABELS.postgres,
    serverEnv: { TESSERA_DATABASE_URL: database.url },
    description:
      `PostgreSQL ${info.version} at ${info.host} (synchronous_commit=${info.synchronousCommit}, ` +
      `fsync=${info.fsync}, wal_sync_method=${info.walSyncMethod}, commit_delay=${info.commitDelay}; ` +
      `its processes are not pinned), database ${database.name}`,
    info,
    /** pg, BEGIN; INSERT; COMMIT on `concurrency` connections (default 1). */
    rawCommits({ durationMs, valueBytes, concurrency = 1 }) {
      return runRaw('./raw-pg.mjs', [database.url, durationMs, valueBytes, concurrency]);
    },
    close: () => database.drop(),
  };
}

/** One line about a raw-commit measurement, for the console. */
export function describeRaw(raw) {
  const mode = raw.synchronousCommit
    ? `synchronous_commit ${raw.synchronousCommit}`
    : `journal ${raw.journalMode}, synchronous ${raw.synchronous}`;
  return (
    `${Math.round(raw.perSecond).toLocaleString('en-US')} commits/s at c=${raw.concurrency}  ` +
    `p50 ${raw.p50Ms.toFixed(2)} ms  p99 ${raw.p99Ms.toFixed(2)} ms  (${mode})`
  );
}
