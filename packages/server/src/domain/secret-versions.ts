/**
 * The version/stage rules of the secret model (docs/behaviour.md rules 1–7): which
 * version a read selects, how labels move when a version is added or a label is moved, and which
 * versions the version cap evicts. Pure functions from a secret to a new secret.
 *
 * Built-in stages are protocol-neutral here (`STAGE_CURRENT`, `STAGE_PREVIOUS`, `STAGE_PENDING`); the
 * `$` they start with is outside the custom-label alphabet, so a custom label can never collide with
 * them. Adapters map them to their wire names (Alibaba's `ACS…` labels, AWS's `AWS…` labels) and pass
 * custom labels through. The current and previous stages are permanent (moved, never removed); the
 * pending stage marks the version a rotation is moving to and is removed when the rotation ends.
 */
import { DomainError, invalidArgument } from './errors.js';
import type { Secret, SecretVersion } from './secret-types.js';
import type { EpochMs } from './time.js';
import { assertNotPendingDeletion } from './secret-lifecycle.js';
import type { SecretLimits } from './secret-limits.js';
import { DEFAULT_SECRET_LIMITS } from './secret-limits.js';
import type { SecretDataType } from './validation.js';
import { assertDistinct, validateCustomStage, validateVersionId } from './validation.js';

export const STAGE_CURRENT = '$current';
export const STAGE_PREVIOUS = '$previous';
/** The version a rotation is moving to, until it is promoted or the rotation fails. */
export const STAGE_PENDING = '$pending';

export function isBuiltinStage(label: string): boolean {
  return label === STAGE_CURRENT || label === STAGE_PREVIOUS || label === STAGE_PENDING;
}

/** Stages a secret always keeps once it has them: they can be moved, never removed. */
function isPermanentStage(label: string): boolean {
  return label === STAGE_CURRENT || label === STAGE_PREVIOUS;
}

function validateStage(label: string, field: string): void {
  if (!isBuiltinStage(label)) validateCustomStage(label, field);
}

/**
 * Values and stages of a managed secret (any type but Generic) are Tessera's own, written by its
 * rotation runs: a hand-written value would break the next rotation (docs/database-secrets.md).
 * `operation` names the refused operation in the message.
 */
export function assertHandWritable(secret: Secret, operation: string): void {
  if (secret.secretType !== 'Generic') {
    throw new DomainError(
      'unsupported_operation',
      `${operation} works on Generic secrets only; rotate a ${secret.secretType} secret with RotateSecret.`,
    );
  }
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
 * must carry the stage (docs/behaviour.md rule 6). Unknown ids and stages are not found (docs/behaviour.md rule 7).
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

/** Versions newest first; deprecated (unlabeled) versions only when asked for (docs/behaviour.md rule 4). */
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
 * Moves, attaches or detaches one stage label (docs/behaviour.md rules 1 and 5). Moving the
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
  if (isPermanentStage(stage) && moveToVersion === undefined) {
    throw invalidArgument(
      'moveToVersion',
      'The current and previous stages can only be moved to another version, never removed.',
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
