/**
 * Crash safety of the built server (`dist/main.js`, or the build named by TESSERA_SERVER_ENTRY), as a
 * child process on a temporary data folder with a fixed root key and bootstrap access key.
 *
 * Concurrent traffic through @tessera/sdk: lanes that each own one secret and run PutSecretValue and
 * UpdateSecretVersionStage on it back to back, and creators that run CreateSecret. The server is killed
 * with SIGKILL at a random moment while requests are in flight, then restarted on the same folder and
 * checked against a client-side model:
 *
 * - every acknowledged write is there: a write counts as acknowledged when its 200 answer arrived; the one
 *   request per lane or creator that was in flight at the kill may or may not have committed, so the server
 *   must match the model with it or without it, nothing else;
 * - the model's invariants hold on what the server reports: every label on exactly one existing version,
 *   exactly one ACSCurrent, ACSPrevious on the former current wherever the history moved ACSCurrent, at
 *   most 10 versions, unique version ids, oldest unlabeled versions evicted first;
 * - every stored version decrypts to the value that was written (GetSecretValue by VersionId).
 *
 * The normal run kills the server TESSERA_CRASH_CYCLES times (default 12); set it higher for a long run,
 * e.g. TESSERA_CRASH_CYCLES=100.
 */
import { randomBytes } from 'node:crypto';
import { TesseraApiError, TesseraClient, TesseraNetworkError } from '@tessera/sdk';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import type { ServerProcess } from './run-server.js';
import { SERVER_ENTRY, spawnServer, waitForLog } from './run-server.js';

const ENTRY = process.env.TESSERA_SERVER_ENTRY ?? SERVER_ENTRY;
const CYCLES = Number(process.env.TESSERA_CRASH_CYCLES ?? 12);
const LANES = 6;
const CREATORS = 2;
const MAX_VERSIONS = 10;
const ACCESS_KEY_ID = 'CrashTestAdmin01';
const ACCESS_KEY_SECRET = 'crash-test-admin-secret-0123456789';
const ROOT_KEY = randomBytes(32).toString('base64');
const CUSTOM = 'Blue';
const CURRENT = 'ACSCurrent';
const PREVIOUS = 'ACSPrevious';

/** What the client believes one secret holds: version ids oldest first, and label → version id. */
interface SecretState {
  readonly versions: readonly string[];
  readonly stages: ReadonlyMap<string, string>;
}

type Operation =
  | { readonly kind: 'put'; readonly versionId: string; readonly data: string; readonly labels?: string[] }
  | { readonly kind: 'move'; readonly stage: string; readonly to: string }
  | { readonly kind: 'remove'; readonly stage: string; readonly from: string };

/** The model's rules, written independently of the server's domain code. */
function apply(state: SecretState, op: Operation): SecretState {
  const stages = new Map(state.stages);
  if (op.kind === 'put') {
    const labels = op.labels ?? [CURRENT];
    const oldCurrent = stages.get(CURRENT);
    if (labels.includes(CURRENT) && oldCurrent !== undefined && !labels.includes(PREVIOUS)) {
      stages.set(PREVIOUS, oldCurrent);
    }
    for (const label of labels) stages.set(label, op.versionId);
    let versions = [...state.versions, op.versionId];
    const labelled = new Set(stages.values());
    while (versions.length > MAX_VERSIONS) {
      const oldest = versions.find((v) => !labelled.has(v));
      if (oldest === undefined) throw new Error('model: every version is labelled');
      versions = versions.filter((v) => v !== oldest);
    }
    return { versions, stages };
  }
  if (op.kind === 'move') {
    const holder = stages.get(op.stage);
    if (holder === op.to) return state;
    if (op.stage === CURRENT && holder !== undefined) stages.set(PREVIOUS, holder);
    stages.set(op.stage, op.to);
    return { versions: state.versions, stages };
  }
  stages.delete(op.stage);
  return { versions: state.versions, stages };
}

function describeState(state: SecretState): string {
  const labels = [...state.stages].map(([label, id]) => `${label}→${id}`).sort();
  return `versions [${state.versions.join(', ')}] labels {${labels.join(', ')}}`;
}

function sameState(a: SecretState, b: SecretState): boolean {
  return describeState(a) === describeState(b);
}

