// GetSecretValue over HTTP against the built server, beside a bare node:http server answering the same
// bytes: requests/s, p50 and p99 at concurrency 1, 16 and 64, and the ratio Tessera / baseline.
//
// Setup: the server (and, in turn, the baseline) runs pinned to CPU 0, the load generator
// (bench/lib/loadgen.mjs) in its own process pinned to CPU 1. Every request carries a fresh ACS3-HMAC-SHA256
// signature made with @tessera/sdk's signer; the baseline receives the very same request bytes and answers
// with Tessera's captured response (same status, headers, body length). Both are warmed up; each point is
// measured in `--rounds` rounds that alternate which server goes first, and the medians are reported.
//
// Run:  npm run build && node bench/http-read.bench.mjs [--duration 5000] [--warmup 1000] [--rounds 2]
//       [--concurrency 1,16,64] [--profile]   (--profile: a CPU profile of the server at the highest
//       concurrency, and the same load with logging at warn, for the analysis)
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
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
  startBaseline,
  startLoadGenerator,
  startServer,
  tempDir,
  textTable,
} from './lib/common.mjs';
import { formatProfile, newestProfile, summariseProfile } from './lib/profile.mjs';

const args = parseArgs();
const DURATION_MS = numberArg(args, 'duration', 5_000);
const WARMUP_MS = numberArg(args, 'warmup', 1_000);
const ROUNDS = numberArg(args, 'rounds', 2);
const CONCURRENCIES = String(args.concurrency ?? '1,16,64')
  .split(',')
  .map(Number);
const PROFILE = args.profile === true;
const SECRET_NAME = 'bench/read';
// A typical secret: database credentials as JSON (about 150 bytes).
const SECRET_DATA = JSON.stringify({
  engine: 'postgres',
  host: 'db.internal.example.com',
  port: 5432,
  username: 'app_service',
  password: 'k3J9#vQ2!xLm8@pR5$tW7^zN4&yB6*cD',
});
const TARGET_RATIO = 0.75;
/** Requests signed ahead at most per point (about 650 bytes each). */
const MAX_PRESIGN = 600_000;

/** A run's result without the sample answers (kept for error messages only). */
function withoutSamples(run) {
  const copy = { ...run };
  delete copy.samples;
  return copy;
}

