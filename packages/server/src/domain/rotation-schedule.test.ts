import { describe, expect, it } from 'vitest';
import { isDomainError } from './errors.js';
import type { RotationSchedule } from './rotation-schedule.js';
import {
  daysBetweenRotations,
  nextCronTime,
  nextRotationTime,
  parseCron,
  parseRotationRules,
  parseScheduleExpression,
} from './rotation-schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString());

function cronOf(expression: string) {
  const schedule = parseScheduleExpression(expression);
  if (schedule.kind !== 'cron') throw new Error('not a cron');
  return schedule.cron;
}

function refused(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isDomainError(error, 'invalid_argument')) return error.message;
    throw error;
  }
  throw new Error('expected invalid_argument');
}

describe('rate() and AutomaticallyAfterDays', () => {
  it('turns rates and days into intervals', () => {
    expect(parseScheduleExpression('rate(4 hours)')).toEqual({
      kind: 'interval',
      intervalSeconds: 4 * 3600,
      expression: 'rate(4 hours)',
    });
    expect(parseScheduleExpression('rate(1 day)')).toMatchObject({ intervalSeconds: 86_400 });
    expect(parseScheduleExpression('rate(10 days)')).toMatchObject({ intervalSeconds: 864_000 });
    expect(parseRotationRules({ automaticallyAfterDays: 30 }).schedule).toMatchObject({
      kind: 'interval',
      intervalSeconds: 30 * 86_400,
    });
  });

  it('refuses rates under four hours or over 999 days, and malformed expressions', () => {
    expect(refused(() => parseScheduleExpression('rate(3 hours)'))).toMatch(/four hours/);
    expect(refused(() => parseScheduleExpression('rate(1000 days)'))).toMatch(/999 days/);
    expect(refused(() => parseScheduleExpression('rate(5 minutes)'))).toMatch(/neither/);
    expect(refused(() => parseScheduleExpression('every day'))).toMatch(/neither/);
  });

  it('refuses both or neither of AutomaticallyAfterDays and ScheduleExpression', () => {
    expect(
      refused(() => parseRotationRules({ automaticallyAfterDays: 1, scheduleExpression: 'rate(1 day)' })),
    ).toMatch(/not both/);
    expect(refused(() => parseRotationRules({}))).toMatch(/needs/);
    expect(refused(() => parseRotationRules({ automaticallyAfterDays: 1001 }))).toMatch(/1 to 1000/);
  });

  it('refuses a cron that never fires, and takes one that fires only in leap years', () => {
    expect(refused(() => parseRotationRules({ scheduleExpression: 'cron(0 0 30 FEB ? *)' }))).toMatch(
      /never fires/,
    );
    expect(parseRotationRules({ scheduleExpression: 'cron(0 0 29 FEB ? *)' }).schedule.kind).toBe('cron');
  });

  it('counts an interval from the last rotation, or from now', () => {
    const schedule = parseScheduleExpression('rate(2 days)');
    expect(iso(nextRotationTime(schedule, at('2026-01-01T05:00:00Z'), at('2026-01-02T00:00:00Z')))).toBe(
      '2026-01-03T05:00:00.000Z',
    );
    expect(iso(nextRotationTime(schedule, null, at('2026-01-02T00:00:00Z')))).toBe(
      '2026-01-04T00:00:00.000Z',
    );
  });
});

describe('Duration', () => {
  it('accepts 1h to 24h that stay inside the schedule', () => {
    expect(parseRotationRules({ scheduleExpression: 'rate(10 days)', duration: '3h' }).windowHours).toBe(3);
    expect(
      parseRotationRules({ scheduleExpression: 'cron(0 16 1,15 * ? *)', duration: '8h' }).windowHours,
    ).toBe(8);
    expect(parseRotationRules({ automaticallyAfterDays: 1 }).windowHours).toBeNull();
  });

  it('refuses windows that run into the next window or the next day', () => {
    expect(
      refused(() => parseRotationRules({ scheduleExpression: 'rate(4 hours)', duration: '5h' })),
    ).toMatch(/next rotation window/);
    expect(
      refused(() => parseRotationRules({ scheduleExpression: 'cron(0 20 * * ? *)', duration: '5h' })),
    ).toMatch(/next UTC day/);
    expect(
      refused(() => parseRotationRules({ scheduleExpression: 'cron(0 1,4 * * ? *)', duration: '4h' })),
    ).toMatch(/next rotation window/);
    expect(refused(() => parseRotationRules({ scheduleExpression: 'rate(1 day)', duration: '25h' }))).toMatch(
      /1h to 24h/,
    );
  });
});

