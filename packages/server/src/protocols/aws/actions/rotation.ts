/**
 * AWS rotation on Tessera's rotation engine (docs/aws.md, docs/rotation.md): `RotationLambdaARN` names
 * a rotation webhook registered with Tessera (by name or as a Lambda-style ARN whose function name is
 * the webhook's), which RotateSecret binds to a Generic secret through its ExtendedConfig;
 * `RotationRules` become the engine's schedule (an interval, or a `cron()` expression whose firings
 * the engine runs at the window's start), and the rules as written (`ScheduleExpression`, `Duration`)
 * are kept beside the webhook's name in ExtendedConfig so DescribeSecret answers them;
 * `RotateImmediately=false` only schedules.
 */
import { randomUUID } from 'node:crypto';
import type { RotationSchedule } from '../../../domain/rotation-schedule.js';
import { parseScheduleExpression } from '../../../domain/rotation-schedule.js';
import type { Secret } from '../../../domain/secret.js';
import type { RotationView as CoreRotationView } from '../../../services/rotation/rotation-service.js';
import { replaceExtendedConfig } from '../../../services/operations/secret-use-cases.js';
import { WEBHOOK_CONFIG_KEY } from '../../../services/rotation/webhook-service.js';
import type { AwsActionContext, AwsActionTable } from '../action.js';
import { arnOf, secretNameOf } from '../action.js';
import { invalidRequest } from '../errors.js';
import { rotationRequestOf } from '../requests.js';
import type { RotationView } from '../responses.js';

/** ExtendedConfig members holding the AWS rules as written (docs/aws.md). */
const SCHEDULE_KEY = 'RotationScheduleExpression';
const DURATION_KEY = 'RotationDuration';

function configOf(secret: Secret): Record<string, unknown> {
  if (secret.extendedConfig === null) return {};
  try {
    const parsed = JSON.parse(secret.extendedConfig) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function member(secret: Secret, key: string): string | undefined {
  const value = configOf(secret)[key];
  return typeof value === 'string' ? value : undefined;
}

function boundWebhook(secret: Secret): string | undefined {
  return member(secret, WEBHOOK_CONFIG_KEY);
}

/** The rotation members of DescribeSecret and ListSecrets; null for a secret no rotator serves. */
export function rotationViewOf(view: CoreRotationView, secret: Secret): RotationView | null {
  if (!view.rotatable && view.policy === undefined) return null;
  const policy = view.policy;
  const interval = policy?.intervalSeconds ?? null;
  const cron = policy?.cronExpression ?? null;
  let schedule: RotationSchedule | null = null;
  if (cron !== null) schedule = parseScheduleExpression(cron);
  else if (interval !== null)
    schedule = {
      kind: 'interval',
      intervalSeconds: interval,
      expression: member(secret, SCHEDULE_KEY) ?? null,
    };
  return {
    enabled: policy?.enabled ?? false,
    rotatorArn: boundWebhook(secret) ?? null,
    schedule,
    windowHours: hoursOf(member(secret, DURATION_KEY)),
    lastRotatedAt: policy?.lastRotationAt ?? null,
    nextRotationAt: policy?.nextRotationAt ?? null,
  };
}

function hoursOf(duration: string | undefined): number | null {
  const match = duration === undefined ? null : /^(\d+)h$/.exec(duration);
  return match ? Number(match[1]) : null;
}

/**
 * Sets ExtendedConfig members (undefined removes one), keeping the others; nothing when unchanged. The
 * new document may steer a rotator, so it is authorized as UpdateSecret's is (docs/threat-model.md).
 */
async function configure(
  secret: Secret,
  changes: Readonly<Record<string, string | undefined>>,
  context: AwsActionContext,
): Promise<void> {
  const before = configOf(secret);
  const after = Object.fromEntries(
    [...Object.entries(before), ...Object.entries(changes)].filter(
      ([key, value]) => value !== undefined && !(key in changes && changes[key] === undefined),
    ),
  );
  if (JSON.stringify(after) === JSON.stringify(before)) return;
  await replaceExtendedConfig(context.services, context.access, secret, JSON.stringify(after));
}

export const ROTATION_ACTIONS: AwsActionTable = {
  async RotateSecret(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const request = rotationRequestOf(input);
    const secret = await context.access.requireSecret(name);
    if (request.rotatorName === undefined && !context.services.rotation.isRotatable(secret))
      throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
    const schedule = request.rules?.schedule;
    await configure(
      secret,
      {
        ...(request.rotatorName === undefined ? {} : { [WEBHOOK_CONFIG_KEY]: request.rotatorName }),
        ...(request.rules === undefined
          ? {}
          : {
              [SCHEDULE_KEY]: request.rules.schedule.expression ?? undefined,
              [DURATION_KEY]: input.RotationRules?.Duration,
            }),
      },
      context,
    );
    if (schedule !== undefined) {
      await context.services.rotation.updatePolicy(
        name,
        schedule.kind === 'cron'
          ? { enabled: true, cronExpression: schedule.expression }
          : { enabled: true, intervalSeconds: schedule.intervalSeconds },
      );
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
