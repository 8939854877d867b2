import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRootKey, loadRootKey, makeRootKeyCheck, rootKeyMatches } from './root-key.js';

const folder = () => mkdtempSync(join(tmpdir(), 'tessera-root-key-'));

describe('root key', () => {
  it('generates a 32-byte key file with mode 0600 when allowed, then reads it back', () => {
    const file = join(folder(), 'data', 'root.key');
    const generated = loadRootKey({ file, generateIfMissing: true });
    expect(generated.source).toBe('generated');
    expect(generated.key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadRootKey({ file, generateIfMissing: true });
    expect(again.source).toBe('file');
    expect(again.key.equals(generated.key)).toBe(true);
  });

  it('prefers the environment and validates its length', () => {
    const key = randomBytes(32);
    const loaded = loadRootKey({
      fromEnvironment: key.toString('base64'),
      file: '/nonexistent',
      generateIfMissing: false,
    });
    expect(loaded.source).toBe('environment');
    expect(loaded.key.equals(key)).toBe(true);
    expect(() => decodeRootKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => decodeRootKey('not base64!')).toThrow(/base64/);
  });

  it('refuses a missing file it may not generate and a file others can read', () => {
    const dir = folder();
    expect(() => loadRootKey({ file: join(dir, 'missing.key'), generateIfMissing: false })).toThrow(
      /does not exist/,
    );
    const open = join(dir, 'open.key');
    writeFileSync(open, randomBytes(32).toString('base64'));
    chmodSync(open, 0o644);
    expect(() => loadRootKey({ file: open, generateIfMissing: false })).toThrow(/chmod 600/);
    expect(readFileSync(open, 'utf8')).not.toBe('');
  });

  it('the check value recognises its own key only', () => {
    const key = randomBytes(32);
    const check = makeRootKeyCheck(key);
    expect(rootKeyMatches(key, check)).toBe(true);
    expect(rootKeyMatches(randomBytes(32), check)).toBe(false);
    expect(rootKeyMatches(key, 'garbage')).toBe(false);
  });
});
