/** Builders and assertions the conformance cases share. Aggregates come from the domain functions. */
import { expect } from 'vitest';

import { DomainError } from '../../domain/errors.js';
import type { ErrorCode } from '../../domain/errors.js';
import { newKey } from '../../domain/key.js';
import type { Key, KeyOwner, KeyVersion } from '../../domain/key.js';
import { createSecret, putVersion } from '../../domain/secret.js';
import type { NewSecretInput, PutVersionInput, Secret, SecretLimits } from '../../domain/secret.js';
import type { SecretCiphertext, Store } from '../store.js';

/** Hands each case the store opened for it. */
export type StoreRef = () => Store;

/** A fixed clock reading; cases add offsets to it. */
export const T0 = 1_700_000_000_000;

/** Small limits so eviction happens after a few versions. */
export const SMALL_LIMITS: SecretLimits = { maxVersions: 3, maxStages: 2, maxTags: 20 };

let sequence = 0;

/** A fresh identifier, unique within the test process. */
export function uniqueId(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}`;
}

/** Bytes of the given length derived from `seed`, so different seeds give different ciphertexts. */
export function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed * 31 + i * 7) & 0xff;
  return out;
}

/** Every byte value once, including 0x00 and 0xff, which text-minded encodings mangle. */
export function everyByte(): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, i) => i);
}

/** A secret version's ciphertext derived from `seed`. */
export function ciphertextFor(seed: number): SecretCiphertext {
  return { encryptedDataKey: bytes(60, seed), encryptedValue: bytes(90 + (seed % 7), seed + 1) };
}

/** Hex of a byte array, so mismatches print readably and Buffer vs Uint8Array does not matter. */
export function hex(value: Uint8Array | undefined): string | undefined {
  return value === undefined
    ? undefined
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
}

/** Asserts both halves are byte arrays equal to the expected bytes. */
export function expectSameCiphertext(actual: SecretCiphertext | undefined, expected: SecretCiphertext): void {
  expect(actual).toBeDefined();
  expect(actual?.encryptedDataKey).toBeInstanceOf(Uint8Array);
  expect(actual?.encryptedValue).toBeInstanceOf(Uint8Array);
  expect(hex(actual?.encryptedDataKey)).toBe(hex(expected.encryptedDataKey));
  expect(hex(actual?.encryptedValue)).toBe(hex(expected.encryptedValue));
}

/** A new secret built by the domain's `createSecret`, with a unique id and name unless overridden. */
export function makeSecret(overrides: Partial<NewSecretInput> = {}, limits?: SecretLimits): Secret {
  return createSecret(
    {
      id: uniqueId('sec'),
      name: uniqueId('secret'),
      description: '',
      encryptionKeyId: 'key-for-secrets',
      tags: [],
      versionId: 'v1',
      dataType: 'text',
      now: T0,
      arnSuffix: 'Ab12Cd',
      ...overrides,
    },
    limits,
  );
}

/** Inserts a new secret with ciphertext derived from `seed`; returns what was inserted. */
export async function insertSecret(
  store: Store,
  overrides: Partial<NewSecretInput> = {},
  seed = 1,
): Promise<{ secret: Secret; ciphertext: SecretCiphertext }> {
  const secret = makeSecret(overrides);
  const ciphertext = ciphertextFor(seed);
  await store.secrets.insert(secret, ciphertext);
  return { secret, ciphertext };
}

/** Adds a version through the domain and saves it; returns the new aggregate and what was written. */
export async function addVersion(
  store: Store,
  secret: Secret,
  input: PutVersionInput,
  seed: number,
  limits?: SecretLimits,
): Promise<{ secret: Secret; evicted: readonly string[]; ciphertext: SecretCiphertext }> {
  const change = putVersion(secret, input, limits);
  const ciphertext = ciphertextFor(seed);
  await store.secrets.save(change.secret, {
    added: { versionId: input.versionId, ciphertext },
    evicted: change.evicted,
  });
  return { secret: change.secret, evicted: change.evicted, ciphertext };
}

/** A new key built by the domain's `newKey`, with its first version. */
export function makeKey(
  overrides: { id?: string; owner?: KeyOwner; now?: number; description?: string } = {},
): { key: Key; version: KeyVersion } {
  const id = overrides.id ?? uniqueId('key');
  const now = overrides.now ?? T0;
  const versionId = uniqueId('kv');
  const key = newKey({
    id,
    versionId,
    description: overrides.description ?? '',
    owner: overrides.owner ?? 'customer',
    tags: [],
    now,
  });
  return { key, version: { keyId: id, versionId, createdAt: now } };
}

/** Inserts a key with its first version; the wrapped material is derived from `seed`. */
export async function insertKey(
  store: Store,
  overrides: Parameters<typeof makeKey>[0] = {},
  seed = 1,
): Promise<{ key: Key; version: KeyVersion; material: Uint8Array }> {
  const { key, version } = makeKey(overrides);
  const material = bytes(44, seed);
  await store.keys.insert(key, version, material);
  return { key, version, material };
}

/** Awaits a call that must fail with a `DomainError` and returns the error. */
export async function domainErrorOf(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('Expected the call to fail with a DomainError, and it succeeded.');
}

/** Storage internals that must never show up in a message a caller could see. */
const LEAKS =
  /\b(insert|select|update|delete|constraint|sqlite|sqlstate|violates)\b|secret_versions|secret_stages/i;

/** Awaits a call that must fail with the given code, and checks the message leaks no storage internals. */
export async function expectDomainError(promise: Promise<unknown>, code: ErrorCode): Promise<DomainError> {
  const error = await domainErrorOf(promise);
  expect(error.code).toBe(code);
  expect(error.message).not.toMatch(LEAKS);
  return error;
}
