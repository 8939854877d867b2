// `npm run bench`: runs the server benchmarks one after another, each in its own process, on each store,
// shows their output as it comes, and records the results — machine, Node version, commands, the targets
// of issue 14 met or not, summary tables, and the raw output — as a dated section of BENCHMARKS.md
// (replacing a section of the same date, else appended; other sections, such as sdk-cache, are kept).
// With --crash-cycles it also runs the SIGKILL crash-safety test that many times and records that in a
// dated section of its own.
//
// Flags:
//   --secrets N          secrets in the large scale data set (default 100,000; 1000000 for the big run)
//   --quick              short runs for a smoke test (10,000 secrets, 2 s points, one round, no profile)
//   --only a,b           run some of: read, write, scale, crash (default read,write,scale)
//   --stores a,b         the stores of the read and write benchmarks: sqlite, postgres (default both,
//                        PostgreSQL skipped with a note when BENCH_POSTGRES_URL's server does not answer)
//   --crash-cycles N     also run the SIGKILL crash-safety test with N kills (`--only crash` alone: 12)
//   --duration MS        override the per-point duration of the read and write benchmarks
//   --no-profile         skip the CPU profiles and the logging comparison
//   --no-record          print only; leave BENCHMARKS.md alone
//   --record-file FILE   record in FILE instead of BENCHMARKS.md (it must exist; to try the recording)
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO, RESULT_PREFIX, machine, numberArg, parseArgs, requireBuild } from './lib/common.mjs';
import { crashStep } from './lib/crash-run.mjs';
import { postgresInfo } from './lib/postgres.mjs';
import { benchmarkSection, crashSection, record } from './lib/record.mjs';
import { STORE_LABELS, STORES } from './lib/stores.mjs';

const args = parseArgs();
const quick = args.quick === true;
const profile = !quick && args['no-profile'] !== true;
const crashCycles = args['crash-cycles'] === undefined ? undefined : numberArg(args, 'crash-cycles', 12);
const only = new Set(String(args.only ?? 'read,write,scale').split(','));
if (crashCycles !== undefined) only.add('crash');
for (const id of only) {
  if (!['read', 'write', 'scale', 'crash'].includes(id)) throw new Error(`--only: unknown "${id}"`);
}
const secrets = String(args.secrets ?? (quick ? 10_000 : 100_000)).replace(/_/g, '');
const duration = (full) => String(args.duration ?? (quick ? 2000 : full));
const BENCHMARKS_FILE = args['record-file'] ? String(args['record-file']) : join(REPO, 'BENCHMARKS.md');

/** The stores to run on, and notes for the record (PostgreSQL skipped, and why). */
async function chooseStores() {
  const asked = args.stores === undefined ? undefined : String(args.stores).split(',');
  for (const store of asked ?? []) {
    if (!STORES.includes(store)) throw new Error(`--stores: unknown "${store}" (${STORES.join(', ')})`);
  }
  const wanted = asked ?? STORES;
  if (!wanted.includes('postgres') || !(only.has('read') || only.has('write'))) {
    return { stores: wanted, notes: [] };
  }
  const info = await postgresInfo();
  if (info.reachable) return { stores: wanted, notes: [] };
  if (asked) throw new Error(`--stores postgres: PostgreSQL is not reachable (${info.reason})`);
  const note = `PostgreSQL skipped: no server answered at BENCH_POSTGRES_URL or 127.0.0.1:5432 (${info.reason}).`;
  console.log(note);
  return { stores: wanted.filter((s) => s !== 'postgres'), notes: [note] };
}

function benchStep(id, script, scriptArgs) {
  return {
    id,
    command: process.execPath,
    args: [script, ...scriptArgs],
    env: process.env,
    display: `node ${script} ${scriptArgs.join(' ')}`,
    failsOnExitCode: true,
  };
}

