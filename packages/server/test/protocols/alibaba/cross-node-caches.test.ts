/**
 * Two servers on one PostgreSQL database (a database this run creates and drops), caches on: a change
 * made on node A — a key disabled, an access key deactivated, a secret policy set, a RAM policy
 * detached, a new secret version or a moved label — is refused (or read) by A's very next request, and by B for every request that starts once the
 * stated bound (TESSERA_CACHE_MAX_STALENESS_MS, 1,000 ms by default) has passed since A answered; B was
 * answering from its caches just before (its cache-hit counters on /metrics rose), and saw the change
 * before its entry could have aged out, so the feed's notice is what dropped it. A change that reaches
 * no node's feed at all (written straight into the database, as by a node that crashed between its
 * commit and its NOTIFY) is seen within the same bound, after B answered from its cache once more.
 * docs/caching.md states the bound; test/storage/postgres-change-feed.test.ts tests the feed itself.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiServer } from './harness.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ApiError, clientsFor, startApiServer } from './harness.js';
import type { RamClient } from './ram-clients.js';
import { $Ram, ram, ramClient } from './ram-clients.js';

const ADMIN_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = `tessera_test_${randomBytes(6).toString('hex')}`;
const databaseUrl = (): string => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
};
/** The default TESSERA_CACHE_MAX_STALENESS_MS: the bound docs/caching.md states. */
const BOUND_MS = 1000;

async function onDatabase(connectionString: string, statement: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await client.query(statement, values);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let nodeA: ApiServer;
let nodeB: ApiServer;
let ramAdmin: RamClient;
let accountId: string;
/** Delays (ms after A's answer) at which B first refused, for the report below. */
const seenAfter: Record<string, number> = {};

beforeAll(async () => {
  await onDatabase(ADMIN_URL, `create database ${DATABASE}`);
  const env = {
    TESSERA_DATABASE_URL: databaseUrl(),
    TESSERA_ROOT_KEY: randomBytes(32).toString('base64'),
    TESSERA_ROTATION_TICK_SECONDS: '0',
  };
  nodeA = await startApiServer({ env });
  nodeB = await startApiServer({ env: { ...env, TESSERA_METRICS_ADDRESS: '127.0.0.1:0' } });
  ramAdmin = ramClient(nodeA.endpoint, { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET });
  accountId = nodeA.instance.tessera.identity.accountId;
  expect(nodeB.instance.tessera.changeFeed.maxStalenessMs).toBe(BOUND_MS);
});

afterAll(async () => {
  await nodeA.stop();
  await nodeB.stop();
  console.info('first refusal on node B, ms after node A answered:', seenAfter);
  await onDatabase(ADMIN_URL, `drop database if exists ${DATABASE} with (force)`);
});

/** A RAM user allowed to read every secret, with one access key; its pop-core client on each node. */
async function reader(name: string): Promise<{ id: string; onA: ApiClient; onB: ApiClient }> {
  await ram(ramAdmin.createUser(new $Ram.CreateUserRequest({ userName: name })));
  const policyDocument = JSON.stringify({
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: ['kms:GetSecretValue'], Resource: ['*'] }],
  });
  await ram(
    ramAdmin.createPolicy(new $Ram.CreatePolicyRequest({ policyName: `read-${name}`, policyDocument })),
  );
  await ram(
    ramAdmin.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({
        userName: name,
        policyType: 'Custom',
        policyName: `read-${name}`,
      }),
    ),
  );
  const created = await ram(ramAdmin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: name })));
  const credentials = {
    accessKeyId: created.accessKey?.accessKeyId ?? '',
    accessKeySecret: created.accessKey?.accessKeySecret ?? '',
  };
  const pop = (server: ApiServer) => clientsFor(server, credentials).find((c) => c.name === 'pop-core-post')!;
  return { id: credentials.accessKeyId, onA: pop(nodeA), onB: pop(nodeB) };
}

/** Node B's cache hits so far, from its /metrics. */
async function hitsOnB(cache: string): Promise<number> {
  const text = await (await fetch(nodeB.instance.tessera.metricsUrl()!)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`tessera_cache_lookups_total{cache="${cache}",result="hit"}`));
  return Number(line?.split(' ').at(-1) ?? 0);
}

