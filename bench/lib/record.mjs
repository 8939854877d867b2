// How `bench/run.mjs` records a run in BENCHMARKS.md: a dated section with the machine, the command, the
// targets met or not, a summary table per benchmark and store, and the raw output; and the SIGKILL
// crash-safety run (`--crash-cycles`) as a dated section of its own. A section replaces one of the same
// kind and date, else it is appended; everything else in the file stays.
import { readFileSync, writeFileSync } from 'node:fs';
import { fmt } from './common.mjs';
import { STORE_LABELS } from './stores.mjs';

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

function rawRow(label, raw) {
  return `| ${label} | ${raw.concurrency ?? 1} | ${fmt.int(raw.perSecond)} | ${fmt.ms(raw.p50Ms)} | ${fmt.ms(raw.p99Ms)} | | | | |`;
}

function readSection(read) {
  const out = [
    `### GetSecretValue over HTTP vs a bare node:http server — ${STORE_LABELS[read.store]}`,
    '',
    `Store: ${read.storeDescription}. ACS3-signed requests (fresh nonce each), keep-alive, closed loop; response ` +
      `${read.responseBodyBytes} body + ${read.responseHeaderBytes} header bytes for both servers; ` +
      `${read.durationMs / 1000} s per point after warm-up, median of ${read.rounds} rounds alternating which ` +
      `server goes first. "c1 relaxed": a server with \`TESSERA_AUDIT_READ_DURABILITY=relaxed\` beside the ` +
      `baseline again. Raw durable single-row commits on this store: ${fmt.int(read.raw.perSecond)}/s ` +
      `(p50 ${fmt.ms(read.raw.p50Ms)} ms).`,
    '',
    '| Concurrency | Tessera req/s | p50 ms | p99 ms | server CPU | Baseline req/s | p50 ms | p99 ms | server CPU | generator CPU (max) | others (max) | Ratio |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const points = read.relaxedPoint ? [...read.points, read.relaxedPoint] : read.points;
  for (const p of points) {
    out.push(
      `| ${p.concurrency}${p.relaxed ? ' relaxed' : ''} | ${fmt.int(p.tessera.perSecond)}${p.tessera.failed > 0 ? ` (${fmt.int(p.tessera.failed)} not 200)` : ''} | ${fmt.ms(p.tessera.p50Ms)} | ${fmt.ms(p.tessera.p99Ms)} | ${fmt.pct(p.tessera.serverCpuPct)} | ` +
        `${fmt.int(p.baseline.perSecond)} | ${fmt.ms(p.baseline.p50Ms)} | ${fmt.ms(p.baseline.p99Ms)} | ${fmt.pct(p.baseline.serverCpuPct)} | ` +
        `${fmt.pct(Math.max(p.tessera.generatorCpuPct, p.baseline.generatorCpuPct))} | ${fmt.pct(Math.max(p.tessera.otherCpuPct, p.baseline.otherCpuPct))} | **${fmt.ratio(p.ratio)}** |`,
    );
  }
  out.push('');
  for (const r of read.runs.filter((run) => run.failed > 0)) {
    out.push(
      `${r.server} at c${r.concurrency}: ${fmt.int(r.failed)} answers not 200; server log: ${r.serverErrors}`,
      '',
    );
  }
  if (read.quietLogs) {
    out.push(
      `Same load at concurrency ${read.quietLogs.concurrency} with \`TESSERA_LOG_LEVEL=warn\` (no per-request log line): ` +
        `${fmt.int(read.quietLogs.perSecond)} req/s, p50 ${fmt.ms(read.quietLogs.p50Ms)} ms, p99 ${fmt.ms(read.quietLogs.p99Ms)} ms.`,
      '',
    );
  }
  if (read.profile) {
    out.push(
      'CPU profile of the server under that load (`node --cpu-prof`, the measured window only), self time in % of busy time:',
      '',
      ...profileTable(read.profile),
    );
  }
  return out;
}

function writeSection(write) {
  const label = STORE_LABELS[write.store];
  const out = [
    `### Durable writes — ${label}`,
    '',
    `Store: ${write.storeDescription}. Each connection writes to its own secret; ${write.valueBytes}-byte values; ` +
      `${write.durationMs / 1000} s per point. Raw commits: single-row \`BEGIN; INSERT; COMMIT\` ` +
      `(${write.store === 'sqlite' ? 'better-sqlite3, WAL, synchronous=FULL, same disk' : '`pg`, same server'}), ` +
      `pinned to the server's CPU, measured before and after the server's runs; "vs raw" is against their mean.`,
    '',
    '| Action | Concurrency | writes/s | p50 ms | p99 ms | server CPU | others | not 200 | vs raw |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...write.runs.map(
      (r) =>
        `| ${r.action} | ${r.concurrency} | ${fmt.int(r.perSecond)} | ${fmt.ms(r.p50Ms)} | ${fmt.ms(r.p99Ms)} | ${fmt.pct(r.serverCpuPct)} | ${fmt.pct(r.otherCpuPct)} | ${fmt.int(r.failed)} | ${fmt.ratio(r.perSecond / write.raw.meanPerSecond)} |`,
    ),
    rawRow(`raw ${label} commit, before`, write.raw.before),
    rawRow(`raw ${label} commit, after`, write.raw.after),
  ];
  if (write.raw.pool) out.push(rawRow(`raw ${label} commit, pool`, write.raw.pool));
  out.push('');
  for (const r of write.runs.filter((run) => run.failed > 0)) {
    out.push(
      `${r.action} at c${r.concurrency}: ${fmt.int(r.failed)} answers not 200; server log: ${r.serverErrors}`,
      '',
    );
  }
  if (write.profile) {
    out.push(
      'CPU profile of the server under PutSecretValue at concurrency 16, self time in % of busy time:',
      '',
      ...profileTable(write.profile),
    );
  }
  return out;
}

