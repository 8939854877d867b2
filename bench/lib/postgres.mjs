// The PostgreSQL side of the server benchmarks: whether a server is reachable, its settings for the
// record, and a fresh database per benchmark process (tessera_bench_<pid>_<n>), dropped afterwards.
//
// The server is named by BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres, the
// local development server: user postgres, trust); that URL's database is only used to create and drop
// the benchmark's own.
import { URL } from 'node:url';
import { createRequire } from 'node:module';

// Resolved from the server package, which depends on it, wherever npm placed it.
const require = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const pg = require('pg');

export const POSTGRES_ADMIN_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The server's version and the settings that decide what a commit costs; `{ reachable: false, reason }`
 * when nothing answers at POSTGRES_ADMIN_URL.
 */
export async function postgresInfo() {
  try {
    return await withClient(POSTGRES_ADMIN_URL, async (client) => {
      const show = async (name) => (await client.query(`show ${name}`)).rows[0][name];
      return {
        reachable: true,
        host: new URL(POSTGRES_ADMIN_URL).host,
        version: await show('server_version'),
        synchronousCommit: await show('synchronous_commit'),
        fsync: await show('fsync'),
        walSyncMethod: await show('wal_sync_method'),
        commitDelay: await show('commit_delay'),
        dataDirectory: await show('data_directory').catch(() => 'unknown'),
      };
    });
  } catch (error) {
    return { reachable: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

let created = 0;

/** Creates an empty database for this process; `drop()` removes it (connections are closed by force). */
export async function createBenchDatabase() {
  created += 1;
  const name = `tessera_bench_${process.pid}_${created}`;
  await withClient(POSTGRES_ADMIN_URL, (client) => client.query(`create database ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      await withClient(POSTGRES_ADMIN_URL, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      );
    },
  };
}
