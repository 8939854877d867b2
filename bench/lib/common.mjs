// Shared plumbing of the server benchmarks: the built server as a pinned child process, /proc readings
// (resident memory, CPU time), percentiles, the machine description, and small formatting helpers.
//
// Everything here runs with plain `node` against the build (`npm run build` first); nothing imports src/.
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import { setTimeout } from 'node:timers';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { connect as netConnect, createServer as createNetServer } from 'node:net';
import { availableParallelism, cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** The server under test; TESSERA_SERVER_ENTRY points the benchmarks at another build (never passed on). */
export const SERVER_ENTRY = process.env.TESSERA_SERVER_ENTRY ?? join(REPO, 'packages/server/dist/main.js');
export const ACCESS_KEY_ID = 'BenchAdmin01';
export const ACCESS_KEY_SECRET = 'bench-admin-secret-0123456789';
/** A fixed root key, so a populated data folder can be reopened by any server process of the run. */
export const ROOT_KEY = Buffer.alloc(32, 7).toString('base64');

export function requireBuild() {
  for (const file of [SERVER_ENTRY, join(REPO, 'packages/sdk/dist/index.js')]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run "npm run build" first (npm run bench does).`);
  }
}

/** Parses `--name value` and `--flag` arguments. */
export function parseArgs(argv = process.argv.slice(2)) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) args[name] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) args[name] = argv[++i];
    else args[name] = true;
  }
  return args;
}

export function numberArg(args, name, fallback) {
  if (args[name] === undefined) return fallback;
  const value = Number(String(args[name]).replace(/_/g, ''));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

export function tempDir(prefix) {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The command that runs `node` pinned to one CPU (`taskset -c <cpu>`), so the server and the load
 * generator never share a core. Without taskset or with a single CPU, unpinned.
 */
let tasksetPath;
export function nodeCommand(cpu, nodeArgs) {
  if (tasksetPath === undefined) {
    try {
      tasksetPath = execFileSync('sh', ['-c', 'command -v taskset'], { encoding: 'utf8' }).trim() || null;
    } catch {
      tasksetPath = null;
    }
  }
  if (cpu === undefined || tasksetPath === null || availableParallelism() < 2) {
    return { command: process.execPath, args: nodeArgs, pinned: false };
  }
  // taskset execs node in place, so the child's pid is node's own (for /proc readings).
  return { command: tasksetPath, args: ['-c', String(cpu), process.execPath, ...nodeArgs], pinned: true };
}

/** The CPUs the benchmarks pin to: the server gets CPU 0, the load generator CPU 1. */
export const SERVER_CPU = 0;
export const GENERATOR_CPU = 1;

/** Every child this process started; killed if the benchmark dies, so no server outlives it. */
const children = new Set();
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

/** A TCP port that was free a moment ago (the server needs a known port: its ready line is info-level). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** GET /healthz on a fresh connection; resolves to the status code, or 0 when nothing answers yet. */
function health(port) {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host: '127.0.0.1' });
    let text = '';
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(0);
    });
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n')) {
        socket.destroy();
        resolve(Number(text.slice(9, 12)));
      }
    });
    socket.on('error', () => resolve(0));
    socket.write(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n\r\n`);
  });
}

/**
 * Starts the built server on a free port, pinned to SERVER_CPU, with its log (JSON lines) going to a
 * file in the data folder rather than a pipe the benchmark would have to drain. Resolves once
 * GET /healthz answers 200, with the wall time from spawn to then (`readyMs`): process start, module
 * loading, opening and migrating the database, and the first sweep included.
 */
