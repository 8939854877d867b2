import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/fakes/manual-clock.js';
import { CallerLimits, FAILURE_POLICY, MAX_HELD_FAILURES, sourceSubject } from './caller-limits.js';
import { ProtocolError } from './errors.js';

const mismatch = () => new ProtocolError(400, 'SignatureDoesNotMatch', 'no');
const unknownKey = () => new ProtocolError(404, 'InvalidAccessKeyId.NotFound', 'no');

function limits(options: { ratePerSecond?: number; burst?: number } = {}) {
  const clock = new ManualClock();
  const waits: number[] = [];
  const pending: (() => void)[] = [];
  const subject = new CallerLimits({
    clock,
    ratePerSecond: options.ratePerSecond ?? 0,
    burst: options.burst ?? 1,
    wait: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  return { clock, waits, pending, subject };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('CallerLimits: rate', () => {
  it('admits every request when the limit is off', () => {
    const { subject } = limits();
    for (let i = 0; i < 10_000; i++) subject.admit('key');
  });

  it('throttles a key past its burst with 429 Rejected.Throttling and a retry-after in whole seconds', () => {
    const { clock, subject } = limits({ ratePerSecond: 2, burst: 2 });
    subject.admit('key');
    subject.admit('key');
    let error: unknown;
    try {
      subject.admit('key');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ status: 429, code: 'Rejected.Throttling', retryAfterSeconds: 1 });
    // Other keys are not affected; the key itself gets a token back after 1/rate seconds.
    subject.admit('other');
    clock.advance(500);
    subject.admit('key');
  });
});

describe('CallerLimits: failed authentication', () => {
  it('rethrows the original error, and answers the first failures at once', async () => {
    const { waits, subject } = limits();
    for (let i = 0; i < FAILURE_POLICY.free; i++) {
      const error = mismatch();
      expect(await rejection(subject.refused(error, { sourceIp: '10.0.0.1', claimedAccessKeyId: 'K' }))).toBe(
        error,
      );
    }
    expect(waits).toEqual([]);
  });

  it('holds back further failures of a key longer and longer, up to the cap, from any address', async () => {
    const { waits, subject } = limits();
    for (let i = 0; i < FAILURE_POLICY.free + 8; i++) {
      await rejection(subject.refused(mismatch(), { sourceIp: `10.0.${i}.1`, claimedAccessKeyId: 'K' }));
    }
    expect(waits).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
  });

  it('counts unknown key ids against the source address', async () => {
    const { waits, subject } = limits();
    for (let i = 0; i < FAILURE_POLICY.free + 2; i++) {
      await rejection(
        subject.refused(unknownKey(), { sourceIp: '10.0.0.9', claimedAccessKeyId: `Nope${i}` }),
      );
    }
    expect(waits).toEqual([100, 200]);
    // Another address starts from nothing.
    await rejection(subject.refused(unknownKey(), { sourceIp: '10.0.0.10', claimedAccessKeyId: 'Nope' }));
    expect(waits).toHaveLength(2);
  });

  it('does not count other refusals (a stale timestamp, a malformed header), nor slow them', async () => {
    const { waits, subject } = limits();
    for (let i = 0; i < 50; i++) {
      await rejection(
        subject.refused(new ProtocolError(400, 'InvalidTimeStamp.Expired', 'old'), {
          sourceIp: '10.0.0.1',
          claimedAccessKeyId: 'K',
        }),
      );
    }
    expect(waits).toEqual([]);
  });

  it('forgets failures over time', async () => {
    const { clock, waits, subject } = limits();
    const fail = () =>
      rejection(subject.refused(mismatch(), { sourceIp: '10.0.0.1', claimedAccessKeyId: 'K' }));
    for (let i = 0; i < FAILURE_POLICY.free + 3; i++) await fail();
    expect(waits).toEqual([100, 200, 400]);
    clock.advance(FAILURE_POLICY.decayMs * 4);
    await fail();
    expect(waits).toEqual([100, 200, 400]);
    await fail();
    expect(waits).toEqual([100, 200, 400, 100]);
  });

  it('never slows the admission of a correctly signed request, even for a key under attack', async () => {
    const { waits, subject } = limits({ ratePerSecond: 1000, burst: 1000 });
    for (let i = 0; i < 40; i++) {
      await rejection(subject.refused(mismatch(), { sourceIp: '10.0.0.1', claimedAccessKeyId: 'K' }));
    }
    const held = waits.length;
    subject.admit('K');
    expect(waits).toHaveLength(held);
  });

  it('holds back at most MAX_HELD_FAILURES answers at once; the rest are answered at once', async () => {
    const clock = new ManualClock();
    let waiting = 0;
    const releases: (() => void)[] = [];
    const subject = new CallerLimits({
      clock,
      ratePerSecond: 0,
      burst: 1,
      wait: () => {
        waiting++;
        return new Promise<void>((resolve) => releases.push(resolve));
      },
    });
    const caller = { sourceIp: '10.0.0.1', claimedAccessKeyId: 'K' };
    for (let i = 0; i < FAILURE_POLICY.free; i++) await rejection(subject.refused(mismatch(), caller));
    const held = Array.from({ length: MAX_HELD_FAILURES }, () =>
      rejection(subject.refused(mismatch(), caller)),
    );
    expect(waiting).toBe(MAX_HELD_FAILURES);
    const error = mismatch();
    expect(await rejection(subject.refused(error, caller))).toBe(error);
    expect(waiting).toBe(MAX_HELD_FAILURES);
    for (const release of releases) release();
    await Promise.all(held);
  });
});

describe('sourceSubject', () => {
  it('is an IPv4 address itself, and an IPv6 address its /64', () => {
    expect(sourceSubject('192.0.2.7')).toBe('192.0.2.7');
    expect(sourceSubject('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(sourceSubject('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceSubject('2001:DB8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(sourceSubject('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceSubject('::1')).toBe('0:0:0:0::/64');
    expect(sourceSubject('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
