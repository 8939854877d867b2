/**
 * From a parsed AWS input to what the services take: the rules AWS checks beyond its model (value
 * given once, deletion options, stage moves, BatchGetSecretValue's ids or filters, the paging token),
 * each answering with AWS's code and wording. Pure: no service is called here.
 */
import type { RotationRules } from '../../domain/rotation-schedule.js';
import { parseRotationRules } from '../../domain/rotation-schedule.js';
import type { SecretFilter, SecretFilterKey } from '../../domain/secret-filters.js';
import { STAGE_CURRENT } from '../../domain/secret.js';
import type { SecretDataType } from '../../domain/validation.js';
import type { PasswordRequest } from '../../services/password-service.js';
import { AWS_PASSWORD_LENGTH_BOUNDS } from '../../services/password-service.js';
import { stageFromWire } from './codec.js';
import { AwsError, invalidParameter } from './errors.js';
import type { AwsInput } from './operations.js';

export interface SecretValueInput {
  readonly SecretString?: string | undefined;
  readonly SecretBinary?: Buffer | undefined;
}

/** The value a request carries, as the model stores it (binary as base64 text), or undefined. */
export function secretValueOf(
  input: SecretValueInput,
): { data: string; dataType: SecretDataType } | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined)
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  if (input.SecretString !== undefined) return { data: input.SecretString, dataType: 'text' };
  if (input.SecretBinary !== undefined)
    return { data: input.SecretBinary.toString('base64'), dataType: 'binary' };
  return undefined;
}

export type DeletionRequest =
  { readonly kind: 'force' } | { readonly kind: 'scheduled'; readonly recoveryWindowInDays: number };

