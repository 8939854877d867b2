/**
 * SecretCache against a real server. Time is a ManualClock, so refresh intervals and staleness limits
 * pass without sleeping; requests are counted by a wrapping `fetch`, which also simulates an outage by
 * sending requests to a closed port.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import type { RefreshEvent, SecretCacheOptions, TesseraClient, TesseraClientOptions } from '../src/index.js';
import { SecretCache, TesseraApiError, TesseraError, TesseraNetworkError } from '../src/index.js';
import { ManualClock } from './fakes/manual-clock.js';
import type { TestServer } from './helpers.js';
import { anyNumber, anyString, CountingFetch, startServer, uniqueName } from './helpers.js';

const INTERVAL = 60_000;
const AHEAD = 48_000; // 80 % of the interval
const MAX_STALE = 120_000;

let api: TestServer;
/** Makes and rotates secrets; its requests are not counted. */
let admin: TesseraClient;
const caches: SecretCache[] = [];

beforeAll(async () => {
  api = await startServer();
  admin = api.client();
});

afterEach(() => {
  for (const cache of caches.splice(0)) cache.close();
});

afterAll(async () => {
  await api.stop();
});

/** A cache on a manual clock whose requests are counted; `nextEvent` resolves with the next refresh outcome. */
function setup(options: SecretCacheOptions = {}, clientOptions: TesseraClientOptions = {}) {
  const counting = new CountingFetch();
  const clock = new ManualClock();
  const events: RefreshEvent[] = [];
  let waiting: ((event: RefreshEvent) => void)[] = [];
  const cache = new SecretCache({
    client: api.client({ fetch: counting.fetch, maxRetries: 0, ...clientOptions }),
    clock,
    refreshIntervalMs: INTERVAL,
    maxStaleMs: MAX_STALE,
    onRefresh: (event) => {
      events.push(event);
      for (const resolve of waiting) resolve(event);
      waiting = [];
    },
    ...options,
  });
  caches.push(cache);
  const nextEvent = () =>
    new Promise<RefreshEvent>((resolve) => {
      waiting.push(resolve);
    });
  return { cache, counting, clock, events, nextEvent };
}

async function newSecret(secretData = 'password-1'): Promise<string> {
  const secretName = uniqueName('sdk-cache');
  await admin.createSecret({ secretName, versionId: 'v1', secretData });
  return secretName;
}

