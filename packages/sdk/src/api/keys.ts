/**
 * Customer master key, alias and cryptographic actions and DescribeRegions.
 * `keyId` accepts a key id, an alias (`alias/…`) or a key ARN wherever the API does.
 */
import type { WireParams } from '../wire.js';
import { json, params } from '../wire.js';
import type { ApiResponse, Filter, Page, PageRequest, Tag } from './common.js';
import { filtersJson, tagsJson } from './common.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';

export interface KeyMetadata {
  keyId: string;
  arn: string;
  creationDate: string;
  creator?: string;
  description?: string;
  keySpec?: string;
  keyState: KeyState;
  keyUsage?: string;
  origin?: string;
  protectionLevel?: string;
  primaryKeyVersion?: string;
  lastRotationDate?: string;
  automaticRotation?: string;
  rotationInterval?: string;
  nextRotationDate?: string;
  /** Only while the key is pending deletion. */
  deleteDate?: string;
  materialExpireTime?: string;
  deletionProtection?: string;
  deletionProtectionDescription?: string;
  dkmsInstanceId?: string;
}

export interface CreateKeyRequest {
  description?: string | undefined;
  keySpec?: string | undefined;
  keyUsage?: string | undefined;
  origin?: string | undefined;
  protectionLevel?: string | undefined;
  enableAutomaticRotation?: boolean | undefined;
  rotationInterval?: string | undefined;
  tags?: Tag[] | undefined;
  dkmsInstanceId?: string | undefined;
}

export interface KeyMetadataResponse extends ApiResponse {
  keyMetadata: KeyMetadata;
}

export interface KeyRequest {
  keyId: string;
}

export interface ListKeysRequest extends PageRequest {
  /** Keys `KeyState`, `KeySpec`, `KeyUsage`, `ProtectionLevel`, … */
  filters?: Filter[] | undefined;
}

export interface ListKeysResponse extends Page {
  keys: { keyId: string; keyArn: string }[];
}

export interface UpdateKeyDescriptionRequest {
  keyId: string;
  description: string;
}

export interface ScheduleKeyDeletionRequest {
  keyId: string;
  /** Days until the key is destroyed. */
  pendingWindowInDays: number;
}

export interface KeyVersion {
  keyId: string;
  keyVersionId: string;
  creationDate: string;
}

export interface CreateKeyVersionResponse extends ApiResponse {
  keyVersion: KeyVersion;
}

export interface DescribeKeyVersionRequest {
  keyId: string;
  keyVersionId: string;
}

export interface DescribeKeyVersionResponse extends ApiResponse {
  keyVersion: KeyVersion;
}

export interface ListKeyVersionsRequest extends PageRequest {
  keyId: string;
}

export interface ListKeyVersionsResponse extends Page {
  keyVersions: KeyVersion[];
}

/** String pairs bound to a ciphertext; Decrypt must present the same ones. */
export type EncryptionContext = Readonly<Record<string, string>>;

export interface EncryptRequest {
  keyId: string;
  /** Treated as an opaque string (conventionally base64) and returned byte-identical by Decrypt. */
  plaintext: string;
  encryptionContext?: EncryptionContext | undefined;
  dryRun?: boolean | undefined;
}

export interface EncryptResponse extends ApiResponse {
  ciphertextBlob: string;
  keyId: string;
  keyVersionId: string;
}

export interface DecryptRequest {
  ciphertextBlob: string;
  encryptionContext?: EncryptionContext | undefined;
  dryRun?: boolean | undefined;
}

export interface DecryptResponse extends ApiResponse {
  plaintext: string;
  keyId: string;
  keyVersionId: string;
}

export interface GenerateDataKeyRequest {
  keyId: string;
  /** `AES_256` (32 bytes, default) or `AES_128` (16 bytes). */
  keySpec?: 'AES_256' | 'AES_128' | undefined;
  /** 1–1024; wins over `keySpec`. */
  numberOfBytes?: number | undefined;
  encryptionContext?: EncryptionContext | undefined;
  dryRun?: boolean | undefined;
}

