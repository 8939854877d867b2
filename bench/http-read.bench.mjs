// GetSecretValue over HTTP against the built server, beside a bare node:http server answering the same
// bytes: requests/s, p50 and p99 at concurrency 1, 16 and 64, and the ratio Tessera / baseline; then
// concurrency 1 again on a server with reads' audit events relaxed (TESSERA_AUDIT_READ_DURABILITY), and
// the store's raw durable single-row commit rate, which bounds concurrency 1 with the default.
//
// Setup: the server (and, in turn, the baseline) runs pinned to CPU 0, the load generator
// (bench/lib/loadgen.mjs) in its own process pinned to CPU 1. Every request carries a fresh ACS3-HMAC-SHA256
// signature made with @tessera/sdk's signer; the baseline receives the very same request bytes and answers
// with Tessera's captured response (same status, headers, body length). Both are warmed up; each point is
// measured in `--rounds` rounds that alternate which server goes first, and the medians are reported.
//
// Run:  npm run build && node bench/http-read.bench.mjs [--store sqlite|postgres] [--duration 5000]
//       [--warmup 1000] [--rounds 2] [--concurrency 1,16,64] [--no-relaxed] [--profile]
//       (--store postgres: a fresh database on BENCH_POSTGRES_URL's server, dropped afterwards;
//       --profile: a CPU profile of the server at the highest concurrency, and the same load with
//       logging at warn, for the analysis)
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraClient } from '../packages/sdk/dist/index.js';
import { signedRequest } from './lib/acs3.mjs';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  fmt,
  median,
  numberArg,
  parseArgs,
  printResult,
  rawExchange,
  requireBuild,
  countFailures,
  failureNote,
  startBaseline,
  startLoadGenerator,
  startServer,
  tempDir,
  textTable,
} from './lib/common.mjs';
import { profileRead } from './lib/read-profile.mjs';
import { describeRaw, openBenchStore } from './lib/stores.mjs';

const args = parseArgs();
const DURATION_MS = numberArg(args, 'duration', 5_000);
const WARMUP_MS = numberArg(args, 'warmup', 1_000);
const ROUNDS = numberArg(args, 'rounds', 2);
const CONCURRENCIES = String(args.concurrency ?? '1,16,64')
  .split(',')
  .map(Number);
const PROFILE = args.profile === true;
const RELAXED = args['no-relaxed'] !== true;
const STORE = String(args.store ?? 'sqlite');
const SECRET_NAME = 'bench/read';
// A typical secret: database credentials as JSON (about 150 bytes).
const SECRET_DATA = JSON.stringify({
  engine: 'postgres',
  host: 'db.internal.example.com',
  port: 5432,
  username: 'app_service',
  password: 'k3J9#vQ2!xLm8@pR5$tW7^zN4&yB6*cD',
});
/** Issue 14's targets: at the highest concurrency, of the bare baseline, and p99 below this. */
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 10;
/** At concurrency 1: of the raw durable commit rate (default), of the bare baseline (relaxed). */
const TARGET_C1_DURABLE = 0.8;
const TARGET_C1_RELAXED = 0.5;
/** Requests signed ahead at most per point (about 650 bytes each). */
const MAX_PRESIGN = 600_000;

/** A run's result without the sample answers (kept for error messages only). */
function withoutSamples(run) {
  const copy = { ...run };
  delete copy.samples;
  return copy;
}

/**
 * Measures `concurrency` on each of `servers` (name → server) in `ROUNDS` rounds that alternate which
 * goes first, after a warm-up each time; logs each run and returns them.
 */
async function measure(generator, servers, concurrency, scenario) {
  const names = Object.keys(servers);
  const runs = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const warm = await generator.run(servers[name], { concurrency, durationMs: WARMUP_MS, scenario });
      // Signed ahead, three times what the warm-up rate needs, so signing does not load the generator.
      const presign = Math.min(
        MAX_PRESIGN,
        Math.ceil(((warm.perSecond * DURATION_MS) / 1000) * 3) + concurrency * 4,
      );
      const result = countFailures(
        await generator.run(servers[name], { concurrency, durationMs: DURATION_MS, scenario, presign }),
        servers[name],
      );
      runs.push({ server: name, round, ...result });
      console.log(
        `  c=${String(concurrency).padStart(2)} round ${round + 1} ${name.padEnd(8)} ` +
          `${fmt.int(result.perSecond).padStart(7)} req/s  p50 ${fmt.ms(result.p50Ms)} ms  p99 ${fmt.ms(result.p99Ms)} ms  ` +
          `CPU server ${fmt.pct(result.serverCpuPct)} generator ${fmt.pct(result.generatorCpuPct)} others ${fmt.pct(result.otherCpuPct)}  ` +
          `statuses ${JSON.stringify(result.statuses)}${result.errors ? ` errors ${result.errors}` : ''}  ` +
          `${Math.round(result.bytesPerResponse)} B/response` +
          (result.signedInline > 0 ? `  (${result.signedInline} signed during the run)` : '') +
          failureNote(result),
      );
    }
  }
  return runs;
}