function scaleSection(scale) {
  return [
    '### Scale — SQLite',
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
  ];
}

/** Issue 14's targets first (reads, writes, then scale), then the scale benchmark's other checks. */
function targetRows(outcomes) {
  const rows = [];
  for (const kind of ['read', 'write']) {
    for (const outcome of outcomes.filter((o) => o.step.id === kind)) {
      const { result } = outcome;
      for (const t of result.targets) rows.push([t.target, STORE_LABELS[result.store], t.thisRun, t.met]);
    }
  }
  const scale = outcomes.find((o) => o.step.id === 'scale')?.result;
  const checks = scale?.checks ?? [];
  const ordered = [...checks.filter((c) => c.id), ...checks.filter((c) => !c.id)];
  for (const c of ordered) rows.push([c.target, 'SQLite', `${fmt.ratio(c.ratio)} ×`, c.met]);
  return rows;
}

/** The dated section of a benchmark run (`outcomes`: { step, lines, result } in the order they ran). */
export function benchmarkSection({ date, info, outcomes, minutes, command, notes }) {
  const results = outcomes.map((o) => o.result);
  const allRuns = results.flatMap((r) => [
    ...(r.runs ?? []),
    ...(r.sizes ?? []).flatMap((s) => [s.getRandom, s.getHot, s.listFirst, s.listLast]),
  ]);
  const maxOthers = Math.max(0, ...allRuns.map((r) => r.otherCpuPct ?? 0));
  const out = [`## Server benchmarks, ${date} (\`npm run bench\`)`, ''];
  out.push(
    `Machine: ${info.nproc} vCPUs (\`nproc\` = ${info.nproc}), ${info.cpuModel}, ${info.memoryGiB} GiB RAM, ` +
      `Linux ${info.kernel}; data on ${info.disk} (${info.tmpdir}); Node ${info.node}.`,
    `Command: \`${command}\` (${minutes.toFixed(1)} min). The server and the baseline run pinned to CPU 0, the load ` +
      `generator (its own process) to CPU 1 (\`taskset\`: ${info.taskset ? 'yes' : 'not available, unpinned'}). ` +
      `"others" is the CPU the rest of the machine used during a run (in % of one CPU; on PostgreSQL it includes ` +
      `the database server's processes); the highest seen in this run was ${fmt.pct(maxOthers)}` +
      `${maxOthers > 25 ? ', so some points were disturbed by other work on the VM or by the database server' : ''}.`,
    ...notes.map((note) => `${note}`),
    '',
    '### Targets',
    '',
    '| Target | Store | This run | |',
    '|---|---|---|---|',
    ...targetRows(outcomes).map(
      ([target, store, thisRun, met]) => `| ${target} | ${store} | ${thisRun} | ${verdict(met)} |`,
    ),
    '',
  );
  for (const { step, result } of outcomes) {
    if (step.id === 'read') out.push(...readSection(result));
    if (step.id === 'write') out.push(...writeSection(result));
    if (step.id === 'scale') out.push(...scaleSection(result));
  }
  out.push('<details><summary>Raw output</summary>', '', '```text');
  for (const { step, lines } of outcomes) out.push(`$ ${step.display}`, ...lines);
  out.push('```', '', '</details>');
  return out.join('\n');
}

/** The dated section of a SIGKILL crash-safety run. */
export function crashSection({ date, info, outcome, command }) {
  const { result, lines, step } = outcome;
  return [
    `## SIGKILL crash safety, ${date}: ${result.cycles} cycles, ${result.passed ? 'passed' : '**FAILED**'}`,
    '',
    `Machine: ${info.nproc} vCPUs, ${info.cpuModel}, Node ${info.node}. Command: \`${command}\`, which runs ` +
      '`packages/server/test/process/crash-safety.test.ts` with `TESSERA_CRASH_CYCLES` set: the built server ' +
      'under concurrent writes (PutSecretValue, UpdateSecretVersionStage, CreateSecret) is killed with SIGKILL ' +
      'at a random moment, restarted on the same folder and checked against a client-side model (every ' +
      'acknowledged write present, the model invariants, every value decrypting to what was written).',
    '',
    `Result: ${result.passed ? 'passed' : 'FAILED'} in ${(result.durationMs / 1000).toFixed(0)} s; ` +
      (result.summary
        ? `${fmt.int(result.summary.kills)} kills, ${fmt.int(result.summary.acknowledged)} acknowledged lane writes, ` +
          `${fmt.int(result.summary.created)} secrets created${result.passed ? ', no acknowledged write lost' : ''}.`
        : 'no summary line (see the output).'),
    '',
    '<details><summary>Raw output</summary>',
    '',
    '```text',
    `$ ${step.display}`,
    ...lines,
    '```',
    '',
    '</details>',
  ].join('\n');
}

/** Puts `section` between the markers of `kind` and `date`, replacing what was there, else appends it. */
export function record(file, kind, date, section) {
  const start = `<!-- ${kind} ${date} start -->`;
  const end = `<!-- ${kind} ${date} end -->`;
  const block = `${start}\n${section}\n${end}`;
  const current = readFileSync(file, 'utf8');
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
