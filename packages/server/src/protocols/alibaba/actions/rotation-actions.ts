/**
 * Rotation actions (docs/rotation.md): RotateSecret, UpdateSecretRotationPolicy, and
 * Tessera's own actions that register rotation webhooks. Also the rotation fields other secret answers
 * carry.
 */
import type { RotationPolicy, RotationRun } from '../../../domain/rotation.js';
import { formatRotationInterval, parseRotationInterval } from '../../../domain/rotation.js';
import type { RotationView } from '../../../services/rotation/rotation-service.js';
import type { RotationWebhook } from '../../../services/rotation/webhook-service.js';
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { secretArn, secretNameOf, timestamp, wrapped } from '../codec.js';
import { missingParameter } from '../errors.js';
import type { Params } from '../params.js';

/** `RotationInterval` in seconds, when given. */
export function rotationIntervalOf(params: Params): number | undefined {
  const raw = params.optional('RotationInterval');
  return raw === undefined ? undefined : parseRotationInterval(raw);
}

/** The documented rotation fields of DescribeSecret, GetSecretValue and CreateSecret. */
export function rotationFields(rotatable: boolean, policy: RotationPolicy | undefined): WireBody {
  if (!rotatable && policy === undefined) return {};
  return {
    AutomaticRotation: !rotatable ? 'Invalid' : policy?.enabled === true ? 'Enabled' : 'Disabled',
    RotationInterval:
      policy?.intervalSeconds == null ? undefined : formatRotationInterval(policy.intervalSeconds),
    NextRotationDate: policy?.nextRotationAt == null ? undefined : timestamp(policy.nextRotationAt),
    LastRotationDate: policy?.lastRotationAt == null ? undefined : timestamp(policy.lastRotationAt),
  };
}

const RUN_STATUS_NAMES = { in_progress: 'InProgress', succeeded: 'Succeeded', failed: 'Failed' } as const;

/**
 * Tessera's extension of DescribeSecret: the last run. Alibaba's answer has no such fields; the names
 * all start with `Rotation` or `LastRotation` and none is one Alibaba documents (docs/rotation.md).
 */
export function lastRunFields(run: RotationRun | undefined): WireBody {
  if (!run) return {};
  const waiting = run.status === 'in_progress' && run.attempts > 0;
  return {
    RotationStatus: waiting ? 'Retrying' : RUN_STATUS_NAMES[run.status],
    RotationStep: run.step,
    RotationAttempts: run.attempts,
    RotationVersionId: run.versionId,
    RotationStartDate: timestamp(run.startedAt),
    RotationEndDate: run.finishedAt === null ? undefined : timestamp(run.finishedAt),
    NextRotationAttemptDate: waiting ? timestamp(run.nextAttemptAt) : undefined,
    LastRotationError: run.lastError ?? undefined,
    LastRotationErrorStep: run.lastErrorStep ?? undefined,
  };
}

export function rotationViewFields(view: RotationView): WireBody {
  return { ...rotationFields(view.rotatable, view.policy), ...lastRunFields(view.lastRun) };
}

async function rotateSecret({
  params,
  services,
  identity,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  const versionId = params.required('VersionId');
  await access.requireSecret(name);
  const started = await services.rotation.rotate(name, versionId);
  return {
    Arn: secretArn(identity, started.secret.name),
    SecretName: started.secret.name,
    VersionId: started.versionId,
  };
}

async function updateSecretRotationPolicy({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  if (!params.has('EnableAutomaticRotation')) throw missingParameter('EnableAutomaticRotation');
  const enabled = params.boolean('EnableAutomaticRotation', false);
  const intervalSeconds = rotationIntervalOf(params);
  await access.requireSecret(name);
  await services.rotation.updatePolicy(name, { enabled, intervalSeconds });
  return { SecretName: name };
}

function webhookToWire(webhook: RotationWebhook): WireBody {
  return {
    WebhookName: webhook.name,
    Url: webhook.url,
    TimeoutSeconds: webhook.timeoutMs / 1000,
    CreateTime: timestamp(webhook.createdAt),
  };
}

async function createRotationWebhook({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const name = params.required('WebhookName');
  noteResource(name);
  const timeoutSeconds = params.integer('TimeoutSeconds', { min: 1, max: 60 });
  const created = await services.rotationWebhooks.create({
    name,
    url: params.required('Url'),
    timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
  });
  // The only time the signing key leaves the server.
  return { ...webhookToWire(created), SigningKey: created.signingKey };
}

async function listRotationWebhooks({ services }: ActionContext): Promise<WireBody> {
  const webhooks = await services.rotationWebhooks.list();
  return { RotationWebhooks: wrapped('RotationWebhook', webhooks.map(webhookToWire)) };
}

async function deleteRotationWebhook({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const name = params.required('WebhookName');
  noteResource(name);
  await services.rotationWebhooks.delete(name);
  return { WebhookName: name };
}

export const ROTATION_ACTIONS = {
  RotateSecret: rotateSecret,
  UpdateSecretRotationPolicy: updateSecretRotationPolicy,
  CreateRotationWebhook: createRotationWebhook,
  ListRotationWebhooks: listRotationWebhooks,
  DeleteRotationWebhook: deleteRotationWebhook,
} satisfies ActionTable;