export interface GenerateDataKeyWithoutPlaintextResponse extends ApiResponse {
  /** The data key encrypted under the CMK. */
  ciphertextBlob: string;
  keyId: string;
  keyVersionId: string;
}

export interface GenerateDataKeyResponse extends GenerateDataKeyWithoutPlaintextResponse {
  /** The data key, base64. */
  plaintext: string;
}

export interface AliasRequest {
  /** `alias/` followed by 1–255 characters. */
  aliasName: string;
  keyId: string;
}

export interface DeleteAliasRequest {
  aliasName: string;
}

export interface Alias {
  aliasName: string;
  aliasArn: string;
  keyId: string;
}

export interface ListAliasesResponse extends Page {
  aliases: Alias[];
}

export interface ListAliasesByKeyIdRequest extends PageRequest {
  keyId: string;
}

/** DescribeRegions takes no parameters. */
export type DescribeRegionsRequest = Record<string, never>;

export interface DescribeRegionsResponse extends ApiResponse {
  regions: { regionId: string }[];
}

const contextJson = (context: EncryptionContext | undefined): string | undefined => json(context);

const dataKeyParams = (r: GenerateDataKeyRequest): WireParams =>
  params({
    KeyId: r.keyId,
    KeySpec: r.keySpec,
    NumberOfBytes: r.numberOfBytes,
    EncryptionContext: contextJson(r.encryptionContext),
    DryRun: r.dryRun,
  });

const paging = (r: PageRequest) => ({ PageNumber: r.pageNumber, PageSize: r.pageSize });

export const keyParams = {
  createKey: (r: CreateKeyRequest): WireParams =>
    params({
      Description: r.description,
      KeySpec: r.keySpec,
      KeyUsage: r.keyUsage,
      Origin: r.origin,
      ProtectionLevel: r.protectionLevel,
      EnableAutomaticRotation: r.enableAutomaticRotation,
      RotationInterval: r.rotationInterval,
      Tags: tagsJson(r.tags),
      DKMSInstanceId: r.dkmsInstanceId,
    }),
  key: (r: KeyRequest): WireParams => params({ KeyId: r.keyId }),
  listKeys: (r: ListKeysRequest): WireParams => params({ ...paging(r), Filters: filtersJson(r.filters) }),
  updateKeyDescription: (r: UpdateKeyDescriptionRequest): WireParams =>
    params({ KeyId: r.keyId, Description: r.description }),
  scheduleKeyDeletion: (r: ScheduleKeyDeletionRequest): WireParams =>
    params({ KeyId: r.keyId, PendingWindowInDays: r.pendingWindowInDays }),
  describeKeyVersion: (r: DescribeKeyVersionRequest): WireParams =>
    params({ KeyId: r.keyId, KeyVersionId: r.keyVersionId }),
  listKeyVersions: (r: ListKeyVersionsRequest): WireParams => params({ KeyId: r.keyId, ...paging(r) }),
  encrypt: (r: EncryptRequest): WireParams =>
    params({
      KeyId: r.keyId,
      Plaintext: r.plaintext,
      EncryptionContext: contextJson(r.encryptionContext),
      DryRun: r.dryRun,
    }),
  decrypt: (r: DecryptRequest): WireParams =>
    params({
      CiphertextBlob: r.ciphertextBlob,
      EncryptionContext: contextJson(r.encryptionContext),
      DryRun: r.dryRun,
    }),
  generateDataKey: dataKeyParams,
  alias: (r: AliasRequest): WireParams => params({ AliasName: r.aliasName, KeyId: r.keyId }),
  deleteAlias: (r: DeleteAliasRequest): WireParams => params({ AliasName: r.aliasName }),
  listAliases: (r: PageRequest): WireParams => params(paging(r)),
  listAliasesByKeyId: (r: ListAliasesByKeyIdRequest): WireParams => params({ KeyId: r.keyId, ...paging(r) }),
};
