/**
 * Executes rotation runs step by step (docs/rotation.md). The rules are in `domain/rotation.ts`; this
 * class calls the rotator, then persists what the rules say after every step, so a run interrupted by
 * a crash resumes at its recorded step:
 *
 * - create: the rotator's value is stored at once as the pending version (labelled $pending) before
 *   any other step; on resume a stored pending version is reused, never created again;
 * - set, test: the stored pending value is read back and handed to the rotator;
 * - leaving test promotes the version (labels first, then the run; both writes are idempotent, and
 *   every pass starts by reconciling the labels with the run, so either order of a crash heals);
 * - finish: the rotator's cleanup, after which the run has succeeded.
 *
 * Each execution of a run claims it: the run's lease (`rotation-run:<id>`) is taken under a token of
 * its own (the process's name and a random id), so of two executors, in one process (RotateSecret's
 * background work and a scheduler tick) or in several sharing a database, only one steps the run at a
 * time. The claim is renewed before every step and while one runs, and checked again before a step's
 * outcome is persisted, so an executor that lost it anyway (its database unreachable for a lease's
 * length) drops its outcome instead of overwriting the new owner's; a dead executor's claim expires
 * with its lease. Every executed step is an audit event (principal `$rotation`), recorded before the
 * step's outcome is persisted.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditEvent } from '../../domain/audit.js';
import { DomainError } from '../../domain/errors.js';
import type { RetrySchedule, RotationRun, StepFailure } from '../../domain/rotation.js';
import {
  completeStep,
  DEFAULT_RETRY_SCHEDULE,
  failStep,
  hasPromoted,
  isRunDue,
  policyAfterFailedRun,
  policyAfterRotation,
  reconcileLabels,
  rotationStepEvent,
  STAGE_PENDING,
} from '../../domain/rotation.js';
import type { Secret, SecretLimits } from '../../domain/secret.js';
import { findVersion, parseExtendedConfig } from '../../domain/secret.js';
import type { Store } from '../../storage/store.js';
import type { Clock } from '../clock.js';
import type { MetricsRecorder } from '../metrics.js';
import { NO_METRICS } from '../metrics.js';
import type { SecretService } from '../secret-service.js';
import type { RotationStep, RotationTarget, Rotator, RotatorResolver } from './rotator.js';
import { RotationStepError } from './rotator.js';

/** Steps one pass may run before yielding (a whole run is four). */
const MAX_STEPS_PER_PASS = 8;

export interface RotationEngineOptions {
  readonly store: Store;
  readonly secrets: SecretService;
  readonly resolver: RotatorResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This process's name in leases; each execution of a run claims it under `<holder>/<random id>`. */
  readonly holder: string;
  readonly leaseTtlMs: number;
  readonly limits: SecretLimits;
  readonly retry?: RetrySchedule;
  /** The audit trail: every executed step is recorded before its outcome is persisted. */
  readonly audit: { record(event: AuditEvent): Promise<unknown> };
  /** Counts finished runs and retried steps. */
  readonly metrics?: MetricsRecorder;
}

/** What a rotator is told about a secret. */
export function rotationTarget(secret: Secret): RotationTarget {
  return {
    secretName: secret.name,
    secretType: secret.secretType,
    extendedConfig: secret.extendedConfig === null ? undefined : parseExtendedConfig(secret.extendedConfig),
    authorizedTarget: secret.authorizedRotationTarget,
  };
}

/** One execution's hold on a run: the run's lease, taken under a token no other execution shares. */
interface Claim {
  readonly lease: string;
  readonly token: string;
}

/** This execution no longer holds the run's claim; it stops without persisting anything more. */
class ClaimLost extends Error {
  override name = 'ClaimLost';
}

export class RotationEngine {
  readonly #options: RotationEngineOptions;
  readonly #retry: RetrySchedule;

  constructor(options: RotationEngineOptions) {
    this.#options = options;
    this.#retry = options.retry ?? DEFAULT_RETRY_SCHEDULE;
  }

