/**
 * Re-wrapping (docs/crypto.md): every secret version's data key sealed again under the newest version
 * of the key that sealed it, so older key versions stop protecting anything stored. The value itself is
 * not touched (its data key does not change). Each data key is replaced compare-and-set, so the pass
 * is safe to run while the server serves, from several processes, and again after a crash.
 */
import { dataKeyContext } from '../crypto/envelope.js';
import type { Store } from '../storage/store.js';
import type { KeyService } from './key-service.js';
import type { MetricsRecorder } from './metrics.js';

const PAGE = 200;

export interface RewrapReport {
  /** Data keys looked at. */
  readonly examined: number;
  readonly rewrapped: number;
  /** Already under their key's newest version. */
  readonly current: number;
  /** Under a key that is disabled or pending deletion: left as they are. */
  readonly skipped: number;
  /** Could not be re-wrapped (logged); they still open under their old key version. */
  readonly failed: number;
}

export class DataKeyRewrap {
  readonly #store: Store;
  readonly #keys: KeyService;
  readonly #metrics: MetricsRecorder;
  readonly #onFailure: (error: unknown) => void;

  constructor(options: {
    store: Store;
    keys: KeyService;
    metrics: MetricsRecorder;
    onFailure: (error: unknown) => void;
  }) {
    this.#store = options.store;
    this.#keys = options.keys;
    this.#metrics = options.metrics;
    this.#onFailure = options.onFailure;
  }

  async run(): Promise<RewrapReport> {
    const counts = { examined: 0, rewrapped: 0, current: 0, skipped: 0, failed: 0 };
    let page = await this.#store.secrets.listDataKeys(undefined, PAGE);
    while (page.length > 0) {
      for (const wrapped of page) {
        counts.examined++;
        try {
          const context = dataKeyContext({ ...wrapped, dataType: '' });
          const result = await this.#keys.rewrapDataKey(wrapped.encryptedDataKey, context);
          if (result.outcome === 'rewrapped') {
            // False when the version was destroyed or re-wrapped meanwhile: nothing left to do.
            const replaced = await this.#store.secrets.replaceDataKey(wrapped, result.blob);
            counts[replaced ? 'rewrapped' : 'current']++;
            if (replaced) this.#metrics.maintenance('data_key_rewrap', 'success');
          } else {
            counts[result.outcome]++;
            if (result.outcome === 'skipped') this.#metrics.maintenance('data_key_rewrap', 'skipped');
          }
        } catch (error) {
          counts.failed++;
          this.#metrics.maintenance('data_key_rewrap', 'failure');
          this.#onFailure(error);
        }
      }
      const last = page[page.length - 1];
      page = last === undefined ? [] : await this.#store.secrets.listDataKeys(last, PAGE);
    }
    return counts;
  }
}
