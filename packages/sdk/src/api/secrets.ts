/**
 * Secret actions: requests, answers, and each request's wire parameters.
 * Field names follow the rule in `wire.ts` (the wire name, lower-camel-cased; list wrappers removed).
 */
import type { WireParams } from '../wire.js';
import { json, params } from '../wire.js';
import type { ApiResponse, Filter, Page, PageRequest, Tag } from './common.js';
import { filtersJson, tagsJson } from './common.js';

/** `text` (default) or `binary` (conventionally base64, returned exactly as stored). */
export type SecretDataType = 'text' | 'binary';

export interface CreateSecretRequest {
  secretName: string;
  versionId: string;
  secretData: string;
  secretDataType?: SecretDataType | undefined;
  /** A customer master key id, alias or ARN; the service key protects the secret when absent. */
  encryptionKeyId?: string | undefined;
  description?: string | undefined;
  tags?: Tag[] | undefined;
  /** `Generic` (default; the only type Tessera accepts until managed rotation arrives). */
  secretType?: string | undefined;
  dkmsInstanceId?: string | undefined;
  /** A resource policy document (JSON text) to attach as the `default` policy. */
  policy?: string | undefined;
  /** JSON object text; `{"RotationWebhook":"<name>"}` binds a Generic secret to a rotation webhook. */
  extendedConfig?: string | undefined;
  enableAutomaticRotation?: boolean | undefined;
  /** `integer[dhms]`, 6h to 8760h; required with `enableAutomaticRotation`. */
  rotationInterval?: string | undefined;
}

export interface CreateSecretResponse extends ApiResponse {
  arn: string;
  secretName: string;
  versionId: string;
  secretType?: string;
  dkmsInstanceId?: string;
}

export interface GetSecretValueRequest {
  secretName: string;
  /** Default `ACSCurrent`. With `versionId` too, the version must carry this stage. */
  versionStage?: string | undefined;
  versionId?: string | undefined;
  fetchExtendedConfig?: boolean | undefined;
  dryRun?: boolean | undefined;
}

/** One version's value, as GetSecretValue and BatchGetSecretValue return it. */
export interface SecretValue {
  secretName: string;
  versionId: string;
  createTime: string;
  secretData: string;
  secretDataType: SecretDataType;
  secretType?: string;
  versionStages: string[];
  extendedConfig?: string;
  automaticRotation?: string;
  rotationInterval?: string;
  nextRotationDate?: string;
  lastRotationDate?: string;
}

export interface GetSecretValueResponse extends ApiResponse, SecretValue {}

export interface BatchGetSecretValueRequest {
  /** Up to 20 reads; each succeeds or fails on its own. */
  secretsList: {
    secretName: string;
    versionStage?: string | undefined;
    versionId?: string | undefined;
    fetchExtendedConfig?: boolean | undefined;
  }[];
}

export interface BatchGetSecretValueResponse extends ApiResponse {
  secretValues: SecretValue[];
  errors: { secretName: string; code: string; message: string; httpStatus: number }[];
}

export interface PutSecretValueRequest {
  secretName: string;
  versionId: string;
  secretData: string;
  secretDataType?: SecretDataType | undefined;
  /** Labels for the new version. Default `['ACSCurrent']` (the old current becomes `ACSPrevious`). */
  versionStages?: string[] | undefined;
}

export interface PutSecretValueResponse extends ApiResponse {
  secretName: string;
  versionId: string;
  versionStages: string[];
}

export interface UpdateSecretVersionStageRequest {
  secretName: string;
  versionStage: string;
  removeFromVersion?: string | undefined;
  /** Required for `ACSCurrent` and `ACSPrevious`, which can only be moved. */
  moveToVersion?: string | undefined;
}

export interface SecretNameResponse extends ApiResponse {
  secretName: string;
}

export interface DescribeSecretRequest {
  secretName: string;
  fetchTags?: boolean | undefined;
}