function planSteps(stores) {
  const steps = [];
  // Profiles on SQLite only: the server's own code is the same on both stores.
  const profileArgs = (store) => (profile && store === 'sqlite' ? ['--profile'] : []);
  for (const store of only.has('read') ? stores : []) {
    steps.push(
      benchStep('read', 'bench/http-read.bench.mjs', [
        '--store',
        store,
        '--duration',
        duration(5000),
        '--rounds',
        quick ? '1' : '2',
        ...profileArgs(store),
      ]),
    );
  }
  for (const store of only.has('write') ? stores : []) {
    steps.push(
      benchStep('write', 'bench/durable-write.bench.mjs', [
        '--store',
        store,
        '--duration',
        duration(4000),
        ...profileArgs(store),
      ]),
    );
  }
  if (only.has('scale')) {
    steps.push(
      benchStep('scale', 'bench/scale.bench.mjs', [
        '--secrets',
        secrets,
        '--duration',
        quick ? '1500' : '3000',
      ]),
    );
  }
  if (only.has('crash')) steps.push(crashStep(crashCycles ?? 12));
  return steps;
}

function runStep(step) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(step.command, step.args, {
      cwd: REPO,
      env: step.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = [];
    let result;
    let pending = '';
    const take = (chunk, stream) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop();
      for (const line of parts) {
        if (line.startsWith(RESULT_PREFIX)) {
          result = JSON.parse(line.slice(RESULT_PREFIX.length));
          continue;
        }
        lines.push(line);
        stream.write(`${line}\n`);
      }
    };
    child.stdout.setEncoding('utf8').on('data', (chunk) => take(chunk, process.stdout));
    child.stderr.setEncoding('utf8').on('data', (chunk) => take(chunk, process.stderr));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (pending) lines.push(pending);
      if (step.parse) result = step.parse(lines, code, performance.now() - started);
      if (step.failsOnExitCode && (code !== 0 || !result)) {
        reject(new Error(`${step.display} failed (exit code ${code})`));
      } else resolve({ step, lines, result });
    });
  });
}

async function main() {
  requireBuild();
  const started = performance.now();
  const info = machine();
  const date = new Date().toISOString().slice(0, 10);
  const flags = process.argv.slice(2).join(' ');
  const command =
    process.env.npm_lifecycle_event === 'bench'
      ? `npm run bench${flags ? ` -- ${flags}` : ''}`
      : `npm run build && node bench/run.mjs${flags ? ` ${flags}` : ''}`;
  console.log(
    `Tessera server benchmarks, ${date}: ${info.nproc} CPUs (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node}`,
  );
  const { stores, notes } = await chooseStores();
  if (only.has('read') || only.has('write')) {
    console.log(`stores: ${stores.map((s) => STORE_LABELS[s]).join(', ')}`);
  }
  const outcomes = [];
  for (const step of planSteps(stores)) {
    console.log(`\n=== ${step.display}`);
    outcomes.push(await runStep(step));
  }
  const minutes = (performance.now() - started) / 60_000;
  const benchmarks = outcomes.filter((o) => o.step.id !== 'crash');
  const crash = outcomes.find((o) => o.step.id === 'crash');
  if (crash) {
    const { result } = crash;
    console.log(
      `\ncrash safety: ${result.cycles} SIGKILL cycles ${result.passed ? 'passed' : 'FAILED'}` +
        (result.summary ? ` (${result.summary.acknowledged} acknowledged lane writes)` : ''),
    );
  }
  if (args['no-record']) {
    console.log('\n(--no-record: BENCHMARKS.md left as it is)');
  } else {
    if (benchmarks.length > 0) {
      const section = benchmarkSection({ date, info, outcomes: benchmarks, minutes, command, notes });
      record(BENCHMARKS_FILE, 'bench-run', date, section);
    }
    if (crash)
      record(BENCHMARKS_FILE, 'crash-run', date, crashSection({ date, info, outcome: crash, command }));
    console.log(`\nRecorded in ${BENCHMARKS_FILE} (date ${date}), ${minutes.toFixed(1)} min in all.`);
  }
  if (crash && !crash.result.passed) process.exitCode = 1;
}

await main();
