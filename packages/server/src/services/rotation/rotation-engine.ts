/**
 * Executes rotation runs step by step (docs/rotation.md). The rules are in `domain/rotation.ts`; this
 * class calls the rotator, then persists what the rules say after every step, so a run interrupted by
 * a crash resumes at its recorded step:
 *
 * - create: the rotator's value is stored at once as the pending version (labelled ACSPending) before
 *   any other step; on resume a stored pending version is reused, never created again;
 * - set, test: the stored pending value is read back and handed to the rotator;
 * - leaving test promotes the version (labels first, then the run; both writes are idempotent, and
 *   every pass starts by reconciling the labels with the run, so either order of a crash heals);
 * - finish: the rotator's cleanup, after which the run has succeeded.
 *
 * Only the holder of the run's lease (`rotation-run:<id>`) works on it, so processes sharing a
 * database never run one step twice at once. Every executed step is an audit event (principal
 * `$rotation`), recorded before the step's outcome is persisted.
 */
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
  /** This process's name in leases. */
  readonly holder: string;
  readonly leaseTtlMs: number;
  readonly limits: SecretLimits;
  readonly retry?: RetrySchedule;
  /** The audit trail: every executed step is recorded before its outcome is persisted. */
  readonly audit: { record(event: AuditEvent): Promise<unknown> };
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

export class RotationEngine {
  readonly #options: RotationEngineOptions;
  readonly #retry: RetrySchedule;

  constructor(options: RotationEngineOptions) {
    this.#options = options;
    this.#retry = options.retry ?? DEFAULT_RETRY_SCHEDULE;
  }

  /**
   * Works on the run if it is due and no other process holds it: steps until it ends or waits for a
   * retry. Returns the run as it was left (undefined when another process holds it or it is gone).
   */
  async process(runId: string): Promise<RotationRun | undefined> {
    const { store, clock, holder, leaseTtlMs } = this.#options;
    const lease = `rotation-run:${runId}`;
    if (!(await store.leases.acquire(lease, holder, clock.now(), leaseTtlMs))) return undefined;
    try {
      let run = await store.rotation.getRun(runId);
      for (let steps = 0; run && isRunDue(run, clock.now()) && steps < MAX_STEPS_PER_PASS; steps++) {
        // Renewed before each step: a step may take up to the rotator's timeout.
        if (!(await store.leases.acquire(lease, holder, clock.now(), leaseTtlMs))) return undefined;
        run = await this.#pass(run);
      }
      return run;
    } finally {
      await store.leases.release(lease, holder).catch(() => undefined);
    }
  }

  /** Runs the run's current step once and persists the outcome. */
  async #pass(run: RotationRun): Promise<RotationRun> {
    const { store, secrets, resolver, clock, limits } = this.#options;
    const secret = await store.secrets.getByName(run.secretName);
    if (!secret || secret.id !== run.secretId) {
      return this.#persist(
        run,
        failStep(run, { message: 'The secret no longer exists.', retryable: false }, clock.now()),
      );
    }
    if (secret.plannedDeleteAt !== null) {
      const failure = { message: 'The secret is scheduled for deletion.', retryable: false };
      return this.#persist(run, failStep(run, failure, clock.now()), secret);
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
      return this.#persist(run, failStep(run, failure, clock.now(), this.#retry), secret);
    }

    let next: RotationRun;
    try {
      await this.#step(run, secret, rotator);
      next = completeStep(run, clock.now());
    } catch (error) {
      next = failStep(run, this.#failureOf(run, error), clock.now(), this.#retry);
    }
    return this.#persist(run, next, secret);
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

  /** Labels first (idempotent), then the policy, then the run. */
  async #persist(before: RotationRun, after: RotationRun, secret?: Secret): Promise<RotationRun> {
    const { store, secrets, clock, limits, logger, audit } = this.#options;
    // Fail closed: when the step cannot be recorded, its outcome is not persisted either, and the next
    // pass runs the (idempotent) step again.
    await audit.record(rotationStepEvent(before, after, clock.now()));
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
        nextRotationAt: null,
        lastRotationAt: null,
      };
      await store.rotation.savePolicy(policyAfterRotation(base, clock.now()));
    } else if (failedNow && policy) {
      await store.rotation.savePolicy(policyAfterFailedRun(policy, clock.now()));
    }
    await store.rotation.saveRun(after);
    const facts = { secretName: after.secretName, runId: after.id, versionId: after.versionId };
    if (after.status === 'failed') {
      logger.warn({ ...facts, step: after.lastErrorStep, reason: after.lastError }, 'rotation failed');
    } else if (after.attempts > before.attempts) {
      logger.info(
        { ...facts, step: after.step, attempts: after.attempts, reason: after.lastError },
        'rotation step failed; will retry',
      );
    } else if (after.status === 'succeeded') {
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
