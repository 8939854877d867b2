import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cronMatchesDate, nextCronTime, parseCron } from './rotation-schedule.js';

const HOUR_MS = 3_600_000;

/** The first whole hour after `after` whose date and hour the cron names, found hour by hour. */
function bruteForce(fields: string, after: number): number | null {
  const cron = parseCron(fields);
  let time = Math.floor(after / HOUR_MS) * HOUR_MS + HOUR_MS;
  for (let i = 0; i < 24 * 366 * 2; i++, time += HOUR_MS) {
    const date = new Date(time);
    if (
      cron.hours.has(date.getUTCHours()) &&
      cronMatchesDate(cron, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())
    )
      return time;
  }
  return null;
}

const list = (min: number, max: number) =>
  fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 3 }).map((values) => values.join(','));
const field = (min: number, max: number) =>
  fc.oneof(
    fc.constant('*'),
    list(min, max),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: 5 }))
      .map(([start, step]) => `${start}/${step}`),
  );
const dayOfMonth = fc.oneof(field(1, 31), fc.constantFrom('L', 'L-2', '15W', '1W', 'LW'));
const dayOfWeek = fc.oneof(field(1, 7), fc.constantFrom('2#1', '6#3', '6L', 'MON-FRI', 'SUN,SAT'));
const cronFields = fc.oneof(
  fc.tuple(field(0, 23), dayOfMonth, field(1, 12)).map(([h, dom, mon]) => `0 ${h} ${dom} ${mon} ? *`),
  fc.tuple(field(0, 23), field(1, 12), dayOfWeek).map(([h, mon, dow]) => `0 ${h} ? ${mon} ${dow} *`),
);

describe('cron schedules (property)', () => {
  it('fire next at the first whole hour after the given time that the fields name', () => {
    fc.assert(
      fc.property(
        cronFields,
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (fields, after) => {
          const next = nextCronTime(parseCron(fields), after);
          const expected = bruteForce(fields, after);
          // The domain searches further ahead than the brute force; where the brute force finds a
          // firing within two years, both agree.
          if (expected !== null) expect(next, fields).toBe(expected);
          if (next !== null) expect(next).toBeGreaterThan(after);
        },
      ),
      { numRuns: 150 },
    );
  });
});
