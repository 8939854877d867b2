// Durable writes over HTTP against the built server: PutSecretValue and UpdateSecretVersionStage,
// writes/s and latency at several concurrencies, beside raw single-row durable SQLite transactions
// (better-sqlite3, WAL, synchronous=FULL) on the same disk, measured in the same run (before and after
// the server's runs, pinned to the server's CPU).
//
// Tessera commits every write with synchronous=FULL (packages/server/src/storage/sqlite.ts) and answers
// only after the commit; this benchmark does not change that. Each connection writes to a secret of its
// own, so the figures show the commit path, not contention on one secret.
//
// Run:  npm run build && node bench/durable-write.bench.mjs [--duration 4000] [--concurrency 1,16,64]
//       [--profile]   (--profile: a CPU profile of the server under PutSecretValue at concurrency 16)
import { URL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { TesseraClient } from '../packages/sdk/dist/index.js';
import { performance } from 'node:perf_hooks';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatProfile, newestProfile, summariseProfile } from './lib/profile.mjs';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  SERVER_CPU,
  fmt,
  nodeCommand,
  numberArg,
  parseArgs,
  printResult,
  requireBuild,
  startLoadGenerator,
  startServer,
  tempDir,
  textTable,
} from './lib/common.mjs';

const args = parseArgs();
const DURATION_MS = numberArg(args, 'duration', 4_000);
const WARMUP_MS = numberArg(args, 'warmup', 1_000);
const CONCURRENCIES = String(args.concurrency ?? '1,16,64')
  .split(',')
  .map(Number);
const VALUE_BYTES = 64;
const PROFILE = args.profile === true;

function rawSqlite(folder) {
  const { command, args: commandArgs } = nodeCommand(SERVER_CPU, [
    new URL('./lib/raw-sqlite.mjs', import.meta.url).pathname,
    folder,
    String(DURATION_MS),
    String(VALUE_BYTES),
  ]);
  return JSON.parse(execFileSync(command, commandArgs, { encoding: 'utf8' }).trim());
}

async function inBatches(count, size, work) {
  for (let start = 0; start < count; start += size) {
    await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, i) => work(start + i)));
  }
}

/** A run's result without the sample answers (kept for error messages only). */
function withoutSamples(run) {
  const copy = { ...run };
  delete copy.samples;
  return copy;
}

