/**
 * Result bodies of the Secrets Manager operations, from plain views of the model (a secret, its
 * rotation, one of its versions) to AWS's member names: dates as epoch seconds, stages as AWS spells
 * them, members omitted rather than null. The views hold what the services return; the ARN comes in
 * already built (by the core's namer), so this file never spells one.
 */
import type { RotationSchedule } from '../../domain/rotation-schedule.js';
import { daysBetweenRotations } from '../../domain/rotation-schedule.js';
import type { EpochMs } from '../../domain/secret.js';
import type { Tag } from '../../domain/validation.js';
import { epochSeconds, stageToWire, tagsToWire, versionIdsToStages } from './codec.js';

export interface RotationView {
  readonly enabled: boolean;
  /** The rotator as `RotationLambdaARN` names it, or null when none is bound. */
  readonly rotatorArn: string | null;
  readonly schedule: RotationSchedule | null;
  readonly windowHours: number | null;
  readonly lastRotatedAt: EpochMs | null;
  readonly nextRotationAt: EpochMs | null;
}

export interface SecretView {
  readonly arn: string;
  readonly name: string;
  readonly description: string;
  /** The key's id, alias or ARN as AWS reports it; null for the installation's default key (omitted). */
  readonly kmsKeyId: string | null;
  readonly tags: readonly Tag[];
  /** Stage label (model spelling) → version id. */
  readonly stages: ReadonlyMap<string, string>;
  readonly createdAt: EpochMs;
  readonly lastChangedAt: EpochMs;
  readonly lastAccessedAt: EpochMs | null;
  /** When the secret is scheduled to be deleted; null when it is not. */
  readonly plannedDeleteAt: EpochMs | null;
  readonly rotation: RotationView | null;
  readonly owningService: string | null;
  readonly primaryRegion: string | null;
}

type Body = Record<string, unknown>;

/** Leaves out members whose value is undefined or null, as AWS omits absent members. */
function compact(body: Body): Body {
  return Object.fromEntries(
    Object.entries(body).filter(([, value]) => value !== undefined && value !== null),
  );
}

const seconds = (time: EpochMs | null | undefined) =>
  time === null || time === undefined ? undefined : epochSeconds(time);

/** AWS reports LastAccessedDate to the day: midnight UTC of the day of the last access. */
function accessDay(time: EpochMs | null): number | undefined {
  return time === null ? undefined : epochSeconds(Math.floor(time / 86_400_000) * 86_400_000);
}

/** `RotationRules` as DescribeSecret and ListSecrets answer it. */
export function rotationRulesBody(
  schedule: RotationSchedule,
  windowHours: number | null,
  now: EpochMs,
): Body {
  const days = daysBetweenRotations(schedule, now);
  let expression: string | null = schedule.expression;
  if (
    expression === null &&
    schedule.kind === 'interval' &&
    days === null &&
    schedule.intervalSeconds % 3600 === 0
  ) {
    // An interval set through the Alibaba API in hours: say it as the rate AWS would.
    const hours = schedule.intervalSeconds / 3600;
    expression = `rate(${hours} hour${hours === 1 ? '' : 's'})`;
  }
  return compact({
    AutomaticallyAfterDays: days,
    ScheduleExpression: expression,
    Duration: windowHours === null ? undefined : `${windowHours}h`,
  });
}

function commonMembers(view: SecretView, now: EpochMs): Body {
  const rotation = view.rotation;
  return {
    ARN: view.arn,
    Name: view.name,
    Description: view.description === '' ? undefined : view.description,
    KmsKeyId: view.kmsKeyId,
    RotationEnabled: rotation?.enabled ?? false,
    RotationLambdaARN: rotation?.rotatorArn,
    RotationRules:
      rotation?.schedule === null || rotation === null
        ? undefined
        : rotationRulesBody(rotation.schedule, rotation.windowHours, now),
    LastRotatedDate: seconds(rotation?.lastRotatedAt),
    LastChangedDate: seconds(view.lastChangedAt),
    LastAccessedDate: accessDay(view.lastAccessedAt),
    DeletedDate: seconds(view.plannedDeleteAt),
    NextRotationDate: rotation?.enabled === true ? seconds(rotation.nextRotationAt) : undefined,
    Tags: view.tags.length === 0 ? undefined : tagsToWire(view.tags),
    OwningService: view.owningService,
    CreatedDate: seconds(view.createdAt),
    PrimaryRegion: view.primaryRegion,
  };
}

/** DescribeSecret's answer. */
export function describeSecretBody(view: SecretView, now: EpochMs): Body {
  return compact({ ...commonMembers(view, now), VersionIdsToStages: versionIdsToStages(view.stages) });
}

/** One entry of ListSecrets' `SecretList`. */
export function secretListEntry(view: SecretView, now: EpochMs): Body {
  return compact({ ...commonMembers(view, now), SecretVersionsToStages: versionIdsToStages(view.stages) });
}

export interface VersionValueView {
  readonly versionId: string;
  /** Model spelling. */
  readonly stages: readonly string[];
  readonly createdAt: EpochMs;
  /** Text, or base64 of the bytes when `dataType` is binary (how the model stores binary values). */
  readonly data: string;
  readonly dataType: 'text' | 'binary';
}

/** GetSecretValue's answer, and one entry of BatchGetSecretValue's `SecretValues`. */
export function secretValueBody(secret: Pick<SecretView, 'arn' | 'name'>, version: VersionValueView): Body {
  return compact({
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.versionId,
    SecretString: version.dataType === 'text' ? version.data : undefined,
    SecretBinary: version.dataType === 'binary' ? Buffer.from(version.data, 'base64') : undefined,
    VersionStages: version.stages.map(stageToWire),
    CreatedDate: epochSeconds(version.createdAt),
  });
}

export interface VersionListView {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly createdAt: EpochMs;
  readonly lastAccessedAt: EpochMs | null;
  readonly kmsKeyIds: readonly string[];
}

/** One entry of ListSecretVersionIds' `Versions`. */
export function versionListEntry(version: VersionListView): Body {
  return compact({
    VersionId: version.versionId,
    VersionStages: version.stages.map(stageToWire),
    LastAccessedDate: accessDay(version.lastAccessedAt),
    CreatedDate: epochSeconds(version.createdAt),
    KmsKeyIds: version.kmsKeyIds.length === 0 ? undefined : [...version.kmsKeyIds],
  });
}
