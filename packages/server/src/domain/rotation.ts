/**
 * Rotation rules (docs/rotation.md): the rotation interval, a secret's rotation policy, and the
 * state machine of one rotation run. Pure: the engine (`services/rotation/`) calls the rotator, then
 * asks these functions what the run and the secret's labels become, and persists the answer.
 *
 * A run walks the steps create → set → test → finish. Leaving `test` successfully promotes the pending
 * version ($current moves to it, the old current becomes $previous, $pending is dropped); nothing
 * before that touches $current, so a failure at any earlier step leaves the working credential
 * current. `reconcileLabels` derives the labels from the run's state, so applying it again after a crash
 * (whichever of the two writes landed) gives the same secret.
 */
import type { AuditEvent } from './audit.js';
import { AUDIT_SUCCESS } from './audit.js';
import { DomainError, invalidArgument } from './errors.js';
import type { EpochMs, Secret, SecretLimits } from './secret.js';
import {
  assertNotPendingDeletion,
  DEFAULT_SECRET_LIMITS,
  findVersion,
  STAGE_CURRENT,
  STAGE_PENDING,
  updateVersionStage,
} from './secret.js';
import { validateVersionId } from './validation.js';
import type { RotationSchedule } from './rotation-schedule.js';
import { nextRotationTime, parseScheduleExpression } from './rotation-schedule.js';

export { STAGE_PENDING } from './secret.js';

const SECOND_MS = 1000;
const HOUR_S = 3600;
export const MIN_ROTATION_INTERVAL_SECONDS = 6 * HOUR_S;
export const MAX_ROTATION_INTERVAL_SECONDS = 8760 * HOUR_S;
/** After a run fails for good, the schedule tries again after the interval, but at least daily. */
export const FAILED_RUN_RETRY_MS = 24 * HOUR_S * SECOND_MS;

const UNIT_SECONDS: Readonly<Record<string, number>> = { d: 86_400, h: HOUR_S, m: 60, s: 1 };

/**
 * `integer[unit]` with unit d, h, m or s (no unit: seconds), 6 h to 8,760 h. Returns
 * seconds.
 */
export function parseRotationInterval(text: string): number {
  const match = /^(\d{1,12})([dhms]?)$/.exec(text);
  const seconds = match ? Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1) : NaN;
  if (!Number.isSafeInteger(seconds)) {
    throw invalidArgument(
      'rotationInterval',
      'A rotation interval is a whole number followed by d, h, m or s, e.g. 30d.',
    );
  }
  if (seconds < MIN_ROTATION_INTERVAL_SECONDS || seconds > MAX_ROTATION_INTERVAL_SECONDS) {
    throw invalidArgument('rotationInterval', 'A rotation interval is from 6h to 8760h.');
  }
  return seconds;
}

/** The interval as responses spell it: seconds with an `s` (`604800s`). */
export function formatRotationInterval(seconds: number): string {
  return `${seconds}s`;
}

// -------------------------------------------------------------------------------------------------
// Policy

export interface RotationPolicy {
  readonly secretId: string;
  readonly enabled: boolean;
  /** A fixed interval, counted from the last rotation; null for a cron schedule. */
  readonly intervalSeconds: number | null;
  /** A `cron(…)` schedule as written (UTC wall-clock hours, docs/rotation.md); null for an interval. */
  readonly cronExpression: string | null;
  /** When the schedule next starts a run; null while disabled. */
  readonly nextRotationAt: EpochMs | null;
  /** When a run last promoted a new version. */
  readonly lastRotationAt: EpochMs | null;
}

export interface PolicyChange {
  readonly enabled: boolean;
  /** Required when enabling unless the policy already has a schedule; replaces a cron schedule. */
  readonly intervalSeconds?: number | undefined;
  /** A `cron(…)` expression; replaces an interval. */
  readonly cronExpression?: string | undefined;
}