describe('SecretCache reads', () => {
  it('serves a warm read from memory without any request', async () => {
    const { cache, counting } = setup();
    const secretName = await newSecret();
    const first = await cache.get(secretName);
    expect(first).toEqual({
      secretName,
      versionId: 'v1',
      secretData: 'password-1',
      secretDataType: 'text',
      createTime: anyString(),
    });
    expect(counting.actions).toEqual(['GetSecretValue']);
    counting.reset();
    for (let i = 0; i < 100; i++) expect(await cache.get(secretName)).toBe(first);
    expect(counting.count()).toBe(0);
  });

  it('makes one request for N concurrent reads of a missing entry', async () => {
    const { cache, counting } = setup();
    const secretName = await newSecret();
    const reads = await Promise.all(Array.from({ length: 50 }, () => cache.get(secretName)));
    expect(counting.count()).toBe(1);
    expect(new Set(reads).size).toBe(1);

    counting.reset();
    const pairs = await Promise.all(
      Array.from({ length: 20 }, () => cache.getCurrentAndPrevious(secretName)),
    );
    expect(new Set(pairs.map((p) => p.current)).size).toBe(1);
    expect(counting.actions).toEqual(['ListSecretVersionIds']); // the current value was already held
  });

  it('reads custom stages and versions by id, and caches versions by id for good', async () => {
    const { cache, counting, clock } = setup();
    const secretName = await newSecret();
    await admin.putSecretValue({
      secretName,
      versionId: 'v2',
      secretData: 'pending',
      versionStages: ['MyPendingLabel'],
    });
    expect((await cache.get(secretName, { versionStage: 'MyPendingLabel' })).secretData).toBe('pending');
    expect((await cache.getVersion(secretName, 'v1')).secretData).toBe('password-1');
    counting.reset();
    clock.advance(10 * INTERVAL + MAX_STALE); // labels expire (and get refreshed); versions do not
    expect((await cache.getVersion(secretName, 'v1')).secretData).toBe('password-1');
    expect(counting.count('GetSecretValue')).toBe(0);
  });

  it('keeps at most maxVersions values, evicting the least recently used', async () => {
    const { cache, counting } = setup({ maxVersions: 2 });
    const secretName = await newSecret();
    await admin.putSecretValue({ secretName, versionId: 'v2', secretData: '2' });
    await admin.putSecretValue({ secretName, versionId: 'v3', secretData: '3' });
    await cache.getVersion(secretName, 'v1');
    await cache.getVersion(secretName, 'v2');
    await cache.getVersion(secretName, 'v1'); // v2 is now the least recently used
    await cache.getVersion(secretName, 'v3');
    counting.reset();
    await cache.getVersion(secretName, 'v1');
    expect(counting.count()).toBe(0);
    await cache.getVersion(secretName, 'v2');
    expect(counting.count()).toBe(1);
  });

  it('keeps the values of the labels in use even when other reads push them out of the LRU', async () => {
    const { cache, counting } = setup({ maxVersions: 1 });
    const secretName = await newSecret();
    await admin.putSecretValue({
      secretName,
      versionId: 'v2',
      secretData: 'other',
      versionStages: ['Other'],
    });
    const current = await cache.get(secretName);
    await cache.getVersion(secretName, 'v2'); // the LRU now holds v2 only
    counting.reset();
    expect(await cache.get(secretName)).toBe(current);
    expect(counting.count()).toBe(0);
  });

  it('passes a definitive error through without caching anything', async () => {
    const { cache } = setup();
    const error = await cache.get(uniqueName('sdk-cache-missing')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraApiError);
    expect(error).toMatchObject({ code: 'Forbidden.ResourceNotFound', status: 404 });
  });
});

describe('SecretCache rotation', () => {
  it('shows a new value within the refresh interval, re-reading labels and fetching only the new version', async () => {
    const { cache, counting, clock, nextEvent } = setup();
    const secretName = await newSecret();
    expect((await cache.get(secretName)).secretData).toBe('password-1');
    await admin.putSecretValue({ secretName, versionId: 'v2', secretData: 'password-2' });

    counting.reset();
    const refreshed = nextEvent();
    clock.advance(AHEAD);
    expect(await refreshed).toEqual({
      type: 'refreshed',
      secretName,
      changedStages: ['ACSCurrent', 'ACSPrevious'],
    });
    expect(counting.actions).toEqual(['ListSecretVersionIds', 'GetSecretValue']);

    counting.reset();
    const current = await cache.get(secretName);
    expect(current).toMatchObject({ versionId: 'v2', secretData: 'password-2' });
    expect(counting.count()).toBe(0); // fetched ahead, so the read itself is warm
  });

  it('a refresh that finds nothing new fetches no value', async () => {
    const { cache, counting, clock, nextEvent } = setup();
    const secretName = await newSecret();
    await cache.get(secretName);
    counting.reset();
    const refreshed = nextEvent();
    clock.advance(AHEAD);
    expect(await refreshed).toMatchObject({ type: 'refreshed', changedStages: [] });
    expect(counting.actions).toEqual(['ListSecretVersionIds']);
    // And it keeps refreshing every AHEAD from then on.
    const again = nextEvent();
    clock.advance(AHEAD);
    expect(await again).toMatchObject({ type: 'refreshed' });
  });

  it('getCurrentAndPrevious returns both sides of a rotation and follows the next one', async () => {
    const { cache, counting, clock, nextEvent } = setup();
    const secretName = await newSecret();
    const never = await cache.getCurrentAndPrevious(secretName);
    expect(never.current.versionId).toBe('v1');
    expect(never.previous).toBeUndefined();

    await admin.putSecretValue({ secretName, versionId: 'v2', secretData: 'password-2' });
    await cache.refreshNow(secretName);
    const rotated = await cache.getCurrentAndPrevious(secretName);
    expect([rotated.current.secretData, rotated.previous?.secretData]).toEqual(['password-2', 'password-1']);

    await admin.putSecretValue({ secretName, versionId: 'v3', secretData: 'password-3' });
    const refreshed = nextEvent();
    clock.advance(AHEAD);
    await refreshed;
    counting.reset();
    const next = await cache.getCurrentAndPrevious(secretName);
    expect([next.current.versionId, next.previous?.versionId]).toEqual(['v3', 'v2']);
    expect(counting.count()).toBe(0);
  });

  it('refreshNow re-reads the labels at once, and concurrent calls share one request', async () => {
    const { cache, counting } = setup();
    const secretName = await newSecret();
    await cache.get(secretName);
    await admin.putSecretValue({ secretName, versionId: 'v2', secretData: 'password-2' });
    expect((await cache.get(secretName)).versionId).toBe('v1'); // still within the interval

    counting.reset();
    await Promise.all([
      cache.refreshNow(secretName),
      cache.refreshNow(secretName),
      cache.refreshNow(secretName),
    ]);
    expect(counting.actions).toEqual(['ListSecretVersionIds', 'GetSecretValue']);
    expect((await cache.get(secretName)).secretData).toBe('password-2');
    await expect(cache.refreshNow(uniqueName('never-read'))).resolves.toBeUndefined();
  });
});

