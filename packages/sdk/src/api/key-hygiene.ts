/**
 * Key hygiene: UpdateRotationPolicy (automatic key rotation), ReEncrypt, and Tessera's RewrapDataKeys
 * (the server's docs/crypto.md).
 */
import type { WireParams } from '../wire.js';
import { json, params } from '../wire.js';
import type { ApiResponse } from './common.js';
import type { EncryptionContext } from './keys.js';

export interface UpdateRotationPolicyRequest {
  keyId: string;
  enableAutomaticRotation: boolean;
  /** `integer[unit]`, unit d, h, m or s, 7d to 365d; required when enabling. */
  rotationInterval?: string | undefined;
}

export interface ReEncryptRequest {
  ciphertextBlob: string;
  destinationKeyId: string;
  sourceEncryptionContext?: EncryptionContext | undefined;
  destinationEncryptionContext?: EncryptionContext | undefined;
  /** When given, must be the key the ciphertext was made under. */
  sourceKeyId?: string | undefined;
  dryRun?: boolean | undefined;
}

export interface ReEncryptResponse extends ApiResponse {
  ciphertextBlob: string;
  keyId: string;
  keyVersionId: string;
  sourceKeyId: string;
  sourceKeyVersionId: string;
}

/** Counts of one re-wrap pass over every stored secret version. */
export interface RewrapDataKeysResponse extends ApiResponse {
  examined: number;
  rewrapped: number;
  /** Already under their key's newest version. */
  current: number;
  /** Under a disabled key or one pending deletion: left as they were. */
  skipped: number;
  failed: number;
}

export const keyHygieneParams = {
  updateRotationPolicy: (r: UpdateRotationPolicyRequest): WireParams =>
    params({
      KeyId: r.keyId,
      EnableAutomaticRotation: r.enableAutomaticRotation,
      RotationInterval: r.rotationInterval,
    }),
  reEncrypt: (r: ReEncryptRequest): WireParams =>
    params({
      CiphertextBlob: r.ciphertextBlob,
      DestinationKeyId: r.destinationKeyId,
      SourceEncryptionContext: json(r.sourceEncryptionContext),
      DestinationEncryptionContext: json(r.destinationEncryptionContext),
      SourceKeyId: r.sourceKeyId,
      DryRun: r.dryRun,
    }),
};