/** The policy's schedule, or null when it has none yet. */
function scheduleOf(
  policy: Pick<RotationPolicy, 'intervalSeconds' | 'cronExpression'>,
): RotationSchedule | null {
  if (policy.cronExpression !== null) return parseScheduleExpression(policy.cronExpression);
  if (policy.intervalSeconds === null) return null;
  return { kind: 'interval', intervalSeconds: policy.intervalSeconds, expression: null };
}

/**
 * Enables or disables automatic rotation. An interval's first run is one interval after the last
 * rotation, or after now when there was none (a time already past is due at once); a cron's is its
 * next firing after now.
 */
export function configureRotation(
  secretId: string,
  current: RotationPolicy | undefined,
  change: PolicyChange,
  now: EpochMs,
): RotationPolicy {
  const [intervalSeconds, cronExpression] =
    change.cronExpression !== undefined
      ? [null, change.cronExpression]
      : change.intervalSeconds !== undefined
        ? [change.intervalSeconds, null]
        : [current?.intervalSeconds ?? null, current?.cronExpression ?? null];
  const lastRotationAt = current?.lastRotationAt ?? null;
  const policy = { secretId, enabled: change.enabled, intervalSeconds, cronExpression, lastRotationAt };
  const schedule = scheduleOf(policy);
  if (schedule?.kind === 'interval' && cronExpression !== null)
    throw invalidArgument('rotationRules', 'A cron schedule is written cron(…).');
  if (!change.enabled) return { ...policy, nextRotationAt: null };
  if (schedule === null) {
    throw new DomainError('missing_argument', 'Automatic rotation needs a rotation interval.', {
      field: 'rotationInterval',
    });
  }
  const nextRotationAt = nextRotationTime(schedule, lastRotationAt, now);
  if (nextRotationAt === null)
    throw invalidArgument('rotationRules', `The schedule "${cronExpression ?? ''}" never fires.`);
  return { ...policy, nextRotationAt };
}

/** Whether the schedule should start a run now. Missed times (downtime) are simply past: one run catches up. */
export function isRotationDue(policy: RotationPolicy, now: EpochMs): boolean {
  return policy.enabled && policy.nextRotationAt !== null && policy.nextRotationAt <= now;
}

/**
 * The schedule's next time after `at`: one interval later, or the cron's next firing. However many
 * firings downtime missed, this is after `at`, so a late run catches up once.
 */
function nextAfter(policy: RotationPolicy, at: EpochMs): EpochMs | null {
  const schedule = policy.enabled ? scheduleOf(policy) : null;
  return schedule === null ? null : nextRotationTime(schedule, at, at);
}

/** The policy once a run promoted its version at `at`: the schedule's next time after it. */
export function policyAfterRotation(policy: RotationPolicy, at: EpochMs): RotationPolicy {
  return { ...policy, lastRotationAt: at, nextRotationAt: nextAfter(policy, at) };
}

/** The policy once a run failed for good at `at`: tried again at the schedule's next time, at most a day later. */
export function policyAfterFailedRun(policy: RotationPolicy, at: EpochMs): RotationPolicy {
  if (!policy.enabled || scheduleOf(policy) === null) return policy;
  const next = nextAfter(policy, at);
  const retry = at + FAILED_RUN_RETRY_MS;
  return { ...policy, nextRotationAt: next === null ? retry : Math.min(next, retry) };
}

// -------------------------------------------------------------------------------------------------
// Runs

export const ROTATION_STEPS = ['create', 'set', 'test', 'finish'] as const;
export type RotationStepName = (typeof ROTATION_STEPS)[number];

/** `in_progress` includes waiting for a retry (see `nextAttemptAt`). */
export const ROTATION_STATUSES = ['in_progress', 'succeeded', 'failed'] as const;
export type RotationStatus = (typeof ROTATION_STATUSES)[number];

export const ROTATION_TRIGGERS = ['manual', 'schedule'] as const;
export type RotationTrigger = (typeof ROTATION_TRIGGERS)[number];

