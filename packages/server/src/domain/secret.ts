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
import type { EpochMs } from './time.js';
import type { Secret, SecretType } from './secret-types.js';
import { ARN_SUFFIX_PATTERN } from './secret-types.js';
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

export type { EpochMs } from './time.js';
export type { Secret, SecretType, SecretVersion } from './secret-types.js';
export { ARN_SUFFIX_PATTERN, SECRET_TYPES } from './secret-types.js';

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
  /** Random, from the service (`ARN_SUFFIX_PATTERN`). */
  readonly arnSuffix: string;
  readonly authorizedRotationTarget?: string | null | undefined;
}

export function createSecret(input: NewSecretInput, limits: SecretLimits = DEFAULT_SECRET_LIMITS): Secret {
  validateSecretName(input.name);
  validateVersionId(input.versionId);
  validateDescription(input.description);
  if (input.extendedConfig !== undefined) parseExtendedConfig(input.extendedConfig);
  if (!ARN_SUFFIX_PATTERN.test(input.arnSuffix)) throw new Error('A secret suffix is six letters or digits.');
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
    arnSuffix: input.arnSuffix,
    authorizedRotationTarget: input.authorizedRotationTarget ?? null,
  };
}
