/**
 * Abuse limits over real HTTP: the per-key rate limit answered as `Rejected.Throttling` with
 * `x-acs-retry-after` (and honoured by Tessera's SDK), and failed signatures held back while correctly
 * signed requests pass at full speed. Decay is driven by a manual clock, not by sleeping.
 */
import { performance } from 'node:perf_hooks';
import { TesseraApiError, TesseraClient } from '@tessera/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_POLICY } from '../../../src/protocols/alibaba/caller-limits.js';
import { ManualClock } from '../../fakes/manual-clock.js';
import type { ApiServer } from './harness.js';
import { expectFailure, startApiServer } from './harness.js';
import { acs3Request, expectApiError, send } from './signed-fetch.js';

describe('per-key rate limit', () => {
  let server: ApiServer;
  let other: { id: string; secret: string };

  beforeAll(async () => {
    server = await startApiServer({
      env: { TESSERA_RATE_LIMIT_PER_SECOND: '1', TESSERA_RATE_LIMIT_BURST: '3' },
    });
    other = await server.instance.tessera.services.accessKeys.create('administrator');
  });

  afterAll(async () => {
    await server.stop();
  });

  it('answers a key past its burst with 429 Rejected.Throttling and x-acs-retry-after; other keys go on', async () => {
    const sdk = server.client('openapi-acs3');
    for (let i = 0; i < 3; i++) await sdk.call('DescribeRegions');
    await expectFailure(sdk.call('DescribeRegions'), 429, 'Rejected.Throttling');

    const response = await send(acs3Request(server.baseUrl, 'DescribeRegions', {}));
    const body = await expectApiError(response, 429, 'Rejected.Throttling');
    expect(response.headers.get('x-acs-retry-after')).toBe('1');
    expect(body.Message).toMatch(/1 requests per second/);

    const byOther = await send(
      acs3Request(server.baseUrl, 'DescribeRegions', {}, { accessKeyId: other.id, secret: other.secret }),
    );
    expect(byOther.status).toBe(200);
  });

  it("is honoured by Tessera's SDK, which waits the hinted time and retries", async () => {
    const client = new TesseraClient({
      endpoint: server.baseUrl,
      accessKeyId: other.id,
      accessKeySecret: other.secret,
      maxRetries: 0,
    });
    const retries: number[] = [];
    const retrying = new TesseraClient({
      endpoint: server.baseUrl,
      accessKeyId: other.id,
      accessKeySecret: other.secret,
      maxRetries: 3,
      onRetry: (event) => retries.push(event.delayMs),
    });
    // Drain the other key's bucket, then one more call must wait about a second and succeed.
    for (;;) {
      const error = await client.call('DescribeRegions').then(
        () => undefined,
        (e: unknown) => e,
      );
      if (error !== undefined) {
        expect(error).toBeInstanceOf(TesseraApiError);
        expect((error as TesseraApiError).code).toBe('Rejected.Throttling');
        break;
      }
    }
    const answer = await retrying.call('DescribeRegions');
    expect(answer.RequestId).toBeTypeOf('string');
    expect(retries[0]).toBe(1000);
  }, 20_000);
});

describe('failed signatures', () => {
  let server: ApiServer;
  let clock: ManualClock;
  let other: { id: string; secret: string };

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    server = await startApiServer({ clock });
    other = await server.instance.tessera.services.accessKeys.create('administrator');
  });

  afterAll(async () => {
    await server.stop();
  });

  /** Sends a request and resolves to its status and how long the answer took. */
  async function timed(request: ReturnType<typeof acs3Request>): Promise<{ status: number; ms: number }> {
    const started = performance.now();
    const response = await send(request);
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  }

  const badSignature = () =>
    acs3Request(server.baseUrl, 'DescribeRegions', {}, { secret: 'not-the-secret-0123456789' });

  it('holds back the answers to repeated bad signatures while correct requests pass at once', async () => {
    // Wrong signatures at once: the free ones are answered at once, the last five after 100 … 1600 ms.
    const count = FAILURE_POLICY.free + 5;
    const failures = Array.from({ length: count }, () => timed(badSignature()));
    // Give the failures time to be counted before the correct requests go out.
    await new Promise((resolve) => setTimeout(resolve, 50));
    let slowestDone = false;
    const slowest = Promise.all(failures).then((all) => {
      slowestDone = true;
      return all;
    });
    const sameKey = await timed(acs3Request(server.baseUrl, 'DescribeRegions', {}));
    const otherKey = await timed(
      acs3Request(server.baseUrl, 'DescribeRegions', {}, { accessKeyId: other.id, secret: other.secret }),
    );
    expect([sameKey.status, otherKey.status]).toEqual([200, 200]);
    // Answered while the slowest failure was still held back.
    expect(slowestDone).toBe(false);

    const answers = await slowest;
    expect(answers.every((answer) => answer.status === 400)).toBe(true);
    const times = answers.map((answer) => answer.ms).sort((a, b) => a - b);
    expect(times[count - 1]).toBeGreaterThanOrEqual(1_550);
    expect(times[count - 2]).toBeGreaterThanOrEqual(750);

    // The answer is still the API's SignatureDoesNotMatch, only later.
    await expectApiError(await send(badSignature()), 400, 'SignatureDoesNotMatch');
  }, 20_000);

  it('forgets the failures over time', async () => {
    clock.advance(5 * 60_000);
    const after = await timed(badSignature());
    expect(after.status).toBe(400);
    // It would have been held back 2 s without the decay.
    expect(after.ms).toBeLessThan(1_000);
  });

  it('counts unknown access key ids against the source address', async () => {
    const unknown = () =>
      timed(acs3Request(server.baseUrl, 'DescribeRegions', {}, { accessKeyId: 'NoSuchKey0001' }));
    const count = FAILURE_POLICY.free + 3;
    const answers = await Promise.all(Array.from({ length: count }, unknown));
    expect(answers.every((answer) => answer.status === 404)).toBe(true);
    const times = answers.map((answer) => answer.ms).sort((a, b) => a - b);
    expect(times[count - 1]).toBeGreaterThanOrEqual(350);
    // Correct requests from the same address are not slowed by it.
    const correct = await timed(acs3Request(server.baseUrl, 'DescribeRegions', {}));
    expect(correct.status).toBe(200);
    clock.advance(5 * 60_000);
  });
});
