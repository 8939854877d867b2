/**
 * The replay guard with the audit service over a real SQLite store: accepted nonces reach the database
 * in the transaction that commits the next audit batch, stay queued when that batch fails, and a new
 * guard on the same store (a restarted process) refuses them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { AuditEvent } from '../../src/domain/audit.js';
import { AuditService } from '../../src/services/audit-service.js';
import { ReplayGuard } from '../../src/services/replay-guard.js';
import { openSqliteStore, SQLITE_IN_MEMORY } from '../../src/storage/sqlite.js';
import { AuditFaultStore } from '../fakes/audit-store.js';
import { ManualClock } from '../fakes/manual-clock.js';

const ROOT_KEY = Buffer.alloc(32, 9);

function event(requestId: string): AuditEvent {
  return {
    time: 1_700_000_000_000,
    requestId,
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
  };
}

let store: AuditFaultStore;
let clock: ManualClock;
let guard: ReplayGuard;
let audit: AuditService;

beforeEach(async () => {
  store = new AuditFaultStore(await openSqliteStore({ path: SQLITE_IN_MEMORY }));
  clock = new ManualClock();
  guard = new ReplayGuard({ store, clock });
  audit = new AuditService({ store, rootKey: ROOT_KEY, companion: guard });
});

afterEach(async () => {
  await audit.close();
  await store.close();
});

describe('ReplayGuard', () => {
  it('stores accepted nonces with the next audit batch; a restarted guard refuses them', async () => {
    const now = clock.now();
    expect(guard.admit('AK1', 'n1', now)).toBe('fresh');
    expect(guard.admit('AK1', 'n1', now)).toBe('replayed');
    expect(await store.nonces.unexpired(now, 10)).toEqual([]);
    await audit.record(event('r1'));
    expect(await store.nonces.unexpired(now, 10)).toEqual([
      { accessKeyId: 'AK1', nonce: 'n1', expiresAt: now + 15 * 60_000 },
    ]);

    const restarted = new ReplayGuard({ store, clock });
    expect(await restarted.load()).toBe(1);
    expect(restarted.admit('AK1', 'n1', now)).toBe('replayed');
    expect(restarted.admit('AK2', 'n1', now)).toBe('fresh');
  });

  it('keeps nonces queued when the audit batch fails, and stores them with the next one', async () => {
    const now = clock.now();
    guard.admit('AK1', 'lost-batch', now);
    store.failure = new Error('disk full');
    await expect(audit.record(event('r1'))).rejects.toThrow('disk full');
    store.failure = undefined;
    expect(await store.nonces.unexpired(now, 10)).toEqual([]);
    await audit.record(event('r2'));
    expect((await store.nonces.unexpired(now, 10)).map((n) => n.nonce)).toEqual(['lost-batch']);
  });

  it('keeps a long nonce as its digest, and drops expired ones from the database', async () => {
    const now = clock.now();
    guard.admit('AK1', 'x'.repeat(1000), now);
    await audit.record(event('r1'));
    const [stored] = await store.nonces.unexpired(now, 10);
    expect(stored?.nonce).toMatch(/^#[A-Za-z0-9+/]{43}=$/);
    clock.advance(15 * 60_000 + 60_000);
    await audit.record(event('r2'));
    expect(await store.nonces.unexpired(0, 10)).toEqual([]);
  });
});
