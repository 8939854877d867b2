/**
 * AWS rotation on Tessera's rotation engine (docs/aws.md, docs/rotation.md): `RotationLambdaARN` names
 * a rotation webhook registered with Tessera (by name or as a Lambda-style ARN whose function name is
 * the webhook's), which RotateSecret binds to a Generic secret through its ExtendedConfig;
 * `RotationRules` become the engine's interval; `RotateImmediately=false` only schedules.
 */
import { randomUUID } from 'node:crypto';
import type { Secret } from '../../../domain/secret.js';
import type { RotationView as CoreRotationView } from '../../../services/rotation/rotation-service.js';
import { WEBHOOK_CONFIG_KEY } from '../../../services/rotation/webhook-service.js';
import type { AwsActionContext, AwsActionTable } from '../action.js';
import { arnOf, secretNameOf } from '../action.js';
import { invalidRequest } from '../errors.js';
import { rotationRequestOf } from '../requests.js';
import type { RotationView } from '../responses.js';

function boundWebhook(secret: Secret): string | undefined {
  if (secret.extendedConfig === null) return undefined;
  try {
    const config = JSON.parse(secret.extendedConfig) as Record<string, unknown>;
    const name = config[WEBHOOK_CONFIG_KEY];
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** The rotation members of DescribeSecret and ListSecrets; null for a secret no rotator serves. */
export function rotationViewOf(view: CoreRotationView, secret: Secret): RotationView | null {
  if (!view.rotatable && view.policy === undefined) return null;
  const policy = view.policy;
  const interval = policy?.intervalSeconds ?? null;
  return {
    enabled: policy?.enabled ?? false,
    rotatorArn: boundWebhook(secret) ?? null,
    schedule: interval === null ? null : { kind: 'interval', intervalSeconds: interval, expression: null },
    windowHours: null,
    lastRotatedAt: policy?.lastRotationAt ?? null,
    nextRotationAt: policy?.nextRotationAt ?? null,
  };
}

/** Binds the webhook a request names to the secret (its ExtendedConfig), keeping other members. */
async function bindWebhook(secret: Secret, webhook: string, context: AwsActionContext): Promise<void> {
  if (boundWebhook(secret) === webhook) return;
  let config: Record<string, unknown> = {};
  try {
    config =
      secret.extendedConfig === null ? {} : (JSON.parse(secret.extendedConfig) as Record<string, unknown>);
  } catch {
    config = {};
  }
  await context.services.secrets.updateSecret(secret.name, {
    extendedConfig: JSON.stringify({ ...config, [WEBHOOK_CONFIG_KEY]: webhook }),
  });
}

export const ROTATION_ACTIONS: AwsActionTable = {
  async RotateSecret(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const request = rotationRequestOf(input);
    const secret = await context.access.requireSecret(name);
    if (request.rotatorName !== undefined) await bindWebhook(secret, request.rotatorName, context);
    else if (!context.services.rotation.isRotatable(secret))
      throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
    if (request.rules !== undefined) {
      const schedule = request.rules.schedule;
      if (schedule.kind !== 'interval')
        throw invalidRequest(
          'Tessera rotates on rate() and AutomaticallyAfterDays schedules; cron() is not served yet.',
        );
      await context.services.rotation.updatePolicy(name, {
        enabled: true,
        intervalSeconds: schedule.intervalSeconds,
      });
    }
    const versionId = input.ClientRequestToken ?? randomUUID();
    if (!request.rotateImmediately) return { ARN: arnOf(secret, context), Name: secret.name };
    const started = await context.services.rotation.rotate(name, versionId);
    return { ARN: arnOf(started.secret, context), Name: started.secret.name, VersionId: started.versionId };
  },

  async CancelRotateSecret(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const secret = await context.access.requireSecret(name);
    if (context.services.rotation.isRotatable(secret))
      await context.services.rotation.updatePolicy(name, { enabled: false });
    return { ARN: arnOf(secret, context), Name: secret.name };
  },
};
