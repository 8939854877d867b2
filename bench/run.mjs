// `npm run bench`: runs the server benchmarks one after another, each in its own process, shows their
// output as it comes, and records the results — machine, Node version, commands, summary tables, the
// targets met or not, and the raw output — as a dated section of BENCHMARKS.md (replacing a section of
// the same date, else appended; other sections, such as sdk-cache, are kept).
//
// Flags:
//   --secrets N        secrets in the large scale data set (default 100,000; 1000000 for the big run)
//   --quick            short runs for a smoke test (10,000 secrets, 2 s points, one round, no profile)
//   --only a,b         run some of: read, write, scale
//   --no-profile       skip the CPU profile and the logging comparison of the read benchmark
//   --no-record        print only; leave BENCHMARKS.md alone
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, RESULT_PREFIX, fmt, machine, parseArgs, requireBuild } from './lib/common.mjs';

const args = parseArgs();
const quick = args.quick === true;
const only = new Set(String(args.only ?? 'read,write,scale').split(','));
const secrets = String(args.secrets ?? (quick ? 10_000 : 100_000)).replace(/_/g, '');
const BENCHMARKS_FILE = join(REPO, 'BENCHMARKS.md');

const plan = [
  {
    id: 'read',
    script: 'bench/http-read.bench.mjs',
    args: quick
      ? ['--duration', '2000', '--rounds', '1']
      : ['--duration', '5000', '--rounds', '2', ...(args['no-profile'] ? [] : ['--profile'])],
  },
  {
    id: 'write',
    script: 'bench/durable-write.bench.mjs',
    args: quick
      ? ['--duration', '2000']
      : ['--duration', '4000', ...(args['no-profile'] ? [] : ['--profile'])],
  },
  {
    id: 'scale',
    script: 'bench/scale.bench.mjs',
    args: ['--secrets', secrets, ...(quick ? ['--duration', '1500'] : ['--duration', '3000'])],
  },
].filter((step) => only.has(step.id));

function runStep(step) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [step.script, ...step.args], {
      cwd: REPO,
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
      if (code !== 0 || !result) reject(new Error(`${step.script} failed (exit code ${code})`));
      else resolve({ lines, result });
    });
  });
}

function verdict(met) {
  return met ? 'met' : '**NOT MET**';
}