async function main() {
  requireBuild();
  const dir = tempDir('tessera-bench-write-');
  let tessera = await startServer({ dataDir: dir.path });
  const generator = await startLoadGenerator();
  const client = new TesseraClient({
    endpoint: tessera.address,
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    maxRetries: 0,
  });
  try {
    console.log(
      `durable writes: ${DURATION_MS} ms per point after ${WARMUP_MS} ms warm-up; ${VALUE_BYTES}-byte values; ` +
        `server pinned: ${tessera.pinned}, generator pinned: ${generator.pinned}; data in ${dir.path}`,
    );
    const rawBefore = rawSqlite(dir.path);
    console.log(
      `  raw SQLite (before): ${fmt.int(rawBefore.perSecond)} commits/s  p50 ${fmt.ms(rawBefore.p50Ms)} ms  p99 ${fmt.ms(rawBefore.p99Ms)} ms  ` +
        `(journal ${rawBefore.journalMode}, synchronous ${rawBefore.synchronous})`,
    );

    const runs = [];
    for (const action of ['PutSecretValue', 'UpdateSecretVersionStage']) {
      for (const concurrency of CONCURRENCIES) {
        const prefix = `w/${action === 'PutSecretValue' ? 'put' : 'stage'}-${concurrency}-`;
        // One secret per connection: versions a (current) and b (labelled Spare, so never evicted).
        await inBatches(concurrency, 16, async (slot) => {
          await client.createSecret({ secretName: `${prefix}${slot}`, versionId: 'a', secretData: 'first' });
          if (action === 'UpdateSecretVersionStage') {
            await client.putSecretValue({
              secretName: `${prefix}${slot}`,
              versionId: 'b',
              secretData: 'second',
              versionStages: ['Spare'],
            });
          }
        });
        const scenario =
          action === 'PutSecretValue'
            ? { kind: 'put', prefix, secrets: concurrency, dataBytes: VALUE_BYTES }
            : { kind: 'stage', prefix };
        const warm = await generator.run(tessera, {
          concurrency,
          durationMs: WARMUP_MS,
          scenario: { ...scenario, tag: 'warm' },
        });
        const result = await generator.run(tessera, {
          concurrency,
          durationMs: DURATION_MS,
          scenario: { ...scenario, tag: 'run' },
          presign: Math.ceil(((warm.perSecond * DURATION_MS) / 1000) * 2) + concurrency * 4,
        });
        runs.push({ action, ...result });
        console.log(
          `  ${action.padEnd(24)} c=${String(concurrency).padStart(2)} ${fmt.int(result.perSecond).padStart(6)} writes/s  ` +
            `p50 ${fmt.ms(result.p50Ms)} ms  p99 ${fmt.ms(result.p99Ms)} ms  ` +
            `CPU server ${fmt.pct(result.serverCpuPct)} generator ${fmt.pct(result.generatorCpuPct)} others ${fmt.pct(result.otherCpuPct)}  ` +
            `statuses ${JSON.stringify(result.statuses)}${result.errors ? ` errors ${result.errors}` : ''}`,
        );
        if (result.errors > 0 || Object.keys(result.statuses).some((s) => s !== '200')) {
          throw new Error(`non-200 answers: ${JSON.stringify(result.samples)}`);
        }
      }
    }

    const rawAfter = rawSqlite(dir.path);
    console.log(
      `  raw SQLite (after):  ${fmt.int(rawAfter.perSecond)} commits/s  p50 ${fmt.ms(rawAfter.p50Ms)} ms  p99 ${fmt.ms(rawAfter.p99Ms)} ms`,
    );
    const rawRate = (rawBefore.perSecond + rawAfter.perSecond) / 2;
    console.log('');
    console.log(
      textTable(
        ['action', 'conc', 'writes/s', 'p50 ms', 'p99 ms', 'srv CPU', 'others', 'vs raw'],
        [
          ...runs.map((r) => [
            r.action,
            r.concurrency,
            fmt.int(r.perSecond),
            fmt.ms(r.p50Ms),
            fmt.ms(r.p99Ms),
            fmt.pct(r.serverCpuPct),
            fmt.pct(r.otherCpuPct),
            fmt.ratio(r.perSecond / rawRate),
          ]),
          [
            'raw SQLite commit (mean)',
            1,
            fmt.int(rawRate),
            fmt.ms(rawBefore.p50Ms),
            fmt.ms(rawBefore.p99Ms),
            '',
            '',
            '1.00',
          ],
        ],
      ),
    );
    const verdicts = ['PutSecretValue', 'UpdateSecretVersionStage'].map((action) => {
      const best = Math.max(...runs.filter((r) => r.action === action).map((r) => r.perSecond));
      return { action, best, raw: rawRate, ratio: best / rawRate, met: best >= rawRate };
    });
    for (const v of verdicts) {
      console.log(
        `target: ${v.action} >= raw durable commit rate: ${v.met ? 'MET' : 'NOT MET'} (best ${fmt.int(v.best)} vs ${fmt.int(v.raw)} writes/s, ${fmt.ratio(v.ratio)})`,
      );
    }
    let profile;
    if (PROFILE) {
      await tessera.stop();
      const profDir = join(dir.path, 'profile');
      mkdirSync(profDir);
      tessera = await startServer({
        dataDir: dir.path,
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
      });
      const profiledClient = new TesseraClient({
        endpoint: tessera.address,
        accessKeyId: ACCESS_KEY_ID,
        accessKeySecret: ACCESS_KEY_SECRET,
        maxRetries: 0,
      });
      const prefix = 'w/profile-';
      await inBatches(16, 16, (slot) =>
        profiledClient.createSecret({ secretName: `${prefix}${slot}`, versionId: 'a', secretData: 'first' }),
      );
      const scenario = { kind: 'put', prefix, secrets: 16, dataBytes: VALUE_BYTES };
      await generator.run(tessera, {
        concurrency: 16,
        durationMs: WARMUP_MS,
        scenario: { ...scenario, tag: 'warm' },
      });
      const measuredFromMs = performance.now() - tessera.spawnedAt;
      const profiled = await generator.run(tessera, {
        concurrency: 16,
        durationMs: DURATION_MS,
        scenario: { ...scenario, tag: 'run' },
      });
      await tessera.stop();
      profile = summariseProfile(newestProfile(profDir), { fromMs: measuredFromMs });
      if (process.env.BENCH_KEEP_PROFILE) copyFileSync(newestProfile(profDir), process.env.BENCH_KEEP_PROFILE);
      console.log(
        `\nCPU profile of the server under PutSecretValue at c=16 (${fmt.int(profiled.perSecond)} writes/s while profiled):`,
      );
      console.log(formatProfile(profile));
    }
    printResult({
      benchmark: 'durable-write',
      profile: profile && { ...profile, byFunction: profile.byFunction.slice(0, 15) },
      durationMs: DURATION_MS,
      valueBytes: VALUE_BYTES,
      raw: { before: rawBefore, after: rawAfter, meanPerSecond: rawRate },
      runs: runs.map(withoutSamples),
      verdicts,
    });
  } finally {
    generator.close();
    await tessera.stop();
    dir.remove();
  }
}

await main();
