import { describe, expect, it } from 'vitest';

import { auditChainHash, auditChainKey } from './audit-chain.js';

describe('audit chain hash', () => {
  const rootA = Buffer.alloc(32, 1);
  const rootB = Buffer.alloc(32, 2);

  it('derives a stable 32-byte key per root key, distinct from the root key itself', () => {
    const key = auditChainKey(rootA);
    expect(key).toHaveLength(32);
    expect(auditChainKey(rootA).equals(key)).toBe(true);
    expect(auditChainKey(rootB).equals(key)).toBe(false);
    expect(key.equals(rootA)).toBe(false);
  });

  it('refuses a root key that is not 32 bytes', () => {
    expect(() => auditChainKey(Buffer.alloc(16))).toThrow(RangeError);
  });

  it('hashes to 64 hex characters that change with the text and with the key', () => {
    const key = auditChainKey(rootA);
    const hash = auditChainHash(key, '["tessera.audit.v1",1]');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(auditChainHash(key, '["tessera.audit.v1",1]')).toBe(hash);
    expect(auditChainHash(key, '["tessera.audit.v1",2]')).not.toBe(hash);
    expect(auditChainHash(auditChainKey(rootB), '["tessera.audit.v1",1]')).not.toBe(hash);
  });
});
