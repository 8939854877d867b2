// Raw durable PostgreSQL commits, the floor for Tessera's writes on that store: one single-row INSERT per
// transaction (BEGIN; INSERT; COMMIT, three round trips, the INSERT a prepared statement) with `pg` —
// the driver Tessera uses — against the server's own durability settings (synchronous_commit as the
// server has it), back to back for the given time on `concurrency` connections (1: one connection; more:
// a pool of that many, each with one transaction in flight, which PostgreSQL may flush together).
// Prints one JSON line.
//
// Usage: node raw-pg.mjs <databaseUrl> <durationMs> <valueBytes> [concurrency]
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import { URL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const pg = require('pg');

const [url, durationArg, valueArg, concurrencyArg = '1'] = process.argv.slice(2);
const durationMs = Number(durationArg);
const concurrency = Number(concurrencyArg);
const value = Buffer.alloc(Number(valueArg), 0x61);
const table = `raw_commits_${process.pid}`;

const clients = await Promise.all(
  Array.from({ length: concurrency }, async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  }),
);
const [first] = clients;
await first.query(
  `create table if not exists ${table} (id bigserial primary key, written_at bigint not null, value bytea not null)`,
);
const synchronousCommit = (await first.query('show synchronous_commit')).rows[0].synchronous_commit;
const insert = { name: 'raw-insert', text: `insert into ${table} (written_at, value) values ($1, $2)` };

async function write(client) {
  await client.query('begin');
  await client.query({ ...insert, values: [Date.now(), value] });
  await client.query('commit');
}

const latencies = [];
async function loop(client, until, record) {
  let now = performance.now();
  while (now < until) {
    await write(client);
    const after = performance.now();
    if (record) latencies.push(after - now);
    now = after;
  }
}

const warmUntil = performance.now() + 500;
await Promise.all(clients.map((client) => loop(client, warmUntil, false)));
const cpuBefore = process.cpuUsage();
const started = performance.now();
await Promise.all(clients.map((client) => loop(client, started + durationMs, true)));
const elapsedMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
const at = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
await first.query(`drop table ${table}`);
await Promise.all(clients.map((client) => client.end()));
console.log(
  JSON.stringify({
    concurrency,
    synchronousCommit,
    transactions: latencies.length,
    perSecond: (latencies.length / elapsedMs) * 1000,
    p50Ms: at(50),
    p99Ms: at(99),
    cpuPct: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
  }),
);