/** Medians (maxima for the CPU others used) of one server's runs at one concurrency. */
function summary(runs, server, concurrency) {
  const of = runs.filter((r) => r.server === server && r.concurrency === concurrency);
  return {
    perSecond: median(of.map((r) => r.perSecond)),
    p50Ms: median(of.map((r) => r.p50Ms)),
    p99Ms: median(of.map((r) => r.p99Ms)),
    serverCpuPct: median(of.map((r) => r.serverCpuPct)),
    generatorCpuPct: Math.max(...of.map((r) => r.generatorCpuPct)),
    otherCpuPct: Math.max(...of.map((r) => r.otherCpuPct)),
    rounds: of.map((r) => Math.round(r.perSecond)),
    failed: of.reduce((sum, r) => sum + r.failed, 0),
  };
}

function pointTable(points) {
  return textTable(
    [
      'conc',
      'Tessera req/s',
      'p50 ms',
      'p99 ms',
      'srv CPU',
      'baseline req/s',
      'p50 ms',
      'p99 ms',
      'srv CPU',
      'gen CPU max',
      'others max',
      'ratio',
    ],
    points.map((p) => [
      `${p.concurrency}${p.relaxed ? ' relaxed' : ''}`,
      `${fmt.int(p.tessera.perSecond)}${p.tessera.failed > 0 ? ` (${fmt.int(p.tessera.failed)} non-200)` : ''}`,
      fmt.ms(p.tessera.p50Ms),
      fmt.ms(p.tessera.p99Ms),
      fmt.pct(p.tessera.serverCpuPct),
      fmt.int(p.baseline.perSecond),
      fmt.ms(p.baseline.p50Ms),
      fmt.ms(p.baseline.p99Ms),
      fmt.pct(p.baseline.serverCpuPct),
      fmt.pct(Math.max(p.tessera.generatorCpuPct, p.baseline.generatorCpuPct)),
      fmt.pct(Math.max(p.tessera.otherCpuPct, p.baseline.otherCpuPct)),
      fmt.ratio(p.ratio),
    ]),
  );
}

function failures(point) {
  return point.tessera.failed > 0 ? `, ${fmt.int(point.tessera.failed)} answers not 200` : '';
}

/** Issue 14's read targets, each as { target, thisRun, met } (run.mjs records them as they are). */
function targetsOf(points, relaxedPoint, raw) {
  const targets = [];
  const top = points[points.length - 1];
  targets.push({
    id: 'read-top',
    target: `GetSecretValue at c${top.concurrency} ≥ ${TARGET_RATIO} × bare node:http, p99 < ${TARGET_P99_MS} ms`,
    thisRun: `${fmt.ratio(top.ratio)} ×, p99 ${fmt.ms(top.tessera.p99Ms)} ms${failures(top)}`,
    met: top.ratio >= TARGET_RATIO && top.tessera.p99Ms < TARGET_P99_MS && top.tessera.failed === 0,
  });
  const c1 = points.find((p) => p.concurrency === 1);
  if (c1) {
    const ratio = c1.tessera.perSecond / raw.perSecond;
    targets.push({
      id: 'read-c1-durable',
      target: `GetSecretValue at c1 ≥ ${TARGET_C1_DURABLE} × raw durable commits (default durability)`,
      thisRun: `${fmt.int(c1.tessera.perSecond)} vs ${fmt.int(raw.perSecond)}/s (${fmt.ratio(ratio)} ×)${failures(c1)}`,
      met: ratio >= TARGET_C1_DURABLE && c1.tessera.failed === 0,
    });
  }
  if (relaxedPoint) {
    targets.push({
      id: 'read-c1-relaxed',
      target: `GetSecretValue at c1 ≥ ${TARGET_C1_RELAXED} × bare node:http at c1 (relaxed read audit)`,
      thisRun: `${fmt.int(relaxedPoint.tessera.perSecond)} vs ${fmt.int(relaxedPoint.baseline.perSecond)} req/s (${fmt.ratio(relaxedPoint.ratio)} ×)${failures(relaxedPoint)}`,
      met: relaxedPoint.ratio >= TARGET_C1_RELAXED && relaxedPoint.tessera.failed === 0,
    });
  }
  return targets;
}