function profileTable(profile) {
  const lines = ['| Area | % | | Function | % |', '|---|---:|---|---|---:|'];
  const rows = Math.max(profile.byArea.length, profile.byFunction.length);
  for (let i = 0; i < Math.min(rows, 15); i++) {
    const a = profile.byArea[i];
    const f = profile.byFunction[i];
    lines.push(
      `| ${a ? `\`${a.name}\`` : ''} | ${a ? a.pctOfBusy.toFixed(1) : ''} | | ${f ? `\`${f.name}\`` : ''} | ${f ? f.pctOfBusy.toFixed(1) : ''} |`,
    );
  }
  lines.push('');
  return lines;
}

function markdown({ date, info, outcomes, minutes, command }) {
  const out = [];
  const read = outcomes.read?.result;
  const write = outcomes.write?.result;
  const scale = outcomes.scale?.result;
  const allRuns = [
    ...(read?.runs ?? []),
    ...(write?.runs ?? []),
    ...(scale?.sizes ?? []).flatMap((s) => [s.getRandom, s.getHot, s.listFirst, s.listLast]),
  ];
  const maxOthers = Math.max(0, ...allRuns.map((r) => r.otherCpuPct ?? 0));

  out.push(`## Server benchmarks, ${date} (\`npm run bench\`)`, '');
  out.push(
    `Machine: ${info.nproc} vCPUs (\`nproc\` = ${info.nproc}), ${info.cpuModel}, ${info.memoryGiB} GiB RAM, ` +
      `Linux ${info.kernel}; data on ${info.disk} (${info.tmpdir}); Node ${info.node}.`,
  );
  out.push(
    `Command: \`${command}\` (${minutes.toFixed(1)} min). The server and the baseline run pinned to CPU 0, the load ` +
      `generator (its own process) to CPU 1 (\`taskset\`: ${info.taskset ? 'yes' : 'not available, unpinned'}). ` +
      `"others" is the CPU the rest of the machine used during a run (in % of one CPU); the highest seen in ` +
      `this run was ${fmt.pct(maxOthers)}${maxOthers > 25 ? ', so some points were disturbed by other work on the VM' : ''}.`,
  );
  out.push('');

  out.push('### Targets', '', '| Target | This run | |', '|---|---|---|');
  if (read) {
    const t = read.target;
    out.push(
      `| GetSecretValue ≥ ${t.ratio} × bare node:http at concurrency ${t.concurrency} | ${fmt.ratio(t.actual)} × | ${verdict(t.met)} |`,
    );
  }
  for (const v of write?.verdicts ?? []) {
    out.push(
      `| ${v.action} ≥ raw durable SQLite commits | ${fmt.int(v.best)} vs ${fmt.int(v.raw)} writes/s (${fmt.ratio(v.ratio)} ×) | ${verdict(v.met)} |`,
    );
  }
  for (const c of scale?.checks ?? []) {
    out.push(`| ${c.target} | ${fmt.ratio(c.ratio)} × | ${verdict(c.met)} |`);
  }
  out.push('');

  if (read) {
    out.push(
      `### GetSecretValue over HTTP vs a bare node:http server`,
      '',
      `ACS3-signed requests (fresh nonce each), keep-alive, closed loop; response ${read.responseBodyBytes} body + ` +
        `${read.responseHeaderBytes} header bytes for both servers; ${read.durationMs / 1000} s per point after warm-up, ` +
        `median of ${read.rounds} rounds alternating which server goes first.`,
      '',
      '| Concurrency | Tessera req/s | p50 ms | p99 ms | server CPU | Baseline req/s | p50 ms | p99 ms | server CPU | generator CPU (max) | others (max) | Ratio |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...read.points.map(
        (p) =>
          `| ${p.concurrency} | ${fmt.int(p.tessera.perSecond)} | ${fmt.ms(p.tessera.p50Ms)} | ${fmt.ms(p.tessera.p99Ms)} | ${fmt.pct(p.tessera.serverCpuPct)} | ` +
          `${fmt.int(p.baseline.perSecond)} | ${fmt.ms(p.baseline.p50Ms)} | ${fmt.ms(p.baseline.p99Ms)} | ${fmt.pct(p.baseline.serverCpuPct)} | ` +
          `${fmt.pct(Math.max(p.tessera.generatorCpuPct, p.baseline.generatorCpuPct))} | ${fmt.pct(Math.max(p.tessera.otherCpuPct, p.baseline.otherCpuPct))} | **${fmt.ratio(p.ratio)}** |`,
      ),
      '',
    );
    if (read.quietLogs) {
      out.push(
        `Same load at concurrency ${read.quietLogs.concurrency} with \`TESSERA_LOG_LEVEL=warn\` (no per-request log line): ` +
          `${fmt.int(read.quietLogs.perSecond)} req/s, p50 ${fmt.ms(read.quietLogs.p50Ms)} ms, p99 ${fmt.ms(read.quietLogs.p99Ms)} ms.`,
        '',
      );
    }
    if (read.profile) {
      out.push(
        `CPU profile of the server under that load (\`node --cpu-prof\`, the measured window only), ` +
          `self time in % of busy time:`,
        '',
      );
      out.push(...profileTable(read.profile));
    }
  }

  if (write) {
    out.push(
      '### Durable writes',
      '',
      `Each connection writes to its own secret; ${write.valueBytes}-byte values; ${write.durationMs / 1000} s per point. ` +
        `Raw SQLite: single-row \`BEGIN IMMEDIATE; INSERT; COMMIT\` with better-sqlite3, WAL, synchronous=FULL, ` +
        `same disk, same CPU, measured before and after the server's runs.`,
      '',
      '| Action | Concurrency | writes/s | p50 ms | p99 ms | server CPU | others | vs raw |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...write.runs.map(
        (r) =>
          `| ${r.action} | ${r.concurrency} | ${fmt.int(r.perSecond)} | ${fmt.ms(r.p50Ms)} | ${fmt.ms(r.p99Ms)} | ${fmt.pct(r.serverCpuPct)} | ${fmt.pct(r.otherCpuPct)} | ${fmt.ratio(r.perSecond / write.raw.meanPerSecond)} |`,
      ),
      `| raw SQLite commit, before | 1 | ${fmt.int(write.raw.before.perSecond)} | ${fmt.ms(write.raw.before.p50Ms)} | ${fmt.ms(write.raw.before.p99Ms)} | | | |`,
      `| raw SQLite commit, after | 1 | ${fmt.int(write.raw.after.perSecond)} | ${fmt.ms(write.raw.after.p50Ms)} | ${fmt.ms(write.raw.after.p99Ms)} | | | |`,
      '',
    );
    if (write.profile) {
      out.push(
        'CPU profile of the server under PutSecretValue at concurrency 16, self time in % of busy time:',
        '',
      );
      out.push(...profileTable(write.profile));
    }
  }

  if (scale) {
    out.push(
      '### Scale',
      '',
      `Secrets × ${scale.sizes[0].versions} versions, populated in-process (${scale.sizes[0].populate.method}: see ` +
        `\`bench/lib/populate.mjs\`) and checked back over HTTP; latencies at concurrency 1 for ${scale.durationMs / 1000} s each; ` +
        `ListSecrets with PageSize ${scale.pageSize}. The database file is in the OS page cache (just written).`,
      '',
      '| Secrets | Populate s | DB MiB | Startup ms | RSS MiB idle / after | GetSecretValue random p50 / p99 ms | same secret p50 / p99 ms | ListSecrets page 1 p50 / p99 ms | last page p50 / p99 ms |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...scale.sizes.map(
        (s) =>
          `| ${fmt.int(s.secrets)} | ${(s.populate.ms / 1000).toFixed(1)} | ${fmt.mib(s.populate.dbBytes / 2 ** 20)} | ${fmt.int(s.startupMs)} | ` +
          `${fmt.mib(s.rssIdleMiB)} / ${fmt.mib(s.rssAfterMiB)} | ${fmt.ms(s.getRandom.p50Ms)} / ${fmt.ms(s.getRandom.p99Ms)} | ` +
          `${fmt.ms(s.getHot.p50Ms)} / ${fmt.ms(s.getHot.p99Ms)} | ${fmt.ms(s.listFirst.p50Ms)} / ${fmt.ms(s.listFirst.p99Ms)} | ` +
          `${fmt.ms(s.listLast.p50Ms)} / ${fmt.ms(s.listLast.p99Ms)} (page ${fmt.int(s.lastPage)}) |`,
      ),
      '',
    );
  }

  out.push('<details><summary>Raw output</summary>', '', '```text');
  for (const [id, outcome] of Object.entries(outcomes)) {
    out.push(
      `$ node ${plan.find((s) => s.id === id).script} ${plan.find((s) => s.id === id).args.join(' ')}`,
    );
    out.push(...outcome.lines);
  }
  out.push('```', '', '</details>');
  return out.join('\n');
}

function record(date, section) {
  const start = `<!-- bench-run ${date} start -->`;
  const end = `<!-- bench-run ${date} end -->`;
  const block = `${start}\n${section}\n${end}`;
  const current = readFileSync(BENCHMARKS_FILE, 'utf8');
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(BENCHMARKS_FILE, next);
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
  const outcomes = {};
  for (const step of plan) {
    console.log(`\n=== ${step.script} ${step.args.join(' ')}`);
    outcomes[step.id] = await runStep(step);
  }
  const minutes = (performance.now() - started) / 60_000;
  const section = markdown({ date, info, outcomes, minutes, command });
  if (args['no-record']) {
    console.log('\n(--no-record: BENCHMARKS.md left as it is)');
  } else {
    record(date, section);
    console.log(`\nRecorded in ${BENCHMARKS_FILE} (section "${date}"), ${minutes.toFixed(1)} min in all.`);
  }
}

await main();
