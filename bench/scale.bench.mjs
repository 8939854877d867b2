// Scale: the built server over a data folder of N secrets × 10 versions, against the same measurements
// at 1,000 secrets: startup time, resident memory, GetSecretValue latency (a random secret per request,
// and one hot secret), and ListSecrets latency for the first and the last page.
//
// Population happens in-process, not over HTTP (bench/lib/populate.mjs: the server initialises the
// folder, every version is sealed by the server's own envelope code, rows go in with prepared INSERTs;
// `--populate store` uses the server's store layer instead). After starting the server, the benchmark
// reads a sample of secrets back over HTTP and checks every version's value and labels.
//
// Run:  npm run build && node bench/scale.bench.mjs [--secrets 100000] [--small 1000] [--duration 3000]
//       [--populate sql|store]      (--secrets 1000000 for the large run; populating takes ~0.5 ms/secret)
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { TesseraClient } from '../packages/sdk/dist/index.js';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  fmt,
  memoryOf,
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
import { signedRequest } from './lib/acs3.mjs';

const args = parseArgs();
const LARGE = numberArg(args, 'secrets', 100_000);
const SMALL = numberArg(args, 'small', 1_000);
const VERSIONS = 10;
const DURATION_MS = numberArg(args, 'duration', 3_000);
const POPULATE = String(args.populate ?? 'sql');
const PAGE_SIZE = 100;
const PREFIX = 'scale/';
const WIDTH = 7;
/** "Flat" means within this factor of the small data set's figure. */
const FLAT_FACTOR = 1.5;

const nameOf = (i) => PREFIX + String(i).padStart(WIDTH, '0');
const credentials = { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET };

