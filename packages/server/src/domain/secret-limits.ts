/**
 * Limits of one secret, shared by the version, stage and tag rules; the server's configuration sets
 * them (`TESSERA_MAX_SECRET_VERSIONS` …), tests and the key model use the defaults.
 */
export interface SecretLimits {
  /** Versions a secret keeps; past it the oldest unlabeled version is evicted (docs/behaviour.md rule 3). */
  readonly maxVersions: number;
  /** Distinct stage labels a secret may use, built-ins included. */
  readonly maxStages: number;
  /** Tags on one secret. */
  readonly maxTags: number;
}

export const DEFAULT_SECRET_LIMITS: SecretLimits = { maxVersions: 10, maxStages: 8, maxTags: 20 };
