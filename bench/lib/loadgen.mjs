// The load generator, run as its own process (pinned to its own CPU by the caller) and driven over IPC.
//
// It keeps `concurrency` keep-alive HTTP/1.1 connections open and has exactly one request in flight on
// each (a closed loop). Requests are written as raw bytes on node:net sockets and responses are framed by
// Content-Length: a general-purpose client (node:http, fetch) costs several times more CPU per request
// than the bare node:http server it would be measuring, and would itself become the bottleneck. The
// same code, connections and request bytes serve Tessera and the baseline server alike.
//
// Requests can be signed ahead (`presign`: how many, spread over the connections) before the clock starts,
// so that at tens of thousands of requests per second the generator spends its CPU on the sockets only;
// when the pre-signed requests run out, the rest are signed as they go (counted in `signedInline`).
//
// Message in:  { type: 'run', id, port, host, concurrency, durationMs, scenario, credentials, presign }
// Message out: { type: 'result', id, result } or { type: 'error', id, message }
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import { connect } from 'node:net';
import { signedRequest } from './acs3.mjs';
import { signedAwsRequest } from './sigv4.mjs';

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Returns (slot, seq) => { action, params } for a scenario description. */
function builder(scenario) {
  switch (scenario.kind) {
    case 'aws-fixed':
      return () => ({});
    case 'fixed':
      return () => ({ action: scenario.action, params: scenario.params });
    case 'random-secret': {
      // GetSecretValue of a secret picked uniformly among `count` populated names.
      const { prefix, count, width } = scenario;
      return () => ({
        action: 'GetSecretValue',
        params: { SecretName: prefix + String(Math.floor(Math.random() * count)).padStart(width, '0') },
      });
    }
    case 'put': {
      // Each connection writes new versions of its own secret (no two connections share one).
      const data = 'v'.repeat(scenario.dataBytes);
      return (slot, seq) => ({
        action: 'PutSecretValue',
        params: {
          SecretName: `${scenario.prefix}${slot % scenario.secrets}`,
          VersionId: `${scenario.tag}-${slot}-${seq}`,
          SecretData: data,
        },
      });
    }
    case 'stage':
      // Each connection's secret has versions a (current) and b; ACSCurrent moves b, a, b, … so every
      // call changes the labels (a move to the holder would be a no-op without a write).
      return (slot, seq) => ({
        action: 'UpdateSecretVersionStage',
        params: {
          SecretName: `${scenario.prefix}${slot}`,
          VersionStage: 'ACSCurrent',
          MoveToVersion: seq % 2 === 0 ? 'b' : 'a',
        },
      });
    default:
      throw new Error(`unknown scenario ${scenario.kind}`);
  }
}

function openConnection(port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function run(message) {
  const { port, host, concurrency, durationMs, scenario, credentials, presign = 0 } = message;
  const build = builder(scenario);
  // `aws-fixed`: one Secrets Manager operation signed with SigV4 (bench/lib/sigv4.mjs); the others ACS3.
  const sign =
    scenario.kind === 'aws-fixed'
      ? () =>
          Buffer.from(
            signedAwsRequest({ host, operation: scenario.operation, input: scenario.input, ...credentials }),
            'utf8',
          )
      : (slot, seq) => Buffer.from(signedRequest({ host, ...build(slot, seq), ...credentials }), 'latin1');
  const presignStarted = performance.now();
  const perSlot = Math.ceil(presign / concurrency);
  const pools = Array.from({ length: concurrency }, (_, slot) =>
    Array.from({ length: perSlot }, (_, seq) => sign(slot, seq)),
  );
  const presignMs = performance.now() - presignStarted;
  let signedInline = 0;
  const request = (slot, seq) => {
    const ready = pools[slot][seq];
    if (ready !== undefined) {
      pools[slot][seq] = undefined;
      return ready;
    }
    signedInline++;
    return sign(slot, seq);
  };

  let latencies = new Float64Array(1 << 16);
  let count = 0;
  const statuses = {};
  const samples = [];
  let bytes = 0;
  let errors = 0;
  const record = (ms) => {
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count++] = ms;
  };

  const sockets = await Promise.all(Array.from({ length: concurrency }, () => openConnection(port)));
  // The caller takes its /proc readings now: pre-signing and connecting are not part of the run.
  process.send({ type: 'started', id: message.id });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;

  await Promise.all(
    sockets.map(
      (socket, slot) =>
        new Promise((resolve) => {
          let seq = 0;
          let sentAt = 0;
          let buffer = Buffer.alloc(0);
          let need = -1;
          let status = 0;
          const send = () => {
            if (performance.now() >= deadline) {
              socket.end();
              resolve();
              return;
            }
            const bytesOut = request(slot, seq++);
            sentAt = performance.now();
            socket.write(bytesOut);
          };
          socket.on('data', (chunk) => {
            buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
            for (;;) {
              if (need < 0) {
                const end = buffer.indexOf(CRLFCRLF);
                if (end < 0) return;
                const head = buffer.toString('latin1', 0, end);
                status = Number(head.slice(9, 12));
                const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
                if (!length) {
                  errors++;
                  socket.destroy();
                  resolve();
                  return;
                }
                need = end + 4 + Number(length[1]);
              }
              if (buffer.length < need) return;
              const now = performance.now();
              record(now - sentAt);
              bytes += need;
              statuses[status] = (statuses[status] ?? 0) + 1;
              if (status !== 200 && samples.length < 3) samples.push(buffer.toString('utf8', 0, need));
              buffer = buffer.subarray(need);
              need = -1;
              send();
            }
          });
          socket.on('error', () => {
            errors++;
            resolve();
          });
          socket.on('close', () => resolve());
          send();
        }),
    ),
  );
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = latencies.subarray(0, count).sort();
  const at = (p) =>
    count === 0 ? NaN : sorted[Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1))];
  return {
    concurrency,
    requests: count,
    elapsedMs,
    perSecond: (count / elapsedMs) * 1000,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    p999Ms: at(99.9),
    maxMs: count === 0 ? NaN : sorted[count - 1],
    statuses,
    errors,
    bytesPerResponse: count === 0 ? 0 : bytes / count,
    generatorCpuPct: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
    presigned: perSlot * concurrency,
    presignMs,
    signedInline,
    samples,
  };
}

process.on('message', (message) => {
  if (message.type === 'exit') process.exit(0);
  if (message.type !== 'run') return;
  run(message).then(
    (result) => process.send({ type: 'result', id: message.id, result }),
    (error) => process.send({ type: 'error', id: message.id, message: String(error?.stack ?? error) }),
  );
});
process.send({ type: 'ready' });
