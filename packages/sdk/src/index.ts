/**
 * @tessera/sdk — a typed client of the Tessera API (Alibaba Cloud KMS 2016-01-20, signed with
 * ACS3-HMAC-SHA256) and `SecretCache`, a rotation-aware caching reader for applications.
 *
 * This list is the package's whole public surface; everything else is internal.
 */
export { TesseraClient } from './client.js';
export type { CallOptions } from './client.js';
export type { CallParams, RetryEvent, TesseraClientOptions } from './transport.js';
export { ACTIONTRAIL_API_VERSION, API_VERSION } from './transport.js';

export { SecretCache, ACS_CURRENT, ACS_PREVIOUS } from './secret-cache.js';
export type { CachedSecret, CurrentAndPrevious, RefreshEvent, SecretCacheOptions } from './secret-cache.js';
export type { Clock } from './clock.js';

export {
  RETRYABLE_ERROR_CODES,
  TesseraApiError,
  TesseraConfigError,
  TesseraError,
  TesseraNetworkError,
  TesseraResponseError,
  TesseraTimeoutError,
  isRetryableError,
} from './errors.js';
export type { ApiErrorDetails } from './errors.js';

export type {
  AuditEvent,
  LookupEventsRequest,
  LookupEventsResponse,
  VerifyEventsResponse,
} from './api/audit.js';
export type { ApiResponse, Filter, Page, PageRequest, RequestOptions, Tag } from './api/common.js';
export { RAM_API_VERSION } from './api/ram.js';
export type { RamApi } from './api/ram.js';
export type {
  AccessKeyRequest,
  AccessKeyStatus,
  AccessKeySummary,
  AttachmentRequest,
  CreateAccessKeyResponse,
  CreatePolicyRequest,
  CreateUserRequest,
  DeleteAccessKeyRequest,
  GetPolicyResponse,
  ListAccessKeysResponse,
  ListPoliciesForUserResponse,
  ListPoliciesRequest,
  ListPoliciesResponse,
  ListUsersResponse,
  LoginProfile,
  LoginProfileRequest,
  LoginProfileResponse,
  ConsoleMfaResponse,
  MarkerPage,
  MarkerRequest,
  PolicyRefRequest,
  PolicyResponse,
  PolicyType,
  RamPolicy,
  RamUser,
  UpdateAccessKeyRequest,
  UpdateUserRequest,
  UserPolicy,
  UserProfile,
  UserResponse,
} from './api/ram.js';
export type {
  CreateRotationWebhookRequest,
  CreateRotationWebhookResponse,
  DeleteRotationWebhookRequest,
  ListRotationWebhooksResponse,
  RotateSecretRequest,
  RotateSecretResponse,
  RotationWebhook,
  UpdateSecretRotationPolicyRequest,
} from './api/rotation.js';
export type {
  DatabaseEngine,
  DatabaseInstance,
  DatabaseInstanceResponse,
  DatabaseTlsMode,
  DeregisterDatabaseInstanceResponse,
  ListDatabaseInstancesResponse,
  RegisterDatabaseInstanceRequest,
  UpdateDatabaseInstanceRequest,
} from './api/databases.js';
export type {
  BatchGetSecretValueRequest,
  BatchGetSecretValueResponse,
  CreateSecretRequest,
  CreateSecretResponse,
  DeleteSecretRequest,
  DeleteSecretResponse,
  DescribeSecretRequest,
  DescribeSecretResponse,
  GetRandomPasswordRequest,
  GetRandomPasswordResponse,
  GetSecretPolicyRequest,
  GetSecretPolicyResponse,
  GetSecretValueRequest,
  GetSecretValueResponse,
  ListSecretsRequest,
  ListSecretsResponse,
  ListSecretVersionIdsRequest,
  ListSecretVersionIdsResponse,
  PutSecretValueRequest,
  PutSecretValueResponse,
  RestoreSecretRequest,
  SecretDataType,
  SecretNameResponse,
  SecretSummary,
  SecretValue,
  SecretVersionSummary,
  SetSecretPolicyRequest,
  UpdateSecretRequest,
  UpdateSecretVersionStageRequest,
} from './api/secrets.js';
export type {
  Alias,
  AliasRequest,
  CreateKeyRequest,
  CreateKeyVersionResponse,
  DecryptRequest,
  DecryptResponse,
  DeleteAliasRequest,
  DescribeKeyVersionRequest,
  DescribeKeyVersionResponse,
  DescribeRegionsRequest,
  DescribeRegionsResponse,
  EncryptionContext,
  EncryptRequest,
  EncryptResponse,
  GenerateDataKeyRequest,
  GenerateDataKeyResponse,
  GenerateDataKeyWithoutPlaintextResponse,
  KeyMetadata,
  KeyMetadataResponse,
  KeyRequest,
  KeyState,
  KeyVersion,
  ListAliasesByKeyIdRequest,
  ListAliasesResponse,
  ListKeysRequest,
  ListKeysResponse,
  ListKeyVersionsRequest,
  ListKeyVersionsResponse,
  ScheduleKeyDeletionRequest,
  UpdateKeyDescriptionRequest,
} from './api/keys.js';
export type {
  ReEncryptRequest,
  ReEncryptResponse,
  RewrapDataKeysResponse,
  UpdateRotationPolicyRequest,
} from './api/key-hygiene.js';
export type {
  ListResourceTagsRequest,
  ListResourceTagsResponse,
  ListTagResourcesRequest,
  ListTagResourcesResponse,
  ResourceType,
  TaggedResource,
  TagPair,
  TagResourceItem,
  TagResourceRequest,
  TagResourcesRequest,
  UntagResourceRequest,
  UntagResourcesRequest,
} from './api/tags.js';
