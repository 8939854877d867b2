/**
 * `TesseraClient`: one typed method per API action, plus `call` for raw access. Typed methods take and
 * return camelCase shapes (see `wire.ts` for the naming rule); `call` takes and returns the wire's own
 * PascalCase shapes untouched.
 */
import type { LookupEventsRequest, LookupEventsResponse, VerifyEventsResponse } from './api/audit.js';
import { auditParams } from './api/audit.js';
import type { ApiResponse, PageRequest, RequestOptions } from './api/common.js';
import type {
  DatabaseInstanceResponse,
  DeregisterDatabaseInstanceResponse,
  ListDatabaseInstancesResponse,
  RegisterDatabaseInstanceRequest,
  UpdateDatabaseInstanceRequest,
} from './api/databases.js';
import { databaseParams } from './api/databases.js';
import type {
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
  EncryptRequest,
  EncryptResponse,
  GenerateDataKeyRequest,
  GenerateDataKeyResponse,
  GenerateDataKeyWithoutPlaintextResponse,
  KeyMetadataResponse,
  KeyRequest,
  ListAliasesByKeyIdRequest,
  ListAliasesResponse,
  ListKeysRequest,
  ListKeysResponse,
  ListKeyVersionsRequest,
  ListKeyVersionsResponse,
  ScheduleKeyDeletionRequest,
  UpdateKeyDescriptionRequest,
} from './api/keys.js';
import { keyParams } from './api/keys.js';
import type {
  ReEncryptRequest,
  ReEncryptResponse,
  RewrapDataKeysResponse,
  UpdateRotationPolicyRequest,
} from './api/key-hygiene.js';
import { keyHygieneParams } from './api/key-hygiene.js';
import { RAM_API_VERSION, RamApi } from './api/ram.js';
import type {
  CreateRotationWebhookRequest,
  CreateRotationWebhookResponse,
  DeleteRotationWebhookRequest,
  ListRotationWebhooksResponse,
  RotateSecretRequest,
  RotateSecretResponse,
  UpdateSecretRotationPolicyRequest,
} from './api/rotation.js';
import { rotationParams } from './api/rotation.js';
import type {
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
  SecretNameResponse,
  SetSecretPolicyRequest,
  UpdateSecretRequest,
  UpdateSecretVersionStageRequest,
} from './api/secrets.js';
import { secretParams } from './api/secrets.js';
import type {
  ListResourceTagsRequest,
  ListResourceTagsResponse,
  ListTagResourcesRequest,
  ListTagResourcesResponse,
  TagResourceRequest,
  TagResourcesRequest,
  UntagResourceRequest,
  UntagResourcesRequest,
} from './api/tags.js';
import { tagParams } from './api/tags.js';
import type { CallParams, TesseraClientOptions } from './transport.js';
import { ACTIONTRAIL_API_VERSION, API_VERSION, Transport } from './transport.js';
import type { WireParams } from './wire.js';
import { fromWire, params } from './wire.js';

/**
 * A client of the Tessera API (Alibaba Cloud KMS 2016-01-20). Every request is signed with
 * ACS3-HMAC-SHA256; transient failures (`Rejected.Throttling`, `ServiceUnavailableTemporary`,
 * `InternalFailure`, network errors, timeouts) are retried with full-jitter backoff; anything else
 * is thrown at once as a `TesseraApiError`.
 *
 * Settings come from the options, else from `TESSERA_ENDPOINT`, `ALIBABA_CLOUD_ACCESS_KEY_ID` and
 * `ALIBABA_CLOUD_ACCESS_KEY_SECRET`; the constructor throws `TesseraConfigError` naming what is missing.
 */
/** `call`'s options: the per-call overrides, and the API version to name. */
export interface CallOptions extends RequestOptions {
  /** Default `API_VERSION` (KMS 2016-01-20); `ACTIONTRAIL_API_VERSION` for the audit actions. */
  readonly apiVersion?: string | undefined;
}

export class TesseraClient {
  readonly #transport: Transport;
  /** Users, access keys and policies (RAM 2015-05-01; each action needs its ram:<Action> permission). */
  readonly ram: RamApi;

