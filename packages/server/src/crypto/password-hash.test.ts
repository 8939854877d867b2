import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hash.js';

describe('console password hashes', () => {
  it('verify the password they were made from and nothing else', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(stored).not.toContain('horse');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salt every hash, so equal passwords hash differently', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });

  it('match nothing when the stored form is malformed or its parameters are out of bounds', async () => {
    const stored = await hashPassword('pw-123456789');
    expect(await verifyPassword('pw-123456789', stored.replace('$15$', '$31$'))).toBe(false);
    expect(await verifyPassword('pw-123456789', 'plain text')).toBe(false);
    expect(await verifyPassword('pw-123456789', '')).toBe(false);
  });
});
