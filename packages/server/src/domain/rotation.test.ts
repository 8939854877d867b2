import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import type { RotationPolicy } from './rotation.js';
import {
  backoffDelay,
  configureRotation,
  decideStart,
  DEFAULT_RETRY_SCHEDULE,
  failStep,
  formatRotationInterval,
  isRotationDue,
  parseRotationInterval,
  policyAfterFailedRun,
  policyAfterRotation,
} from './rotation.js';
import { createSecret } from './secret.js';

const H = 3_600_000;
const DAY = 24 * H;

function secret() {
  return createSecret({
    id: 'sec-1',
    name: 'db',
    description: '',
    encryptionKeyId: 'k',
    tags: [],
    versionId: 'v1',
    dataType: 'text',
    now: 0,
    arnSuffix: 'Ab12Cd',
  });
}

describe('rotation interval', () => {
  it('reads integer[dhms] from 6h to 8760h and answers in seconds', () => {
    expect(parseRotationInterval('7d')).toBe(604_800);
    expect(parseRotationInterval('6h')).toBe(21_600);
    expect(parseRotationInterval('360m')).toBe(21_600);
    expect(parseRotationInterval('21600s')).toBe(21_600);
    expect(parseRotationInterval('21600')).toBe(21_600);
    expect(parseRotationInterval('8760h')).toBe(31_536_000);
    expect(parseRotationInterval('365d')).toBe(31_536_000);
    expect(formatRotationInterval(604_800)).toBe('604800s');
  });

  it.each(['5h', '21599s', '8761h', '366d', '7w', '7 d', 'd', '-7d', '1.5d', '99999999999999d'])(
    'refuses %s as invalid_argument naming rotationInterval',
    (text) => {
      const error = (() => {
        try {
          parseRotationInterval(text);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'invalid_argument', details: { field: 'rotationInterval' } });
    },
  );
});

describe('rotation policy', () => {
  it('schedules the first run one interval after the last rotation, or after now', () => {
    const fresh = configureRotation('s', undefined, { enabled: true, intervalSeconds: 86_400 }, 10 * DAY);
    expect(fresh.nextRotationAt).toBe(11 * DAY);
    const rotated: RotationPolicy = { ...fresh, lastRotationAt: 2 * DAY };
    expect(configureRotation('s', rotated, { enabled: true }, 10 * DAY).nextRotationAt).toBe(3 * DAY);
  });

  it('needs an interval to enable, keeps it when disabling', () => {
    expect(() => configureRotation('s', undefined, { enabled: true }, 0)).toThrow(DomainError);
    const on = configureRotation('s', undefined, { enabled: true, intervalSeconds: 86_400 }, 0);
    const off = configureRotation('s', on, { enabled: false }, 0);
    expect(off).toMatchObject({ enabled: false, intervalSeconds: 86_400, nextRotationAt: null });
    expect(isRotationDue(off, 100 * DAY)).toBe(false);
  });

  it('catches up once after downtime: due once, next one interval after the run', () => {
    const on = configureRotation('s', undefined, { enabled: true, intervalSeconds: 86_400 }, 0);
    const late = 30 * DAY;
    expect(isRotationDue(on, late)).toBe(true);
    const after = policyAfterRotation(on, late);
    expect(after).toMatchObject({ lastRotationAt: late, nextRotationAt: late + DAY });
    expect(isRotationDue(after, late + 1)).toBe(false);
  });

  it('tries a failed schedule again after the interval, but at most a day later', () => {
    const weekly = configureRotation('s', undefined, { enabled: true, intervalSeconds: 7 * 86_400 }, 0);
    expect(policyAfterFailedRun(weekly, 100).nextRotationAt).toBe(100 + DAY);
    const sixHours = configureRotation('s', undefined, { enabled: true, intervalSeconds: 6 * 3600 }, 0);
    expect(policyAfterFailedRun(sixHours, 100).nextRotationAt).toBe(100 + 6 * H);
  });
});

describe('cron rotation policy', () => {
  const WEEKLY = 'cron(0 4 ? * MON *)';
  const utc = (month: number, day: number, hour = 0) => Date.UTC(2026, month - 1, day, hour);
  // 2026-01-05 is a Monday.

  it("schedules the first run at the cron's next firing after now, whatever the last rotation", () => {
    const fresh = configureRotation('s', undefined, { enabled: true, cronExpression: WEEKLY }, utc(1, 7, 10));
    expect(fresh).toMatchObject({
      intervalSeconds: null,
      cronExpression: WEEKLY,
      nextRotationAt: utc(1, 12, 4),
    });
    const rotatedLongAgo: RotationPolicy = { ...fresh, lastRotationAt: utc(1, 1) - 60 * DAY };
    expect(configureRotation('s', rotatedLongAgo, { enabled: true }, utc(1, 12, 4)).nextRotationAt).toBe(
      utc(1, 19, 4),
    );
  });

  it('rotates at each firing, and catches up once after downtime', () => {
    const on = configureRotation('s', undefined, { enabled: true, cronExpression: WEEKLY }, utc(1, 7));
    const first = policyAfterRotation(on, utc(1, 12, 4));
    expect(first).toMatchObject({ lastRotationAt: utc(1, 12, 4), nextRotationAt: utc(1, 19, 4) });
    // Three firings missed: due now, and after the one late run the next firing is in the future.
    expect(isRotationDue(first, utc(2, 10, 9))).toBe(true);
    const late = policyAfterRotation(first, utc(2, 10, 9));
    expect(late.nextRotationAt).toBe(utc(2, 16, 4));
    expect(isRotationDue(late, utc(2, 10, 10))).toBe(false);
  });

  it('switches between a cron and an interval, and keeps the cron when disabling', () => {
    const cron = configureRotation('s', undefined, { enabled: true, cronExpression: WEEKLY }, utc(1, 7));
    const off = configureRotation('s', cron, { enabled: false }, utc(1, 8));
    expect(off).toMatchObject({ enabled: false, cronExpression: WEEKLY, nextRotationAt: null });
    expect(policyAfterRotation(off, utc(1, 9)).nextRotationAt).toBeNull();
    const interval = configureRotation('s', off, { enabled: true, intervalSeconds: 86_400 }, utc(1, 9));
    expect(interval).toMatchObject({
      intervalSeconds: 86_400,
      cronExpression: null,
      nextRotationAt: utc(1, 10),
    });
    const back = configureRotation('s', interval, { enabled: true, cronExpression: WEEKLY }, utc(1, 9));
    expect(back).toMatchObject({
      intervalSeconds: null,
      cronExpression: WEEKLY,
      nextRotationAt: utc(1, 12, 4),
    });
  });

  it('tries a failed cron run again at the next firing, but at most a day later', () => {
    const daily = configureRotation(
      's',
      undefined,
      { enabled: true, cronExpression: 'cron(0 4 * * ? *)' },
      0,
    );
    expect(policyAfterFailedRun(daily, utc(1, 7, 5)).nextRotationAt).toBe(utc(1, 8, 4));
    const weekly = configureRotation('s', undefined, { enabled: true, cronExpression: WEEKLY }, 0);
    expect(policyAfterFailedRun(weekly, utc(1, 7, 5)).nextRotationAt).toBe(utc(1, 8, 5));
  });

  it('refuses a cron that never fires and a schedule that is not a cron', () => {
    for (const cronExpression of ['cron(0 0 30 FEB ? *)', 'rate(2 days)', 'cron(0 4 * * * *)']) {
      let code: string | undefined;
      try {
        configureRotation('s', undefined, { enabled: true, cronExpression }, 0);
      } catch (error) {
        code = error instanceof DomainError ? error.code : 'not a DomainError';
      }
      expect(code, cronExpression).toBe('invalid_argument');
    }
  });
});

describe('rotation runs', () => {
  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffDelay(9)).toBe(3_600_000);
    expect(backoffDelay(500)).toBe(3_600_000);
  });

  it('fails for good after the last attempt or a non-retryable failure', () => {
    const start = decideStart(
      secret(),
      { runWithToken: undefined, active: undefined },
      {
        id: 'r',
        versionId: 'p1',
        trigger: 'manual',
        now: 0,
      },
    );
    if (start.kind !== 'start') throw new Error('expected a start');
    let run = start.run;
    for (let i = 1; i < DEFAULT_RETRY_SCHEDULE.maxAttempts; i++) {
      run = failStep(run, { message: 'boom', retryable: true }, i);
      expect(run.status).toBe('in_progress');
    }
    expect(failStep(run, { message: 'boom', retryable: true }, 99).status).toBe('failed');
    expect(failStep(start.run, { message: 'no', retryable: false }, 1)).toMatchObject({
      status: 'failed',
      lastError: 'no',
      lastErrorStep: 'create',
      finishedAt: 1,
    });
  });

  it('treats the VersionId as an idempotency token', () => {
    const s = secret();
    const input = { id: 'r', versionId: 'p1', trigger: 'manual' as const, now: 0 };
    const first = decideStart(s, { runWithToken: undefined, active: undefined }, input);
    if (first.kind !== 'start') throw new Error('expected a start');
    expect(decideStart(s, { runWithToken: first.run, active: first.run }, input)).toEqual({
      kind: 'existing',
      run: first.run,
    });
    expect(
      decideStart(s, { runWithToken: undefined, active: undefined }, { ...input, versionId: 'v1' }),
    ).toEqual({
      kind: 'already_rotated',
    });
    expect(() =>
      decideStart(s, { runWithToken: undefined, active: first.run }, { ...input, versionId: 'p2' }),
    ).toThrow(expect.objectContaining({ code: 'rotation_in_progress' }) as Error);
  });
});
