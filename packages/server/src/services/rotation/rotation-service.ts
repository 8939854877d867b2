/**
 * Rotation as the API sees it: rotation policies, starting runs (RotateSecret and the schedule), and
 * what a user may see of a secret's rotation. Runs are executed by `RotationEngine`; the schedule's
 * timer lives in `RotationScheduler`.
 */
import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/errors.js';
import type { PolicyChange, RotationPolicy, RotationRun } from '../../domain/rotation.js';
import { configureRotation, decideStart } from '../../domain/rotation.js';
import type { Secret } from '../../domain/secret.js';
import { assertNotPendingDeletion, isExpired, parseExtendedConfig } from '../../domain/secret.js';
import type { Store } from '../../storage/store.js';
import type { Clock } from '../clock.js';
import type { RotationEngine } from './rotation-engine.js';
import { rotationTarget } from './rotation-engine.js';
import type { RotationTarget, RotatorResolver } from './rotator.js';

function notRotatable(name: string): DomainError {
  return new DomainError(
    'unsupported_operation',
    `The secret "${name}" has no rotator: bind a Generic secret to a rotation webhook with ExtendedConfig {"RotationWebhook": "<name>"}.`,
    { resource: name },
  );
}

/** A secret's rotation as DescribeSecret and `tessera rotation status` show it. */
export interface RotationView {
  /** Whether a rotator serves the secret at all. */
  readonly rotatable: boolean;
  readonly policy: RotationPolicy | undefined;
  readonly lastRun: RotationRun | undefined;
}

export interface StartedRotation {
  readonly secret: Secret;
  readonly versionId: string;
  /** Undefined when the version already existed (the idempotent answer, no run). */
  readonly run: RotationRun | undefined;
}

export interface RotationServiceOptions {
  readonly store: Store;
  readonly resolver: RotatorResolver;
  readonly engine: RotationEngine;
  readonly clock: Clock;
  /** Extra checks of a binding, e.g. that a named webhook exists. */
  readonly checkBinding?: (target: RotationTarget) => Promise<void>;
}

export class RotationService {
  readonly #store: Store;
  readonly #resolver: RotatorResolver;
  readonly #engine: RotationEngine;
  readonly #clock: Clock;
  readonly #checkBinding: (target: RotationTarget) => Promise<void>;
  /** Runs this process works on in the background, so `close` can wait for them. */
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: RotationServiceOptions) {
    this.#store = options.store;
    this.#resolver = options.resolver;
    this.#engine = options.engine;
    this.#clock = options.clock;
    this.#checkBinding = options.checkBinding ?? (() => Promise.resolve());
  }

  /** Whether some rotator serves this secret (a bad ExtendedConfig counts as none). */
  isRotatable(secret: Secret): boolean {
    try {
      return this.#resolver.rotatorFor(rotationTarget(secret)) !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * Refuses a secret about to be created with automatic rotation when no rotator would serve it (or the
   * webhook it names does not exist).
   */
  async assertRotatable(input: {
    readonly secretName: string;
    readonly secretType: Secret['secretType'];
    readonly extendedConfig: string | undefined;
  }): Promise<void> {
    const target: RotationTarget = {
      secretName: input.secretName,
      secretType: input.secretType,
      extendedConfig:
        input.extendedConfig === undefined ? undefined : parseExtendedConfig(input.extendedConfig),
      authorizedTarget: null,
    };
    if (!this.#resolver.rotatorFor(target)) throw notRotatable(input.secretName);
    await this.#checkBinding(target);
  }

  async policyOf(secret: Secret): Promise<RotationPolicy | undefined> {
    return this.#store.rotation.getPolicy(secret.id);
  }

  async #rotatable(name: string): Promise<Secret> {
    const secret = await this.#store.secrets.getByName(name);
    if (!secret || isExpired(secret, this.#clock.now())) {
      throw new DomainError('secret_not_found', `The secret "${name}" does not exist.`, { resource: name });
    }
    assertNotPendingDeletion(secret);
    if (!this.isRotatable(secret)) throw notRotatable(name);
    await this.#checkBinding(rotationTarget(secret));
    return secret;
  }

  /** UpdateSecretRotationPolicy, and CreateSecret's EnableAutomaticRotation. */
  async updatePolicy(name: string, change: PolicyChange): Promise<RotationPolicy> {
    const secret = await this.#rotatable(name);
    const current = await this.#store.rotation.getPolicy(secret.id);
    const policy = configureRotation(secret.id, current, change, this.#clock.now());
    await this.#store.rotation.savePolicy(policy);
    return policy;
  }

  /** RotateSecret: starts a run (or finds the one with this token) and works on it in the background. */
  async rotate(name: string, versionId: string): Promise<StartedRotation> {
    const secret = await this.#rotatable(name);
    const started = await this.#start(secret, versionId, 'manual');
    if (started.run) this.#kick(started.run.id);
    return started;
  }

  async #start(secret: Secret, versionId: string, trigger: 'manual' | 'schedule'): Promise<StartedRotation> {
    const known = {
      runWithToken: await this.#store.rotation.findRun(secret.id, versionId),
      active: await this.#store.rotation.activeRun(secret.id),
    };
    const decision = decideStart(secret, known, {
      id: randomUUID(),
      versionId,
      trigger,
      now: this.#clock.now(),
    });
    if (decision.kind === 'already_rotated') return { secret, versionId, run: undefined };
    if (decision.kind === 'existing') return { secret, versionId, run: decision.run };
    // The database refuses a second run in progress even when another process raced us here; when
    // that process started this very token, its run is the idempotent answer.
    try {
      await this.#store.rotation.insertRun(decision.run);
    } catch (error) {
      const raced =
        error instanceof DomainError && error.code === 'rotation_in_progress'
          ? await this.#store.rotation.findRun(secret.id, versionId)
          : undefined;
      if (raced) return { secret, versionId, run: raced };
      throw error;
    }
    return { secret, versionId, run: decision.run };
  }

  /** Starts the scheduled run of a due secret; nothing when a run is already in progress. */
  async startScheduled(name: string): Promise<RotationRun | undefined> {
    const secret = await this.#store.secrets.getByName(name);
    if (!secret || secret.plannedDeleteAt !== null || !this.isRotatable(secret)) return undefined;
    if (await this.#store.rotation.activeRun(secret.id)) return undefined;
    try {
      const { run } = await this.#start(secret, `rotation-${randomUUID()}`, 'schedule');
      return run;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'rotation_in_progress') return undefined;
      throw error;
    }
  }

  async view(secret: Secret): Promise<RotationView> {
    const rotatable = this.isRotatable(secret);
    // A Generic secret without ExtendedConfig was never bound to a rotator: no lookups for it.
    if (!rotatable && secret.secretType === 'Generic' && secret.extendedConfig === null) {
      return { rotatable, policy: undefined, lastRun: undefined };
    }
    const policy = await this.#store.rotation.getPolicy(secret.id);
    const lastRun = await this.#store.rotation.latestRun(secret.id);
    return { rotatable, policy, lastRun };
  }

  /** Works on a run now, in the background of this process. */
  #kick(runId: string): void {
    const work = this.#engine.process(runId).catch(() => undefined);
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  /** Waits for the background work this process started (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }
}
