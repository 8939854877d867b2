// Durable writes over HTTP against the built server: PutSecretValue and UpdateSecretVersionStage,
// writes/s and latency at several concurrencies, beside the store's raw single-row durable commits,
// measured in the same run (before and after the server's runs, pinned to the server's CPU): on SQLite,
// better-sqlite3 with WAL and synchronous=FULL on the same disk; on PostgreSQL, `pg` against the same
// server (BEGIN; INSERT; COMMIT on one connection, and on a pool of the highest concurrency).
//
// Tessera answers a write only once it is durable (SQLite: group commit with the WAL fsynced before any
// acknowledgement, packages/server/src/storage/sqlite-driver.ts; PostgreSQL: synchronous_commit as the
// server has it); this benchmark does not change that. Each connection writes to a secret of its own,
// so the figures show the commit path, not contention on one secret.
//
// Run:  npm run build && node bench/durable-write.bench.mjs [--store sqlite|postgres] [--duration 4000]
//       [--concurrency 1,16,64] [--profile]   (--profile: a CPU profile of the server under
//       PutSecretValue at concurrency 16)
import { TesseraClient } from '../packages/sdk/dist/index.js';
import { performance } from 'node:perf_hooks';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatProfile, newestProfile, summariseProfile } from './lib/profile.mjs';
import { describeRaw, openBenchStore } from './lib/stores.mjs';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  fmt,
  numberArg,
  parseArgs,
  printResult,
  requireBuild,
  countFailures,
  failureNote,
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
const STORE = String(args.store ?? 'sqlite');
/** Issue 14's target: at the highest concurrency, at least this × the raw single-row commit rate. */
const TARGET_RATIO = 1.0;

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
  let store;
  let tessera;
  let generator;
  try {
    store = await openBenchStore(STORE, dir.path);
    tessera = await startServer({ dataDir: dir.path, env: store.serverEnv });
    generator = await startLoadGenerator();
    const client = new TesseraClient({
      endpoint: tessera.address,
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
      maxRetries: 0,
    });
    console.log(
      `durable writes on ${store.description}: ${DURATION_MS} ms per point after ${WARMUP_MS} ms warm-up; ` +
        `${VALUE_BYTES}-byte values; server pinned: ${tessera.pinned}, generator pinned: ${generator.pinned}; ` +
        `data in ${dir.path}`,
    );
    const raw = (concurrency = 1) =>
      store.rawCommits({ durationMs: DURATION_MS, valueBytes: VALUE_BYTES, concurrency });
    const rawBefore = raw();
    console.log(`  raw ${store.label} (before): ${describeRaw(rawBefore)}`);

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
        const measured = await generator.run(tessera, {
          concurrency,
          durationMs: DURATION_MS,
          scenario: { ...scenario, tag: 'run' },
          presign: Math.ceil(((warm.perSecond * DURATION_MS) / 1000) * 2) + concurrency * 4,
        });
        const result = countFailures(measured, tessera);
        runs.push({ action, ...result });
        console.log(
          `  ${action.padEnd(24)} c=${String(concurrency).padStart(2)} ${fmt.int(result.perSecond).padStart(6)} writes/s  ` +
            `p50 ${fmt.ms(result.p50Ms)} ms  p99 ${fmt.ms(result.p99Ms)} ms  ` +
            `CPU server ${fmt.pct(result.serverCpuPct)} generator ${fmt.pct(result.generatorCpuPct)} others ${fmt.pct(result.otherCpuPct)}  ` +
            `statuses ${JSON.stringify(result.statuses)}${result.errors ? ` errors ${result.errors}` : ''}` +
            failureNote(result),
        );
      }
    }

    const rawAfter = raw();
    console.log(`  raw ${store.label} (after):  ${describeRaw(rawAfter)}`);
    // PostgreSQL flushes the commits of concurrent connections together; shown for context.
    const topConcurrency = Math.max(...CONCURRENCIES);
    const rawPool = STORE === 'postgres' ? raw(topConcurrency) : undefined;
    if (rawPool) console.log(`  raw ${store.label} (pool):   ${describeRaw(rawPool)}`);
    const rawRate = (rawBefore.perSecond + rawAfter.perSecond) / 2;
    console.log('');
    console.log(
      textTable(
        ['action', 'conc', 'writes/s', 'p50 ms', 'p99 ms', 'srv CPU', 'others', 'non-200', 'vs raw'],
        [
          ...runs.map((r) => [
            r.action,
            r.concurrency,
            fmt.int(r.perSecond),
            fmt.ms(r.p50Ms),
            fmt.ms(r.p99Ms),
            fmt.pct(r.serverCpuPct),
            fmt.pct(r.otherCpuPct),
            fmt.int(r.failed),
            fmt.ratio(r.perSecond / rawRate),
          ]),
          [
            `raw ${store.label} commit (mean)`,
            1,
            fmt.int(rawRate),
            fmt.ms(rawBefore.p50Ms),
            fmt.ms(rawBefore.p99Ms),
            '',
            '',
            '',
            '1.00',
          ],
        ],
      ),
    );
    const targets = ['PutSecretValue', 'UpdateSecretVersionStage'].map((action) => {
      const top = runs.find((r) => r.action === action && r.concurrency === topConcurrency);
      const ratio = top.perSecond / rawRate;
      return {
        id: `write-${action}`,
        target: `${action} at c${topConcurrency} ≥ ${TARGET_RATIO.toFixed(1)} × raw durable single-row commits`,
        thisRun:
          `${fmt.int(top.perSecond)} vs ${fmt.int(rawRate)}/s (${fmt.ratio(ratio)} ×)` +
          (top.failed > 0 ? `, ${fmt.int(top.failed)} answers not 200` : ''),
        met: ratio >= TARGET_RATIO && top.failed === 0,
      };
    });
    for (const t of targets) {
      console.log(`target (${store.label}): ${t.target}: ${t.met ? 'MET' : 'NOT MET'} (${t.thisRun})`);
    }
    let profile;
    if (PROFILE) {
      await tessera.stop();
      const profDir = join(dir.path, 'profile');
      mkdirSync(profDir);
      tessera = await startServer({
        dataDir: dir.path,
        env: store.serverEnv,
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
      if (process.env.BENCH_KEEP_PROFILE)
        copyFileSync(newestProfile(profDir), process.env.BENCH_KEEP_PROFILE);
      console.log(
        `\nCPU profile of the server under PutSecretValue at c=16 (${fmt.int(profiled.perSecond)} writes/s while profiled):`,
      );
      console.log(formatProfile(profile));
    }
    printResult({
      benchmark: 'durable-write',
      store: STORE,
      storeDescription: store.description,
      profile: profile && { ...profile, byFunction: profile.byFunction.slice(0, 15) },
      durationMs: DURATION_MS,
      valueBytes: VALUE_BYTES,
      raw: { before: rawBefore, after: rawAfter, pool: rawPool, meanPerSecond: rawRate },
      runs: runs.map(withoutSamples),
      targets,
    });
  } finally {
    generator?.close();
    await tessera?.stop();
    await store?.close();
    dir.remove();
  }
}

await main();