describe('SecretCache when the server is unreachable', () => {
  it('serves the last good value while the server is down, and an error once maxStaleMs is exceeded', async () => {
    const { cache, counting, clock, nextEvent } = setup();
    const secretName = await newSecret();
    const good = await cache.get(secretName);

    counting.outage = 'unreachable';
    const failed = nextEvent();
    clock.advance(AHEAD);
    const event = await failed;
    expect(event).toMatchObject({ type: 'failed', secretName, staleUntil: anyNumber() });
    expect(event.type === 'failed' && event.error).toBeInstanceOf(TesseraNetworkError);

    clock.advance(INTERVAL - AHEAD + 1); // past the interval: stale now
    expect(await cache.get(secretName)).toBe(good);
    clock.advance(MAX_STALE - 2_000); // still inside maxStaleMs
    expect(await cache.get(secretName)).toBe(good);

    clock.advance(2_000); // past it
    const error = await cache.get(secretName).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraNetworkError);

    counting.outage = 'none'; // back: the next read asks the server again
    expect((await cache.get(secretName)).secretData).toBe('password-1');
  });

  it('does not make readers wait on new attempts while refreshes keep failing', async () => {
    const { cache, counting, clock, nextEvent } = setup({}, { timeoutMs: 200 });
    const secretName = await newSecret();
    const good = await cache.get(secretName);
    counting.outage = 'unresponsive';
    const failed = nextEvent();
    clock.advance(AHEAD);
    expect(await failed).toMatchObject({ type: 'failed' });
    counting.reset();
    clock.advance(INTERVAL - AHEAD + 1); // expired; the retry timer has started another (hanging) attempt
    expect(counting.actions).toEqual(['ListSecretVersionIds']);
    const started = performance.now();
    expect(await cache.get(secretName)).toBe(good);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('serves the stale value on a retryable API error (throttling) as well', async () => {
    const { cache, counting, clock } = setup();
    const secretName = await newSecret();
    const good = await cache.get(secretName);
    counting.outage = 'throttled';
    clock.advance(INTERVAL + 1);
    expect(await cache.get(secretName)).toBe(good);
  });

  it('forgets a secret after a definitive error instead of serving it stale', async () => {
    const { cache, clock, nextEvent } = setup();
    const secretName = await newSecret();
    await cache.get(secretName);
    await admin.deleteSecret({ secretName, forceDeleteWithoutRecovery: true });
    const dropped = nextEvent();
    clock.advance(AHEAD);
    expect(await dropped).toMatchObject({ type: 'dropped', secretName });
    await expect(cache.get(secretName)).rejects.toMatchObject({ code: 'Forbidden.ResourceNotFound' });
  });

  it('with maxStaleMs 0, a read past the interval fails as soon as the server cannot answer', async () => {
    const { cache, counting, clock } = setup({ maxStaleMs: 0 });
    const secretName = await newSecret();
    await cache.get(secretName);
    counting.outage = 'unreachable';
    clock.advance(INTERVAL + 1);
    await expect(cache.get(secretName)).rejects.toBeInstanceOf(TesseraNetworkError);
  });
});

describe('SecretCache without permission to list versions', () => {
  /** A user allowed kms:GetSecretValue on every secret and nothing else. */
  async function valueOnlyClient(): Promise<TesseraClientOptions> {
    const userName = uniqueName('value-only').slice(0, 60);
    const policyName = uniqueName('get-only').slice(0, 60);
    await admin.ram.createUser({ userName });
    const key = await admin.ram.createAccessKey({ userName });
    await admin.ram.createPolicy({
      policyName,
      policyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: ['kms:GetSecretValue'], Resource: ['acs:kms:*:*:secret/*'] }],
      }),
    });
    await admin.ram.attachPolicyToUser({ userName, policyName, policyType: 'Custom' });
    return { accessKeyId: key.accessKey.accessKeyId, accessKeySecret: key.accessKey.accessKeySecret };
  }

  it('falls back to GetSecretValue at its interval, says so once, and keeps following rotation', async () => {
    const warnings: string[] = [];
    const { cache, counting, clock, events, nextEvent } = setup(
      { onWarning: (message) => warnings.push(message) },
      await valueOnlyClient(),
    );
    const secretName = await newSecret();
    expect((await cache.get(secretName)).secretData).toBe('password-1');

    counting.reset();
    let refreshed = nextEvent();
    clock.advance(AHEAD);
    expect(await refreshed).toMatchObject({ type: 'refreshed', changedStages: [] });
    expect(counting.actions).toEqual(['ListSecretVersionIds', 'GetSecretValue']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('kms:ListSecretVersionIds');
    expect((await cache.get(secretName)).secretData).toBe('password-1'); // still held, not forgotten

    await admin.putSecretValue({ secretName, versionId: 'v2', secretData: 'password-2' });
    counting.reset();
    refreshed = nextEvent();
    clock.advance(AHEAD);
    expect(await refreshed).toMatchObject({ type: 'refreshed', changedStages: ['ACSCurrent'] }); // only watched stages are known
    expect(counting.actions).toEqual(['GetSecretValue']); // no second refused listing
    counting.reset();
    expect((await cache.get(secretName)).secretData).toBe('password-2');
    expect(counting.count()).toBe(0);

    const second = await newSecret('other-1');
    await cache.get(second);
    refreshed = nextEvent();
    clock.advance(AHEAD);
    await refreshed;
    expect(warnings).toHaveLength(1); // said once per cache
    expect(events.some((event) => event.type === 'dropped')).toBe(false);
  });
});

describe('SecretCache lifecycle', () => {
  it('close stops every timer and refuses further reads', async () => {
    const { cache, clock } = setup();
    await cache.get(await newSecret());
    expect(clock.pending).toBe(2); // the background refresh and the expiry of the labels
    cache.close();
    expect(clock.pending).toBe(0);
    await expect(cache.get('anything')).rejects.toBeInstanceOf(TesseraError);
  });

  it('uses unref’d timers on the system clock, so a cache never keeps the process alive', () => {
    const timer = systemClock.setTimeout(() => undefined, 60_000) as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    systemClock.clearTimeout(timer);
  });

  it('refuses unusable options', () => {
    expect(() => new SecretCache({ client: admin, refreshIntervalMs: 0 })).toThrow(/refreshIntervalMs/);
    expect(() => new SecretCache({ client: admin, refreshAhead: 1.5 })).toThrow(/refreshAhead/);
    expect(() => new SecretCache({ client: admin, maxVersions: 0 })).toThrow(/maxVersions/);
  });
});
