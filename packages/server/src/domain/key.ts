/**
 * Customer master keys (CMKs): metadata, versions and the state matrix of KMS's documentation. Pure; the
 * key material itself lives in the crypto layer and never appears here.
 */
import { DomainError, invalidArgument } from './errors.js';
import type { EpochMs } from './secret.js';
import type { Tag } from './validation.js';

export const KEY_STATES = ['enabled', 'disabled', 'pending_deletion'] as const;
export type KeyState = (typeof KEY_STATES)[number];

/** `customer` keys are managed through the API; the `service` key encrypts secrets created without a key. */
export type KeyOwner = 'customer' | 'service';

export const MAX_KEY_DESCRIPTION_LENGTH = 8192;
export const MIN_PENDING_WINDOW_DAYS = 7;
export const MAX_PENDING_WINDOW_DAYS = 366;
/** Encrypt takes at most 6 KB of plaintext, counted in UTF-8 bytes. */
export const MAX_ENCRYPT_PLAINTEXT_BYTES = 6144;
/** GenerateDataKey: 1–1024 bytes. */
export const MIN_DATA_KEY_BYTES = 1;
export const MAX_DATA_KEY_BYTES = 1024;
/** Data-key sizes by name; an explicit byte count wins over the name. */
export const DATA_KEY_SPECS = { AES_256: 32, AES_128: 16 } as const;
export type DataKeySpec = keyof typeof DATA_KEY_SPECS;
const DAY_MS = 86_400_000;
const ALIAS_NAME = /^alias\/[A-Za-z0-9:/_-]{1,255}$/;

export interface Key {
  readonly id: string;
  readonly description: string;
  readonly owner: KeyOwner;
  readonly state: KeyState;
  readonly createdAt: EpochMs;
  /** When a key pending deletion is destroyed. */
  readonly deleteAt: EpochMs | null;
  /** The key version new encryptions use; older versions stay available for decryption. */
  readonly primaryVersionId: string;
  readonly lastRotatedAt: EpochMs;
  /** Automatic rotation: a new version every this many seconds; null when off (`key-rotation.ts`). */
  readonly rotationIntervalSeconds: number | null;
  readonly tags: readonly Tag[];
}

export interface KeyVersion {
  readonly keyId: string;
  readonly versionId: string;
  readonly createdAt: EpochMs;
}

export interface Alias {
  readonly name: string;
  readonly keyId: string;
}

/**
 * Caller-chosen name/value pairs a ciphertext is bound to: Decrypt must present the same pairs. A map,
 * so the wire encodings (a JSON object, or flattened `EncryptionContext.<k>` parameters) compare equal.
 */
export type EncryptionContext = ReadonlyMap<string, string>;

/**
 * The context as a flat, ordered list `[k1, v1, k2, v2, …]`, keys sorted by code unit: the same pairs
 * give the same list however they were sent, and no pair can be mistaken for another once each element
 * is length-prefixed (the crypto layer's `bindingOf` does that).
 */