/** Random values, sometimes with non-ASCII text and line breaks, so encoding mistakes show. */
function randomValue(): string {
  const base = randomBytes(4 + Math.floor(Math.random() * 40)).toString('base64');
  const roll = Math.random();
  return roll < 0.15 ? `${base} pässwörd 密码 🔑` : roll < 0.25 ? `line one\nline two ${base}` : base;
}

function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

class Lane {
  state: SecretState = { versions: [], stages: new Map() };
  /** Every value ever written, by version id (ids are never reused). */
  readonly values = new Map<string, string>();
  /** The request in flight when the server died: it may or may not have committed. */
  pending: Operation | undefined;
  acknowledged = 0;
  #counter = 0;

  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  next(cycle: number): Operation {
    const roll = Math.random();
    const holder = this.state.stages.get(CUSTOM);
    if (roll < 0.6 || this.state.versions.length < 2) {
      const versionId = `c${cycle}-${this.#counter++}`;
      const labels = Math.random() < 0.2 ? [CUSTOM] : Math.random() < 0.1 ? [CURRENT, CUSTOM] : undefined;
      return { kind: 'put', versionId, data: randomValue(), ...(labels ? { labels } : {}) };
    }
    if (roll < 0.85) return { kind: 'move', stage: CURRENT, to: pick(this.state.versions) };
    if (roll < 0.95 || holder === undefined)
      return { kind: 'move', stage: CUSTOM, to: pick(this.state.versions) };
    return { kind: 'remove', stage: CUSTOM, from: holder };
  }
}

interface Traffic {
  stop: boolean;
  errors: string[];
  acks: number;
}

async function execute(client: TesseraClient, lane: Lane, op: Operation): Promise<void> {
  if (op.kind === 'put') {
    lane.values.set(op.versionId, op.data);
    await client.putSecretValue({
      secretName: lane.name,
      versionId: op.versionId,
      secretData: op.data,
      ...(op.labels ? { versionStages: op.labels } : {}),
    });
  } else if (op.kind === 'move') {
    await client.updateSecretVersionStage({
      secretName: lane.name,
      versionStage: op.stage,
      moveToVersion: op.to,
    });
  } else {
    await client.updateSecretVersionStage({
      secretName: lane.name,
      versionStage: op.stage,
      removeFromVersion: op.from,
    });
  }
}

/** Runs one lane until the traffic stops or the server dies under it. */
async function driveLane(client: TesseraClient, lane: Lane, cycle: number, traffic: Traffic): Promise<void> {
  while (!traffic.stop) {
    const op = lane.next(cycle);
    try {
      await execute(client, lane, op);
    } catch (error) {
      if (error instanceof TesseraNetworkError) {
        lane.pending = op;
        return;
      }
      traffic.errors.push(`${lane.name} ${JSON.stringify(op)}: ${String(error)}`);
      return;
    }
    lane.state = apply(lane.state, op);
    lane.acknowledged++;
    traffic.acks++;
  }
}

class Creator {
  /** Acknowledged creations: name → value of v1. */
  readonly created = new Map<string, string>();
  pending: { name: string; data: string } | undefined;
  #counter = 0;

  readonly id: number;

  constructor(id: number) {
    this.id = id;
  }

  async drive(client: TesseraClient, cycle: number, traffic: Traffic): Promise<void> {
    while (!traffic.stop) {
      const name = `crash-new/${this.id}-${cycle}-${this.#counter++}`;
      const data = randomValue();
      try {
        await client.createSecret({ secretName: name, versionId: 'v1', secretData: data });
      } catch (error) {
        if (error instanceof TesseraNetworkError) {
          this.pending = { name, data };
          return;
        }
        traffic.errors.push(`create ${name}: ${String(error)}`);
        return;
      }
      this.created.set(name, data);
      traffic.acks++;
    }
  }
}

interface Running {
  readonly process: ServerProcess;
  readonly client: TesseraClient;
}

async function start(dataDir: string): Promise<Running> {
  const server = spawnServer(
    {
      TESSERA_DATA_DIR: dataDir,
      TESSERA_ROOT_KEY: ROOT_KEY,
      TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
      TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
      TESSERA_PORT: '0',
      TESSERA_LOG_LEVEL: 'info',
    },
    ENTRY,
  );
  const ready = await waitForLog(server, (line) => line.msg === 'tessera is ready');
  const client = new TesseraClient({
    endpoint: String(ready.address),
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    // Exactly one attempt per write, so "acknowledged" means exactly one answered request.
    maxRetries: 0,
    timeoutMs: 10_000,
  });
  return { process: server, client };
}

