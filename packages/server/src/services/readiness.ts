/**
 * Readiness: whether this process can do its job now, as `/readyz` reports it. Two probes, each a real
 * write in a transaction that is then rolled back, so nothing is left behind and the audit chain does
 * not move: the store (a settings row) and the audit trail (a row in the events table). A request the
 * trail cannot record is refused (docs/audit.md), so a server whose trail is unwritable is not ready
 * even though it lives (`/healthz`).
 */
import type { AuditRecord } from '../domain/audit.js';
import type { Repositories, Store } from '../storage/store.js';
import type { Clock } from './clock.js';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: { readonly store: boolean; readonly audit: boolean };
}

/** Thrown inside a probe to roll its transaction back; anything else is the probe failing. */
class ProbeRollback extends Error {}

export class Readiness {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #onFailure: (check: 'store' | 'audit', error: unknown) => void;

  constructor(options: {
    store: Store;
    clock: Clock;
    onFailure: (check: 'store' | 'audit', error: unknown) => void;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#onFailure = options.onFailure;
  }

  async check(): Promise<ReadinessReport> {
    const now = this.#clock.now();
    const store = await this.#probe('store', (tx) => tx.meta.set('readiness_probe', String(now)));
    const audit = await this.#probe('audit', (tx) => tx.audit.append([probeRecord(now)]));
    return { ready: store && audit, checks: { store, audit } };
  }

  async #probe(check: 'store' | 'audit', write: (tx: Repositories) => Promise<void>): Promise<boolean> {
    try {
      await this.#store.transaction(async (tx) => {
        await write(tx);
        throw new ProbeRollback();
      });
      return false;
    } catch (error) {
      if (error instanceof ProbeRollback) return true;
      this.#onFailure(check, error);
      return false;
    }
  }
}

/**
 * A row the chain never keeps: a negative seq (real ones start at 1) cannot meet another writer's
 * append, so concurrent appends neither wait for nor clash with the probe.
 */
function probeRecord(now: number): AuditRecord {
  return {
    seq: -1 - Math.floor(Math.random() * 1_000_000_000),
    time: now,
    requestId: 'readiness-probe',
    phase: 'outcome',
    principal: null,
    accessKeyId: null,
    sourceIp: null,
    action: null,
    resource: null,
    secretName: null,
    versionId: null,
    versionStage: null,
    keyId: null,
    resultCode: null,
    httpStatus: null,
    prevHash: '',
    hash: '',
  };
}
