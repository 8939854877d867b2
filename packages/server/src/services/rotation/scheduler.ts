/**
 * The rotation schedule. Each tick, the process holding the database lease `rotation-scheduler` starts
 * the runs of secrets whose next rotation is due (once, however many intervals downtime missed) and
 * works on runs whose next attempt is due (retries, and runs a crash interrupted). Time comes from the
 * injected clock; the timer only decides how often to look, so tests call `tick()` instead of waiting.
 */
import type { Logger } from 'pino';
import type { Store } from '../../storage/store.js';
import type { Clock } from '../clock.js';
import type { RotationEngine } from './rotation-engine.js';
import type { RotationService } from './rotation-service.js';

export const SCHEDULER_LEASE = 'rotation-scheduler';
/** Secrets started and runs worked on per tick; the rest wait for the next tick. */
const BATCH = 50;

export interface RotationSchedulerOptions {
  readonly store: Store;
  readonly rotation: RotationService;
  readonly engine: RotationEngine;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly holder: string;
  readonly leaseTtlMs: number;
  /** How often the timer ticks; 0 starts no timer (ticks only on demand). */
  readonly tickMs: number;
  /** Other scheduled work run in each tick under the same lease (automatic key rotation); must not throw. */
  readonly passes?: readonly (() => Promise<unknown>)[];
}

export class RotationScheduler {
  readonly #options: RotationSchedulerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: RotationSchedulerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#options.tickMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.#options.tickMs);
    this.#timer.unref();
  }

  /** One look at the schedule; overlapping calls share the tick in progress. */
  tick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#running ??= this.#tick().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #tick(): Promise<void> {
    const { store, rotation, engine, clock, logger, holder, leaseTtlMs } = this.#options;
    try {
      if (!(await store.leases.acquire(SCHEDULER_LEASE, holder, clock.now(), leaseTtlMs))) return;
      for (const due of await store.rotation.listDuePolicies(clock.now(), BATCH)) {
        if (this.#stopped) return;
        const run = await rotation.startScheduled(due.secretName);
        if (run) logger.info({ secretName: due.secretName, runId: run.id }, 'scheduled rotation started');
      }
      for (const run of await store.rotation.listDueRuns(clock.now(), BATCH)) {
        if (this.#stopped) return;
        await engine.process(run.id);
      }
      for (const pass of this.#options.passes ?? []) {
        if (this.#stopped) return;
        await pass();
      }
    } catch (error) {
      logger.error({ err: error }, 'rotation scheduler tick failed; will retry');
    }
  }

  /** Stops the timer, waits for a tick in progress, and gives the lease up for another process. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
    const { store, holder } = this.#options;
    await store.leases.release(SCHEDULER_LEASE, holder).catch(() => undefined);
  }
}
