/**
 * The metrics port: what services report, as plain calls with bounded labels (never a secret name, a
 * key id or a caller's text). `http/metrics.ts` implements it with prom-client; services receive it
 * and never import a metrics library. The default records nothing.
 */

/** The passes that rotate or re-wrap on their own, and how one unit of their work ended. */
export type MaintenanceKind = 'secret_rotation' | 'key_rotation' | 'data_key_rewrap';
/** `retry`: a secret rotation step failed and will be tried again; `skipped`: nothing was due after all. */
export type MaintenanceResult = 'success' | 'failure' | 'retry' | 'skipped';

/** The in-process caches whose lookups are counted. */
export type CacheName =
  'key' | 'secret_policy' | 'access_key' | 'identity_policies' | 'secret' | 'secret_value';

export interface MetricsRecorder {
  /** One rotation (a secret's run step, a key's new version) or one re-wrapped data key. */
  maintenance(kind: MaintenanceKind, result: MaintenanceResult): void;
  /** One group commit of the audit trail: how many events, how long the commit took. */
  auditBatch(events: number, seconds: number): void;
  cacheLookup(cache: CacheName, hit: boolean): void;
  /** A storage call failed (the kind is the domain error code it became, or `unknown`). */
  storeError(kind: string): void;
}

export const NO_METRICS: MetricsRecorder = {
  maintenance: () => undefined,
  auditBatch: () => undefined,
  cacheLookup: () => undefined,
  storeError: () => undefined,
};
