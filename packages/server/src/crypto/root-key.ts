/**
 * The root key: top of the hierarchy, protects CMK material and access-key secrets. It comes from
 * `TESSERA_ROOT_KEY` (base64 of 32 bytes) or a key file; with neither, a new one is generated into the
 * data folder (mode 0600) and the caller warns that production should supply its own.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KEY_BYTES, bindingOf, open, seal } from './aead.js';

export type RootKeySource = 'environment' | 'file' | 'generated';

export interface LoadedRootKey {
  readonly key: Buffer;
  readonly source: RootKeySource;
}

/** Decodes a base64 (standard or URL-safe) root key and checks it is exactly 32 bytes. */
export function decodeRootKey(text: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new Error('the root key is not base64');
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== KEY_BYTES)
    throw new Error(`the root key must decode to ${KEY_BYTES} bytes, not ${key.length}`);
  return key;
}

export function loadRootKey(options: {
  readonly fromEnvironment?: string | undefined;
  readonly file: string;
  /** Generate `file` when it does not exist (the embedded default); otherwise a missing file is an error. */
  readonly generateIfMissing: boolean;
}): LoadedRootKey {
  if (options.fromEnvironment !== undefined) {
    return { key: decodeRootKey(options.fromEnvironment), source: 'environment' };
  }
  if (existsSync(options.file)) {
    const mode = statSync(options.file).mode & 0o077;
    if (mode !== 0) throw new Error(`the root key file ${options.file} is readable by others; chmod 600 it`);
    return { key: decodeRootKey(readFileSync(options.file, 'utf8')), source: 'file' };
  }
  if (!options.generateIfMissing) throw new Error(`the root key file ${options.file} does not exist`);
  const key = randomBytes(KEY_BYTES);
  mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
  // `wx`: never overwrite a key file another process created in the meantime.
  writeFileSync(options.file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, source: 'generated' };
}

const CHECK_PLAINTEXT = Buffer.from('tessera root key check');
const CHECK_BINDING = bindingOf('tessera.root-key-check.v1');

/** A value stored beside the data that proves, at start-up, that the root key is the one it was sealed with. */
export function makeRootKeyCheck(rootKey: Uint8Array): string {
  return seal(rootKey, CHECK_PLAINTEXT, CHECK_BINDING).toString('base64');
}

export function rootKeyMatches(rootKey: Uint8Array, check: string): boolean {
  try {
    return open(rootKey, Buffer.from(check, 'base64'), CHECK_BINDING).equals(CHECK_PLAINTEXT);
  } catch {
    return false;
  }
}
