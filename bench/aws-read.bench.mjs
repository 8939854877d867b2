// Signed GetSecretValue over the AWS Secrets Manager API beside the same read over the Alibaba API, on
// one server and one secret: requests/s, p50 and p99 at each concurrency, and the ratio AWS / Alibaba.
//
// Setup as http-read.bench.mjs: the built server pinned to CPU 0, the load generator (bench/lib/loadgen.mjs)
// pinned to CPU 1, keep-alive connections, one request in flight on each. AWS requests are JSON 1.1 bodies
// signed with SigV4 (bench/lib/sigv4.mjs), Alibaba ones ACS3-signed with @tessera/sdk's signer; both are
// signed before the clock starts. Each point runs in `--rounds` rounds alternating which API goes first.
//
// Run:  npm run build && node bench/aws-read.bench.mjs [--duration 5000] [--warmup 1000] [--rounds 2]
//       [--concurrency 1,16,64]
import { TesseraClient } from '../packages/sdk/dist/index.js';
import { signedAwsRequest } from './lib/sigv4.mjs';
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
  startLoadGenerator,
  startServer,
  tempDir,
  textTable,
} from './lib/common.mjs';

const args = parseArgs();
const DURATION_MS = numberArg(args, 'duration', 5_000);
const WARMUP_MS = numberArg(args, 'warmup', 1_000);
const ROUNDS = numberArg(args, 'rounds', 2);
const CONCURRENCIES = String(args.concurrency ?? '1,16,64')
  .split(',')
  .map(Number);
const SECRET_NAME = 'bench/read';
const SECRET_DATA = JSON.stringify({ username: 'app_service', password: 'k3J9#vQ2!xLm8@pR5$tW7^zN4&yB6*cD' });
const MAX_PRESIGN = 600_000;

const SCENARIOS = {
  alibaba: { kind: 'fixed', action: 'GetSecretValue', params: { SecretName: SECRET_NAME } },
  aws: { kind: 'aws-fixed', operation: 'GetSecretValue', input: { SecretId: SECRET_NAME } },
};

async function main() {
  requireBuild();
  const dir = tempDir('tessera-bench-aws-read-');
  const credentials = { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET };
  const tessera = await startServer({ dataDir: dir.path });
  const generator = await startLoadGenerator();
  try {
    const client = new TesseraClient({ endpoint: tessera.address, ...credentials, maxRetries: 0 });
    await client.createSecret({ secretName: SECRET_NAME, versionId: 'v1', secretData: SECRET_DATA });
    const sample = await rawExchange(
      tessera.port,
      signedAwsRequest({
        host: tessera.host,
        operation: 'GetSecretValue',
        input: { SecretId: SECRET_NAME },
        ...credentials,
      }),
    );
    if (sample.status !== 200)
      throw new Error(`AWS GetSecretValue answered ${sample.status}: ${sample.body}`);
    console.log(
      `GetSecretValue over both APIs; server pinned: ${tessera.pinned}, generator pinned: ${generator.pinned}; ` +
        `${DURATION_MS} ms per point after ${WARMUP_MS} ms warm-up, ${ROUNDS} rounds`,
    );
    for (const api of ['alibaba', 'aws'])
      await generator.run(tessera, { concurrency: 16, durationMs: 2_000, scenario: SCENARIOS[api] });

    const runs = [];
    for (const concurrency of CONCURRENCIES) {
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? ['alibaba', 'aws'] : ['aws', 'alibaba'];
        for (const api of order) {
          const scenario = SCENARIOS[api];
          const warm = await generator.run(tessera, { concurrency, durationMs: WARMUP_MS, scenario });
          const presign = Math.min(
            MAX_PRESIGN,
            Math.ceil(((warm.perSecond * DURATION_MS) / 1000) * 3) + concurrency * 4,
          );
          const result = await generator.run(tessera, {
            concurrency,
            durationMs: DURATION_MS,
            scenario,
            presign,
          });
          runs.push({ api, round, concurrency, ...result });
          console.log(
            `  c=${String(concurrency).padStart(2)} round ${round + 1} ${api.padEnd(7)} ` +
              `${fmt.int(result.perSecond).padStart(7)} req/s  p50 ${fmt.ms(result.p50Ms)} ms  p99 ${fmt.ms(result.p99Ms)} ms  ` +
              `CPU server ${fmt.pct(result.serverCpuPct)} generator ${fmt.pct(result.generatorCpuPct)}  ` +
              `statuses ${JSON.stringify(result.statuses)}${result.errors ? ` errors ${result.errors}` : ''}`,
          );
        }
      }
    }
    const bad = runs.filter((r) => r.errors > 0 || Object.keys(r.statuses).some((s) => s !== '200'));
    if (bad.length > 0)
      throw new Error(`non-200 answers or socket errors: ${JSON.stringify(bad.map((r) => r.samples))}`);

    const points = CONCURRENCIES.map((concurrency) => {
      const of = (api) => runs.filter((r) => r.api === api && r.concurrency === concurrency);
      const summary = (api) => ({
        perSecond: median(of(api).map((r) => r.perSecond)),
        p50Ms: median(of(api).map((r) => r.p50Ms)),
        p99Ms: median(of(api).map((r) => r.p99Ms)),
      });
      const alibaba = summary('alibaba');
      const aws = summary('aws');
      return { concurrency, alibaba, aws, ratio: aws.perSecond / alibaba.perSecond };
    });
    console.log('');
    console.log(
      textTable(
        ['conc', 'Alibaba req/s', 'p50 ms', 'p99 ms', 'AWS req/s', 'p50 ms', 'p99 ms', 'AWS / Alibaba'],
        points.map((p) => [
          p.concurrency,
          fmt.int(p.alibaba.perSecond),
          fmt.ms(p.alibaba.p50Ms),
          fmt.ms(p.alibaba.p99Ms),
          fmt.int(p.aws.perSecond),
          fmt.ms(p.aws.p50Ms),
          fmt.ms(p.aws.p99Ms),
          fmt.ratio(p.ratio),
        ]),
      ),
    );
    printResult({ benchmark: 'aws-read', durationMs: DURATION_MS, rounds: ROUNDS, points });
  } finally {
    generator.close();
    await tessera.stop();
    dir.remove();
  }
}

await main();
