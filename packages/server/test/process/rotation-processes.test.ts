/**
 * Rotation across processes of the built server (`dist/main.js`), with a real webhook receiver:
 *
 * - a run interrupted by SIGKILL while the webhook handles its `set` step resumes after a restart on the
 *   same data folder and finishes, reusing the pending value created before the crash;
 * - several servers sharing one PostgreSQL database (a SQLite data folder serves one server) run a due
 *   rotation once: each step reaches the webhook once.
 *
 * Real time is unavoidable here (separate processes); the scheduler ticks every second and leases of a
 * dead process expire after five.
 */
import { randomBytes } from 'node:crypto';
import { TesseraClient } from '@tessera/sdk';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { RECEIVER_NETWORK_ENV, WebhookReceiver } from '../fakes/webhook-receiver.js';
import { tempDir } from '../helpers.js';
import type { ServerProcess } from './run-server.js';
import { spawnServer, waitForLog } from './run-server.js';

const ACCESS_KEY_ID = 'RotationTestAdmin1';
const ACCESS_KEY_SECRET = 'rotation-test-admin-secret-0123456789';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function environment(dataDir: string, rootKey: string): Record<string, string> {
  return {
    TESSERA_DATA_DIR: dataDir,
    TESSERA_PORT: '0',
    TESSERA_ROOT_KEY: rootKey,
    TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
    TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
    TESSERA_ROTATION_TICK_SECONDS: '1',
    TESSERA_ROTATION_LEASE_SECONDS: '5',
    ...RECEIVER_NETWORK_ENV,
  };
}

const POSTGRES_ADMIN_URL =
  process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function postgresAdmin<T>(work: (client: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const url = new URL(POSTGRES_ADMIN_URL);
  if (database !== undefined) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function start(env: Record<string, string>): Promise<{ server: ServerProcess; client: TesseraClient }> {
  const server = spawnServer(env);
  cleanups.push(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  });
  const ready = await waitForLog(server, (line) => line.msg === 'tessera is ready');
  const client = new TesseraClient({
    endpoint: String(ready.address),
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
  });
  return { server, client };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function bindSecret(
  client: TesseraClient,
  receiver: WebhookReceiver,
  secretName: string,
): Promise<void> {
  const hook = await client.createRotationWebhook({
    webhookName: 'hook',
    url: receiver.url,
    timeoutSeconds: 30,
  });
  receiver.signingKey = Buffer.from(hook.signingKey, 'base64');
  await client.createSecret({
    secretName,
    versionId: 'v1',
    secretData: 'original',
    extendedConfig: JSON.stringify({ RotationWebhook: 'hook' }),
  });
}

describe('rotation across server processes', () => {
  it('resumes a run interrupted by SIGKILL and finishes it after a restart', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const receiver = new WebhookReceiver();
    await receiver.start();
    cleanups.push(() => receiver.stop());
    const env = environment(dir.path, randomBytes(32).toString('base64'));

    const first = await start(env);
    await bindSecret(first.client, receiver, 'crash/db');
    let created = 0;
    let hang = true;
    let setArrived: () => void = () => undefined;
    const setSeen = new Promise<void>((resolve) => {
      setArrived = resolve;
    });
    receiver.handler = (call) => {
      if (call.step === 'create') return { status: 200, body: { value: `created-${++created}` } };
      if (call.step === 'set' && hang) {
        setArrived();
        return { status: 200, delayMs: 60_000 };
      }
      return { status: 200 };
    };
    await first.client.rotateSecret({ secretName: 'crash/db', versionId: 'r1' });
    await setSeen;
    first.server.child.kill('SIGKILL');
    await first.server.exited;
    hang = false;

    const second = await start(env);
    const done = await until('the resumed run to finish', async () => {
      const described = await second.client.describeSecret({ secretName: 'crash/db' });
      return described.rotationStatus === 'Succeeded' ? described : undefined;
    });
    expect(done).toMatchObject({ rotationVersionId: 'r1', rotationStep: 'finish' });
    expect(created).toBe(1);
    const steps = receiver.calls.map((c) => c.step);
    expect(steps).toEqual(['create', 'set', 'set', 'test', 'finish']);
    expect(receiver.calls.every((c) => c.signatureValid)).toBe(true);
    const setValues = receiver.calls.filter((c) => c.step === 'set').map((c) => c.body.pendingValue);
    expect(setValues).toEqual(['created-1', 'created-1']);
    expect(await second.client.getSecretValue({ secretName: 'crash/db' })).toMatchObject({
      versionId: 'r1',
      secretData: 'created-1',
      versionStages: ['ACSCurrent'],
    });
    expect(
      await second.client.getSecretValue({ secretName: 'crash/db', versionStage: 'ACSPrevious' }),
    ).toMatchObject({ versionId: 'v1', secretData: 'original' });
  }, 90_000);

  it('runs a due rotation once when several processes share the database', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const receiver = new WebhookReceiver();
    await receiver.start();
    cleanups.push(() => receiver.stop());
    const database = `tessera_rotation_${randomBytes(6).toString('hex')}`;
    await postgresAdmin((admin) => admin.query(`create database ${database}`));
    cleanups.push(() =>
      postgresAdmin((admin) => admin.query(`drop database if exists ${database} with (force)`)),
    );
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${database}`;
    const env = {
      ...environment(dir.path, randomBytes(32).toString('base64')),
      TESSERA_DATABASE_URL: url.toString(),
    };

    const servers = [];
    for (let i = 0; i < 3; i++) servers.push(await start(env));
    const { client } = servers[0]!;
    await bindSecret(client, receiver, 'shared/db');
    // Slow steps, so the processes' ticks overlap while the run is in progress.
    receiver.handler = (call) =>
      call.step === 'create'
        ? { status: 200, body: { value: 'rotated-once' }, delayMs: 300 }
        : { status: 200, delayMs: 300 };
    await client.updateSecretRotationPolicy({
      secretName: 'shared/db',
      enableAutomaticRotation: true,
      rotationInterval: '6h',
    });
    // Make the schedule due now, as if the servers had been down past the next rotation time.
    await postgresAdmin(
      (db) => db.query('update secret_rotation set next_rotation_at = $1', [Date.now() - 3_600_000]),
      database,
    );

    await until('the scheduled run to finish', async () => {
      const described = await client.describeSecret({ secretName: 'shared/db' });
      return described.rotationStatus === 'Succeeded' ? described : undefined;
    });
    // A few more ticks of every process: nothing starts again.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(receiver.calls.map((c) => c.step)).toEqual(['create', 'set', 'test', 'finish']);
    for (const { client: each } of servers) {
      expect(await each.getSecretValue({ secretName: 'shared/db' })).toMatchObject({
        secretData: 'rotated-once',
      });
    }
    const described = await client.describeSecret({ secretName: 'shared/db' });
    expect(described.automaticRotation).toBe('Enabled');
    expect(Date.parse(described.nextRotationDate ?? '')).toBeGreaterThan(Date.now() + 5 * 3_600_000);
    const runs = await postgresAdmin(
      (db) => db.query('select count(*)::int as n from rotation_runs'),
      database,
    );
    expect(runs.rows[0]).toEqual({ n: 1 });
  }, 90_000);
});