/** Log lines at error level or worse (pino: 50 and up), e.g. a request that ended in a 500. */
function errorLines(server: ServerProcess): string[] {
  return server.stdout.filter((line) => {
    try {
      return Number((JSON.parse(line) as { level?: unknown }).level) >= 50;
    } catch {
      return false;
    }
  });
}

/** Runs a read of the checks; an API error names what was being checked (a torn write shows up as one). */
async function checked<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof TesseraApiError) throw new Error(`${what}: ${error.code} ${error.message}`);
    throw error;
  }
}

/** What the server holds for one secret, from ListSecretVersionIds, checked against the model's invariants. */
async function serverState(client: TesseraClient, name: string): Promise<SecretState> {
  const listing = await client.listSecretVersionIds({
    secretName: name,
    includeDeprecated: true,
    pageSize: 100,
  });
  const ids = listing.versionIds.map((v) => v.versionId);
  expect(listing.totalCount, `${name}: version count`).toBe(ids.length);
  expect(ids.length, `${name}: at most ${MAX_VERSIONS} versions`).toBeLessThanOrEqual(MAX_VERSIONS);
  expect(new Set(ids).size, `${name}: unique version ids`).toBe(ids.length);
  const stages = new Map<string, string>();
  for (const version of listing.versionIds) {
    for (const label of version.versionStages) {
      expect(stages.has(label), `${name}: label ${label} on more than one version`).toBe(false);
      stages.set(label, version.versionId);
    }
  }
  expect(stages.has(CURRENT), `${name}: exactly one ACSCurrent`).toBe(true);
  // Newest first on the wire; the model keeps oldest first.
  return { versions: ids.reverse(), stages };
}

/** Checks a lane after a restart and adopts the outcome of its in-flight request. */
async function checkLane(client: TesseraClient, lane: Lane): Promise<void> {
  const actual = await serverState(client, lane.name);
  const candidates = [lane.state];
  if (lane.pending) candidates.push(apply(lane.state, lane.pending));
  const match = candidates.find((candidate) => sameState(candidate, actual));
  if (!match) {
    throw new Error(
      `${lane.name} after restart does not match what was acknowledged.\n` +
        `  server:                    ${describeState(actual)}\n` +
        `  acknowledged:              ${describeState(lane.state)}\n` +
        (lane.pending
          ? `  with the in-flight ${lane.pending.kind}: ${describeState(candidates[1] ?? lane.state)}\n`
          : ''),
    );
  }
  lane.state = match;
  lane.pending = undefined;
  for (const versionId of actual.versions) {
    const value = await checked(`${lane.name} ${versionId}: GetSecretValue`, () =>
      client.getSecretValue({ secretName: lane.name, versionId }),
    );
    expect(value.secretData, `${lane.name} ${versionId}: value`).toBe(lane.values.get(versionId));
    const labels = [...actual.stages].filter(([, id]) => id === versionId).map(([label]) => label);
    expect([...value.versionStages].sort(), `${lane.name} ${versionId}: labels`).toEqual(labels.sort());
  }
}

async function allNames(client: TesseraClient, prefix: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (let page = 1; ; page++) {
    const listing = await client.listSecrets({
      pageNumber: page,
      pageSize: 100,
      filters: [{ key: 'SecretName', values: [prefix] }],
    });
    for (const secret of listing.secretList) names.add(secret.secretName);
    if (page * 100 >= listing.totalCount) return names;
  }
}