/**
 * Reads on node B twice: the first loads, the second must be answered from the cache. Returns when the
 * first began: the entry was loaded after it, so the age limit alone cannot drop it before
 * `BOUND_MS` past it.
 */
async function warmOnB(cache: string, read: () => Promise<unknown>): Promise<number> {
  const loadedAfter = performance.now();
  await read();
  const before = await hitsOnB(cache);
  await read();
  expect(await hitsOnB(cache), `node B answered from its ${cache} cache`).toBeGreaterThan(before);
  return loadedAfter;
}

/** B's entry could not have aged out yet when it saw the change: the feed's notice dropped it. */
function expectHeard(loadedAfter: number, seen: { ended: number }): void {
  expect(seen.ended - loadedAfter, 'node B heard of the change before its entry could age out').toBeLessThan(
    BOUND_MS,
  );
}

/** The code a call failed with; undefined when it succeeded. */
async function refusal(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? error.code : String(error);
  }
}

/**
 * Polls node B until `probe` answers `code`. A probe that started `BOUND_MS` or more after `since` and
 * still saw the old state fails the test. Returns when the first refusing probe started (ms after
 * `since`) and when it ended (performance.now()).
 */
async function seenOnB(
  since: number,
  code: string,
  probe: () => Promise<unknown>,
): Promise<{ started: number; ended: number }> {
  for (;;) {
    const started = performance.now() - since;
    const answer = await refusal(probe());
    if (answer === code) return { started, ended: performance.now() };
    expect(answer, 'node B answered something else than the old state or the change').toBeUndefined();
    expect(started, 'a request that started after the bound still saw the old state').toBeLessThan(BOUND_MS);
    await sleep(5);
  }
}