  /**
   * Works on the run if it is due and no other executor holds its claim: steps until it ends or waits
   * for a retry. Returns the run as it was left (undefined when another executor holds the claim, took
   * it over, or the run is gone).
   */
  async process(runId: string): Promise<RotationRun | undefined> {
    const { store, clock, holder, leaseTtlMs } = this.#options;
    const claim: Claim = { lease: `rotation-run:${runId}`, token: `${holder}/${randomUUID()}` };
    const renew = () => store.leases.acquire(claim.lease, claim.token, clock.now(), leaseTtlMs);
    if (!(await renew())) return undefined;
    // Renewed while a step runs too, so a live executor keeps its claim through a step that outlasts
    // the lease (a slow webhook); only a dead one's claim expires.
    let beat: Promise<unknown> = Promise.resolve();
    const heartbeat = setInterval(
      () => {
        beat = renew().catch(() => undefined);
      },
      Math.max(1000, Math.floor(leaseTtlMs / 3)),
    );
    heartbeat.unref();
    try {
      let run = await store.rotation.getRun(runId);
      for (let steps = 0; run && isRunDue(run, clock.now()) && steps < MAX_STEPS_PER_PASS; steps++) {
        if (!(await renew())) return undefined;
        run = await this.#pass(run, claim);
      }
      return run;
    } catch (error) {
      if (error instanceof ClaimLost) return undefined;
      throw error;
    } finally {
      clearInterval(heartbeat);
      // A renewal still in flight would take the lease again after its release.
      await beat;
      await store.leases.release(claim.lease, claim.token).catch(() => undefined);
    }
  }

