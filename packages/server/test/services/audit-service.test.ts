import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { AuditEvent } from '../../src/domain/audit.js';
import { DomainError } from '../../src/domain/errors.js';
import { AuditService } from '../../src/services/audit-service.js';
import { openSqliteStore, SQLITE_IN_MEMORY } from '../../src/storage/sqlite.js';
import { AuditFaultStore } from '../fakes/audit-store.js';
import { tempDir } from '../helpers.js';

const ROOT_KEY = Buffer.alloc(32, 7);

function event(requestId: string, fields: Partial<AuditEvent> = {}): AuditEvent {
  return {
    time: 1_700_000_000_000,
    requestId,
    phase: 'outcome',
    principal: 'administrator',
    accessKeyId: 'AK1',
    sourceIp: '127.0.0.1',
    action: 'GetSecretValue',
    resource: 'app/db',
    secretName: 'app/db',
    versionId: null,
    versionStage: null,
    keyId: null,
    resultCode: 'Success',
    httpStatus: 200,
    ...fields,
  };
}

let store: AuditFaultStore;
let audit: AuditService;

beforeEach(async () => {
  store = new AuditFaultStore(await openSqliteStore({ path: SQLITE_IN_MEMORY }));
  audit = new AuditService({ store, rootKey: ROOT_KEY });
});

afterEach(async () => {
  await audit.close();
  await store.close();
});

