import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError, bindingOf, open, seal } from './aead.js';
import {
  dataKeyContext,
  decryptWithCmk,
  encryptWithCmk,
  newCmkMaterial,
  newDataKey,
  openAccessKeySecret,
  openSecretValue,
  parseCmkBlob,
  sealAccessKeySecret,
  sealSecretValue,
  unwrapCmkMaterial,
  wrapCmkMaterial,
} from './envelope.js';

const rootKey = randomBytes(32);
const cmk = { keyId: 'key-a', versionId: 'v-1', material: newCmkMaterial() };

describe('AES-256-GCM layer', () => {
  it('round-trips and draws a fresh nonce every time', () => {
    const aad = bindingOf('test', 'x');
    const a = seal(rootKey, Buffer.from('hello'), aad);
    const b = seal(rootKey, Buffer.from('hello'), aad);
    expect(a.equals(b)).toBe(false);
    expect(open(rootKey, a, aad).toString()).toBe('hello');
  });

  it('refuses another binding, a flipped bit, a truncated blob and another key', () => {
    const aad = bindingOf('test', 'x');
    const sealed = seal(rootKey, Buffer.from('hello'), aad);
    expect(() => open(rootKey, sealed, bindingOf('test', 'y'))).toThrow(DecryptionError);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    expect(() => open(rootKey, flipped, aad)).toThrow(DecryptionError);
    expect(() => open(rootKey, sealed.subarray(0, 10), aad)).toThrow(DecryptionError);
    expect(() => open(randomBytes(32), sealed, aad)).toThrow(DecryptionError);
  });

  it('length-prefixes binding parts so different tuples never collide', () => {
    expect(bindingOf('p', 'ab', 'c').equals(bindingOf('p', 'a', 'bc'))).toBe(false);
  });
});

describe('key hierarchy', () => {
  it('wraps CMK material under the root key, bound to key and version', () => {
    const wrapped = wrapCmkMaterial(rootKey, cmk, cmk.material);
    expect(unwrapCmkMaterial(rootKey, cmk, wrapped).equals(Buffer.from(cmk.material))).toBe(true);
    expect(() => unwrapCmkMaterial(rootKey, { keyId: 'key-a', versionId: 'v-2' }, wrapped)).toThrow(
      DecryptionError,
    );
    expect(() => unwrapCmkMaterial(randomBytes(32), cmk, wrapped)).toThrow(DecryptionError);
  });

  it('CMK blobs name their key version and are bound to the context', () => {
    const blob = encryptWithCmk(cmk, Buffer.from('data key'), Buffer.from('ctx'));
    const ref = parseCmkBlob(blob);
    expect([ref.keyId, ref.versionId]).toEqual(['key-a', 'v-1']);
    expect(decryptWithCmk(cmk, blob, Buffer.from('ctx')).toString()).toBe('data key');
    expect(() => decryptWithCmk(cmk, blob, Buffer.from('other'))).toThrow(DecryptionError);
  });

  it('an edited blob header (claiming another version) fails authentication', () => {
    const other = { keyId: 'key-a', versionId: 'v-2', material: cmk.material };
    const blob = encryptWithCmk(cmk, Buffer.from('x'), Buffer.alloc(0));
    const forged = Buffer.concat([
      Buffer.from(
        encryptWithCmk(other, Buffer.alloc(0), Buffer.alloc(0)).subarray(0, parseCmkBlob(blob).header.length),
      ),
      parseCmkBlob(blob).body,
    ]);
    expect(() => decryptWithCmk(other, forged, Buffer.alloc(0))).toThrow(DecryptionError);
  });

  it('rejects malformed blobs without throwing anything but DecryptionError', () => {
    for (const bad of [Buffer.alloc(0), Buffer.of(9, 1, 2), Buffer.of(1, 200, 1), randomBytes(64)]) {
      expect(() => decryptWithCmk(cmk, bad, Buffer.alloc(0))).toThrow(DecryptionError);
    }
  });

  it('a secret value moved to another version or secret fails to decrypt', () => {
    const binding = { secretId: 's1', versionId: 'v1', dataType: 'text' };
    const dataKey = newDataKey();
    const wrappedKey = encryptWithCmk(cmk, dataKey, dataKeyContext(binding));
    const sealed = sealSecretValue(dataKey, binding, 'p@ss');
    const unwrapped = decryptWithCmk(cmk, wrappedKey, dataKeyContext(binding));
    expect(openSecretValue(unwrapped, binding, sealed)).toBe('p@ss');
    const moved = { ...binding, versionId: 'v2' };
    expect(() => decryptWithCmk(cmk, wrappedKey, dataKeyContext(moved))).toThrow(DecryptionError);
    expect(() => openSecretValue(unwrapped, moved, sealed)).toThrow(DecryptionError);
    expect(() => openSecretValue(unwrapped, { ...binding, secretId: 's2' }, sealed)).toThrow(DecryptionError);
    expect(() => openSecretValue(unwrapped, { ...binding, dataType: 'binary' }, sealed)).toThrow(
      DecryptionError,
    );
  });

  it('access key secrets are sealed to their id', () => {
    const sealed = sealAccessKeySecret(rootKey, 'AK1', 'shh-secret');
    expect(openAccessKeySecret(rootKey, 'AK1', sealed)).toBe('shh-secret');
    expect(() => openAccessKeySecret(rootKey, 'AK2', sealed)).toThrow(DecryptionError);
    expect(sealed.includes(Buffer.from('shh-secret'))).toBe(false);
  });
});
