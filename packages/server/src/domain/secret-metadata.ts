/**
 * The secret's metadata: description, tags and ExtendedConfig. Changing them never touches versions
 * or stages; a secret pending deletion refuses them all.
 */
import { DomainError, invalidArgument } from './errors.js';
import type { Secret } from './secret-types.js';
import type { EpochMs } from './time.js';
import { assertNotPendingDeletion } from './secret-lifecycle.js';
import type { SecretLimits } from './secret-limits.js';
import { DEFAULT_SECRET_LIMITS } from './secret-limits.js';
import type { Tag } from './validation.js';
import { assertDistinct, validateDescription, validateTag, validateTagKey } from './validation.js';

/** Longest ExtendedConfig document. */
export const MAX_EXTENDED_CONFIG_LENGTH = 1024;

/** ExtendedConfig must be a JSON object of at most 1,024 characters; returns it parsed. */
export function parseExtendedConfig(text: string): Readonly<Record<string, unknown>> {
  if (Array.from(text).length > MAX_EXTENDED_CONFIG_LENGTH) {
    throw invalidArgument(
      'extendedConfig',
      `ExtendedConfig is at most ${MAX_EXTENDED_CONFIG_LENGTH} characters.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidArgument('extendedConfig', 'ExtendedConfig is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidArgument('extendedConfig', 'ExtendedConfig must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** Replaces the secret's ExtendedConfig (empty text clears it). */
/**
 * Replaces ExtendedConfig and records what its rotator binding was authorized against (null: nothing,
 * so no rotator will run for it until someone with the permissions binds it again).
 */
export function updateExtendedConfig(
  secret: Secret,
  text: string,
  now: EpochMs,
  authorizedRotationTarget: string | null = null,
): Secret {
  assertNotPendingDeletion(secret);
  if (text !== '') parseExtendedConfig(text);
  const extendedConfig = text === '' ? null : text;
  if (
    extendedConfig === secret.extendedConfig &&
    authorizedRotationTarget === secret.authorizedRotationTarget
  )
    return secret;
  return { ...secret, extendedConfig, authorizedRotationTarget, updatedAt: now };
}

export function updateDescription(secret: Secret, description: string, now: EpochMs): Secret {
  assertNotPendingDeletion(secret);
  validateDescription(description);
  return { ...secret, description, updatedAt: now };
}

/** Adds tags, overwriting the value of a key that is already there. */
export function tagSecret(
  secret: Secret,
  tags: readonly Tag[],
  now: EpochMs,
  limits: SecretLimits = DEFAULT_SECRET_LIMITS,
): Secret {
  assertNotPendingDeletion(secret);
  return { ...secret, tags: mergeTags(secret.tags, tags, limits), updatedAt: now };
}

/** Removes tags by key; keys the secret does not carry are ignored. */
export function untagSecret(secret: Secret, keys: readonly string[], now: EpochMs): Secret {
  assertNotPendingDeletion(secret);
  keys.forEach(validateTagKey);
  const drop = new Set(keys);
  return { ...secret, tags: secret.tags.filter((t) => !drop.has(t.key)), updatedAt: now };
}

export function mergeTags(existing: readonly Tag[], added: readonly Tag[], limits: SecretLimits): Tag[] {
  added.forEach(validateTag);
  assertDistinct(
    added.map((t) => t.key),
    'tags',
  );
  const byKey = new Map(existing.map((t) => [t.key, t.value]));
  for (const tag of added) byKey.set(tag.key, tag.value);
  if (byKey.size > limits.maxTags) {
    throw new DomainError('limit_exceeded', `A resource carries at most ${limits.maxTags} tags.`, {
      field: 'tags',
    });
  }
  return [...byKey].map(([key, value]) => ({ key, value }));
}