export interface DescribeSecretResponse extends ApiResponse {
  arn: string;
  secretName: string;
  secretType?: string;
  description?: string;
  encryptionKeyId?: string;
  createTime: string;
  updateTime: string;
  /** Only while the secret is pending deletion. */
  plannedDeleteTime?: string;
  dkmsInstanceId?: string;
  owingService?: string;
  /** Only with `fetchTags: true`. */
  tags?: Tag[];
  automaticRotation?: string;
  rotationInterval?: string;
  nextRotationDate?: string;
  lastRotationDate?: string;
  extendedConfig?: string;
  /** Tessera's extension: the last rotation run (`InProgress`, `Retrying`, `Succeeded`, `Failed`). */
  rotationStatus?: string;
  /** The step the run is at (`create`, `set`, `test`, `finish`). */
  rotationStep?: string;
  rotationAttempts?: number;
  rotationVersionId?: string;
  rotationStartDate?: string;
  rotationEndDate?: string;
  nextRotationAttemptDate?: string;
  /** What went wrong last, in words fit for users (never a value). */
  lastRotationError?: string;
  lastRotationErrorStep?: string;
}

export interface ListSecretsRequest extends PageRequest {
  fetchTags?: boolean | undefined;
  /** Keys `SecretName` (prefix match), `Description`, `TagKey`, `TagValue`, `SecretType`, … */
  filters?: Filter[] | undefined;
}

export interface SecretSummary {
  secretName: string;
  secretType?: string;
  createTime: string;
  updateTime: string;
  plannedDeleteTime?: string;
  owingService?: string;
  tags?: Tag[];
}

export interface ListSecretsResponse extends Page {
  secretList: SecretSummary[];
}

export interface ListSecretVersionIdsRequest extends PageRequest {
  secretName: string;
  /** Include versions without labels. Default false. */
  includeDeprecated?: boolean | undefined;
}

export interface SecretVersionSummary {
  versionId: string;
  createTime: string;
  versionStages: string[];
}

export interface ListSecretVersionIdsResponse extends Page {
  secretName: string;
  /** Newest first. */
  versionIds: SecretVersionSummary[];
}

export interface UpdateSecretRequest {
  secretName: string;
  description?: string | undefined;
  extendedConfig?: { customData?: string | undefined } | undefined;
  /** A whole ExtendedConfig document (JSON object text) for a Generic secret; empty clears it. */
  extendedConfigDocument?: string | undefined;
}

export interface DeleteSecretRequest {
  secretName: string;
  /** Destroy at once, unrecoverably. Default false. */
  forceDeleteWithoutRecovery?: boolean | undefined;
  /** 7–30, default 30. */
  recoveryWindowInDays?: number | undefined;
}

export interface DeleteSecretResponse extends ApiResponse {
  secretName: string;
  plannedDeleteTime: string;
}

export interface RestoreSecretRequest {
  secretName: string;
}

export interface GetRandomPasswordRequest {
  /** 8–128, default 32. */
  passwordLength?: number | undefined;
  excludeCharacters?: string | undefined;
  excludeLowercase?: boolean | undefined;
  excludeUppercase?: boolean | undefined;
  excludeNumbers?: boolean | undefined;
  excludePunctuation?: boolean | undefined;
  /** Default true. */
  requireEachIncludedType?: boolean | undefined;
}

export interface GetRandomPasswordResponse extends ApiResponse {
  randomPassword: string;
}

export interface GetSecretPolicyRequest {
  secretName: string;
  /** Only `default`. */
  policyName?: string | undefined;
}

export interface GetSecretPolicyResponse extends ApiResponse {
  /** The policy document as JSON text. */
  policy: string;
}

export interface SetSecretPolicyRequest {
  secretName: string;
  /** The policy document as JSON text (at most 32,768 bytes). */
  policy: string;
  policyName?: string | undefined;
}