export interface RotationRun {
  readonly id: string;
  readonly secretId: string;
  readonly secretName: string;
  /** The pending version's id; RotateSecret's idempotency token. */
  readonly versionId: string;
  /** The version that was current when the run started. */
  readonly fromVersionId: string;
  readonly trigger: RotationTrigger;
  /** The step to run next (the step that failed while retrying; the last step once ended). */
  readonly step: RotationStepName;
  readonly status: RotationStatus;
  /** Failed attempts of the current step. */
  readonly attempts: number;
  readonly nextAttemptAt: EpochMs;
  /** User-safe text of the last failure (never a value). */
  readonly lastError: string | null;
  readonly lastErrorStep: RotationStepName | null;
  readonly startedAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly finishedAt: EpochMs | null;
}

export interface RetrySchedule {
  /** Delay after the first failure; doubled after each further one. */
  readonly baseDelayMs: number;
  /** The delay never grows beyond this. */
  readonly maxDelayMs: number;
  /** Failures of one step before the run fails for good. */
  readonly maxAttempts: number;
}

/** 30 s, 1 min, 2 min, … capped at 1 h; ten failures of a step (about 3 h 15 min) end the run. */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  maxAttempts: 10,
};

/** The wait after the `failures`-th failure (1-based). */
export function backoffDelay(failures: number, schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 40);
  return Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** exponent);
}

export function isRunActive(run: RotationRun): boolean {
  return run.status === 'in_progress';
}

/** Whether the run should be worked on now. */
export function isRunDue(run: RotationRun, now: EpochMs): boolean {
  return isRunActive(run) && run.nextAttemptAt <= now;
}

export interface StartRunInput {
  readonly id: string;
  readonly versionId: string;
  readonly trigger: RotationTrigger;
  readonly now: EpochMs;
}

/** What RotateSecret (or the schedule) does about a request to rotate. */
export type StartDecision =
  /** The token names a version the secret already has: succeed without rotating. */
  | { readonly kind: 'already_rotated' }
  /** The same token again: the same run. */
  | { readonly kind: 'existing'; readonly run: RotationRun }
  | { readonly kind: 'start'; readonly run: RotationRun };

/**
 * Decides a rotation request. `runWithToken` is the secret's run with this token, if any; `active` its
 * run in progress, if any. A second run while one is in progress is refused: one run per secret at once.
 */
export function decideStart(
  secret: Secret,
  known: { readonly runWithToken: RotationRun | undefined; readonly active: RotationRun | undefined },
  input: StartRunInput,
): StartDecision {
  assertNotPendingDeletion(secret);
  validateVersionId(input.versionId);
  if (known.runWithToken) return { kind: 'existing', run: known.runWithToken };
  if (findVersion(secret, input.versionId)) return { kind: 'already_rotated' };
  if (known.active) {
    throw new DomainError(
      'rotation_in_progress',
      `The secret "${secret.name}" is already being rotated (version "${known.active.versionId}").`,
      { resource: secret.name },
    );
  }
  const fromVersionId = secret.stages.get(STAGE_CURRENT);
  if (fromVersionId === undefined) {
    throw new DomainError('secret_stage_not_found', `The secret "${secret.name}" has no current version.`);
  }
  return {
    kind: 'start',
    run: {
      id: input.id,
      secretId: secret.id,
      secretName: secret.name,
      versionId: input.versionId,
      fromVersionId,
      trigger: input.trigger,
      step: 'create',
      status: 'in_progress',
      attempts: 0,
      nextAttemptAt: input.now,
      lastError: null,
      lastErrorStep: null,
      startedAt: input.now,
      updatedAt: input.now,
      finishedAt: null,
    },
  };
}

/** The run after its current step succeeded: the next step at once, or success after `finish`. */
export function completeStep(run: RotationRun, now: EpochMs): RotationRun {
  assertActive(run);
  const index = ROTATION_STEPS.indexOf(run.step);
  const next = ROTATION_STEPS[index + 1];
  if (next === undefined) {
    return { ...run, status: 'succeeded', attempts: 0, updatedAt: now, finishedAt: now };
  }
  return { ...run, step: next, attempts: 0, nextAttemptAt: now, updatedAt: now };
}