export async function startServer({ dataDir, env = {}, nodeArgs = [], cpu = SERVER_CPU, logLevel = 'info' }) {
  const logFile = join(dataDir, `server-${Date.now()}.log`);
  const out = openSync(logFile, 'a');
  const port = await freePort();
  const { command, args, pinned } = nodeCommand(cpu, [...nodeArgs, SERVER_ENTRY]);
  const started = performance.now();
  const child = track(
    spawn(command, args, {
      // An explicit environment: the server refuses unknown TESSERA_* variables, and the bench's own
      // settings (TESSERA_SERVER_ENTRY, …) must not reach it.
      env: {
        PATH: process.env.PATH ?? '',
        TESSERA_HOST: '127.0.0.1',
        TESSERA_PORT: String(port),
        TESSERA_DATA_DIR: dataDir,
        TESSERA_ROOT_KEY: ROOT_KEY,
        TESSERA_LOG_LEVEL: logLevel,
        TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
        TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
        ...env,
      },
      stdio: ['ignore', out, 'inherit'],
    }),
  );
  closeSync(out);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });
  for (;;) {
    if (exitedEarly) throw new Error(`the server exited before it was ready:\n${readTail(logFile)}`);
    if (performance.now() - started > 300_000) {
      child.kill('SIGKILL');
      throw new Error('the server did not get ready in 300 s');
    }
    if ((await health(port)) === 200) break;
    await sleep(5);
  }
  const readyMs = performance.now() - started;
  return {
    child,
    pid: child.pid,
    pinned,
    /** performance.now() when the process was spawned (for leaving startup out of a CPU profile). */
    spawnedAt: started,
    address: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    readyMs,
    logFile,
    exited,
    /** SIGTERM (graceful: the server finishes in-flight requests, closes storage, writes a CPU profile). */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The console line under a run with failures (empty without). */
export function failureNote(result) {
  return result.failed > 0
    ? `\n    ${result.failed} answers were not 200 (left out of the rate); server log: ${result.serverErrors}`
    : '';
}

/**
 * Counts a run's answers that were not 200 (and socket errors) as `failed`, takes them out of
 * `perSecond`, and notes the server's errors: a failing point is recorded, not the end of the run.
 */
export function countFailures(result, server) {
  const failed = result.requests - (result.statuses['200'] ?? 0) + result.errors;
  if (failed === 0) return { ...result, failed };
  return {
    ...result,
    failed,
    perSecond: ((result.statuses['200'] ?? 0) / result.elapsedMs) * 1000,
    serverErrors: serverErrors(server),
  };
}

/**
 * The server's error-level log lines, summarised as "<action>: <error message>" with how often each
 * occurred (at most `limit` kinds), for a benchmark that met a non-200 answer.
 */
export function serverErrors(server, limit = 5) {
  let text;
  try {
    text = readFileSync(server.logFile, 'utf8');
  } catch {
    return '(no log)';
  }
  const counts = new Map();
  for (const line of text.split('\n')) {
    if (!/"level":(50|60)/.test(line)) continue;
    let kind = line.slice(0, 200);
    try {
      const entry = JSON.parse(line);
      kind = `${entry.action ?? entry.msg}: ${entry.err?.message ?? entry.msg}`;
    } catch {
      // not JSON: keep the start of the line
    }
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  if (counts.size === 0) return '(no error-level lines in the server log)';
  return [...counts]
    .slice(0, limit)
    .map(([kind, count]) => `${count} × ${kind}`)
    .join('; ');
}

function readTail(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resident set size and its peak of a process, in MiB, from /proc/<pid>/status. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc/<pid>/stat. */
export function cpuTimeMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name is in parentheses and may contain spaces: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Busy CPU time of the whole machine so far (all CPUs, user + system + irq + steal), in milliseconds. */
export function machineBusyMs() {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Machine and runtime facts for the record. */
export function machine() {
  let nproc = String(availableParallelism());
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // keep availableParallelism
  }
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux
  }
  let disk = 'unknown';
  try {
    disk = execFileSync('df', ['-h', '--output=source,fstype,size', tmpdir()], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .slice(1)
      .join(' ')
      .replace(/\s+/g, ' ');
  } catch {
    // no df
  }
  return {
    nproc,
    cpuModel,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
    tmpdir: tmpdir(),
    disk,
    taskset: nodeCommand(0, []).pinned,
  };
}

export const fmt = {
  int: (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n)),
  ms: (n) =>
    Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)) : String(n),
  pct: (n) => (Number.isFinite(n) ? `${Math.round(n)}%` : String(n)),
  ratio: (n) => (Number.isFinite(n) ? n.toFixed(2) : String(n)),
  mib: (n) => (Number.isFinite(n) ? n.toFixed(0) : String(n)),
};

