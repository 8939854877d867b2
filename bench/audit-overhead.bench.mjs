// GetSecretValue throughput with the audit trail against the same server without it (issue 5's
// acceptance: the trail must not halve it). "Without it" is a build of the last commit before the
// audit trail was added (found with git, or given with --baseline <commit>), extracted with `git
// archive` into node_modules/.cache and compiled there, so no switch to turn auditing off exists in the
// product. Both servers run as child processes with TESSERA_LOG_LEVEL=warn; this process drives them
// with @tessera/sdk at a fixed concurrency, alternating which goes first each round, and reports the
// median requests/s of each and their ratio.
//
// Run by hand:  npm run build && node bench/audit-overhead.bench.mjs [--duration 5000] [--rounds 3]
//               [--concurrency 16] [--baseline <commit>]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { TesseraClient } from '../packages/sdk/dist/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    baseline: { type: 'string' },
  },
});
const DURATION_MS = Number(values.duration);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const ACCESS_KEY_ID = 'AuditBenchAdmin';
const ACCESS_KEY_SECRET = 'audit-bench-secret-0123456789';
const SECRET_NAME = 'bench/audit';

const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

/** The last commit without the audit trail: the parent of the one that added the audit service. */
function baselineCommit() {
  if (values.baseline) return git('rev-parse', values.baseline);
  const added = git(
    'log',
    '-1',
    '--format=%H',
    '--diff-filter=A',
    '--',
    'packages/server/src/services/audit-service.ts',
  );
  return added === '' ? git('rev-parse', 'HEAD') : git('rev-parse', `${added}^`);
}

/** Extracts and builds the baseline's server once; returns its dist folder. */
function buildBaseline(commit) {
  const dir = join(ROOT, 'node_modules', '.cache', 'tessera-audit-bench', commit);
  const dist = join(dir, 'packages', 'server', 'dist');
  if (existsSync(join(dist, 'app.js'))) return dist;
  if (existsSync(join(dir, 'packages', 'server', 'src', 'services', 'audit-service.ts'))) {
    throw new Error(`the baseline ${commit} already has the audit trail; pass --baseline <commit>`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['archive', commit, 'packages/server', 'tsconfig.base.json'], {
    cwd: ROOT,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  // Compiled where it lies, so its imports resolve through this repository's node_modules.
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'packages', 'server')], {
    stdio: 'inherit',
  });
  return dist;
}

const SERVER_SCRIPT = `
const dist = process.env.BENCH_DIST;
const { createTessera } = await import(dist + '/app.js');
const { loadConfig } = await import(dist + '/config/config.js');
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TESSERA_')));
const tessera = await createTessera({ config: loadConfig(env) });
process.stdout.write('BENCH_URL ' + (await tessera.listen()) + '\\n');
process.on('SIGTERM', () => { void tessera.close().then(() => process.exit(0)); });
`;

async function startServer(dist, label) {
  const dataDir = mkdtempSync(join(tmpdir(), `tessera-audit-bench-${label}-`));
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER_SCRIPT], {
    env: {
      PATH: process.env.PATH,
      BENCH_DIST: dist,
      TESSERA_DATA_DIR: dataDir,
      TESSERA_PORT: '0',
      TESSERA_LOG_LEVEL: 'warn',
      TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
      TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    // The server's log lines share stdout; the address comes on its own marked line.
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('BENCH_URL '));
      if (line !== undefined) resolve(line.slice('BENCH_URL '.length).trim());
    });
    child.on('exit', (code) => reject(new Error(`${label} server exited with ${code}`)));
  });
  const client = new TesseraClient({
    endpoint: url,
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    maxRetries: 0,
  });
  await client.createSecret({ secretName: SECRET_NAME, versionId: 'v1', secretData: 'x'.repeat(150) });
  return {
    label,
    client,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** GetSecretValue calls per second over `durationMs` with `CONCURRENCY` callers. */
async function measure(server, durationMs) {
  const deadline = Date.now() + durationMs;
  let done = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      await server.client.getSecretValue({ secretName: SECRET_NAME });
      done += 1;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const commit = baselineCommit();
console.log(`baseline (no audit trail): ${commit.slice(0, 12)}; building if needed…`);
const baselineDist = buildBaseline(commit);
const audited = await startServer(join(ROOT, 'packages', 'server', 'dist'), 'audited');
const baseline = await startServer(baselineDist, 'baseline');
try {
  const results = { audited: [], baseline: [] };
  for (const server of [audited, baseline]) await measure(server, 1000); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [audited, baseline] : [baseline, audited];
    for (const server of order) results[server.label].push(await measure(server, DURATION_MS));
  }
  const a = median(results.audited);
  const b = median(results.baseline);
  console.log(`concurrency ${CONCURRENCY}, ${ROUNDS} rounds of ${DURATION_MS} ms (medians):`);
  console.log(`  without audit trail  ${b.toFixed(0)} GetSecretValue/s`);
  console.log(`  with audit trail     ${a.toFixed(0)} GetSecretValue/s`);
  console.log(`  ratio                ${(a / b).toFixed(2)} (acceptance: at least 0.50)`);
  process.exitCode = a / b >= 0.5 ? 0 : 1;
} finally {
  await audited.stop();
  await baseline.stop();
}
