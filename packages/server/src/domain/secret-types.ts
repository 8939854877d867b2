/**
 * The secret aggregate's shape, in a module of its own that imports nothing of the model: the rule
 * modules (secret-versions.ts, secret-lifecycle.ts, secret-metadata.ts) and secret.ts all depend on it,
 * never on each other through secret.ts.
 */
import type { EpochMs } from './time.js';
import type { SecretDataType, Tag } from './validation.js';

/** What a secret holds: free-form (`Generic`) or the credentials of a registered database (`Rds`). */
export const SECRET_TYPES = ['Generic', 'Rds'] as const;
export type SecretType = (typeof SECRET_TYPES)[number];

export interface SecretVersion {
  readonly versionId: string;
  readonly createdAt: EpochMs;
  readonly dataType: SecretDataType;
}

export interface Secret {
  /** Internal id, stable for the life of the secret and never reused; ciphertexts are bound to it. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Id of the customer master key (or the service key) whose data keys protect the versions. */
  readonly encryptionKeyId: string;
  readonly tags: readonly Tag[];
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  /** Set while the secret waits out its recovery window. */
  readonly plannedDeleteAt: EpochMs | null;
  /** Oldest first. */
  readonly versions: readonly SecretVersion[];
  /** Stage label → version id. A map makes "each label marks exactly one version" true by construction. */
  readonly stages: ReadonlyMap<string, string>;
  readonly secretType: SecretType;
  /** The ExtendedConfig JSON object as text (how rotators find their target), or null when none. */
  readonly extendedConfig: string | null;
  /**
   * A fingerprint of what the secret's rotator reaches (a database instance's address, TLS and
   * administrator secret; a webhook's URL), recorded when a caller allowed to use all of it bound the
   * secret; null when nobody did. Rotators refuse to run when what they reach no longer matches
   * (docs/threat-model.md).
   */
  readonly authorizedRotationTarget: string | null;
  /**
   * Six random letters and digits made when the secret is created and never changed: a protocol whose
   * identifiers must tell a secret from an earlier one of the same name puts it in its ARN (AWS's
   * `…:secret:<name>-<suffix>`).
   */
  readonly arnSuffix: string;
}

/** The shape of `Secret.arnSuffix`. */
export const ARN_SUFFIX_PATTERN = /^[A-Za-z0-9]{6}$/;
