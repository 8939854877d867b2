/**
 * Rotation schedules beyond a fixed interval: AWS's `RotationRules` (`AutomaticallyAfterDays`, a
 * `ScheduleExpression` of `rate(N hours|days)` or `cron(…)`, and a window `Duration`), parsed,
 * validated and turned into the next rotation time. Pure; times are UTC (docs/rotation.md).
 *
 * An interval schedule (Alibaba's RotationInterval, `AutomaticallyAfterDays`, `rate()`) counts from the
 * last rotation, as `rotation.ts` does. A cron schedule names wall-clock hours: AWS's cron has six
 * fields (minutes, hours, day of month, month, day of week, year); minutes must be 0 (windows open on
 * the hour) and the year `*`; day of month and day of week cannot both be given (one is `?`).
 * Rotation starts when the window opens; the window's length is kept for display and checks.
 */
import { invalidArgument } from './errors.js';
import type { EpochMs } from './secret.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const MIN_RATE_HOURS = 4;
export const MAX_RATE_DAYS = 999;
export const MAX_AFTER_DAYS = 1000;

export interface CronSchedule {
  readonly hours: ReadonlySet<number>;
  /** Days of month 1–31, with `L` (last day), `nW` / `LW` (nearest weekday) as rules. */
  readonly daysOfMonth: readonly DayOfMonthRule[] | '?';
  readonly months: ReadonlySet<number>;
  /** Days of week 1 (Sunday) – 7, with `n#k` (k-th) and `nL` (last) as rules. */
  readonly daysOfWeek: readonly DayOfWeekRule[] | '?';
}

type DayOfMonthRule =
  | { readonly kind: 'days'; readonly days: ReadonlySet<number> }
  | { readonly kind: 'last'; readonly offset: number }
  | { readonly kind: 'weekday'; readonly day: number | 'last' };
type DayOfWeekRule =
  | { readonly kind: 'days'; readonly days: ReadonlySet<number> }
  | { readonly kind: 'nth'; readonly day: number; readonly nth: number }
  | { readonly kind: 'last'; readonly day: number };

export type RotationSchedule =
  | { readonly kind: 'interval'; readonly intervalSeconds: number; readonly expression: string | null }
  | { readonly kind: 'cron'; readonly expression: string; readonly cron: CronSchedule };

export interface RotationRulesInput {
  readonly automaticallyAfterDays?: number | undefined;
  readonly scheduleExpression?: string | undefined;
  readonly duration?: string | undefined;
}

export interface RotationRules {
  readonly schedule: RotationSchedule;
  /** The rotation window's length; null when the default (one hour for hourly, to the day's end). */
  readonly windowHours: number | null;
}

const FIELD = 'rotationRules';

/** Validates AWS's RotationRules into a schedule and window (AWS's own limits and wording). */
export function parseRotationRules(input: RotationRulesInput): RotationRules {
  const { automaticallyAfterDays: days, scheduleExpression: expression } = input;
  if (days !== undefined && expression !== undefined)
    throw invalidArgument(FIELD, 'You can use AutomaticallyAfterDays or ScheduleExpression, but not both.');
  let schedule: RotationSchedule;
  if (expression !== undefined) schedule = parseScheduleExpression(expression);
  else if (days !== undefined) {
    if (!Number.isInteger(days) || days < 1 || days > MAX_AFTER_DAYS)
      throw invalidArgument(FIELD, `AutomaticallyAfterDays is from 1 to ${MAX_AFTER_DAYS}.`);
    schedule = { kind: 'interval', intervalSeconds: days * 86_400, expression: null };
  } else throw invalidArgument(FIELD, 'RotationRules needs AutomaticallyAfterDays or ScheduleExpression.');
  // Day-of-month and day-of-week rules repeat within four years, so one that fires never after the
  // epoch's first eight never fires at all (e.g. 30 FEB); refused before anything is stored.
  if (schedule.kind === 'cron' && nextCronTime(schedule.cron, 0) === null)
    throw invalidArgument(FIELD, `The schedule "${schedule.expression}" never fires.`);
  const windowHours = input.duration === undefined ? null : parseDuration(input.duration);
  if (windowHours !== null) checkWindow(schedule, windowHours);
  return { schedule, windowHours };
}