describe('cron()', () => {
  it('refuses what Secrets Manager refuses', () => {
    expect(refused(() => parseCron('30 4 * * ? *'))).toMatch(/minutes field must be 0/);
    expect(refused(() => parseCron('0 4 * * ? 2027'))).toMatch(/year field must be \*/);
    expect(refused(() => parseCron('0 4 * * * *'))).toMatch(/exactly one/);
    expect(refused(() => parseCron('0 4 ? * ? *'))).toMatch(/exactly one/);
    expect(refused(() => parseCron('0 24 * * ? *'))).toMatch(/out of range/);
    expect(refused(() => parseCron('0 4 * 13 ? *'))).toMatch(/out of range/);
    expect(refused(() => parseCron('0 4 * *'))).toMatch(/six fields/);
  });

  it('fires at the listed hours of matching days, in UTC', () => {
    const cron = cronOf('cron(0 4/12 * * ? *)');
    expect(iso(nextCronTime(cron, at('2026-03-10T05:00:00Z')))).toBe('2026-03-10T16:00:00.000Z');
    expect(iso(nextCronTime(cron, at('2026-03-10T16:00:00Z')))).toBe('2026-03-11T04:00:00.000Z');
  });

  it('understands month and weekday names, ranges and lists', () => {
    // The first and fifteenth of each month at 16:00.
    expect(iso(nextCronTime(cronOf('cron(0 16 1,15 * ? *)'), at('2026-03-02T00:00:00Z')))).toBe(
      '2026-03-15T16:00:00.000Z',
    );
    // Weekdays at 09:00: after Friday 2026-03-13 09:00 comes Monday the 16th.
    expect(iso(nextCronTime(cronOf('cron(0 9 ? * MON-FRI *)'), at('2026-03-13T09:00:00Z')))).toBe(
      '2026-03-16T09:00:00.000Z',
    );
    // Quarterly on the first, January, April, July, October.
    expect(iso(nextCronTime(cronOf('cron(0 0 1 JAN,APR,JUL,OCT ? *)'), at('2026-04-01T00:00:00Z')))).toBe(
      '2026-07-01T00:00:00.000Z',
    );
  });

  it('understands L, W and #', () => {
    // Last day of February 2028 (a leap year).
    expect(iso(nextCronTime(cronOf('cron(0 8 L * ? *)'), at('2028-02-10T00:00:00Z')))).toBe(
      '2028-02-29T08:00:00.000Z',
    );
    // Nearest weekday to the 15th of August 2026 (a Saturday): Friday the 14th.
    expect(iso(nextCronTime(cronOf('cron(0 8 15W * ? *)'), at('2026-08-01T00:00:00Z')))).toBe(
      '2026-08-14T08:00:00.000Z',
    );
    // The second Tuesday of March 2026: the 10th.
    expect(iso(nextCronTime(cronOf('cron(0 8 ? * 3#2 *)'), at('2026-03-01T00:00:00Z')))).toBe(
      '2026-03-10T08:00:00.000Z',
    );
    // The last Friday of March 2026: the 27th.
    expect(iso(nextCronTime(cronOf('cron(0 8 ? * 6L *)'), at('2026-03-01T00:00:00Z')))).toBe(
      '2026-03-27T08:00:00.000Z',
    );
  });

  it('rotates after the later of the last rotation and now', () => {
    const schedule: RotationSchedule = parseScheduleExpression('cron(0 2 * * ? *)');
    expect(iso(nextRotationTime(schedule, at('2026-01-01T02:00:00Z'), at('2026-01-05T10:00:00Z')))).toBe(
      '2026-01-06T02:00:00.000Z',
    );
    expect(daysBetweenRotations(schedule, at('2026-01-05T10:00:00Z'))).toBe(1);
    expect(daysBetweenRotations(parseScheduleExpression('rate(7 days)'), 0)).toBe(7);
    expect(daysBetweenRotations(parseScheduleExpression('rate(6 hours)'), 0)).toBeNull();
  });
});