/** Checks created secrets: all acknowledged ones exist (values of `fresh` are read back), the pending one may. */
async function checkCreator(
  client: TesseraClient,
  creator: Creator,
  fresh: ReadonlySet<string>,
): Promise<void> {
  const existing = await allNames(client, `crash-new/${creator.id}-`);
  for (const name of creator.created.keys()) {
    expect(existing.has(name), `acknowledged CreateSecret ${name} survives`).toBe(true);
  }
  const { pending } = creator;
  creator.pending = undefined;
  if (pending && existing.has(pending.name)) creator.created.set(pending.name, pending.data);
  const expected = new Set([...creator.created.keys()]);
  for (const name of existing) expect(expected.has(name), `${name} was never created`).toBe(true);
  for (const [name, data] of creator.created) {
    if (!fresh.has(name) && name !== pending?.name) continue;
    const state = name === pending?.name ? 'in flight at the kill, committed' : 'acknowledged';
    const value = await checked(`created secret ${name} (${state}): GetSecretValue`, () =>
      client.getSecretValue({ secretName: name }),
    );
    expect(value.secretData, `${name}: value`).toBe(data);
    expect(value.versionId).toBe('v1');
    expect(value.versionStages).toEqual([CURRENT]);
  }
}

describe('crash safety', () => {
  it(
    `keeps every acknowledged write through ${CYCLES} SIGKILLs under concurrent traffic`,
    async () => {
      const dir = tempDir('tessera-crash-');
      const lanes = Array.from({ length: LANES }, (_, i) => new Lane(`crash/lane-${i}`));
      const creators = Array.from({ length: CREATORS }, (_, i) => new Creator(i));
      let running = await start(dir.path);
      const kills: string[] = [];
      try {
        for (const lane of lanes) {
          const op: Operation = { kind: 'put', versionId: 'first', data: randomValue() };
          lane.values.set(op.versionId, op.data);
          await running.client.createSecret({
            secretName: lane.name,
            versionId: op.versionId,
            secretData: op.data,
          });
          lane.state = apply(lane.state, op);
        }

        for (let cycle = 1; cycle <= CYCLES; cycle++) {
          const traffic: Traffic = { stop: false, errors: [], acks: 0 };
          const createdBefore = new Set(creators.flatMap((c) => [...c.created.keys()]));
          const workers = [
            ...lanes.map((lane) => driveLane(running.client, lane, cycle, traffic)),
            ...creators.map((creator) => creator.drive(running.client, cycle, traffic)),
          ];
          // Kill at a random moment once traffic is flowing: after a few acknowledgements and a random delay.
          const minimumAcks = 5 + Math.floor(Math.random() * 40);
          const deadline = Date.now() + 10_000;
          while (traffic.acks < minimumAcks && traffic.errors.length === 0 && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
          running.process.child.kill('SIGKILL');
          traffic.stop = true;
          const exit = await running.process.exited;
          await Promise.all(workers);
          const inFlight = lanes.filter((l) => l.pending).length + creators.filter((c) => c.pending).length;
          kills.push(`cycle ${cycle}: ${traffic.acks} acknowledged, ${inFlight} in flight at the kill`);
          expect(exit.signal, 'the server died of SIGKILL, not of something else').toBe('SIGKILL');
          expect(traffic.errors, 'no request failed with an API error').toEqual([]);
          expect(errorLines(running.process), 'no error-level log lines (e.g. a 500)').toEqual([]);

          running = await start(dir.path);
          const fresh = new Set(
            creators.flatMap((c) => [...c.created.keys(), ...(c.pending ? [c.pending.name] : [])]),
          );
          for (const name of createdBefore) fresh.delete(name);
          for (const lane of lanes) await checkLane(running.client, lane);
          for (const creator of creators) await checkCreator(running.client, creator, fresh);
        }

        // At the end, every value of every created secret once more, and a clean shutdown.
        for (const creator of creators) {
          await checkCreator(running.client, creator, new Set(creator.created.keys()));
        }
        expect(errorLines(running.process)).toEqual([]);
        running.process.child.kill('SIGTERM');
        expect(await running.process.exited).toEqual({ code: 0, signal: null });
        const acknowledged = lanes.reduce((sum, lane) => sum + lane.acknowledged, 0);
        const created = creators.reduce((sum, creator) => sum + creator.created.size, 0);
        expect(acknowledged, 'lane writes were acknowledged').toBeGreaterThan(CYCLES);
        console.log(
          `crash safety: ${CYCLES} kills, ${acknowledged} acknowledged lane writes, ${created} secrets created\n  ${kills.join('\n  ')}`,
        );
      } catch (error) {
        if (error instanceof TesseraApiError) throw new Error(`API error during checks: ${error.message}`);
        throw error;
      } finally {
        running.process.child.kill('SIGKILL');
        dir.remove();
      }
    },
    Math.max(120_000, CYCLES * 10_000),
  );
});
