/**
 * The parameters the tag actions share: which resource (`KeyId` / `SecretName`, or `ResourceType` with
 * `ResourceId.N`), and the repeat-list tag parameters (`Tag.N.Key`, `TagKey.N`) with the API's limits.
 */
import { DomainError } from '../../../domain/errors.js';
import type { OperationAccess } from '../../../services/operations/access.js';
import { secretNameFrom, secretNameOf } from '../codec.js';
import { invalidParameter, missingParameter, ProtocolError } from '../errors.js';
import type { Params } from '../params.js';

/** At most this many resources per batch call, and tags per call. */
const MAX_RESOURCE_IDS = 50;
const MAX_TAGS_PER_CALL = 20;
const TAG_KEY_MAX_LENGTH = 128;

const RESOURCE_TYPES = ['key', 'secret'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface Target {
  readonly type: ResourceType;
  readonly id: string;
}

/** The named secret or key must exist and the caller be allowed on it (a refused one answers as missing). */
export async function requireTarget(access: OperationAccess, target: Target): Promise<void> {
  if (target.type === 'key') await access.requireKey(target.id);
  else await access.requireSecret(target.id);
}

/** Exactly one of KeyId, SecretName, CertificateId; certificates are not something Tessera stores. */
export function singleTarget(params: Params): Target {
  const given = ['KeyId', 'SecretName', 'CertificateId'].filter(
    (name) => params.optional(name) !== undefined,
  );
  if (given.length === 0) {
    throw new ProtocolError(
      400,
      'MissingParameter',
      'The parameter "KeyId", "SecretName" or "CertificateId" is needed but not provided.',
    );
  }
  if (given.length > 1) {
    throw invalidParameter(given.join(', '), 'Give exactly one of KeyId, SecretName and CertificateId.');
  }
  if (given[0] === 'CertificateId') {
    // The domain's "not supported for this resource type", which the error map sends as 400
    // Rejected.UnsupportedOperation.
    throw new DomainError(
      'unsupported_operation',
      'Certificates are not supported by this server; tag a key (KeyId) or a secret (SecretName).',
    );
  }
  return given[0] === 'KeyId'
    ? { type: 'key', id: params.required('KeyId') }
    : { type: 'secret', id: secretNameOf(params) };
}

export function resourceType(params: Params): ResourceType {
  const value = params.required('ResourceType');
  // The documented values are lower-case; other Alibaba tag APIs take them case-insensitively.
  const type = RESOURCE_TYPES.find((candidate) => candidate === value.toLowerCase());
  if (type === undefined) throw invalidParameter('ResourceType', 'Use key or secret.');
  return type;
}

/** `ResourceId.N`: distinct, in the order given; secrets by name or ARN. */
export function resourceIds(params: Params, type: ResourceType, required: boolean): string[] {
  const raw = params.repeated('ResourceId');
  if (raw.length > MAX_RESOURCE_IDS) {
    throw invalidParameter('ResourceId.N', `Give at most ${MAX_RESOURCE_IDS} resource ids.`);
  }
  if (required && raw.length === 0) throw missingParameter('ResourceId.1');
  const ids = raw.map((id, index) => {
    if (id === '') throw invalidParameter(`ResourceId.${index + 1}`, 'A resource id cannot be empty.');
    return type === 'secret' ? secretNameFrom(id, `ResourceId.${index + 1}`) : id;
  });
  return [...new Set(ids)];
}

/** `Tag.N.Key` / `Tag.N.Value` pairs, 1-based without gaps; a value without its key is refused. */
export function tagPairs(params: Params): { key: string; value: string | undefined }[] {
  const pairs: { key: string; value: string | undefined }[] = [];
  for (let index = 1; ; index++) {
    const key = params.raw(`Tag.${index}.Key`);
    const value = params.raw(`Tag.${index}.Value`);
    if (key === undefined && value === undefined) break;
    if (index > MAX_TAGS_PER_CALL) {
      throw invalidParameter('Tag.N', `Give at most ${MAX_TAGS_PER_CALL} tags.`);
    }
    if (key === undefined || key === '') throw missingParameter(`Tag.${index}.Key`);
    pairs.push({ key, value });
  }
  return pairs;
}

/** `TagKey.N`, 1-based without gaps. */
export function tagKeyList(params: Params): string[] {
  const keys = params.repeated('TagKey');
  if (keys.length > MAX_TAGS_PER_CALL) {
    throw invalidParameter('TagKey.N', `Give at most ${MAX_TAGS_PER_CALL} tag keys.`);
  }
  checkTagKeys('TagKey.N', keys);
  return keys;
}

export function checkTagKeys(parameter: string, keys: readonly string[]): void {
  for (const key of keys) {
    if (key.length < 1 || key.length > TAG_KEY_MAX_LENGTH) {
      throw invalidParameter(parameter, `Tag keys are 1 to ${TAG_KEY_MAX_LENGTH} characters.`);
    }
  }
}

/** For the request log: the resources a batch call names, shortened when there are many. */
export function describeBatch(type: ResourceType, ids: readonly string[]): string {
  if (ids.length === 0) return type;
  const shown = ids.slice(0, 5).join(',');
  return ids.length > 5 ? `${shown},+${ids.length - 5} more` : shown;
}