  /** Runs the run's current step once and persists the outcome. */
  async #pass(run: RotationRun, claim: Claim): Promise<RotationRun> {
    const { store, secrets, resolver, clock, limits } = this.#options;
    const secret = await store.secrets.getByName(run.secretName);
    if (!secret || secret.id !== run.secretId) {
      return this.#persist(
        claim,
        run,
        failStep(run, { message: 'The secret no longer exists.', retryable: false }, clock.now()),
      );
    }
    if (secret.plannedDeleteAt !== null) {
      const failure = { message: 'The secret is scheduled for deletion.', retryable: false };
      return this.#persist(claim, run, failStep(run, failure, clock.now()), secret);
    }
    // Resuming after a crash between the label write and the run write: make the labels match the run.
    await secrets.applyRule(run.secretName, (s, now) => reconcileLabels(s, run, now, limits));

    let target: RotationTarget;
    let rotator: Rotator | undefined;
    try {
      target = rotationTarget(secret);
      rotator = resolver.rotatorFor(target);
    } catch {
      rotator = undefined;
    }
    if (!rotator) {
      const failure = { message: 'No rotator serves this secret any more.', retryable: false };
      return this.#persist(claim, run, failStep(run, failure, clock.now(), this.#retry), secret);
    }

    let next: RotationRun;
    let failureCode: string | undefined;
    try {
      await this.#step(run, secret, rotator);
      next = completeStep(run, clock.now());
    } catch (error) {
      next = failStep(run, this.#failureOf(run, error), clock.now(), this.#retry);
      if (error instanceof RotationStepError) {
        failureCode = error.auditCode;
        // What exactly failed (e.g. the refused address), which the user-facing message leaves out.
        if (error.detail) {
          this.#options.logger.warn(
            { secretName: run.secretName, runId: run.id, step: run.step, ...error.detail },
            'rotation step failed: detail',
          );
        }
      }
    }
    return this.#persist(claim, run, next, secret, failureCode);
  }

  async #step(run: RotationRun, secret: Secret, rotator: Rotator): Promise<void> {
    const { secrets } = this.#options;
    const current = await secrets.getSecretValue({ name: run.secretName, versionId: run.fromVersionId });
    const step: RotationStep = {
      ...rotationTarget(secret),
      runId: run.id,
      pendingVersionId: run.versionId,
      currentValue: current.data,
    };
    if (run.step === 'create') {
      // Stored by an earlier attempt that crashed before recording the step: reuse it.
      if (findVersion(secret, run.versionId)) return;
      const value = await rotator.createValue(step);
      if (typeof value !== 'string' || value === '') {
        throw new RotationStepError('The rotator created an empty value.', { retryable: false });
      }
      await secrets.putSecretValue({
        name: run.secretName,
        versionId: run.versionId,
        data: value,
        dataType: 'text',
        stages: [STAGE_PENDING],
      });
      return;
    }
    const pending = await secrets.getSecretValue({ name: run.secretName, versionId: run.versionId });
    const withPending = { ...step, pendingValue: pending.data };
    if (run.step === 'set') await rotator.setValue(withPending);
    else if (run.step === 'test') await rotator.testValue(withPending);
    else await rotator.finish(withPending);
  }

  /** Labels first (idempotent), then the policy, then the run; only while the claim is still held. */
  async #persist(
    claim: Claim,
    before: RotationRun,
    after: RotationRun,
    secret?: Secret,
    failureCode?: string,
  ): Promise<RotationRun> {
    const { store, secrets, clock, limits, logger, audit, leaseTtlMs } = this.#options;
    // Another executor took the run over while this step ran: it repeats the (idempotent) step and
    // records it; recording this outcome as well would write over its progress.
    if (!(await store.leases.acquire(claim.lease, claim.token, clock.now(), leaseTtlMs))) {
      logger.warn(
        { secretName: after.secretName, runId: after.id, step: before.step },
        'rotation claim lost',
      );
      throw new ClaimLost();
    }
    // Fail closed: when the step cannot be recorded, its outcome is not persisted either, and the next
    // pass runs the (idempotent) step again.
    await audit.record(rotationStepEvent(before, after, clock.now(), failureCode));
    const promotedNow = hasPromoted(after) && !hasPromoted(before);
    const failedNow = after.status === 'failed';
    if (secret && (promotedNow || failedNow)) {
      await secrets.applyRule(after.secretName, (s, now) => reconcileLabels(s, after, now, limits));
    }
    const policy = await store.rotation.getPolicy(after.secretId);
    if (promotedNow) {
      // A secret rotated by hand gets a (disabled) policy row too: it is where LastRotationDate lives.
      const base = policy ?? {
        secretId: after.secretId,
        enabled: false,
        intervalSeconds: null,
        cronExpression: null,
        nextRotationAt: null,
        lastRotationAt: null,
      };
      await store.rotation.savePolicy(policyAfterRotation(base, clock.now()));
    } else if (failedNow && policy) {
      await store.rotation.savePolicy(policyAfterFailedRun(policy, clock.now()));
    }
    await store.rotation.saveRun(after);
    const facts = { secretName: after.secretName, runId: after.id, versionId: after.versionId };
    const metrics = this.#options.metrics ?? NO_METRICS;
    if (after.status === 'failed') {
      metrics.maintenance('secret_rotation', 'failure');
      logger.warn({ ...facts, step: after.lastErrorStep, reason: after.lastError }, 'rotation failed');
    } else if (after.attempts > before.attempts) {
      metrics.maintenance('secret_rotation', 'retry');
      logger.info(
        { ...facts, step: after.step, attempts: after.attempts, reason: after.lastError },
        'rotation step failed; will retry',
      );
    } else if (after.status === 'succeeded') {
      metrics.maintenance('secret_rotation', 'success');
      logger.info(facts, 'rotation succeeded');
    }
    return after;
  }

  /** A user-safe failure: the rotator's own message, a domain message, or a generic one (logged apart). */
  #failureOf(run: RotationRun, error: unknown): StepFailure {
    if (error instanceof RotationStepError) return { message: error.message, retryable: error.retryable };
    if (error instanceof DomainError) {
      const final = [
        'secret_not_found',
        'secret_pending_deletion',
        'secret_version_conflict',
        'invalid_argument',
      ];
      return { message: error.message, retryable: !final.includes(error.code) };
    }
    // Anything else may carry driver text; only its class name reaches the log.
    this.#options.logger.error(
      {
        secretName: run.secretName,
        runId: run.id,
        step: run.step,
        errorType: (error as Error | undefined)?.name,
      },
      'rotator failed unexpectedly',
    );
    return { message: `The ${run.step} step failed unexpectedly.`, retryable: true };
  }
}
