/** Conformance cases for `AuditRepository`: append, head, filtered lookups with seek paging, scans. */
import { describe, expect, it } from 'vitest';

import type { AuditRecord } from '../../domain/audit.js';
import { GENESIS_HASH } from '../../domain/audit.js';
import { expectDomainError, T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

/** A record with fake hashes (storage does not check them): `seq` chained to `seq - 1`. */
function record(seq: number, fields: Partial<AuditRecord> = {}): AuditRecord {
  return {
    seq,
    time: T0 + seq * 1000,
    requestId: `req-${seq}`,
    phase: 'outcome',
    principal: 'administrator',
    accessKeyId: 'AK1',
    sourceIp: '127.0.0.1',
    action: 'GetSecretValue',
    resource: null,
    secretName: null,
    versionId: null,
    versionStage: null,
    keyId: null,
    resultCode: 'Success',
    httpStatus: 200,
    prevHash: seq === 1 ? GENESIS_HASH : `hash-${seq - 1}`,
    hash: `hash-${seq}`,
    ...fields,
  };
}

/** Registers the audit trail cases. */
export function describeAuditCases(store: StoreRef): void {
  describe('audit trail', () => {
    it('starts empty, appends records as given and reports the newest as head', async () => {
      expect(await store().audit.head()).toBeUndefined();
      expect(await store().audit.scan(0, 10)).toEqual([]);
      const first = record(1, { phase: 'attempt', resultCode: null, httpStatus: null, principal: null });
      const second = record(2, {
        secretName: 'db/é😀',
        versionId: 'v1',
        versionStage: 'ACSCurrent',
        keyId: 'key-1',
        resource: 'db/é😀',
        resultCode: 'Forbidden.ResourceNotFound',
        httpStatus: 404,
      });
      await store().audit.append([first]);
      await store().audit.append([second]);
      expect(await store().audit.head()).toEqual({ seq: 2, hash: 'hash-2' });
      expect(await store().audit.scan(0, 10)).toEqual([first, second]);
      expect(await store().audit.scan(1, 10)).toEqual([second]);
      expect(await store().audit.scan(0, 1)).toEqual([first]);
    });

    it('refuses a seq that is taken as unavailable, and appends nothing of that batch', async () => {
      await store().audit.append([record(1), record(2)]);
      await expectDomainError(store().audit.append([record(3), record(2)]), 'unavailable');
      expect((await store().audit.scan(0, 10)).map((r) => r.seq)).toEqual([1, 2]);
    });

    it('appends inside a transaction and rolls back with it', async () => {
      await store()
        .transaction(async (tx) => {
          expect(await tx.audit.head()).toBeUndefined();
          await tx.audit.append([record(1)]);
          expect(await tx.audit.head()).toEqual({ seq: 1, hash: 'hash-1' });
          throw new Error('abort');
        })
        .catch(() => undefined);
      expect(await store().audit.head()).toBeUndefined();
    });

    it('looks records up newest first, filtered, and pages by seq', async () => {
      const records = [
        record(1, { principal: 'alice', action: 'GetSecretValue', secretName: 'app/db' }),
        record(2, { principal: 'bob', action: 'PutSecretValue', secretName: 'app/db' }),
        record(3, { principal: 'alice', action: 'Encrypt', keyId: 'key-9', resource: 'alias/k' }),
        record(4, { principal: null, accessKeyId: 'AK-unknown', action: null, resultCode: 'X' }),
        record(5, { principal: 'alice', action: 'GetSecretValue', secretName: 'app/other' }),
      ];
      await store().audit.append(records);
      const seqs = async (query: Parameters<ReturnType<StoreRef>['audit']['query']>[0]) =>
        (await store().audit.query(query)).map((r) => r.seq);

      expect(await seqs({ limit: 10 })).toEqual([5, 4, 3, 2, 1]);
      expect(await store().audit.query({ limit: 1 })).toEqual([records[4]]);
      expect(await seqs({ limit: 2, beforeSeq: 4 })).toEqual([3, 2]);
      expect(await seqs({ limit: 10, principal: 'alice' })).toEqual([5, 3, 1]);
      expect(await seqs({ limit: 10, principal: 'alice', beforeSeq: 3 })).toEqual([1]);
      expect(await seqs({ limit: 10, action: 'GetSecretValue' })).toEqual([5, 1]);
      expect(await seqs({ limit: 10, resource: 'app/db' })).toEqual([2, 1]);
      expect(await seqs({ limit: 10, resource: 'key-9' })).toEqual([3]);
      expect(await seqs({ limit: 10, resource: 'alias/k' })).toEqual([3]);
      expect(await seqs({ limit: 10, accessKeyId: 'AK-unknown' })).toEqual([4]);
      expect(await seqs({ limit: 10, requestId: 'req-2' })).toEqual([2]);
      expect(await seqs({ limit: 10, startTime: T0 + 2000, endTime: T0 + 4000 })).toEqual([4, 3, 2]);
      expect(await seqs({ limit: 10, startTime: T0 + 6000 })).toEqual([]);
      expect(await seqs({ limit: 10, principal: 'alice', action: 'Encrypt', resource: 'app/db' })).toEqual(
        [],
      );
    });
  });
}
