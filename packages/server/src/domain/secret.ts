/**
 * The secret aggregate and its creation. Its rules live beside it, one responsibility each:
 * `secret-versions.ts` (versions and stage labels), `secret-metadata.ts` (description, tags,
 * ExtendedConfig), `secret-lifecycle.ts` (deletion, restore, expiry), `secret-limits.ts`. All are pure
 * functions from a secret to a new secret; no I/O, no clocks, no crypto. Storage persists what they
 * return; services add encryption and transactions around them.
 *
 * This module re-exports those rules so that the model has one entry point: services, adapters and
 * storage's conformance suites import "the secret model", not the file a rule happens to sit in.
 */
import { STAGE_CURRENT } from './secret-versions.js';
import { mergeTags, parseExtendedConfig } from './secret-metadata.js';
import type { SecretLimits } from './secret-limits.js';
import { DEFAULT_SECRET_LIMITS } from './secret-limits.js';
import type { SecretDataType, Tag } from './validation.js';
import { validateDescription, validateSecretName, validateVersionId } from './validation.js';

export * from './secret-lifecycle.js';
export * from './secret-limits.js';
export * from './secret-metadata.js';
export * from './secret-versions.js';

/** Milliseconds since the Unix epoch; every timestamp in the model is one. */
export type EpochMs = number;

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
}

export interface NewSecretInput {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly encryptionKeyId: string;
  readonly tags: readonly Tag[];
  readonly versionId: string;
  readonly dataType: SecretDataType;
  readonly now: EpochMs;
  /** Default `Generic`. */
  readonly secretType?: SecretType | undefined;
  readonly extendedConfig?: string | undefined;
  readonly authorizedRotationTarget?: string | null | undefined;
}

export function createSecret(input: NewSecretInput, limits: SecretLimits = DEFAULT_SECRET_LIMITS): Secret {
  validateSecretName(input.name);
  validateVersionId(input.versionId);
  validateDescription(input.description);
  if (input.extendedConfig !== undefined) parseExtendedConfig(input.extendedConfig);
  const tags = mergeTags([], input.tags, limits);
  return {
    id: input.id,
    name: input.name,
    description: input.description,
    encryptionKeyId: input.encryptionKeyId,
    tags,
    createdAt: input.now,
    updatedAt: input.now,
    plannedDeleteAt: null,
    versions: [{ versionId: input.versionId, createdAt: input.now, dataType: input.dataType }],
    stages: new Map([[STAGE_CURRENT, input.versionId]]),
    secretType: input.secretType ?? 'Generic',
    extendedConfig: input.extendedConfig ?? null,
    authorizedRotationTarget: input.authorizedRotationTarget ?? null,
  };
}