export function canonicalEncryptionContext(context: EncryptionContext): string[] {
  const keys = [...context.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.flatMap((key) => [key, context.get(key) ?? '']);
}

export function validateEncryptPlaintext(byteLength: number): void {
  if (byteLength > MAX_ENCRYPT_PLAINTEXT_BYTES) {
    throw invalidArgument('plaintext', `The plaintext is at most ${MAX_ENCRYPT_PLAINTEXT_BYTES} bytes.`);
  }
}

/** How many bytes a new data key has: `numberOfBytes` if given (1–1024), else the spec's size. */
export function dataKeyLength(spec: DataKeySpec, numberOfBytes?: number): number {
  if (numberOfBytes === undefined) return DATA_KEY_SPECS[spec];
  if (
    !Number.isInteger(numberOfBytes) ||
    numberOfBytes < MIN_DATA_KEY_BYTES ||
    numberOfBytes > MAX_DATA_KEY_BYTES
  ) {
    throw invalidArgument(
      'numberOfBytes',
      `A data key is ${MIN_DATA_KEY_BYTES} to ${MAX_DATA_KEY_BYTES} bytes.`,
    );
  }
  return numberOfBytes;
}

export function validateKeyDescription(description: string): void {
  if (Array.from(description).length > MAX_KEY_DESCRIPTION_LENGTH) {
    throw invalidArgument(
      'description',
      `A key description is at most ${MAX_KEY_DESCRIPTION_LENGTH} characters.`,
    );
  }
}

export function validateAliasName(name: string): void {
  if (!ALIAS_NAME.test(name)) {
    throw invalidArgument(
      'aliasName',
      'An alias is "alias/" followed by 1 to 255 letters, digits and : / _ -.',
    );
  }
  if (name.startsWith('alias/acs'))
    throw invalidArgument('aliasName', 'Aliases starting with "alias/acs" are reserved.');
}

export function newKey(input: {
  id: string;
  versionId: string;
  description: string;
  owner: KeyOwner;
  tags: readonly Tag[];
  now: EpochMs;
  rotationIntervalSeconds?: number | null;
}): Key {
  validateKeyDescription(input.description);
  return {
    id: input.id,
    description: input.description,
    owner: input.owner,
    state: 'enabled',
    createdAt: input.now,
    deleteAt: null,
    primaryVersionId: input.versionId,
    lastRotatedAt: input.now,
    rotationIntervalSeconds: input.rotationIntervalSeconds ?? null,
    tags: input.tags,
  };
}

function stateConflict(key: Key, action: string): DomainError {
  return new DomainError(
    'key_state_conflict',
    `The key "${key.id}" cannot ${action} while it is ${key.state.replace('_', ' ')}.`,
    {
      resource: key.id,
    },
  );
}

/** Encrypt, decrypt and data-key generation need an enabled key; so does reading or writing a secret under it. */
export function assertKeyUsable(key: Key): void {
  if (key.state === 'disabled') {
    throw new DomainError('key_disabled', `The key "${key.id}" is disabled.`, { resource: key.id });
  }
  if (key.state === 'pending_deletion') {
    throw new DomainError('key_pending_deletion', `The key "${key.id}" is scheduled for deletion.`, {
      resource: key.id,
    });
  }
}

/** Description, tag and alias-target changes are refused on a key pending deletion. */
export function assertKeyModifiable(key: Key): void {
  if (key.state === 'pending_deletion') {
    throw new DomainError('key_pending_deletion', `The key "${key.id}" is scheduled for deletion.`, {
      resource: key.id,
    });
  }
}

export function enableKey(key: Key): Key {
  if (key.state === 'pending_deletion') throw stateConflict(key, 'be enabled');
  return { ...key, state: 'enabled' };
}

export function disableKey(key: Key): Key {
  if (key.state === 'pending_deletion') throw stateConflict(key, 'be disabled');
  return { ...key, state: 'disabled' };
}

export function scheduleKeyDeletion(key: Key, pendingWindowDays: number, now: EpochMs): Key {
  if (
    !Number.isInteger(pendingWindowDays) ||
    pendingWindowDays < MIN_PENDING_WINDOW_DAYS ||
    pendingWindowDays > MAX_PENDING_WINDOW_DAYS
  ) {
    throw invalidArgument(
      'pendingWindowInDays',
      `The pending window is a whole number of days from ${MIN_PENDING_WINDOW_DAYS} to ${MAX_PENDING_WINDOW_DAYS}.`,
    );
  }
  if (key.state === 'pending_deletion') throw stateConflict(key, 'be scheduled for deletion');
  return { ...key, state: 'pending_deletion', deleteAt: now + pendingWindowDays * DAY_MS };
}

/** A cancelled deletion returns the key to enabled (docs/behaviour.md rule 16). */
export function cancelKeyDeletion(key: Key): Key {
  if (key.state !== 'pending_deletion') throw stateConflict(key, 'have its deletion cancelled');
  return { ...key, state: 'enabled', deleteAt: null };
}

export function updateKeyDescription(key: Key, description: string): Key {
  assertKeyModifiable(key);
  validateKeyDescription(description);
  return { ...key, description };
}

/** A new key version becomes primary; existing versions remain for decryption. */
export function rotateKey(key: Key, versionId: string, now: EpochMs): Key {
  assertKeyModifiable(key);
  return { ...key, primaryVersionId: versionId, lastRotatedAt: now };
}

export function assertAliasTargetAllowed(key: Key): void {
  if (key.state === 'pending_deletion') throw stateConflict(key, 'receive an alias');
}

export function isKeyExpired(key: Key, now: EpochMs): boolean {
  return key.deleteAt !== null && key.deleteAt <= now;
}