/** `rate(N hour|hours|day|days)` or `cron(0 H DoM Mon DoW *)`. */
export function parseScheduleExpression(text: string): RotationSchedule {
  const rate = /^rate\((\d{1,4}) (hour|hours|day|days)\)$/.exec(text);
  if (rate) {
    const value = Number(rate[1]);
    const hours = rate[2]?.startsWith('hour') ? value : value * 24;
    if (hours < MIN_RATE_HOURS)
      throw invalidArgument(FIELD, 'You can rotate a secret at most every four hours.');
    if (hours > MAX_RATE_DAYS * 24)
      throw invalidArgument(FIELD, `A rotation rate is at most ${MAX_RATE_DAYS} days.`);
    return { kind: 'interval', intervalSeconds: hours * 3600, expression: text };
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  if (cron) return { kind: 'cron', expression: text, cron: parseCron(cron[1] ?? '') };
  throw invalidArgument(FIELD, `The ScheduleExpression "${text}" is neither rate(…) nor cron(…).`);
}

/** `Nh`, 1 to 24 hours. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,2})h$/.exec(text);
  const hours = match ? Number(match[1]) : NaN;
  if (!(hours >= 1 && hours <= 24))
    throw invalidArgument(FIELD, `The Duration "${text}" is not valid: use 1h to 24h.`);
  return hours;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The six fields of an AWS cron expression, as Secrets Manager accepts them. */
export function parseCron(fields: string): CronSchedule {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6)
    throw cronError('it needs six fields: minutes hours day-of-month month day-of-week year');
  const [minutes, hours, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if (minutes !== '0') throw cronError('the minutes field must be 0 (rotation windows open on the hour)');
  if (year !== '*') throw cronError('the year field must be *');
  if ((dom === '?') === (dow === '?'))
    throw cronError('exactly one of day-of-month and day-of-week must be ?');
  return {
    hours: parseSet(hours, 0, 23, [], 'hours'),
    months: parseSet(month, 1, 12, MONTHS, 'month'),
    daysOfMonth: dom === '?' ? '?' : dom.split(',').map(parseDayOfMonth),
    daysOfWeek: dow === '?' ? '?' : dow.split(',').map(parseDayOfWeek),
  };
}

function cronError(why: string) {
  return invalidArgument(FIELD, `The cron expression is not valid: ${why}.`);
}

/** `*`, `a`, `a-b`, `a/step`, `a-b/step`, `* /step`, comma lists; names for months and weekdays. */
function parseSet(
  text: string,
  min: number,
  max: number,
  names: readonly string[],
  field: string,
): Set<number> {
  const result = new Set<number>();
  for (const item of text.split(',')) {
    const match = /^(\*|[0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?(?:\/(\d+))?$/.exec(item);
    if (!match) throw cronError(`"${item}" is not valid in the ${field} field`);
    const [, startText, endText, stepText] = match as unknown as [
      string,
      string,
      string | undefined,
      string | undefined,
    ];
    const start = startText === '*' ? min : value(startText, min, max, names, field);
    const end =
      endText !== undefined
        ? value(endText, min, max, names, field)
        : startText === '*' || stepText
          ? max
          : start;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1 || end < start) throw cronError(`"${item}" is not a valid range in the ${field} field`);
    for (let v = start; v <= end; v += step) result.add(v);
  }
  return result;
}

function value(text: string, min: number, max: number, names: readonly string[], field: string): number {
  const named = names.indexOf(text.toUpperCase());
  const number = named >= 0 ? named + min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(number >= min && number <= max)) throw cronError(`"${text}" is out of range in the ${field} field`);
  return number;
}

function parseDayOfMonth(item: string): DayOfMonthRule {
  if (item === 'L') return { kind: 'last', offset: 0 };
  const lastOffset = /^L-(\d{1,2})$/.exec(item);
  if (lastOffset) return { kind: 'last', offset: Number(lastOffset[1]) };
  if (item === 'LW') return { kind: 'weekday', day: 'last' };
  const weekday = /^(\d{1,2})W$/.exec(item);
  if (weekday) return { kind: 'weekday', day: value(weekday[1] ?? '', 1, 31, [], 'day-of-month') };
  return { kind: 'days', days: parseSet(item, 1, 31, [], 'day-of-month') };
}

function parseDayOfWeek(item: string): DayOfWeekRule {
  const nth = /^([0-9A-Za-z]+)#([1-5])$/.exec(item);
  if (nth)
    return { kind: 'nth', day: value(nth[1] ?? '', 1, 7, WEEKDAYS, 'day-of-week'), nth: Number(nth[2]) };
  if (item === 'L') return { kind: 'last', day: 7 };
  const last = /^([0-9A-Za-z]+)L$/.exec(item);
  if (last) return { kind: 'last', day: value(last[1] ?? '', 1, 7, WEEKDAYS, 'day-of-week') };
  return { kind: 'days', days: parseSet(item, 1, 7, WEEKDAYS, 'day-of-week') };
}

function checkWindow(schedule: RotationSchedule, windowHours: number): void {
  if (schedule.kind === 'interval') {
    if (windowHours * 3600 > schedule.intervalSeconds)
      throw invalidArgument(FIELD, 'The rotation window must not extend into the next rotation window.');
    return;
  }
  const hours = [...schedule.cron.hours].sort((a, b) => a - b);
  const last = hours[hours.length - 1] ?? 0;
  if (last + windowHours > 24)
    throw invalidArgument(FIELD, 'The rotation window must not extend into the next UTC day.');
  for (let i = 1; i < hours.length; i++) {
    if ((hours[i] ?? 0) - (hours[i - 1] ?? 0) < windowHours)
      throw invalidArgument(FIELD, 'The rotation window must not extend into the next rotation window.');
  }
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function matchesDayOfMonth(rule: DayOfMonthRule, year: number, month: number, day: number): boolean {
  const length = daysInMonth(year, month);
  switch (rule.kind) {
    case 'days':
      return rule.days.has(day);
    case 'last':
      return day === length - rule.offset;
    case 'weekday': {
      // The weekday nearest the given day, never crossing into another month.
      const target = rule.day === 'last' ? length : Math.min(rule.day, length);
      const weekday = new Date(Date.UTC(year, month - 1, target)).getUTCDay();
      let nearest = target;
      if (weekday === 6) nearest = target === 1 ? 3 : target - 1;
      else if (weekday === 0) nearest = target === length ? target - 2 : target + 1;
      return day === nearest;
    }
  }
}

function matchesDayOfWeek(rule: DayOfWeekRule, year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
  switch (rule.kind) {
    case 'days':
      return rule.days.has(weekday);
    case 'nth':
      return weekday === rule.day && Math.ceil(day / 7) === rule.nth;
    case 'last':
      return weekday === rule.day && day + 7 > daysInMonth(year, month);
  }
}

/** Whether the cron schedule fires on this UTC date. */
export function cronMatchesDate(cron: CronSchedule, year: number, month: number, day: number): boolean {
  if (!cron.months.has(month)) return false;
  if (cron.daysOfMonth !== '?')
    return cron.daysOfMonth.some((rule) => matchesDayOfMonth(rule, year, month, day));
  return cron.daysOfWeek !== '?' && cron.daysOfWeek.some((rule) => matchesDayOfWeek(rule, year, month, day));
}

/** Days searched ahead for a cron's next firing; a yearly schedule (29 FEB with a weekday) fits. */
const SEARCH_DAYS = 366 * 8;

/** The first time strictly after `after` at which the cron schedule fires, or null if none is near. */
export function nextCronTime(cron: CronSchedule, after: EpochMs): EpochMs | null {
  const hours = [...cron.hours].sort((a, b) => a - b);
  const startOfDay = Math.floor(after / DAY_MS) * DAY_MS;
  for (let i = 0; i <= SEARCH_DAYS; i++) {
    const dayStart = startOfDay + i * DAY_MS;
    const date = new Date(dayStart);
    if (!cronMatchesDate(cron, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())) continue;
    for (const hour of hours) {
      const time = dayStart + hour * HOUR_MS;
      if (time > after) return time;
    }
  }
  return null;
}

/**
 * When a schedule next rotates: an interval counts from the last rotation (or from `now` when there was
 * none), a cron fires at its next hour after the later of the two.
 */
export function nextRotationTime(
  schedule: RotationSchedule,
  lastRotationAt: EpochMs | null,
  now: EpochMs,
): EpochMs | null {
  if (schedule.kind === 'interval') return (lastRotationAt ?? now) + schedule.intervalSeconds * 1000;
  return nextCronTime(schedule.cron, Math.max(lastRotationAt ?? now, now));
}

/**
 * `AutomaticallyAfterDays` as DescribeSecret reports it: the interval in whole days, for a cron the
 * shortest gap between two firings (AWS computes it from the schedule too); null when under a day.
 */
export function daysBetweenRotations(schedule: RotationSchedule, now: EpochMs): number | null {
  if (schedule.kind === 'interval') {
    const days = schedule.intervalSeconds / 86_400;
    return Number.isInteger(days) ? days : null;
  }
  const first = nextCronTime(schedule.cron, now);
  const second = first === null ? null : nextCronTime(schedule.cron, first);
  if (first === null || second === null) return null;
  const days = Math.round((second - first) / DAY_MS);
  return days >= 1 ? days : null;
}