describe('AuditService', () => {
  it('chains concurrent events without forks or gaps, committing them in batches', async () => {
    const records = await Promise.all(Array.from({ length: 200 }, (_, i) => audit.record(event(`r${i}`))));
    expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(store.transactions).toBeLessThan(200);
    expect(await audit.verify()).toEqual({
      checked: 200,
      head: { seq: 200, hash: records.find((r) => r.seq === 200)?.hash },
      broken: undefined,
    });
  });

  it('rejects events it cannot store, then continues the chain where it stood', async () => {
    await audit.record(event('before'));
    store.failure = new Error('disk full');
    const refused = await Promise.allSettled([audit.record(event('lost-1')), audit.record(event('lost-2'))]);
    expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    store.failure = undefined;
    const after = await audit.record(event('after'));
    expect(after.seq).toBe(2);
    expect((await audit.verify()).broken).toBeUndefined();
    const { events } = await audit.lookup({ limit: 10 });
    expect(events.map((e) => e.requestId)).toEqual(['after', 'before']);
  });

  it('continues the chain after another process appended to the same trail, instead of refusing', async () => {
    // Two nodes on one database: each caches the head of its own last append.
    const other = new AuditService({ store, rootKey: ROOT_KEY });
    try {
      await audit.record(event('first-node-1'));
      await other.record(event('second-node-1'));
      const after = await audit.record(event('first-node-2'));
      expect(after.seq).toBe(3);
      expect(await audit.verify()).toMatchObject({ checked: 3, broken: undefined });
    } finally {
      await other.close();
    }
  });

  it('gives up when a busy failure leaves the head where it was, without appending twice', async () => {
    await audit.record(event('before'));
    store.failure = new DomainError('unavailable', 'The database is busy. Retry the request.');
    await expect(audit.record(event('lost'))).rejects.toMatchObject({ code: 'unavailable' });
    expect(store.transactions).toBe(2);
    store.failure = undefined;
    expect((await audit.record(event('after'))).seq).toBe(2);
  });

  it('caps caller-chosen text and replaces control characters', async () => {
    const long = 'n'.repeat(1000);
    const record = await audit.record(event('caps', { secretName: long, action: 'Get\u001b[31mX' }));
    expect(record.secretName).toBe(`${'n'.repeat(256)}…`);
    expect(record.action).toBe('Get\ufffd[31mX');
    expect((await audit.verify()).broken).toBeUndefined();
  });

  it('pages lookups by seq, newest first', async () => {
    for (let i = 1; i <= 5; i++) await audit.record(event(`p${i}`));
    const first = await audit.lookup({ limit: 2 });
    expect(first.events.map((e) => e.seq)).toEqual([5, 4]);
    const second = await audit.lookup({ limit: 2, after: first.next });
    expect(second.events.map((e) => e.seq)).toEqual([3, 2]);
    const last = await audit.lookup({ limit: 2, after: second.next });
    expect(last).toMatchObject({ next: undefined });
    expect(last.events.map((e) => e.seq)).toEqual([1]);
  });

  it('verifies with the root key only: another root key finds the first event forged', async () => {
    await audit.record(event('a'));
    const other = new AuditService({ store, rootKey: Buffer.alloc(32, 8) });
    expect((await other.verify()).broken).toEqual({ seq: 1, requestId: 'a', reason: 'edited' });
    await other.close();
  });

  it('commits a batch relaxed only when set to and every event in it changes nothing', async () => {
    const read = { changesNothing: true };
    await audit.record(event('default-read'), read);
    const relaxed = new AuditService({ store, rootKey: ROOT_KEY, readEventDurability: 'relaxed' });
    try {
      await relaxed.record(event('read'), read);
      await relaxed.record(event('write', { action: 'PutSecretValue' }));
      // The first event is a batch of its own (the queue drains at once); the next two share one.
      await Promise.all([
        relaxed.record(event('lead'), read),
        relaxed.record(event('mixed-read'), read),
        relaxed.record(event('mixed-write', { action: 'PutSecretValue' })),
      ]);
      await Promise.all([
        relaxed.record(event('lead-2'), read),
        relaxed.record(event('read-2'), read),
        relaxed.record(event('read-3'), read),
      ]);
    } finally {
      await relaxed.close();
    }
    expect(store.durabilities).toEqual([
      'durable', // the default service
      'relaxed',
      'durable',
      'relaxed',
      'durable', // a read and a write together: durable as a whole
      'relaxed',
      'relaxed',
    ]);
  });

  it("writes a relaxed batch's line and sealed head only once the store says it is durable", async () => {
    const dir = tempDir('tessera-audit-relaxed-');
    const streamFile = join(dir.path, 'audit.jsonl');
    const relaxed = new AuditService({
      store,
      rootKey: ROOT_KEY,
      readEventDurability: 'relaxed',
      streamFile,
      headFile: join(dir.path, 'audit-head'),
    });
    const lines = () =>
      readFileSync(streamFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { requestId: string }).requestId);
    try {
      await relaxed.recover();
      let release = (): void => undefined;
      store.syncHold = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = await relaxed.record(event('relaxed-1'), { changesNothing: true });
      expect(first.seq).toBe(1);
      expect(lines(), 'not written while the commit may not be durable').toEqual([]);
      // A durable batch's commit covers the relaxed one before it: both are written, in order.
      await relaxed.record(event('durable-1', { action: 'PutSecretValue' }));
      expect(lines()).toEqual(['relaxed-1', 'durable-1']);
      await relaxed.record(event('relaxed-2'), { changesNothing: true });
      expect(lines()).toEqual(['relaxed-1', 'durable-1']);
      expect(readFileSync(join(dir.path, 'audit-head'), 'latin1'), 'the sealed head lags too').toMatch(
        / 0+2 /,
      );
      release();
      await relaxed.close();
      expect(lines(), 'written once synced, each line once').toEqual(['relaxed-1', 'durable-1', 'relaxed-2']);
      expect(readFileSync(join(dir.path, 'audit-head'), 'latin1')).toMatch(/ 0+3 /);
    } finally {
      store.syncHold = undefined;
      dir.remove();
    }
  });

  it('resolves a relaxed event only once another connection sees it committed', async () => {
    const dir = tempDir('tessera-audit-relaxed-');
    const path = join(dir.path, 'tessera.db');
    const fileStore = await openSqliteStore({ path });
    const relaxed = new AuditService({ store: fileStore, rootKey: ROOT_KEY, readEventDurability: 'relaxed' });
    const other = () => new BetterSqlite3(path, { readonly: true });
    try {
      const records = await Promise.all(
        Array.from({ length: 5 }, async (_, i) => {
          const record = await relaxed.record(event(`seen-${i}`), { changesNothing: true });
          // Checked synchronously as the promise settles: what the answer would be sent after.
          const db = other();
          try {
            return db.prepare('select request_id from audit_events where seq = ?').get(record.seq);
          } finally {
            db.close();
          }
        }),
      );
      expect(records).toEqual(Array.from({ length: 5 }, (_, i) => ({ request_id: `seen-${i}` })));
    } finally {
      await relaxed.close();
      await fileStore.close();
      dir.remove();
    }
  });
});
