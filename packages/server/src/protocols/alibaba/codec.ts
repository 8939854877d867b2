/**
 * Wire vocabulary ↔ domain values: stage names, timestamps, ARNs, tags, key states, list wrappers.
 * Everything PascalCase and `ACS…` lives here and in the action modules, nowhere else.
 */
import type { InstanceIdentity } from '../../services/services.js';
import type { Key, KeyState } from '../../domain/key.js';
import { automaticRotationOf, nextKeyRotationAt } from '../../domain/key-rotation.js';
import { acsNamer } from '../../domain/resource-names.js';
import { formatRotationInterval } from '../../domain/rotation.js';
import { isBuiltinStage, STAGE_CURRENT, STAGE_PENDING, STAGE_PREVIOUS } from '../../domain/secret.js';
import type { EpochMs } from '../../domain/secret.js';
import type { Tag } from '../../domain/validation.js';
import type { DomainError } from '../../domain/errors.js';
import { DOMAIN_ERRORS, invalidParameter, WIRE_FIELD_NAMES } from './errors.js';
import type { Params } from './params.js';
import { shapes } from './params.js';

/** The type every Tessera secret has until managed types arrive (docs/behaviour.md rule 20). */
export const GENERIC_SECRET_TYPE = 'Generic';
/** Managed database secrets: `{"AccountName","AccountPassword"}` of an account on a registered instance. */
export const RDS_SECRET_TYPE = 'Rds';

export const ACS_CURRENT = 'ACSCurrent';
export const ACS_PREVIOUS = 'ACSPrevious';
export const ACS_PENDING = 'ACSPending';

/** The built-in stages by their Alibaba names, both ways. */
const STAGE_NAMES: readonly (readonly [wire: string, domain: string])[] = [
  [ACS_CURRENT, STAGE_CURRENT],
  [ACS_PREVIOUS, STAGE_PREVIOUS],
  [ACS_PENDING, STAGE_PENDING],
];

/** A JSON-serialisable response value. */
export type WireValue =
  string | number | boolean | WireValue[] | { readonly [key: string]: WireValue | undefined };
export type WireBody = { readonly [key: string]: WireValue | undefined };

/**
 * A wire stage label in domain terms. The domain spells its built-in stages with a `$` no wire label
 * may use, so a caller sending that spelling gets a parameter error instead of reaching the built-in
 * stage by its internal name.
 */
export function stageToDomain(stage: string, parameter = 'VersionStage'): string {
  if (isBuiltinStage(stage)) throw invalidParameter(parameter, `The stage label "${stage}" is not valid.`);
  return STAGE_NAMES.find(([wire]) => wire === stage)?.[1] ?? stage;
}

export function stageToWire(stage: string): string {
  return STAGE_NAMES.find(([, domain]) => domain === stage)?.[0] ?? stage;
}

/** `{"VersionStages":{"VersionStage":[…]}}`: lists are wrapped, and arrays even for one item. */
export function wrapped<T extends WireValue>(itemName: string, items: readonly T[]): { [key: string]: T[] } {
  return { [itemName]: [...items] };
}

export function stagesToWire(stages: readonly string[]): { [key: string]: string[] } {
  return wrapped('VersionStage', stages.map(stageToWire));
}

/** UTC `YYYY-MM-DDThh:mm:ssZ`, the API's timestamp format. */
export function timestamp(time: EpochMs): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** This protocol's ARNs: Alibaba's (`acsNamer`), the same the policies are written in. */
export function secretArn(identity: InstanceIdentity, name: string): string {
  return acsNamer(identity).secret({ name });
}

export function keyArn(identity: InstanceIdentity, keyId: string): string {
  return acsNamer(identity).key(keyId);
}

export function aliasArn(identity: InstanceIdentity, aliasName: string): string {
  return acsNamer(identity).alias(aliasName);
}

/** A secret named directly or by ARN (the name may itself contain `/`: everything after the first `secret/`). */
export function secretNameOf(params: Params, parameter = 'SecretName'): string {
  return secretNameFrom(params.required(parameter), parameter);
}

/** `secretNameOf` for a value found elsewhere (a list item); errors name `parameter`. */
export function secretNameFrom(value: string, parameter: string): string {
  if (!value.startsWith('acs:')) return value;
  const match = /^acs:kms:[^:]*:[^:]*:secret\/(.+)$/.exec(value);
  if (!match?.[1]) throw invalidParameter(parameter, 'It is neither a secret name nor a secret ARN.');
  return match[1];
}

