// Raw durable SQLite commits, the floor for Tessera's writes: one single-row INSERT per transaction
// (BEGIN IMMEDIATE … COMMIT) with better-sqlite3 — the driver Tessera uses — in WAL mode with
// synchronous=FULL (an fsync of the WAL per commit), on a file in the given folder (the same disk as
// the server's data), back to back for the given time. Prints one JSON line.
//
// Usage: node raw-sqlite.mjs <folder> <durationMs> <valueBytes>
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import { URL } from 'node:url';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// Resolved from the server package, which depends on it, wherever npm placed it.
const require = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const Database = require('better-sqlite3');

const [folder, durationArg, valueArg] = process.argv.slice(2);
const durationMs = Number(durationArg);
const db = new Database(join(folder, `raw-${process.pid}-${Date.now()}.db`));
const journal = db.pragma('journal_mode = WAL', { simple: true });
db.pragma('synchronous = FULL');
db.exec('create table writes (id integer primary key, written_at integer not null, value blob not null)');
const insert = db.prepare('insert into writes (written_at, value) values (?, ?)');
const begin = db.prepare('begin immediate');
const commit = db.prepare('commit');
const value = Buffer.alloc(Number(valueArg), 0x61);

const write = () => {
  begin.run();
  insert.run(Date.now(), value);
  commit.run();
};
const warmUntil = performance.now() + 500;
while (performance.now() < warmUntil) write();

const latencies = [];
const started = performance.now();
const deadline = started + durationMs;
let now = started;
while (now < deadline) {
  write();
  const after = performance.now();
  latencies.push(after - now);
  now = after;
}
const elapsedMs = now - started;
latencies.sort((a, b) => a - b);
const at = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
const cpu = process.cpuUsage();
console.log(
  JSON.stringify({
    journalMode: journal,
    synchronous: db.pragma('synchronous', { simple: true }),
    transactions: latencies.length,
    perSecond: (latencies.length / elapsedMs) * 1000,
    p50Ms: at(50),
    p99Ms: at(99),
    cpuPct: ((cpu.user + cpu.system) / 1000 / (performance.now() - started + 500)) * 100,
  }),
);
db.close();
