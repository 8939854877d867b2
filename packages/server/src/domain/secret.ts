/**
 * The secret aggregate and every rule of the version/stage model (seeds/secret-object-model.md,
 * DECISIONS 1–12). Pure functions from a secret to a new secret; no I/O, no clocks, no crypto. Storage
 * persists what these functions return; services add encryption and transactions around them.
 *
 * Built-in stages are protocol-neutral here (`STAGE_CURRENT`, `STAGE_PREVIOUS`); the `$` they start
 * with is outside the custom-label alphabet, so a custom label can never collide with them. Adapters
 * map them to `ACSCurrent`/`ACSPrevious` (or `AWSCURRENT`/`AWSPREVIOUS`) and pass custom labels through.
 */
import { DomainError, invalidArgument } from './errors.js';
import type { SecretDataType, Tag } from './validation.js';
import {
  assertDistinct,
  validateCustomStage,
  validateDescription,
  validateRecoveryWindow,
  validateSecretName,
  validateTag,
  validateTagKey,
  validateVersionId,
} from './validation.js';

export const STAGE_CURRENT = '$current';
export const STAGE_PREVIOUS = '$previous';

/** Milliseconds since the Unix epoch; every timestamp in the model is one. */
export type EpochMs = number;

const DAY_MS = 86_400_000;

export interface SecretLimits {
  /** Versions a secret keeps; past it the oldest unlabeled version is evicted (DECISIONS 3). */
  readonly maxVersions: number;
  /** Distinct stage labels a secret may use, built-ins included. */
  readonly maxStages: number;
  /** Tags on one secret. */
  readonly maxTags: number;
}

export const DEFAULT_SECRET_LIMITS: SecretLimits = { maxVersions: 10, maxStages: 8, maxTags: 20 };

/** What a secret holds: free-form (`Generic`) or the credentials of a registered database (`Rds`). */
export const SECRET_TYPES = ['Generic', 'Rds'] as const;
export type SecretType = (typeof SECRET_TYPES)[number];

/** Longest ExtendedConfig document (API spec §4). */
export const MAX_EXTENDED_CONFIG_LENGTH = 1024;

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
  };
}

