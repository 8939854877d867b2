import { describe, expect, it } from 'vitest';

import type { AuditRecord } from './audit.js';
import { canonicalAuditEncoding, capAuditText, ChainWalker, GENESIS_HASH, MAX_AUDIT_TEXT } from './audit.js';

/** A stand-in keyed hash: deterministic and sensitive to every character. */
const hash = (canonical: string) => `h(${canonical.length}:${canonical})`;

function chain(count: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const unsealed = {
      seq,
      time: 1000 + seq,
      requestId: `req-${seq}`,
      phase: 'outcome' as const,
      principal: 'alice',
      accessKeyId: 'AK',
      sourceIp: '::1',
      action: 'GetSecretValue',
      resource: 'db',
      secretName: 'db',
      versionId: null,
      versionStage: null,
      keyId: null,
      resultCode: 'Success',
      httpStatus: 200,
      prevHash,
    };
    const sealed = { ...unsealed, hash: hash(canonicalAuditEncoding(unsealed)) };
    records.push(sealed);
    prevHash = sealed.hash;
  }
  return records;
}

function walk(records: readonly AuditRecord[]) {
  const walker = new ChainWalker(hash);
  for (const record of records) {
    const broken = walker.next(record);
    if (broken) return broken;
  }
  return undefined;
}

describe('capAuditText', () => {
  it('keeps short text, cuts long text by code point, and neutralises control characters', () => {
    expect(capAuditText(null)).toBeNull();
    expect(capAuditText(undefined)).toBeNull();
    expect(capAuditText('app/db é😀')).toBe('app/db é😀');
    const emoji = '😀'.repeat(MAX_AUDIT_TEXT + 1);
    expect(capAuditText(emoji)).toBe(`${'😀'.repeat(MAX_AUDIT_TEXT)}…`);
    expect(capAuditText('a\nb\u0000c\u009b')).toBe('a\ufffdb\ufffdc\ufffd');
  });
});

describe('canonicalAuditEncoding', () => {
  it('is versioned, ordered, and tells null from the text "null"', () => {
    const [record] = chain(1);
    const encoded = canonicalAuditEncoding(record!);
    expect(encoded.startsWith('["tessera.audit.v1",1,1001,"req-1","outcome"')).toBe(true);
    expect(encoded.endsWith(`"${GENESIS_HASH}"]`)).toBe(true);
    expect(canonicalAuditEncoding({ ...record!, keyId: 'null' })).not.toBe(encoded);
  });

  it('keeps v1 for records without a protocol, and v2 puts the protocol before prevHash', () => {
    const [record] = chain(1);
    const v2 = canonicalAuditEncoding({ ...record!, protocol: 'aws' });
    expect(v2.startsWith('["tessera.audit.v2",1,1001,')).toBe(true);
    expect(v2.endsWith(`"aws","${GENESIS_HASH}"]`)).toBe(true);
    expect(canonicalAuditEncoding({ ...record!, protocol: undefined })).toBe(canonicalAuditEncoding(record!));
  });
});

describe('ChainWalker', () => {
  it('accepts an intact chain', () => {
    expect(walk(chain(5))).toBeUndefined();
  });

  it('names an edited record', () => {
    const records = chain(5);
    records[2] = { ...records[2]!, resultCode: 'Forbidden.ResourceNotFound' };
    expect(walk(records)).toEqual({ seq: 3, requestId: 'req-3', reason: 'edited' });
  });

  it('names the record after a removed one, and a removed first record', () => {
    const records = chain(5);
    expect(walk(records.filter((r) => r.seq !== 3))).toEqual({
      seq: 4,
      requestId: 'req-4',
      reason: 'missing_before',
    });
    expect(walk(records.slice(1))).toMatchObject({ seq: 2, reason: 'missing_before' });
  });

  it('names swapped records, even with their seqs swapped back', () => {
    const records = chain(5);
    const swapped = [
      records[0]!,
      { ...records[2]!, seq: 2 },
      { ...records[1]!, seq: 3 },
      ...records.slice(3),
    ];
    expect(walk(swapped)).toEqual({ seq: 2, requestId: 'req-3', reason: 'broken_link' });
  });
});