async function main() {
  requireBuild();
  const dir = tempDir('tessera-bench-read-');
  const credentials = { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET };
  let store;
  let tessera;
  let baseline;
  let generator;
  try {
    store = await openBenchStore(STORE, dir.path);
    tessera = await startServer({ dataDir: dir.path, env: store.serverEnv });
    generator = await startLoadGenerator();
    const client = new TesseraClient({ endpoint: tessera.address, ...credentials, maxRetries: 0 });
    await client.createSecret({ secretName: SECRET_NAME, versionId: 'v1', secretData: SECRET_DATA });

    // Capture one real answer; the baseline repeats its headers and body byte for byte.
    const sample = await rawExchange(
      tessera.port,
      signedRequest({
        host: tessera.host,
        action: 'GetSecretValue',
        params: { SecretName: SECRET_NAME },
        ...credentials,
      }),
    );
    if (sample.status !== 200) throw new Error(`GetSecretValue answered ${sample.status}: ${sample.body}`);
    const keepAlive = /timeout=(\d+)/.exec(sample.headers['keep-alive'] ?? '');
    const specFile = join(dir.path, 'baseline-response.json');
    writeFileSync(
      specFile,
      JSON.stringify({
        body: sample.body,
        headers: {
          'content-type': sample.headers['content-type'],
          'x-acs-request-id': sample.headers['x-acs-request-id'],
        },
        keepAliveTimeoutMs: keepAlive ? Number(keepAlive[1]) * 1000 : 5_000,
      }),
    );
    baseline = await startBaseline(specFile);
    const scenario = { kind: 'fixed', action: 'GetSecretValue', params: { SecretName: SECRET_NAME } };

    console.log(
      `GetSecretValue on ${store.description}: response ${Buffer.byteLength(sample.body)} body bytes ` +
        `(${sample.headBytes} header bytes); server pinned: ${tessera.pinned}, generator pinned: ${generator.pinned}; ` +
        `${DURATION_MS} ms per point after ${WARMUP_MS} ms warm-up, ${ROUNDS} rounds`,
    );
    // The floor of concurrency 1 with the default durability: one durable commit per answer.
    const raw = store.rawCommits({ durationMs: Math.min(DURATION_MS, 3_000), valueBytes: 64 });
    console.log(`  raw durable commits (${store.label}): ${describeRaw(raw)}`);
    // JIT warm-up of both servers and of the generator.
    for (const server of [tessera, baseline]) {
      await generator.run(server, { concurrency: 16, durationMs: 3_000, scenario });
    }

    const runs = [];
    for (const concurrency of CONCURRENCIES) {
      runs.push(...(await measure(generator, { tessera, baseline }, concurrency, scenario)));
    }
    const points = CONCURRENCIES.map((concurrency) => {
      const t = summary(runs, 'tessera', concurrency);
      const b = summary(runs, 'baseline', concurrency);
      return { concurrency, tessera: t, baseline: b, ratio: t.perSecond / b.perSecond };
    });

    // Concurrency 1 again, on a server whose reads' audit events are relaxed (same data).
    let relaxedPoint;
    if (RELAXED) {
      await tessera.stop();
      tessera = await startServer({
        dataDir: dir.path,
        env: { ...store.serverEnv, TESSERA_AUDIT_READ_DURABILITY: 'relaxed' },
      });
      console.log('\nTESSERA_AUDIT_READ_DURABILITY=relaxed:');
      await generator.run(tessera, { concurrency: 16, durationMs: 2_000, scenario });
      const relaxedRuns = await measure(generator, { relaxed: tessera, baseline }, 1, scenario);
      runs.push(...relaxedRuns);
      const t = summary(relaxedRuns, 'relaxed', 1);
      const b = summary(relaxedRuns, 'baseline', 1);
      relaxedPoint = {
        concurrency: 1,
        relaxed: true,
        tessera: t,
        baseline: b,
        ratio: t.perSecond / b.perSecond,
      };
    }
    await tessera.stop();

    console.log('');
    console.log(pointTable(relaxedPoint ? [...points, relaxedPoint] : points));
    const targets = targetsOf(points, relaxedPoint, raw);
    console.log('');
    for (const t of targets) {
      console.log(`target (${store.label}): ${t.target}: ${t.met ? 'MET' : 'NOT MET'} (${t.thisRun})`);
    }

    const top = points[points.length - 1];
    const analysis = PROFILE
      ? await profileRead({
          dataDir: dir.path,
          serverEnv: store.serverEnv,
          generator,
          scenario,
          top,
          durationMs: DURATION_MS,
          rounds: ROUNDS,
        })
      : {};

    printResult({
      benchmark: 'http-read',
      store: STORE,
      storeDescription: store.description,
      durationMs: DURATION_MS,
      warmupMs: WARMUP_MS,
      rounds: ROUNDS,
      responseBodyBytes: Buffer.byteLength(sample.body),
      responseHeaderBytes: sample.headBytes,
      pinned: tessera.pinned && generator.pinned,
      raw,
      points,
      relaxedPoint,
      targets,
      quietLogs: analysis.quietLogs,
      profile: analysis.profile && {
        ...analysis.profile,
        byFunction: analysis.profile.byFunction.slice(0, 15),
      },
      runs: runs.map(withoutSamples),
    });
  } finally {
    generator?.close();
    await baseline?.stop();
    await tessera?.stop();
    await store?.close();
    dir.remove();
  }
}

await main();