/** ExtendedConfig must be a JSON object of at most 1,024 characters; returns it parsed. */
export function parseExtendedConfig(text: string): Readonly<Record<string, unknown>> {
  if (Array.from(text).length > MAX_EXTENDED_CONFIG_LENGTH) {
    throw invalidArgument(
      'extendedConfig',
      `ExtendedConfig is at most ${MAX_EXTENDED_CONFIG_LENGTH} characters.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidArgument('extendedConfig', 'ExtendedConfig is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidArgument('extendedConfig', 'ExtendedConfig must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

export function isBuiltinStage(label: string): boolean {
  return label === STAGE_CURRENT || label === STAGE_PREVIOUS;
}

function validateStage(label: string, field: string): void {
  if (!isBuiltinStage(label)) validateCustomStage(label, field);
}

export function findVersion(secret: Secret, versionId: string): SecretVersion | undefined {
  return secret.versions.find((v) => v.versionId === versionId);
}

/** The labels a version carries, built-ins first, then custom labels in label order. */
export function stagesOf(secret: Secret, versionId: string): string[] {
  const labels: string[] = [];
  for (const [label, holder] of secret.stages) if (holder === versionId) labels.push(label);
  return labels.sort(compareStages);
}

function compareStages(a: string, b: string): number {
  const rank = (s: string) => (s === STAGE_CURRENT ? 0 : s === STAGE_PREVIOUS ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export interface VersionSelector {
  readonly versionId?: string | undefined;
  readonly stage?: string | undefined;
}

/**
 * Picks the version a read asks for: by id, by stage, or the current version. With both, the version
 * must carry the stage (DECISIONS 6). Unknown ids and stages are not found (DECISIONS 7).
 */
export function resolveVersion(secret: Secret, selector: VersionSelector): SecretVersion {
  const { versionId, stage } = selector;
  if (versionId !== undefined) {
    const version = findVersion(secret, versionId);
    if (!version) {
      throw new DomainError(
        'secret_version_not_found',
        `The secret "${secret.name}" has no version "${versionId}".`,
        { resource: versionId },
      );
    }
    if (stage !== undefined && secret.stages.get(stage) !== versionId) {
      throw invalidArgument('versionStage', `The version "${versionId}" does not carry the requested stage.`);
    }
    return version;
  }
  const label = stage ?? STAGE_CURRENT;
  const holder = secret.stages.get(label);
  const version = holder === undefined ? undefined : findVersion(secret, holder);
  if (!version) {
    throw new DomainError(
      'secret_stage_not_found',
      `No version of the secret "${secret.name}" has this stage.`,
      {
        resource: label,
      },
    );
  }
  return version;
}

/** Versions newest first; deprecated (unlabeled) versions only when asked for (DECISIONS 4). */
export function listVersions(secret: Secret, includeDeprecated: boolean): SecretVersion[] {
  const labeled = new Set(secret.stages.values());
  return secret.versions.filter((v) => includeDeprecated || labeled.has(v.versionId)).reverse();
}

export interface PutVersionInput {
  readonly versionId: string;
  readonly dataType: SecretDataType;
  /** Labels for the new version; absent means "make it current". */
  readonly stages?: readonly string[] | undefined;
  readonly now: EpochMs;
}

export interface SecretChange {
  readonly secret: Secret;
  /** Version ids removed by the version cap; their ciphertext goes in the same transaction. */
  readonly evicted: readonly string[];
}

/**
 * Adds a new version. The caller has already ruled out an existing version with this id (that path
 * is the idempotent re-put or a conflict, decided by comparing values, which the model never sees).
 */
export function putVersion(
  secret: Secret,
  input: PutVersionInput,
  limits: SecretLimits = DEFAULT_SECRET_LIMITS,
): SecretChange {
  assertNotPendingDeletion(secret);
  validateVersionId(input.versionId);
  if (findVersion(secret, input.versionId)) {
    throw new DomainError('secret_version_conflict', `The version "${input.versionId}" already exists.`, {
      resource: input.versionId,
    });
  }
  const labels = input.stages ?? [STAGE_CURRENT];
  if (labels.length === 0)
    throw invalidArgument('versionStages', 'Name at least one stage for the new version.');
  for (const label of labels) validateStage(label, 'versionStages');
  assertDistinct(labels, 'versionStages');

  const stages = new Map(secret.stages);
  // The current → previous shift, unless the caller labels "previous" explicitly (explicit wins).
  const oldCurrent = stages.get(STAGE_CURRENT);
  if (labels.includes(STAGE_CURRENT) && oldCurrent !== undefined && !labels.includes(STAGE_PREVIOUS)) {
    stages.set(STAGE_PREVIOUS, oldCurrent);
  }
  for (const label of labels) stages.set(label, input.versionId);
  assertStageLimit(stages, limits);

  const versions = [
    ...secret.versions,
    { versionId: input.versionId, createdAt: input.now, dataType: input.dataType },
  ];
  return evictOverflow({ ...secret, versions, stages, updatedAt: input.now }, limits);
}

export interface UpdateStageInput {
  readonly stage: string;
  readonly moveToVersion?: string | undefined;
  readonly removeFromVersion?: string | undefined;
  readonly now: EpochMs;
}

/**
 * Moves, attaches or detaches one stage label (API spec §5 rule 7, DECISIONS 1 and 5). Moving the
 * current stage gives its old holder the previous stage, as PutSecretValue does.
 */
export function updateVersionStage(
  secret: Secret,
  input: UpdateStageInput,
  limits: SecretLimits = DEFAULT_SECRET_LIMITS,
): Secret {
  assertNotPendingDeletion(secret);
  const { stage, moveToVersion, removeFromVersion } = input;
  validateStage(stage, 'versionStage');
  if (moveToVersion === undefined && removeFromVersion === undefined) {
    throw new DomainError('missing_argument', 'Name the version to move the stage to or to remove it from.', {
      field: 'moveToVersion',
    });
  }
  if (isBuiltinStage(stage) && moveToVersion === undefined) {
    throw invalidArgument(
      'moveToVersion',
      'Built-in stages can only be moved to another version, never removed.',
    );
  }
  for (const versionId of [moveToVersion, removeFromVersion]) {
    if (versionId !== undefined && !findVersion(secret, versionId)) {
      throw new DomainError(
        'secret_version_not_found',
        `The secret "${secret.name}" has no version "${versionId}".`,
        { resource: versionId },
      );
    }
  }
  const holder = secret.stages.get(stage);
  if (removeFromVersion !== undefined && holder !== removeFromVersion) {
    throw invalidArgument(
      'removeFromVersion',
      `The version "${removeFromVersion}" does not carry this stage.`,
    );
  }

  // Moving a label to the version that already holds it changes nothing, not even the update time.
  if (moveToVersion !== undefined && holder === moveToVersion) return secret;
  const stages = new Map(secret.stages);
  if (moveToVersion === undefined) {
    stages.delete(stage);
  } else {
    if (stage === STAGE_CURRENT && holder !== undefined) {
      stages.set(STAGE_PREVIOUS, holder);
    }
    stages.set(stage, moveToVersion);
  }
  assertStageLimit(stages, limits);
  return { ...secret, stages, updatedAt: input.now };
}

function assertStageLimit(stages: ReadonlyMap<string, string>, limits: SecretLimits): void {
  if (stages.size > limits.maxStages) {
    throw new DomainError('limit_exceeded', `A secret uses at most ${limits.maxStages} stage labels.`, {
      field: 'versionStages',
    });
  }
}

/** Deletes the oldest unlabeled versions until the secret is back within its version cap. */
function evictOverflow(secret: Secret, limits: SecretLimits): SecretChange {
  const overflow = secret.versions.length - limits.maxVersions;
  if (overflow <= 0) return { secret, evicted: [] };
  const labeled = new Set(secret.stages.values());
  const evicted = secret.versions
    .filter((v) => !labeled.has(v.versionId))
    .slice(0, overflow)
    .map((v) => v.versionId);
  // Unreachable while maxStages <= maxVersions (the config enforces it); kept as a guard, not a path.
  if (evicted.length < overflow) {
    throw new DomainError('limit_exceeded', `Every version of the secret "${secret.name}" carries a stage.`);
  }
  const gone = new Set(evicted);
  return { secret: { ...secret, versions: secret.versions.filter((v) => !gone.has(v.versionId)) }, evicted };
}

/** Replaces the secret's ExtendedConfig (empty text clears it). */
export function updateExtendedConfig(secret: Secret, text: string, now: EpochMs): Secret {
  assertNotPendingDeletion(secret);
  if (text !== '') parseExtendedConfig(text);
  const extendedConfig = text === '' ? null : text;
  if (extendedConfig === secret.extendedConfig) return secret;
  return { ...secret, extendedConfig, updatedAt: now };
}

export function updateDescription(secret: Secret, description: string, now: EpochMs): Secret {
  assertNotPendingDeletion(secret);
  validateDescription(description);
  return { ...secret, description, updatedAt: now };
}

/** Adds tags, overwriting the value of a key that is already there. */
export function tagSecret(
  secret: Secret,
  tags: readonly Tag[],
  now: EpochMs,
  limits: SecretLimits = DEFAULT_SECRET_LIMITS,
): Secret {
  assertNotPendingDeletion(secret);
  return { ...secret, tags: mergeTags(secret.tags, tags, limits), updatedAt: now };
}

/** Removes tags by key; keys the secret does not carry are ignored. */
export function untagSecret(secret: Secret, keys: readonly string[], now: EpochMs): Secret {
  assertNotPendingDeletion(secret);
  keys.forEach(validateTagKey);
  const drop = new Set(keys);
  return { ...secret, tags: secret.tags.filter((t) => !drop.has(t.key)), updatedAt: now };
}

export function mergeTags(existing: readonly Tag[], added: readonly Tag[], limits: SecretLimits): Tag[] {
  added.forEach(validateTag);
  assertDistinct(
    added.map((t) => t.key),
    'tags',
  );
  const byKey = new Map(existing.map((t) => [t.key, t.value]));
  for (const tag of added) byKey.set(tag.key, tag.value);
  if (byKey.size > limits.maxTags) {
    throw new DomainError('limit_exceeded', `A resource carries at most ${limits.maxTags} tags.`, {
      field: 'tags',
    });
  }
  return [...byKey].map(([key, value]) => ({ key, value }));
}

export type DeletionOutcome =
  | { readonly kind: 'scheduled'; readonly secret: Secret }
  | { readonly kind: 'destroyed'; readonly deletedAt: EpochMs };

export interface DeleteSecretInput {
  readonly recoveryWindowDays?: number | undefined;
  readonly force: boolean;
  readonly now: EpochMs;
}

/** Schedules deletion after a recovery window, or destroys at once when forced (DECISIONS 10, 11). */
export function deleteSecret(secret: Secret, input: DeleteSecretInput): DeletionOutcome {
  if (input.force) return { kind: 'destroyed', deletedAt: input.now };
  assertNotPendingDeletion(secret);
  const days = input.recoveryWindowDays ?? 30;
  validateRecoveryWindow(days);
  return {
    kind: 'scheduled',
    secret: { ...secret, plannedDeleteAt: input.now + days * DAY_MS, updatedAt: input.now },
  };
}

/** Brings a secret back from its recovery window; a secret not scheduled for deletion is unchanged (DECISIONS 12). */
export function restoreSecret(secret: Secret, now: EpochMs): Secret {
  if (secret.plannedDeleteAt === null) return secret;
  return { ...secret, plannedDeleteAt: null, updatedAt: now };
}

/** A secret whose recovery window has run out is gone, whether or not the sweeper has purged it yet. */
export function isExpired(secret: Secret, now: EpochMs): boolean {
  return secret.plannedDeleteAt !== null && secret.plannedDeleteAt <= now;
}

export function assertNotPendingDeletion(secret: Secret): void {
  if (secret.plannedDeleteAt !== null) {
    throw new DomainError(
      'secret_pending_deletion',
      `The secret "${secret.name}" is scheduled for deletion.`,
      {
        resource: secret.name,
      },
    );
  }
}
