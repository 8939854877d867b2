// Warm-cache read benchmark of @tessera/sdk's SecretCache against a real Tessera server.
//
// Starts the built server (packages/server/dist/main.js) as a child process on a free port with a
// temporary data folder, creates a secret, warms a SecretCache, then measures `await cache.get(name)`:
// throughput (ops/s, ns per read) over a fixed duration, and per-read latency percentiles. It also
// checks that no request reached the server while measuring, and times cold reads for comparison.
//
// Run from the repository root:  npm run bench:sdk-cache   (builds first)
//                            or: npm run build && node bench/sdk-cache.bench.mjs
// Settings (environment): BENCH_DURATION_MS (default 3000), BENCH_SAMPLES (default 500000).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SecretCache, TesseraClient } from '../packages/sdk/dist/index.js';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 500_000);
const WARMUP_READS = 200_000;
const BATCH = 10_000;
const COLD_READS = 200;
const ACCESS_KEY_ID = 'BenchAdmin01';
const ACCESS_KEY_SECRET = 'bench-admin-secret-0123456789';

/** Starts the server on port 0 and resolves with its address from the "tessera is ready" log line. */
async function startServer(dataDir) {
  const child = spawn(process.execPath, ['packages/server/dist/main.js'], {
    env: {
      ...process.env,
      TESSERA_PORT: '0',
      TESSERA_HOST: '127.0.0.1',
      TESSERA_DATA_DIR: dataDir,
      TESSERA_LOG_LEVEL: 'info',
      TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
      TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const address = await new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the server exited with code ${code} before it was ready`)),
    );
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'tessera is ready') resolve(entry.address);
      } catch {
        // not a JSON log line
      }
    });
  });
  return {
    address,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const server = await startServer(dataDir);
  let requests = 0;
  const client = new TesseraClient({
    endpoint: server.address,
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    fetch: (input, init) => {
      requests += 1;
      return globalThis.fetch(input, init);
    },
  });
  const cache = new SecretCache({ client, refreshIntervalMs: 60 * 60_000 });
  try {
    const secretName = 'bench/db-password';
    await client.createSecret({ secretName, versionId: 'v1', secretData: 'correct horse battery staple' });

    // Cold reads, each through a fresh cache: one GetSecretValue round trip (for comparison).
    let coldTotalNs = 0;
    for (let i = 0; i < COLD_READS; i++) {
      const fresh = new SecretCache({ client });
      const start = process.hrtime.bigint();
      await fresh.get(secretName);
      coldTotalNs += Number(process.hrtime.bigint() - start);
      fresh.close();
    }

    await cache.get(secretName);
    for (let i = 0; i < WARMUP_READS; i++) await cache.get(secretName);
    const requestsBefore = requests;

    // Throughput: as many awaited reads as fit in DURATION_MS.
    let reads = 0;
    const started = process.hrtime.bigint();
    const deadline = started + BigInt(DURATION_MS) * 1_000_000n;
    let now = started;
    while (now < deadline) {
      for (let i = 0; i < BATCH; i++) await cache.get(secretName);
      reads += BATCH;
      now = process.hrtime.bigint();
    }
    const elapsedNs = Number(now - started);

    // Latency: each read timed on its own. The cost of the timing itself is measured and reported apart.
    const overhead = new Float64Array(SAMPLES);
    for (let i = 0; i < SAMPLES; i++) {
      const start = process.hrtime.bigint();
      overhead[i] = Number(process.hrtime.bigint() - start);
    }
    overhead.sort();
    const samples = new Float64Array(SAMPLES);
    for (let i = 0; i < SAMPLES; i++) {
      const start = process.hrtime.bigint();
      await cache.get(secretName);
      samples[i] = Number(process.hrtime.bigint() - start);
    }
    samples.sort();
    const requestsDuring = requests - requestsBefore;

    const result = {
      benchmark: 'sdk-cache warm read (await cache.get(name))',
      node: process.version,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      reads,
      opsPerSecond: Math.round(reads / (elapsedNs / 1e9)),
      nsPerRead: Math.round(elapsedNs / reads),
      p50Ns: percentile(samples, 50),
      p99Ns: percentile(samples, 99),
      p999Ns: percentile(samples, 99.9),
      timerOverheadP50Ns: percentile(overhead, 50),
      requestsWhileMeasuring: requestsDuring,
      coldReadMeanMs: Number((coldTotalNs / COLD_READS / 1e6).toFixed(3)),
    };
    console.log(
      [
        `${result.benchmark}`,
        `  node ${result.node}, ${result.cpus} CPUs (${result.cpuModel})`,
        `  throughput  ${result.opsPerSecond.toLocaleString('en-US')} reads/s  (${result.nsPerRead} ns/read, ${result.reads.toLocaleString('en-US')} reads in ${DURATION_MS} ms)`,
        `  latency     p50 ${result.p50Ns} ns   p99 ${result.p99Ns} ns   p99.9 ${result.p999Ns} ns   (${SAMPLES.toLocaleString('en-US')} samples; timing itself costs ~${result.timerOverheadP50Ns} ns)`,
        `  requests to the server while measuring: ${result.requestsWhileMeasuring}`,
        `  for comparison, a cold read (one GetSecretValue round trip): ${result.coldReadMeanMs} ms mean`,
      ].join('\n'),
    );
    console.log(JSON.stringify(result));
    if (requestsDuring !== 0) process.exitCode = 1;
  } finally {
    cache.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