export interface StepFailure {
  /** Shown to users; the rotator's contract keeps values out of it. */
  readonly message: string;
  readonly retryable: boolean;
}

/** The run after its current step failed: a retry after the backoff, or failure for good. */
export function failStep(
  run: RotationRun,
  failure: StepFailure,
  now: EpochMs,
  schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE,
): RotationRun {
  assertActive(run);
  const attempts = run.attempts + 1;
  const base = { ...run, attempts, lastError: failure.message, lastErrorStep: run.step, updatedAt: now };
  if (!failure.retryable || attempts >= schedule.maxAttempts) {
    return { ...base, status: 'failed', finishedAt: now };
  }
  return { ...base, nextAttemptAt: now + backoffDelay(attempts, schedule) };
}

/** Whether the run has promoted its version ($current moved to it). */
export function hasPromoted(run: RotationRun): boolean {
  return run.step === 'finish' || run.status === 'succeeded';
}

/**
 * The secret's labels as the run's state says they should be: once promoted, $current on the pending
 * version (the old current becomes $previous) and no $pending; once failed before promotion, no
 * $pending on the run's version (the version stays readable by id until evicted); otherwise as they
 * are. Idempotent, and returns the same object when nothing changes.
 */
export function reconcileLabels(
  secret: Secret,
  run: RotationRun,
  now: EpochMs,
  limits: SecretLimits = DEFAULT_SECRET_LIMITS,
): Secret {
  if (secret.id !== run.secretId || !findVersion(secret, run.versionId)) return secret;
  let result = secret;
  if (hasPromoted(run)) {
    result = updateVersionStage(result, { stage: STAGE_CURRENT, moveToVersion: run.versionId, now }, limits);
  }
  if ((hasPromoted(run) || run.status === 'failed') && result.stages.get(STAGE_PENDING) === run.versionId) {
    result = updateVersionStage(
      result,
      { stage: STAGE_PENDING, removeFromVersion: run.versionId, now },
      limits,
    );
  }
  return result;
}

function assertActive(run: RotationRun): void {
  if (!isRunActive(run)) {
    throw new DomainError('internal', undefined, {}, { cause: new Error('The rotation run has ended.') });
  }
}

/** The principal of events the rotation engine records: `$` is outside RAM user names, so no user has it. */
export const ROTATION_PRINCIPAL = '$rotation';

/**
 * The audit event of one executed step of a run (`RotationCreate`, `RotationSet`, `RotationTest`,
 * `RotationFinish`): background work changes secrets too, and the trail must show it. The request id is
 * the run's id with the step and attempt, so a retried step is a new event.
 */
export function rotationStepEvent(
  before: RotationRun,
  after: RotationRun,
  now: EpochMs,
  /** A more precise result code for a failed step (e.g. `RotationStepFailed.WebhookTimeout`). */
  failureCode = 'RotationStepFailed',
): AuditEvent {
  const failed = after.attempts > before.attempts || after.status === 'failed';
  const promoted = hasPromoted(after) && !hasPromoted(before);
  const action = `Rotation${before.step.charAt(0).toUpperCase()}${before.step.slice(1)}`;
  return {
    time: now,
    requestId: `${after.id}:${before.step}:${after.attempts}`,
    phase: 'outcome',
    principal: ROTATION_PRINCIPAL,
    accessKeyId: null,
    sourceIp: null,
    action,
    resource: after.secretName,
    secretName: after.secretName,
    versionId: after.versionId,
    versionStage: promoted ? STAGE_CURRENT : before.step === 'create' && !failed ? STAGE_PENDING : null,
    keyId: null,
    resultCode: failed ? failureCode : AUDIT_SUCCESS,
    httpStatus: null,
  };
}
