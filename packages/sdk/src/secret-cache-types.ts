/**
 * What `SecretCache` hands out and reports, in a leaf module: the reader (`secret-cache.ts`) and the
 * label machinery (`secret-cache-labels.ts`) both use these, and neither imports the other for them.
 */
import type { SecretDataType } from './api/secrets.js';

export interface CachedSecret {
  readonly secretName: string;
  readonly versionId: string;
  readonly secretData: string;
  readonly secretDataType: SecretDataType;
  readonly createTime: string;
}

export interface CurrentAndPrevious {
  readonly current: CachedSecret;
  /**
   * Absent when no version holds `ACSPrevious` (a secret never rotated), or when the server is
   * unreachable and the cache has not yet learned which version holds it.
   */
  readonly previous: CachedSecret | undefined;
}

export type RefreshEvent =
  /** Labels re-read; `changedStages` lists labels that now point elsewhere (or appeared or vanished). */
  | { readonly type: 'refreshed'; readonly secretName: string; readonly changedStages: readonly string[] }
  /** A transient failure: the last good labels are served until `staleUntil` (epoch ms). */
  | {
      readonly type: 'failed';
      readonly secretName: string;
      readonly error: unknown;
      readonly staleUntil: number;
    }
  /** A definitive failure, or stale for too long: the secret is forgotten; the next read asks the server. */
  | { readonly type: 'dropped'; readonly secretName: string; readonly error: unknown };