  constructor(options: TesseraClientOptions = {}) {
    this.#transport = new Transport(options);
    this.ram = new RamApi((action, wire, options) =>
      this.#transport.send(action, wire, options, RAM_API_VERSION),
    );
  }

  /** The server's origin this client talks to. */
  get endpoint(): string {
    return this.#transport.origin;
  }

  /**
   * Calls any action by name with wire parameters, and resolves to the answer's JSON exactly as sent
   * (PascalCase, list wrappers kept). For actions without a typed method.
   */
  async call(
    action: string,
    parameters: CallParams = {},
    options?: CallOptions,
  ): Promise<Record<string, unknown>> {
    return this.#transport.send(action, params(parameters), options, options?.apiVersion ?? API_VERSION);
  }

  async #invoke<T>(
    action: string,
    wire: WireParams,
    options: RequestOptions | undefined,
    version: string = API_VERSION,
  ): Promise<T> {
    return fromWire(await this.#transport.send(action, wire, options, version)) as T;
  }

  // Database instances (Tessera extension): where managed database secrets (SecretType=Rds) rotate

  /** Registers a PostgreSQL or MySQL/MariaDB instance; its administrator secret must exist. */
  registerDatabaseInstance(
    request: RegisterDatabaseInstanceRequest,
    options?: RequestOptions,
  ): Promise<DatabaseInstanceResponse> {
    return this.#invoke('RegisterDatabaseInstance', databaseParams.register(request), options);
  }

  describeDatabaseInstance(
    dbInstanceId: string,
    options?: RequestOptions,
  ): Promise<DatabaseInstanceResponse> {
    return this.#invoke('DescribeDatabaseInstance', databaseParams.byId(dbInstanceId), options);
  }

  /** One page of registered instances, ordered by id. */
  listDatabaseInstances(
    request: PageRequest = {},
    options?: RequestOptions,
  ): Promise<ListDatabaseInstancesResponse> {
    return this.#invoke('ListDatabaseInstances', databaseParams.list(request), options);
  }

  /** Changes address, TLS, administrator secret or description; the engine is fixed. */
  updateDatabaseInstance(
    request: UpdateDatabaseInstanceRequest,
    options?: RequestOptions,
  ): Promise<DatabaseInstanceResponse> {
    return this.#invoke('UpdateDatabaseInstance', databaseParams.update(request), options);
  }

  /** Refused (Rejected.ResourceInUse) while Rds secrets name the instance. */
  deregisterDatabaseInstance(
    dbInstanceId: string,
    options?: RequestOptions,
  ): Promise<DeregisterDatabaseInstanceResponse> {
    return this.#invoke('DeregisterDatabaseInstance', databaseParams.byId(dbInstanceId), options);
  }

  // Audit trail (ActionTrail-style, version 2020-07-06; administrator only)

  /** One page of audit events, newest first, filtered by time, action, user or resource. */
  lookupEvents(request: LookupEventsRequest = {}, options?: RequestOptions): Promise<LookupEventsResponse> {
    return this.#invoke('LookupEvents', auditParams.lookupEvents(request), options, ACTIONTRAIL_API_VERSION);
  }

  /** Checks the audit trail's hash chain on the server and names the first broken event. */
  verifyEvents(options?: RequestOptions): Promise<VerifyEventsResponse> {
    return this.#invoke('VerifyEvents', {}, options, ACTIONTRAIL_API_VERSION);
  }

  // Secrets

  /** Creates a secret with its first version, labelled `ACSCurrent`. */
  createSecret(request: CreateSecretRequest, options?: RequestOptions): Promise<CreateSecretResponse> {
    return this.#invoke('CreateSecret', secretParams.createSecret(request), options);
  }

  /** Reads a version's value: `ACSCurrent` by default, or by `versionStage` and/or `versionId`. */
  getSecretValue(request: GetSecretValueRequest, options?: RequestOptions): Promise<GetSecretValueResponse> {
    return this.#invoke('GetSecretValue', secretParams.getSecretValue(request), options);
  }

  /** Reads up to 20 values in one call; each read succeeds or fails on its own. */
  batchGetSecretValue(
    request: BatchGetSecretValueRequest,
    options?: RequestOptions,
  ): Promise<BatchGetSecretValueResponse> {
    return this.#invoke('BatchGetSecretValue', secretParams.batchGetSecretValue(request), options);
  }

  /** Stores a new version (write-once per version id; repeating the same value is a no-op). */
  putSecretValue(request: PutSecretValueRequest, options?: RequestOptions): Promise<PutSecretValueResponse> {
    return this.#invoke('PutSecretValue', secretParams.putSecretValue(request), options);
  }

  /** Moves, attaches or removes a stage label. Moving `ACSCurrent` gives the old holder `ACSPrevious`. */
  updateSecretVersionStage(
    request: UpdateSecretVersionStageRequest,
    options?: RequestOptions,
  ): Promise<SecretNameResponse> {
    return this.#invoke('UpdateSecretVersionStage', secretParams.updateSecretVersionStage(request), options);
  }

  /** A secret's metadata (never its value). */
  describeSecret(request: DescribeSecretRequest, options?: RequestOptions): Promise<DescribeSecretResponse> {
    return this.#invoke('DescribeSecret', secretParams.describeSecret(request), options);
  }

  /** One page of secrets, optionally filtered. */
  listSecrets(request: ListSecretsRequest = {}, options?: RequestOptions): Promise<ListSecretsResponse> {
    return this.#invoke('ListSecrets', secretParams.listSecrets(request), options);
  }

  /** One page of a secret's versions and their labels (newest first), without values. */
  listSecretVersionIds(
    request: ListSecretVersionIdsRequest,
    options?: RequestOptions,
  ): Promise<ListSecretVersionIdsResponse> {
    return this.#invoke('ListSecretVersionIds', secretParams.listSecretVersionIds(request), options);
  }

  /** Changes a secret's description. */
  updateSecret(request: UpdateSecretRequest, options?: RequestOptions): Promise<SecretNameResponse> {
    return this.#invoke('UpdateSecret', secretParams.updateSecret(request), options);
  }

  // Rotation

  /** Starts a rotation run (create, set, test, finish) of a secret a rotator serves; returns at once. */
  rotateSecret(request: RotateSecretRequest, options?: RequestOptions): Promise<RotateSecretResponse> {
    return this.#invoke('RotateSecret', rotationParams.rotateSecret(request), options);
  }

  /** Turns automatic rotation on (with an interval such as `30d`) or off. */
  updateSecretRotationPolicy(
    request: UpdateSecretRotationPolicyRequest,
    options?: RequestOptions,
  ): Promise<SecretNameResponse> {
    return this.#invoke(
      'UpdateSecretRotationPolicy',
      rotationParams.updateSecretRotationPolicy(request),
      options,
    );
  }

  /** Registers a rotation webhook (Tessera extension); the answer carries its signing key, once. */
  createRotationWebhook(
    request: CreateRotationWebhookRequest,
    options?: RequestOptions,
  ): Promise<CreateRotationWebhookResponse> {
    return this.#invoke('CreateRotationWebhook', rotationParams.createRotationWebhook(request), options);
  }

  listRotationWebhooks(options?: RequestOptions): Promise<ListRotationWebhooksResponse> {
    return this.#invoke('ListRotationWebhooks', {}, options);
  }

  deleteRotationWebhook(
    request: DeleteRotationWebhookRequest,
    options?: RequestOptions,
  ): Promise<ApiResponse> {
    return this.#invoke('DeleteRotationWebhook', rotationParams.deleteRotationWebhook(request), options);
  }

  /** Schedules deletion after a recovery window (default 30 days), or destroys at once when forced. */
  deleteSecret(request: DeleteSecretRequest, options?: RequestOptions): Promise<DeleteSecretResponse> {
    return this.#invoke('DeleteSecret', secretParams.deleteSecret(request), options);
  }

  /** Cancels a scheduled deletion. */
  restoreSecret(request: RestoreSecretRequest, options?: RequestOptions): Promise<SecretNameResponse> {
    return this.#invoke('RestoreSecret', secretParams.restoreSecret(request), options);
  }

  /** A random password from the server's CSPRNG. */
  getRandomPassword(
    request: GetRandomPasswordRequest = {},
    options?: RequestOptions,
  ): Promise<GetRandomPasswordResponse> {
    return this.#invoke('GetRandomPassword', secretParams.getRandomPassword(request), options);
  }

  /** A secret's resource policy, as JSON text. */
  getSecretPolicy(
    request: GetSecretPolicyRequest,
    options?: RequestOptions,
  ): Promise<GetSecretPolicyResponse> {
    return this.#invoke('GetSecretPolicy', secretParams.getSecretPolicy(request), options);
  }

  /** Replaces a secret's resource policy. */
  setSecretPolicy(request: SetSecretPolicyRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('SetSecretPolicy', secretParams.setSecretPolicy(request), options);
  }

  // Tags

  /** Adds or overwrites tags on one secret or key. */
  tagResource(request: TagResourceRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('TagResource', tagParams.tagResource(request), options);
  }

  /** Removes tags (by key) from one secret or key; absent keys are ignored. */
  untagResource(request: UntagResourceRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('UntagResource', tagParams.untagResource(request), options);
  }

  /** A key's tags. */
  listResourceTags(
    request: ListResourceTagsRequest,
    options?: RequestOptions,
  ): Promise<ListResourceTagsResponse> {
    return this.#invoke('ListResourceTags', tagParams.listResourceTags(request), options);
  }

  /** Adds or overwrites tags on several secrets or keys. */
  tagResources(request: TagResourcesRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('TagResources', tagParams.tagResources(request, this.#transport.regionId), options);
  }

  /** Removes tags (by key, or all) from several secrets or keys. */
  untagResources(request: UntagResourcesRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke(
      'UntagResources',
      tagParams.untagResources(request, this.#transport.regionId),
      options,
    );
  }

  /** Tags of secrets or keys, one row per tag; page on with `nextToken`. */
  listTagResources(
    request: ListTagResourcesRequest,
    options?: RequestOptions,
  ): Promise<ListTagResourcesResponse> {
    return this.#invoke(
      'ListTagResources',
      tagParams.listTagResources(request, this.#transport.regionId),
      options,
    );
  }

  // Keys

  /** Creates a customer master key (symmetric, enabled). */
  createKey(request: CreateKeyRequest = {}, options?: RequestOptions): Promise<KeyMetadataResponse> {
    return this.#invoke('CreateKey', keyParams.createKey(request), options);
  }

  /** A key's metadata; `keyId` may be an id, alias or ARN. */
  describeKey(request: KeyRequest, options?: RequestOptions): Promise<KeyMetadataResponse> {
    return this.#invoke('DescribeKey', keyParams.key(request), options);
  }

  /** One page of keys. */
  listKeys(request: ListKeysRequest = {}, options?: RequestOptions): Promise<ListKeysResponse> {
    return this.#invoke('ListKeys', keyParams.listKeys(request), options);
  }

  /** Changes a key's description. */
  updateKeyDescription(request: UpdateKeyDescriptionRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('UpdateKeyDescription', keyParams.updateKeyDescription(request), options);
  }

  /** Enables a disabled key. */
  enableKey(request: KeyRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('EnableKey', keyParams.key(request), options);
  }

  /** Disables a key: it can no longer encrypt or decrypt, nor can the secrets under it be read. */
  disableKey(request: KeyRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('DisableKey', keyParams.key(request), options);
  }

  /** Schedules a key's destruction after `pendingWindowInDays`. */
  scheduleKeyDeletion(request: ScheduleKeyDeletionRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('ScheduleKeyDeletion', keyParams.scheduleKeyDeletion(request), options);
  }

  /** Cancels a scheduled key deletion; the key is enabled again. */
  cancelKeyDeletion(request: KeyRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('CancelKeyDeletion', keyParams.key(request), options);
  }

  /** Rotates a key: new material becomes primary; old versions still decrypt. */
  createKeyVersion(request: KeyRequest, options?: RequestOptions): Promise<CreateKeyVersionResponse> {
    return this.#invoke('CreateKeyVersion', keyParams.key(request), options);
  }

  /** Turns a key's automatic rotation on (with an interval, 7d–365d) or off. */
  updateRotationPolicy(request: UpdateRotationPolicyRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('UpdateRotationPolicy', keyHygieneParams.updateRotationPolicy(request), options);
  }

  /** Moves a ciphertext to another key or context; the plaintext never leaves the server. */
  reEncrypt(request: ReEncryptRequest, options?: RequestOptions): Promise<ReEncryptResponse> {
    return this.#invoke('ReEncrypt', keyHygieneParams.reEncrypt(request), options);
  }

  /**
   * Tessera extension: re-wraps every secret version's data key under its key's newest version, so
   * older key versions protect nothing stored.
   */
  rewrapDataKeys(options?: RequestOptions): Promise<RewrapDataKeysResponse> {
    return this.#invoke('RewrapDataKeys', params({}), options);
  }

  /** One version of a key. */
  describeKeyVersion(
    request: DescribeKeyVersionRequest,
    options?: RequestOptions,
  ): Promise<DescribeKeyVersionResponse> {
    return this.#invoke('DescribeKeyVersion', keyParams.describeKeyVersion(request), options);
  }

  /** One page of a key's versions. */
  listKeyVersions(
    request: ListKeyVersionsRequest,
    options?: RequestOptions,
  ): Promise<ListKeyVersionsResponse> {
    return this.#invoke('ListKeyVersions', keyParams.listKeyVersions(request), options);
  }

  /** Encrypts up to 6 KB under a key, bound to an optional encryption context. */
  encrypt(request: EncryptRequest, options?: RequestOptions): Promise<EncryptResponse> {
    return this.#invoke('Encrypt', keyParams.encrypt(request), options);
  }

  /** Decrypts a blob from Encrypt or GenerateDataKey (the blob names its key). */
  decrypt(request: DecryptRequest, options?: RequestOptions): Promise<DecryptResponse> {
    return this.#invoke('Decrypt', keyParams.decrypt(request), options);
  }

  /** A fresh data key, in plaintext (base64) and encrypted under the key. */
  generateDataKey(
    request: GenerateDataKeyRequest,
    options?: RequestOptions,
  ): Promise<GenerateDataKeyResponse> {
    return this.#invoke('GenerateDataKey', keyParams.generateDataKey(request), options);
  }

  /** A fresh data key, encrypted under the key only. */
  generateDataKeyWithoutPlaintext(
    request: GenerateDataKeyRequest,
    options?: RequestOptions,
  ): Promise<GenerateDataKeyWithoutPlaintextResponse> {
    return this.#invoke('GenerateDataKeyWithoutPlaintext', keyParams.generateDataKey(request), options);
  }

  // Aliases and regions

  /** Binds a new alias (`alias/…`) to a key. */
  createAlias(request: AliasRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('CreateAlias', keyParams.alias(request), options);
  }

  /** Rebinds an alias to another key. */
  updateAlias(request: AliasRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('UpdateAlias', keyParams.alias(request), options);
  }

  /** Deletes an alias (the key stays). */
  deleteAlias(request: DeleteAliasRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('DeleteAlias', keyParams.deleteAlias(request), options);
  }

  /** One page of aliases. */
  listAliases(request: PageRequest = {}, options?: RequestOptions): Promise<ListAliasesResponse> {
    return this.#invoke('ListAliases', keyParams.listAliases(request), options);
  }

  /** One page of the aliases bound to a key. */
  listAliasesByKeyId(
    request: ListAliasesByKeyIdRequest,
    options?: RequestOptions,
  ): Promise<ListAliasesResponse> {
    return this.#invoke('ListAliasesByKeyId', keyParams.listAliasesByKeyId(request), options);
  }

  /** The regions this endpoint serves (Tessera: its one configured region). */
  describeRegions(
    request: DescribeRegionsRequest = {},
    options?: RequestOptions,
  ): Promise<DescribeRegionsResponse> {
    return this.#invoke('DescribeRegions', params(request), options);
  }
}