/** RecoveryWindowInDays 7–30 (default 30) or ForceDeleteWithoutRecovery, never both. */
export function deletionOf(input: AwsInput<'DeleteSecret'>): DeletionRequest {
  const { RecoveryWindowInDays: days, ForceDeleteWithoutRecovery: force } = input;
  if (force === true && days !== undefined)
    throw invalidParameter(
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
  if (force === true) return { kind: 'force' };
  const window = days ?? 30;
  if (window < 7 || window > 30)
    throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  return { kind: 'scheduled', recoveryWindowInDays: window };
}

export interface VersionChoice {
  readonly versionId?: string | undefined;
  /** The model's label; `$current` when the request names neither id nor stage. */
  readonly stage?: string | undefined;
}

/** GetSecretValue's VersionId and/or VersionStage; both must then name the same version. */
export function versionChoiceOf(input: {
  VersionId?: string | undefined;
  VersionStage?: string | undefined;
}): VersionChoice {
  if (input.VersionId === undefined && input.VersionStage === undefined) return { stage: STAGE_CURRENT };
  return {
    versionId: input.VersionId,
    stage: input.VersionStage === undefined ? undefined : stageFromWire(input.VersionStage),
  };
}

/** PutSecretValue's VersionStages in the model's spelling (default: `$current`). */
export function versionStagesOf(labels: readonly string[] | undefined): string[] {
  if (labels === undefined) return [STAGE_CURRENT];
  const translated = labels.map((label) => stageFromWire(label, 'VersionStages'));
  if (new Set(translated).size !== translated.length)
    throw invalidParameter('VersionStages lists a label twice.');
  return translated;
}

export interface StageMove {
  readonly stage: string;
  readonly moveToVersionId?: string | undefined;
  readonly removeFromVersionId?: string | undefined;
}

export function stageMoveOf(input: AwsInput<'UpdateSecretVersionStage'>): StageMove {
  if (input.MoveToVersionId === undefined && input.RemoveFromVersionId === undefined)
    throw invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId, or both.');
  return {
    stage: stageFromWire(input.VersionStage),
    moveToVersionId: input.MoveToVersionId,
    removeFromVersionId: input.RemoveFromVersionId,
  };
}

/** Wire filters as the domain matcher takes them; a filter must name its key. */
export function filtersOf(
  filters: readonly { Key?: SecretFilterKey | undefined; Values?: string[] | undefined }[] | undefined,
): SecretFilter[] {
  return (filters ?? []).map((filter) => {
    if (filter.Key === undefined) throw invalidParameter('A filter needs a Key.');
    if (filter.Values === undefined || filter.Values.length === 0)
      throw invalidParameter(`The filter "${filter.Key}" needs at least one value.`);
    return { key: filter.Key, values: filter.Values };
  });
}

export type BatchSelection =
  | { readonly kind: 'ids'; readonly secretIds: readonly string[] }
  | { readonly kind: 'filters'; readonly filters: readonly SecretFilter[] };

/** BatchGetSecretValue takes SecretIdList or Filters, exactly one of them. */
export function batchSelectionOf(input: AwsInput<'BatchGetSecretValue'>): BatchSelection {
  const hasIds = input.SecretIdList !== undefined;
  const hasFilters = input.Filters !== undefined;
  if (hasIds === hasFilters)
    throw invalidParameter('Either SecretIdList or Filters must be specified, but not both.');
  if (hasIds && input.MaxResults !== undefined)
    throw invalidParameter('MaxResults is only valid with Filters, not with SecretIdList.');
  return input.SecretIdList !== undefined
    ? { kind: 'ids', secretIds: input.SecretIdList }
    : { kind: 'filters', filters: filtersOf(input.Filters) };
}

/** GetRandomPassword's parameters, with AWS's length range (1–4096, default 32). */
export function passwordRequestOf(input: AwsInput<'GetRandomPassword'>): PasswordRequest {
  const exclude = (
    [
      ['numbers', input.ExcludeNumbers],
      ['punctuation', input.ExcludePunctuation],
      ['uppercase', input.ExcludeUppercase],
      ['lowercase', input.ExcludeLowercase],
    ] as const
  )
    .filter(([, excluded]) => excluded === true)
    .map(([name]) => name);
  return {
    length: input.PasswordLength ?? 32,
    exclude,
    excludeCharacters: input.ExcludeCharacters ?? '',
    includeSpace: input.IncludeSpace ?? false,
    requireEachIncludedType: input.RequireEachIncludedType ?? true,
    lengthBounds: AWS_PASSWORD_LENGTH_BOUNDS,
  };
}

export interface RotationRequest {
  readonly rules: RotationRules | undefined;
  /** The rotator the request names (a webhook by name), when it names one. */
  readonly rotatorName: string | undefined;
  readonly rotateImmediately: boolean;
}

/**
 * RotateSecret's rules and rotator. `RotationLambdaARN` names a rotator registered with Tessera: its
 * name, or a Lambda-style ARN whose function name is the rotator's name.
 */
export function rotationRequestOf(input: AwsInput<'RotateSecret'>): RotationRequest {
  const rules = input.RotationRules;
  return {
    rules:
      rules === undefined
        ? undefined
        : parseRotationRules({
            automaticallyAfterDays: rules.AutomaticallyAfterDays,
            scheduleExpression: rules.ScheduleExpression,
            duration: rules.Duration,
          }),
    rotatorName: rotatorNameOf(input.RotationLambdaARN),
    rotateImmediately: input.RotateImmediately ?? true,
  };
}

export function rotatorNameOf(arn: string | undefined): string | undefined {
  if (arn === undefined || arn === '') return undefined;
  const lambda = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(arn);
  if (lambda) return lambda[1];
  if (arn.startsWith('arn:')) throw invalidParameter(`RotationLambdaARN "${arn}" is not a function ARN.`);
  return arn;
}

/**
 * Paging tokens: opaque to clients, the position after the last item of a page (a name or version id).
 * A token that does not decode is AWS's InvalidNextTokenException.
 */
export function encodeNextToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

export function decodeNextToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { after?: unknown }).after === 'string'
    )
      return (parsed as { after: string }).after;
  } catch {
    // Falls through to the error below.
  }
  throw new AwsError(400, 'InvalidNextTokenException', 'The NextToken value is invalid.');
}