async function main() {
  requireBuild();
  const dir = tempDir('tessera-bench-read-');
  const credentials = { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET };
  let tessera = await startServer({ dataDir: dir.path });
  let baseline;
  const generator = await startLoadGenerator();
  try {
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
    const targets = { tessera, baseline };

    console.log(
      `GetSecretValue: response ${Buffer.byteLength(sample.body)} body bytes (${sample.headBytes} header bytes); ` +
        `server pinned: ${tessera.pinned}, generator pinned: ${generator.pinned}; ` +
        `${DURATION_MS} ms per point after ${WARMUP_MS} ms warm-up, ${ROUNDS} rounds`,
    );
    // JIT warm-up of both servers and of the generator.
    for (const name of ['tessera', 'baseline']) {
      await generator.run(targets[name], { concurrency: 16, durationMs: 3_000, scenario });
    }

    const runs = [];
    for (const concurrency of CONCURRENCIES) {
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? ['tessera', 'baseline'] : ['baseline', 'tessera'];
        for (const name of order) {
          const warm = await generator.run(targets[name], { concurrency, durationMs: WARMUP_MS, scenario });
          // Signed ahead, three times what the warm-up rate needs, so signing does not load the generator.
          const presign = Math.min(
            MAX_PRESIGN,
            Math.ceil(((warm.perSecond * DURATION_MS) / 1000) * 3) + concurrency * 4,
          );
          const result = await generator.run(targets[name], {
            concurrency,
            durationMs: DURATION_MS,
            scenario,
            presign,
          });
          runs.push({ server: name, round, ...result });
          console.log(
            `  c=${String(concurrency).padStart(2)} round ${round + 1} ${name.padEnd(8)} ` +
              `${fmt.int(result.perSecond).padStart(7)} req/s  p50 ${fmt.ms(result.p50Ms)} ms  p99 ${fmt.ms(result.p99Ms)} ms  ` +
              `CPU server ${fmt.pct(result.serverCpuPct)} generator ${fmt.pct(result.generatorCpuPct)} others ${fmt.pct(result.otherCpuPct)}  ` +
              `statuses ${JSON.stringify(result.statuses)}${result.errors ? ` errors ${result.errors}` : ''}  ` +
              `${Math.round(result.bytesPerResponse)} B/response` +
              (result.signedInline > 0 ? `  (${result.signedInline} signed during the run)` : ''),
          );
        }
      }
    }
    const bad = runs.filter((r) => r.errors > 0 || Object.keys(r.statuses).some((s) => s !== '200'));
    if (bad.length > 0) {
      throw new Error(`non-200 answers or socket errors: ${JSON.stringify(bad.map((r) => r.samples))}`);
    }

    const points = CONCURRENCIES.map((concurrency) => {
      const of = (server) => runs.filter((r) => r.server === server && r.concurrency === concurrency);
      const summary = (server) => ({
        perSecond: median(of(server).map((r) => r.perSecond)),
        p50Ms: median(of(server).map((r) => r.p50Ms)),
        p99Ms: median(of(server).map((r) => r.p99Ms)),
        serverCpuPct: median(of(server).map((r) => r.serverCpuPct)),
        generatorCpuPct: Math.max(...of(server).map((r) => r.generatorCpuPct)),
        otherCpuPct: Math.max(...of(server).map((r) => r.otherCpuPct)),
        rounds: of(server).map((r) => Math.round(r.perSecond)),
      });
      const t = summary('tessera');
      const b = summary('baseline');
      return { concurrency, tessera: t, baseline: b, ratio: t.perSecond / b.perSecond };
    });
    console.log('');
    console.log(
      textTable(
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
          p.concurrency,
          fmt.int(p.tessera.perSecond),
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
      ),
    );
    const top = points[points.length - 1];
    const met = top.ratio >= TARGET_RATIO;
    console.log(
      `\ntarget: Tessera >= ${TARGET_RATIO} x baseline at concurrency ${top.concurrency}: ${met ? 'MET' : 'NOT MET'} (${fmt.ratio(top.ratio)})`,
    );

    let profile;
    let quietLogs;
    if (PROFILE) {
      // The same load on a server with --cpu-prof (written when it exits on SIGTERM).
      await tessera.stop();
      const profDir = join(dir.path, 'profile');
      mkdirSync(profDir);
      tessera = await startServer({
        dataDir: dir.path,
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
      });
      await generator.run(tessera, { concurrency: top.concurrency, durationMs: 2_000, scenario });
      const measuredFromMs = performance.now() - tessera.spawnedAt;
      const profiled = await generator.run(tessera, {
        concurrency: top.concurrency,
        durationMs: DURATION_MS,
        scenario,
        presign: Math.ceil(((top.tessera.perSecond * DURATION_MS) / 1000) * 2),
      });
      await tessera.stop();
      profile = summariseProfile(newestProfile(profDir), { fromMs: measuredFromMs });
      // BENCH_KEEP_PROFILE=<file>: keep the .cpuprofile (for a viewer) after the data folder is removed.
      if (process.env.BENCH_KEEP_PROFILE)
        copyFileSync(newestProfile(profDir), process.env.BENCH_KEEP_PROFILE);
      console.log(
        `\nCPU profile of the server at c=${top.concurrency} (${fmt.int(profiled.perSecond)} req/s while profiled):`,
      );
      console.log(formatProfile(profile));

      // The same load with the per-request log line turned off (TESSERA_LOG_LEVEL=warn).
      tessera = await startServer({ dataDir: dir.path, logLevel: 'warn' });
      await generator.run(tessera, { concurrency: top.concurrency, durationMs: 3_000, scenario });
      const quiet = [];
      for (let round = 0; round < ROUNDS; round++) {
        quiet.push(
          await generator.run(tessera, {
            concurrency: top.concurrency,
            durationMs: DURATION_MS,
            scenario,
            presign: Math.ceil(((top.tessera.perSecond * DURATION_MS) / 1000) * 3),
          }),
        );
      }
      quietLogs = {
        concurrency: top.concurrency,
        perSecond: median(quiet.map((r) => r.perSecond)),
        p50Ms: median(quiet.map((r) => r.p50Ms)),
        p99Ms: median(quiet.map((r) => r.p99Ms)),
      };
      console.log(
        `\nsame load with TESSERA_LOG_LEVEL=warn (no per-request log line): ${fmt.int(quietLogs.perSecond)} req/s, ` +
          `p50 ${fmt.ms(quietLogs.p50Ms)} ms, p99 ${fmt.ms(quietLogs.p99Ms)} ms; ratio to baseline ${fmt.ratio(quietLogs.perSecond / top.baseline.perSecond)}`,
      );
    }

    printResult({
      benchmark: 'http-read',
      durationMs: DURATION_MS,
      warmupMs: WARMUP_MS,
      rounds: ROUNDS,
      responseBodyBytes: Buffer.byteLength(sample.body),
      responseHeaderBytes: sample.headBytes,
      pinned: tessera.pinned && generator.pinned,
      points,
      target: { ratio: TARGET_RATIO, concurrency: top.concurrency, actual: top.ratio, met },
      quietLogs,
      profile: profile && { ...profile, byFunction: profile.byFunction.slice(0, 15) },
      runs: runs.map(withoutSamples),
    });
  } finally {
    generator.close();
    await baseline?.stop();
    await tessera.stop();
    dir.remove();
  }
}

await main();