/** Left-aligned plain-text table for the console. */
export function textTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Writes the benchmark's result object as the last stdout line (run.mjs reads it), prefixed for parsing. */
export const RESULT_PREFIX = 'BENCH-RESULT ';
export function printResult(result) {
  console.log(RESULT_PREFIX + JSON.stringify(result));
}

/** Starts the load generator (bench/lib/loadgen.mjs) as its own process, pinned to GENERATOR_CPU. */
export async function startLoadGenerator() {
  const { command, args, pinned } = nodeCommand(GENERATOR_CPU, [
    fileURLToPath(new URL('./loadgen.mjs', import.meta.url)),
  ]);
  const child = track(spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const pending = new Map();
  let nextId = 0;
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the load generator exited with code ${code}`)));
    child.once('message', (message) =>
      message.type === 'ready' ? resolve() : reject(new Error('bad hello')),
    );
  });
  child.on('message', (message) => {
    const entry = pending.get(message.id);
    if (!entry) return;
    if (message.type === 'started') {
      entry.started();
      return;
    }
    pending.delete(message.id);
    if (message.type === 'result') entry.resolve(message.result);
    else entry.reject(new Error(`load generator: ${message.message}`));
  });
  return {
    pid: child.pid,
    pinned,
    /**
     * One closed-loop run against `server` (anything with host, port and pid). Adds the server's CPU
     * use over the run, from /proc, to the generator's result.
     */
    async run(server, { concurrency, durationMs, scenario, presign = 0 }) {
      const id = nextId++;
      let before;
      const result = await new Promise((resolve, reject) => {
        pending.set(id, {
          resolve,
          reject,
          started() {
            before = {
              server: cpuTimeMs(server.pid),
              generator: cpuTimeMs(child.pid),
              machine: machineBusyMs(),
              wall: performance.now(),
            };
          },
        });
        child.send({
          type: 'run',
          id,
          port: server.port,
          host: server.host,
          concurrency,
          durationMs,
          scenario,
          presign,
          credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET },
        });
      });
      const wall = performance.now() - before.wall;
      const serverMs = cpuTimeMs(server.pid) - before.server;
      const generatorMs = cpuTimeMs(child.pid) - before.generator;
      const machineMs = machineBusyMs() - before.machine;
      return {
        ...result,
        serverCpuPct: (serverMs / wall) * 100,
        // Everything else the machine did meanwhile (other processes, and kernel work not charged to
        // either process), in % of one CPU: a high figure means the run was disturbed.
        otherCpuPct: (Math.max(0, machineMs - serverMs - generatorMs) / wall) * 100,
      };
    },
    close() {
      child.send({ type: 'exit' });
    },
  };
}

/** Starts bench/lib/baseline-server.mjs pinned to SERVER_CPU, answering the response described in `specFile`. */
export async function startBaseline(specFile) {
  const { command, args, pinned } = nodeCommand(SERVER_CPU, [
    fileURLToPath(new URL('./baseline-server.mjs', import.meta.url)),
    specFile,
  ]);
  const child = track(spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] }));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /listening (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the baseline server exited with code ${code}`)));
  });
  return {
    pid: child.pid,
    pinned,
    port,
    host: `127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One raw request on a fresh connection; resolves to { status, headers (lower-case), body }. */
export function rawExchange(port, bytes) {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ port, host: '127.0.0.1' });
    const chunks = [];
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = all.toString('latin1', 0, end).split('\r\n');
      const headers = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length']);
      if (all.length < end + 4 + length) return;
      socket.destroy();
      resolve({
        status: Number(head[0].slice(9, 12)),
        headers,
        headBytes: end + 4,
        body: all.toString('utf8', end + 4, end + 4 + length),
      });
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}