export const secretParams = {
  createSecret: (r: CreateSecretRequest): WireParams =>
    params({
      SecretName: r.secretName,
      VersionId: r.versionId,
      SecretData: r.secretData,
      SecretDataType: r.secretDataType,
      EncryptionKeyId: r.encryptionKeyId,
      Description: r.description,
      Tags: tagsJson(r.tags),
      SecretType: r.secretType,
      DKMSInstanceId: r.dkmsInstanceId,
      Policy: r.policy,
      ExtendedConfig: r.extendedConfig,
      EnableAutomaticRotation: r.enableAutomaticRotation,
      RotationInterval: r.rotationInterval,
    }),
  getSecretValue: (r: GetSecretValueRequest): WireParams =>
    params({
      SecretName: r.secretName,
      VersionStage: r.versionStage,
      VersionId: r.versionId,
      FetchExtendedConfig: r.fetchExtendedConfig,
      DryRun: r.dryRun,
    }),
  batchGetSecretValue: (r: BatchGetSecretValueRequest): WireParams =>
    params({
      SecretsList: json(
        r.secretsList.map((item) => ({
          SecretName: item.secretName,
          VersionStage: item.versionStage,
          VersionId: item.versionId,
          FetchExtendedConfig: item.fetchExtendedConfig,
        })),
      ),
    }),
  putSecretValue: (r: PutSecretValueRequest): WireParams =>
    params({
      SecretName: r.secretName,
      VersionId: r.versionId,
      SecretData: r.secretData,
      SecretDataType: r.secretDataType,
      VersionStages: json(r.versionStages),
    }),
  updateSecretVersionStage: (r: UpdateSecretVersionStageRequest): WireParams =>
    params({
      SecretName: r.secretName,
      VersionStage: r.versionStage,
      RemoveFromVersion: r.removeFromVersion,
      MoveToVersion: r.moveToVersion,
    }),
  describeSecret: (r: DescribeSecretRequest): WireParams =>
    params({ SecretName: r.secretName, FetchTags: r.fetchTags }),
  listSecrets: (r: ListSecretsRequest): WireParams =>
    params({
      PageNumber: r.pageNumber,
      PageSize: r.pageSize,
      FetchTags: r.fetchTags,
      Filters: filtersJson(r.filters),
    }),
  listSecretVersionIds: (r: ListSecretVersionIdsRequest): WireParams =>
    params({
      SecretName: r.secretName,
      IncludeDeprecated: r.includeDeprecated,
      PageNumber: r.pageNumber,
      PageSize: r.pageSize,
    }),
  updateSecret: (r: UpdateSecretRequest): WireParams =>
    params({
      SecretName: r.secretName,
      Description: r.description,
      'ExtendedConfig.CustomData': r.extendedConfig?.customData,
      ExtendedConfig: r.extendedConfigDocument,
    }),
  deleteSecret: (r: DeleteSecretRequest): WireParams =>
    params({
      SecretName: r.secretName,
      ForceDeleteWithoutRecovery: r.forceDeleteWithoutRecovery,
      RecoveryWindowInDays: r.recoveryWindowInDays,
    }),
  restoreSecret: (r: RestoreSecretRequest): WireParams => params({ SecretName: r.secretName }),
  getRandomPassword: (r: GetRandomPasswordRequest): WireParams =>
    params({
      PasswordLength: r.passwordLength,
      ExcludeCharacters: r.excludeCharacters,
      ExcludeLowercase: r.excludeLowercase,
      ExcludeUppercase: r.excludeUppercase,
      ExcludeNumbers: r.excludeNumbers,
      ExcludePunctuation: r.excludePunctuation,
      RequireEachIncludedType: r.requireEachIncludedType,
    }),
  getSecretPolicy: (r: GetSecretPolicyRequest): WireParams =>
    params({ SecretName: r.secretName, PolicyName: r.policyName }),
  setSecretPolicy: (r: SetSecretPolicyRequest): WireParams =>
    params({ SecretName: r.secretName, Policy: r.policy, PolicyName: r.policyName }),
};
