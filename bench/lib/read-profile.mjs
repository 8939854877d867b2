// The analysis part of the read benchmark (`http-read.bench.mjs --profile`): a CPU profile of the server
// under the highest concurrency, and the same load with the per-request log line turned off.
import { performance } from 'node:perf_hooks';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, median, startServer } from './common.mjs';
import { formatProfile, newestProfile, summariseProfile } from './profile.mjs';

/**
 * `top`: the point profiled ({ concurrency, tessera: { perSecond }, baseline: { perSecond } }). Starts
 * and stops its own servers on `dataDir` with `serverEnv`; resolves to { profile, quietLogs }.
 */
export async function profileRead({ dataDir, serverEnv, generator, scenario, top, durationMs, rounds }) {
  // The same load on a server with --cpu-prof (written when it exits on SIGTERM).
  const profDir = join(dataDir, 'profile');
  mkdirSync(profDir, { recursive: true });
  let tessera = await startServer({
    dataDir,
    env: serverEnv,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
  });
  let profile;
  try {
    await generator.run(tessera, { concurrency: top.concurrency, durationMs: 2_000, scenario });
    const measuredFromMs = performance.now() - tessera.spawnedAt;
    const profiled = await generator.run(tessera, {
      concurrency: top.concurrency,
      durationMs,
      scenario,
      presign: Math.ceil(((top.tessera.perSecond * durationMs) / 1000) * 2),
    });
    await tessera.stop();
    profile = summariseProfile(newestProfile(profDir), { fromMs: measuredFromMs });
    // BENCH_KEEP_PROFILE=<file>: keep the .cpuprofile (for a viewer) after the data folder is removed.
    if (process.env.BENCH_KEEP_PROFILE) copyFileSync(newestProfile(profDir), process.env.BENCH_KEEP_PROFILE);
    console.log(
      `\nCPU profile of the server at c=${top.concurrency} (${fmt.int(profiled.perSecond)} req/s while profiled):`,
    );
    console.log(formatProfile(profile));
  } finally {
    await tessera.stop();
  }

  // The same load with the per-request log line turned off (TESSERA_LOG_LEVEL=warn).
  tessera = await startServer({ dataDir, env: serverEnv, logLevel: 'warn' });
  try {
    await generator.run(tessera, { concurrency: top.concurrency, durationMs: 3_000, scenario });
    const quiet = [];
    for (let round = 0; round < rounds; round++) {
      quiet.push(
        await generator.run(tessera, {
          concurrency: top.concurrency,
          durationMs,
          scenario,
          presign: Math.ceil(((top.tessera.perSecond * durationMs) / 1000) * 3),
        }),
      );
    }
    const quietLogs = {
      concurrency: top.concurrency,
      perSecond: median(quiet.map((r) => r.perSecond)),
      p50Ms: median(quiet.map((r) => r.p50Ms)),
      p99Ms: median(quiet.map((r) => r.p99Ms)),
    };
    console.log(
      `\nsame load with TESSERA_LOG_LEVEL=warn (no per-request log line): ${fmt.int(quietLogs.perSecond)} req/s, ` +
        `p50 ${fmt.ms(quietLogs.p50Ms)} ms, p99 ${fmt.ms(quietLogs.p99Ms)} ms; ratio to baseline ${fmt.ratio(quietLogs.perSecond / top.baseline.perSecond)}`,
    );
    return { profile, quietLogs };
  } finally {
    await tessera.stop();
  }
}
