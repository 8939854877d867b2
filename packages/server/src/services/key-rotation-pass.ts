/**
 * Automatic key rotation: each pass gives every customer key whose rotation is due a new primary
 * version (`KeyService.rotateIfDue`, which re-checks under the key's row lock, so a key rotates once
 * even when several processes run the pass). Runs inside the rotation scheduler's tick, under its lease.
 * Errors are logged and counted, never thrown: one key's failure does not stop the others.
 */
import type { Logger } from 'pino';
import type { KeyService } from './key-service.js';
import type { MetricsRecorder } from './metrics.js';

/** Keys looked at per pass; the rest wait for the next tick. */
const BATCH = 50;

export interface KeyRotationReport {
  readonly rotated: number;
  readonly skipped: number;
  readonly failed: number;
}

export class KeyRotationPass {
  readonly #keys: KeyService;
  readonly #logger: Logger;
  readonly #metrics: MetricsRecorder;

  constructor(options: { keys: KeyService; logger: Logger; metrics: MetricsRecorder }) {
    this.#keys = options.keys;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
  }

  async run(): Promise<KeyRotationReport> {
    let rotated = 0;
    let skipped = 0;
    let failed = 0;
    for (const keyId of await this.#keys.listDueForRotation(BATCH)) {
      try {
        const version = await this.#keys.rotateIfDue(keyId);
        if (version) {
          rotated++;
          this.#metrics.maintenance('key_rotation', 'success');
          this.#logger.info({ keyId, keyVersionId: version.versionId }, 'automatic key rotation');
        } else {
          skipped++;
          this.#metrics.maintenance('key_rotation', 'skipped');
        }
      } catch (error) {
        failed++;
        this.#metrics.maintenance('key_rotation', 'failure');
        this.#logger.error({ err: error, keyId }, 'automatic key rotation failed; will retry');
      }
    }
    return { rotated, skipped, failed };
  }
}
