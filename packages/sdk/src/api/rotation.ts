/**
 * Rotation actions (docs/rotation.md): RotateSecret and UpdateSecretRotationPolicy, and
 * Tessera's own actions that register rotation webhooks.
 */
import type { WireParams } from '../wire.js';
import { params } from '../wire.js';
import type { ApiResponse } from './common.js';

export interface RotateSecretRequest {
  secretName: string;
  /** The new version's id, and the idempotency token: the same id again starts no second run. */
  versionId: string;
}

export interface RotateSecretResponse extends ApiResponse {
  arn: string;
  secretName: string;
  versionId: string;
}

export interface UpdateSecretRotationPolicyRequest {
  secretName: string;
  enableAutomaticRotation: boolean;
  /** `integer[dhms]` from 6h to 8760h, e.g. `30d`; required when enabling for the first time. */
  rotationInterval?: string | undefined;
}

export interface CreateRotationWebhookRequest {
  webhookName: string;
  url: string;
  /** 1 to 60; default 10. */
  timeoutSeconds?: number | undefined;
}

export interface RotationWebhook {
  webhookName: string;
  url: string;
  timeoutSeconds: number;
  createTime: string;
}

export interface CreateRotationWebhookResponse extends ApiResponse, RotationWebhook {
  /** Base64 HMAC key the receiver verifies signatures with; shown this once. */
  signingKey: string;
}

export interface ListRotationWebhooksResponse extends ApiResponse {
  rotationWebhooks: RotationWebhook[];
}

export interface DeleteRotationWebhookRequest {
  webhookName: string;
}

export const rotationParams = {
  rotateSecret: (r: RotateSecretRequest): WireParams =>
    params({ SecretName: r.secretName, VersionId: r.versionId }),
  updateSecretRotationPolicy: (r: UpdateSecretRotationPolicyRequest): WireParams =>
    params({
      SecretName: r.secretName,
      EnableAutomaticRotation: r.enableAutomaticRotation,
      RotationInterval: r.rotationInterval,
    }),
  createRotationWebhook: (r: CreateRotationWebhookRequest): WireParams =>
    params({ WebhookName: r.webhookName, Url: r.url, TimeoutSeconds: r.timeoutSeconds }),
  deleteRotationWebhook: (r: DeleteRotationWebhookRequest): WireParams =>
    params({ WebhookName: r.webhookName }),
};