/** `[{"TagKey":"k","TagValue":"v"}]` → domain tags. */
export function tagsFromJson(params: Params, parameter = 'Tags'): Tag[] | undefined {
  return params.json(parameter, (value) => {
    const items = shapes.objectArray(value);
    if (!items) return undefined;
    const tags: Tag[] = [];
    for (const item of items) {
      if (typeof item.TagKey !== 'string' || typeof item.TagValue !== 'string') return undefined;
      tags.push({ key: item.TagKey, value: item.TagValue });
    }
    return tags;
  });
}

export function tagsToWire(tags: readonly Tag[]): { Tag: { TagKey: string; TagValue: string }[] } {
  return { Tag: tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) };
}

const KEY_STATE_NAMES: Record<KeyState, string> = {
  enabled: 'Enabled',
  disabled: 'Disabled',
  pending_deletion: 'PendingDeletion',
};

export function keyStateToWire(state: KeyState): string {
  return KEY_STATE_NAMES[state];
}

export function keyStateFromWire(name: string): KeyState | undefined {
  return (Object.keys(KEY_STATE_NAMES) as KeyState[]).find((state) => KEY_STATE_NAMES[state] === name);
}

/** The `KeyMetadata` object of CreateKey and DescribeKey. */
export function keyMetadata(identity: InstanceIdentity, key: Key): WireBody {
  return {
    KeyId: key.id,
    Arn: keyArn(identity, key.id),
    CreationDate: timestamp(key.createdAt),
    Creator: identity.accountId,
    Description: key.description,
    KeySpec: 'Aliyun_AES_256',
    KeyUsage: 'ENCRYPT/DECRYPT',
    KeyState: keyStateToWire(key.state),
    Origin: 'Aliyun_KMS',
    ProtectionLevel: 'SOFTWARE',
    PrimaryKeyVersion: key.primaryVersionId,
    LastRotationDate: timestamp(key.lastRotatedAt),
    ...keyRotationToWire(key),
    DeletionProtection: 'Disabled',
    DeleteDate: key.deleteAt === null ? undefined : timestamp(key.deleteAt),
  };
}

const AUTOMATIC_ROTATION_NAMES = {
  enabled: 'Enabled',
  disabled: 'Disabled',
  suspended: 'Suspended',
} as const;

/** `AutomaticRotation`, and with rotation on `RotationInterval` (`Ns`) and `NextRotationDate`. */
function keyRotationToWire(key: Key): WireBody {
  const next = nextKeyRotationAt(key);
  return {
    AutomaticRotation: AUTOMATIC_ROTATION_NAMES[automaticRotationOf(key)],
    RotationInterval:
      key.rotationIntervalSeconds === null ? undefined : formatRotationInterval(key.rotationIntervalSeconds),
    NextRotationDate: next === null ? undefined : timestamp(next),
  };
}

/** Page number/size → offset/limit, with the API's bounds. */
export function paging(
  params: Params,
  defaultSize: number,
  maxSize = 100,
): { pageNumber: number; pageSize: number; offset: number; limit: number } {
  const pageNumber = params.integer('PageNumber', { min: 1, max: 1_000_000, fallback: 1 });
  const pageSize = params.integer('PageSize', { min: 1, max: maxSize, fallback: defaultSize });
  return { pageNumber, pageSize, offset: (pageNumber - 1) * pageSize, limit: pageSize };
}

/** An error as this API answers it. */
export interface WireError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * A domain error in wire terms: the mapped status and code, and the domain message with the parameter
 * or stage it is about in wire spelling. `internal` never says more than the API's generic text.
 */
export function domainErrorToWire(error: DomainError): WireError {
  const mapped = DOMAIN_ERRORS[error.code];
  if (error.code === 'internal') return { ...mapped, message: 'Internal Failure.' };
  const { field, resource } = error.details;
  const wireField = field === undefined ? undefined : (WIRE_FIELD_NAMES[field] ?? field);
  if (mapped.code === 'InvalidParameter' && wireField !== undefined)
    return { ...mapped, message: `The specified parameter "${wireField}" is not valid. ${error.message}` };
  if (mapped.code === 'MissingParameter' && wireField !== undefined)
    return {
      ...mapped,
      message: `The parameter "${wireField}" is needed but not provided. ${error.message}`,
    };
  // The domain names built-in stages in its own spelling; the caller asked for `ACSCurrent` (docs/behaviour.md rule 7).
  if (error.code === 'secret_stage_not_found' && resource !== undefined)
    return { ...mapped, message: `The stage "${stageToWire(resource)}" is not found. ${error.message}` };
  return { ...mapped, message: error.message };
}