function populate(dataDir, count) {
  const out = execFileSync(
    process.execPath,
    [
      new URL('./lib/populate.mjs', import.meta.url).pathname,
      dataDir,
      String(count),
      String(VERSIONS),
      POPULATE,
      PREFIX,
      String(WIDTH),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

/** Reads `samples` secrets back through the server: every version's value and the two labels. */
async function verify(server, count, samples) {
  const client = new TesseraClient({ endpoint: server.address, ...credentials, maxRetries: 0 });
  const picks = [
    0,
    count - 1,
    ...Array.from({ length: samples - 2 }, () => Math.floor(Math.random() * count)),
  ];
  for (const i of picks) {
    const name = nameOf(i);
    const listing = await client.listSecretVersionIds({
      secretName: name,
      includeDeprecated: true,
      pageSize: 100,
    });
    if (listing.totalCount !== VERSIONS) throw new Error(`${name}: ${listing.totalCount} versions`);
    for (let v = 1; v <= VERSIONS; v++) {
      const value = await client.getSecretValue({ secretName: name, versionId: `v${v}` });
      if (value.secretData !== `value-${i}-${v}`) throw new Error(`${name} v${v}: wrong value`);
    }
    const current = await client.getSecretValue({ secretName: name });
    const previous = await client.getSecretValue({ secretName: name, versionStage: 'ACSPrevious' });
    if (current.versionId !== `v${VERSIONS}` || previous.versionId !== `v${VERSIONS - 1}`) {
      throw new Error(`${name}: labels on ${current.versionId} / ${previous.versionId}`);
    }
  }
  return picks.length;
}

async function measure(count, generator) {
  const dir = tempDir(`tessera-bench-scale-${count}-`);
  try {
    const filled = populate(dir.path, count);
    console.log(
      `  ${fmt.int(count)} secrets × ${VERSIONS} versions populated (${filled.method}) in ${(filled.ms / 1000).toFixed(1)} s, ` +
        `database ${fmt.mib(filled.dbBytes / 2 ** 20)} MiB`,
    );
    const server = await startServer({ dataDir: dir.path });
    try {
      const idle = memoryOf(server.pid);
      // The first request after startup (cold caches in the process; the file is in the OS page cache).
      const firstStarted = performance.now();
      const first = await rawExchange(
        server.port,
        signedRequest({
          host: server.host,
          action: 'GetSecretValue',
          params: { SecretName: nameOf(Math.floor(count / 2)) },
          ...credentials,
        }),
      );
      const firstMs = performance.now() - firstStarted;
      if (first.status !== 200)
        throw new Error(`first GetSecretValue answered ${first.status}: ${first.body}`);
      const verified = await verify(server, count, 10);

      const lastPage = Math.ceil(count / PAGE_SIZE);
      const scenarios = {
        getRandom: { kind: 'random-secret', prefix: PREFIX, count, width: WIDTH },
        getHot: { kind: 'fixed', action: 'GetSecretValue', params: { SecretName: nameOf(7) } },
        listFirst: {
          kind: 'fixed',
          action: 'ListSecrets',
          params: { PageNumber: '1', PageSize: String(PAGE_SIZE) },
        },
        listLast: {
          kind: 'fixed',
          action: 'ListSecrets',
          params: { PageNumber: String(lastPage), PageSize: String(PAGE_SIZE) },
        },
      };
      const results = {};
      for (const [name, scenario] of Object.entries(scenarios)) {
        await generator.run(server, { concurrency: 1, durationMs: 500, scenario });
        const result = await generator.run(server, { concurrency: 1, durationMs: DURATION_MS, scenario });
        if (result.errors > 0 || Object.keys(result.statuses).some((s) => s !== '200')) {
          throw new Error(`${name}: non-200 answers ${JSON.stringify(result.samples)}`);
        }
        delete result.samples;
        results[name] = result;
      }
      const loaded = memoryOf(server.pid);
      return {
        secrets: count,
        versions: VERSIONS,
        populate: filled,
        startupMs: server.readyMs,
        firstRequestMs: firstMs,
        rssIdleMiB: idle.rssMiB,
        rssAfterMiB: loaded.rssMiB,
        peakRssMiB: loaded.peakRssMiB,
        verifiedSecrets: verified,
        lastPage,
        ...results,
      };
    } finally {
      await server.stop();
    }
  } finally {
    dir.remove();
  }
}

async function main() {
  requireBuild();
  const generator = await startLoadGenerator();
  try {
    console.log(
      `scale: ${fmt.int(SMALL)} and ${fmt.int(LARGE)} secrets × ${VERSIONS} versions; each latency point is ` +
        `${DURATION_MS} ms of back-to-back requests on one keep-alive connection (concurrency 1); ListSecrets PageSize ${PAGE_SIZE}`,
    );
    const sizes = [];
    for (const count of [SMALL, LARGE]) sizes.push(await measure(count, generator));
    const [small, large] = sizes;
    console.log('');
    console.log(
      textTable(
        [
          'secrets',
          'startup ms',
          'RSS MiB idle/after',
          'Get random p50/p99 ms',
          'Get hot p50/p99 ms',
          'List first p50/p99 ms',
          'List last p50/p99 ms',
          'last page',
          'DB MiB',
        ],
        sizes.map((s) => [
          fmt.int(s.secrets),
          fmt.int(s.startupMs),
          `${fmt.mib(s.rssIdleMiB)} / ${fmt.mib(s.rssAfterMiB)}`,
          `${fmt.ms(s.getRandom.p50Ms)} / ${fmt.ms(s.getRandom.p99Ms)}`,
          `${fmt.ms(s.getHot.p50Ms)} / ${fmt.ms(s.getHot.p99Ms)}`,
          `${fmt.ms(s.listFirst.p50Ms)} / ${fmt.ms(s.listFirst.p99Ms)}`,
          `${fmt.ms(s.listLast.p50Ms)} / ${fmt.ms(s.listLast.p99Ms)}`,
          fmt.int(s.lastPage),
          fmt.mib(s.populate.dbBytes / 2 ** 20),
        ]),
      ),
    );
    const ratio = (f) => f(large) / f(small);
    const checks = [
      {
        target: `GetSecretValue (random secret) p50 flat in the number of secrets (<= ${FLAT_FACTOR}x)`,
        ratio: ratio((s) => s.getRandom.p50Ms),
      },
      {
        target: `GetSecretValue (random secret) p99 flat in the number of secrets (<= ${FLAT_FACTOR}x)`,
        ratio: ratio((s) => s.getRandom.p99Ms),
      },
      {
        target: `ListSecrets first page p50 flat in the number of secrets (<= ${FLAT_FACTOR}x)`,
        ratio: ratio((s) => s.listFirst.p50Ms),
      },
      {
        id: 'list-last-page',
        target: `ListSecrets last page p50 within ${FLAT_FACTOR}x of the first page at ${fmt.int(LARGE)} secrets`,
        ratio: large.listLast.p50Ms / large.listFirst.p50Ms,
      },
      {
        target: `startup time flat in the number of secrets (<= ${FLAT_FACTOR}x)`,
        ratio: ratio((s) => s.startupMs),
      },
      {
        id: 'rss',
        target: `resident memory (after the reads) at ${fmt.int(LARGE)} secrets within ${FLAT_FACTOR}x of ${fmt.int(SMALL)}`,
        ratio: ratio((s) => s.rssAfterMiB),
      },
    ].map((c) => ({ ...c, met: c.ratio <= FLAT_FACTOR }));
    console.log('');
    for (const c of checks) {
      console.log(`target: ${c.target}: ${c.met ? 'MET' : 'NOT MET'} (${fmt.ratio(c.ratio)}x)`);
    }
    printResult({ benchmark: 'scale', durationMs: DURATION_MS, pageSize: PAGE_SIZE, sizes, checks });
  } finally {
    generator.close();
  }
}

await main();