describe('caches on two nodes sharing a PostgreSQL database', () => {
  it('a key disabled on A: refused on A at once, on B within the bound', async () => {
    const adminA = nodeA.client('pop-core-post');
    const adminB = nodeB.client('pop-core-post');
    const { KeyId: keyId } = (await adminA.call('CreateKey', {})).KeyMetadata as { KeyId: string };
    await adminA.call('CreateSecret', {
      SecretName: 'nodes/sealed',
      VersionId: 'v1',
      SecretData: 'under a CMK',
      EncryptionKeyId: keyId,
    });
    const read = (client: ApiClient) => client.call('GetSecretValue', { SecretName: 'nodes/sealed' });
    await read(adminA);
    const loaded = await warmOnB('key', () => read(adminB));

    await adminA.call('DisableKey', { KeyId: keyId });
    const answered = performance.now();
    expect(await refusal(read(adminA))).toBe('Rejected.Disabled');
    const seen = await seenOnB(answered, 'Rejected.Disabled', () => read(adminB));
    seenAfter.key = seen.started;
    expectHeard(loaded, seen);
  });

  it('an access key deactivated on A: refused on A at once, on B within the bound', async () => {
    const signer = await reader('signer');
    await nodeA.client('pop-core-post').call('CreateSecret', {
      SecretName: 'nodes/plain',
      VersionId: 'v1',
      SecretData: 'plain',
    });
    const read = (client: ApiClient) => client.call('GetSecretValue', { SecretName: 'nodes/plain' });
    await read(signer.onA);
    const loaded = await warmOnB('access_key', () => read(signer.onB));

    await ram(
      ramAdmin.updateAccessKey(
        new $Ram.UpdateAccessKeyRequest({
          userName: 'signer',
          userAccessKeyId: signer.id,
          status: 'Inactive',
        }),
      ),
    );
    const answered = performance.now();
    expect(await refusal(read(signer.onA))).toBe('Forbidden.AccessKey');
    const seen = await seenOnB(answered, 'Forbidden.AccessKey', () => read(signer.onB));
    seenAfter['access-key'] = seen.started;
    expectHeard(loaded, seen);
  });

  it('a secret policy set on A: refused on A at once, on B within the bound', async () => {
    const dave = await reader('dave');
    const adminA = nodeA.client('pop-core-post');
    await adminA.call('CreateSecret', { SecretName: 'nodes/guarded', VersionId: 'v1', SecretData: 'x' });
    const read = (client: ApiClient) => client.call('GetSecretValue', { SecretName: 'nodes/guarded' });
    await read(dave.onA);
    const loaded = await warmOnB('secret_policy', () => read(dave.onB));

    await adminA.call('SetSecretPolicy', {
      SecretName: 'nodes/guarded',
      Policy: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Deny',
            Principal: { RAM: [`acs:ram::${accountId}:user/dave`] },
            Action: ['kms:*'],
            Resource: ['*'],
          },
        ],
      }),
    });
    const answered = performance.now();
    expect(await refusal(read(dave.onA))).toBe('Forbidden.NoPermission');
    const seen = await seenOnB(answered, 'Forbidden.NoPermission', () => read(dave.onB));
    seenAfter['secret-policy'] = seen.started;
    expectHeard(loaded, seen);
  });

  it('a RAM policy detached on A: refused on A at once, on B within the bound', async () => {
    const erin = await reader('erin');
    const read = (client: ApiClient) => client.call('GetSecretValue', { SecretName: 'nodes/plain' });
    await read(erin.onA);
    const loaded = await warmOnB('identity_policies', () => read(erin.onB));

    await ram(
      ramAdmin.detachPolicyFromUser(
        new $Ram.DetachPolicyFromUserRequest({
          userName: 'erin',
          policyType: 'Custom',
          policyName: 'read-erin',
        }),
      ),
    );
    const answered = performance.now();
    expect(await refusal(read(erin.onA))).toBe('Forbidden.NoPermission');
    const seen = await seenOnB(answered, 'Forbidden.NoPermission', () => read(erin.onB));
    seenAfter['ram-policy'] = seen.started;
    expectHeard(loaded, seen);
  });

  it('a new version and a moved label on A: read on A at once, on B within the bound', async () => {
    const adminA = nodeA.client('pop-core-post');
    const adminB = nodeB.client('pop-core-post');
    await adminA.call('CreateSecret', { SecretName: 'nodes/rotated', VersionId: 'v1', SecretData: 'one' });
    const current = async (client: ApiClient) =>
      (await client.call('GetSecretValue', { SecretName: 'nodes/rotated' })).SecretData;
    /** Polls B until it reads `value`; a read that started past the bound and still saw the old one fails. */
    const readOnB = async (since: number, value: string): Promise<{ started: number; ended: number }> => {
      for (;;) {
        const started = performance.now() - since;
        if ((await current(adminB)) === value) return { started, ended: performance.now() };
        expect(started, 'a read that started after the bound still saw the old value').toBeLessThan(BOUND_MS);
        await sleep(5);
      }
    };

    let loaded = await warmOnB('secret', () => current(adminB));
    await adminA.call('PutSecretValue', { SecretName: 'nodes/rotated', VersionId: 'v2', SecretData: 'two' });
    let answered = performance.now();
    expect(await current(adminA)).toBe('two');
    let seen = await readOnB(answered, 'two');
    seenAfter['secret-version'] = seen.started;
    expectHeard(loaded, seen);

    loaded = await warmOnB('secret', () => current(adminB));
    await adminA.call('UpdateSecretVersionStage', {
      SecretName: 'nodes/rotated',
      VersionStage: 'ACSCurrent',
      MoveToVersion: 'v1',
      RemoveFromVersion: 'v2',
    });
    answered = performance.now();
    expect(await current(adminA)).toBe('one');
    seen = await readOnB(answered, 'one');
    seenAfter['secret-label'] = seen.started;
    expectHeard(loaded, seen);
  });

  it('a change no node announced (written behind their backs): served from cache, then seen within the bound', async () => {
    const spare = await reader('spare');
    const read = (client: ApiClient) => client.call('GetSecretValue', { SecretName: 'nodes/plain' });
    await warmOnB('access_key', () => read(spare.onB));

    const updated = await onDatabase(
      databaseUrl(),
      `update access_keys set status = 'inactive' where id = $1`,
      [spare.id],
    );
    expect(updated.rowCount).toBe(1);
    const committed = performance.now();
    // Nothing told B: it still answers from its cache (its entry is younger than the bound).
    await read(spare.onB);
    seenAfter.unannounced = (await seenOnB(committed, 'Forbidden.AccessKey', () => read(spare.onB))).started;
  });
});
