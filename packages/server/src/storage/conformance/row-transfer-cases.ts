/**
 * Conformance cases for moving a store's rows out and back in (backups, moving between engines), for
 * the root-sealed values root-key rotation re-seals, and for re-linking the audit chain.
 */
import { describe, expect, it } from 'vitest';

import { GENESIS_HASH } from '../../domain/audit.js';
import type { AuditRecord } from '../../domain/audit.js';
import { configureRotation } from '../../domain/rotation.js';
import type { RowBatch, Store } from '../store.js';
import { SchemaMismatchError, StoreNotEmptyError } from '../store.js';
import { addVersion, bytes, everyByte, hex, insertKey, insertSecret, T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

function auditRecord(seq: number): AuditRecord {
  return {
    seq,
    time: T0 + seq,
    requestId: `req-${seq}`,
    phase: 'outcome',
    principal: 'administrator',
    accessKeyId: 'AK1',
    sourceIp: '127.0.0.1',
    action: 'GetSecretValue',
    resource: null,
    secretName: `s-${seq}`,
    versionId: null,
    versionStage: null,
    keyId: null,
    resultCode: 'Success',
    httpStatus: 200,
    prevHash: seq === 1 ? GENESIS_HASH : `hash-${seq - 1}`,
    hash: `hash-${seq}`,
  };
}

/** Puts at least one row in every table that has rows worth keeping. */
export async function fillEveryTable(store: Store): Promise<void> {
  const { key } = await insertKey(store, { id: 'key-a' }, 3);
  await store.keys.save({ ...key, tags: [{ key: 'team', value: 'ops' }] });
  await store.aliases.insert({ name: 'alias/a', keyId: 'key-a' });
  const { secret } = await insertSecret(store, { name: 'db/password', encryptionKeyId: 'key-a' }, 1);
  const next = await addVersion(store, secret, { versionId: 'v2', dataType: 'binary', now: T0 + 1 }, 2);
  await store.secrets.save({ ...next.secret, tags: [{ key: 'env', value: 'prod' }] });
  await store.secrets.savePolicy({ secretId: secret.id, name: 'default', document: '{}', updatedAt: T0 });
  await store.identities.insertUser({
    id: 'u-1',
    name: 'alice',
    displayName: 'Alice',
    comments: '',
    email: '',
    mobilePhone: '',
    createdAt: T0,
    updatedAt: T0,
  });
  await store.accessKeys.put({
    id: 'AKALICE',
    userName: 'alice',
    status: 'active',
    encryptedSecret: everyByte(),
    createdAt: T0,
  });
  await store.identities.insertPolicy({
    name: 'readers',
    type: 'custom',
    description: '',
    document: '{"Version":"1","Statement":[]}',
    createdAt: T0,
    updatedAt: T0,
  });
  await store.identities.attach({ userName: 'alice', type: 'custom', name: 'readers', attachedAt: T0 });
  await store.meta.set('account_id', '1234567890');
  await store.audit.append([auditRecord(1), auditRecord(2)]);
  await store.rotation.savePolicy(
    configureRotation(secret.id, undefined, { enabled: true, intervalSeconds: 21_600 }, T0),
  );
  await store.leases.acquire('rotation-scheduler', 'someone', T0, 60_000);
  await store.rotationWebhooks.insert({
    name: 'hook',
    url: 'http://127.0.0.1:9/rotate',
    encryptedSigningKey: bytes(40, 9),
    timeoutMs: 5000,
    createdAt: T0,
  });
  await store.databaseInstances.insert({
    id: 'pg-main',
    engine: 'postgresql',
    host: '127.0.0.1',
    port: 5432,
    database: 'app',
    tlsMode: 'disable',
    caCertificate: null,
    adminSecretName: 'db/password',
    description: '',
    createdAt: T0,
    updatedAt: T0,
  });
}

/** An export as plain data, byte strings as hex, for comparing two stores. */
export async function exportOf(store: Store): Promise<{ schemaVersion: string; tables: unknown }> {
  const tables: Record<string, unknown[]> = {};
  const summary = await store.exportRows((batch) => {
    const rows = batch.rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([column, value]) => [
          column,
          value instanceof Uint8Array ? `bytes:${hex(value) ?? ''}` : value,
        ]),
      ),
    );
    (tables[batch.table] ??= []).push(...rows);
    return Promise.resolve();
  });
  return { schemaVersion: summary.schemaVersion, tables };
}

async function collect(store: Store): Promise<{ schemaVersion: string; batches: RowBatch[] }> {
  const batches: RowBatch[] = [];
  const { schemaVersion } = await store.exportRows((batch) => {
    batches.push(batch);
    return Promise.resolve();
  });
  return { schemaVersion, batches };
}

async function* replay(batches: readonly RowBatch[]): AsyncIterable<RowBatch> {
  for (const batch of batches) {
    await Promise.resolve();
    yield batch;
  }
}

const noCheck = (): Promise<void> => Promise.resolve();

export function describeRowTransferCases(store: StoreRef, open: () => Promise<Store>): void {
  describe('row export and import', () => {
    it('exports nothing from an empty store, which says it is empty', async () => {
      expect(await store().isEmpty()).toBe(true);
      const { batches, schemaVersion } = await collect(store());
      expect(batches).toEqual([]);
      expect(schemaVersion).toMatch(/^\d{4}_/);
    });

    it('loads an export into an empty store, which then exports the same rows (leases left out)', async () => {
      await fillEveryTable(store());
      expect(await store().isEmpty()).toBe(false);
      const { batches, schemaVersion } = await collect(store());
      expect(batches.some((batch) => batch.table === 'leases')).toBe(false);
      const target = await open();
      try {
        const summary = await target.importRows(schemaVersion, replay(batches), noCheck);
        expect(summary.rows.secret_versions).toBe(2);
        expect(summary.rows.access_keys).toBe(1);
        expect(await exportOf(target)).toEqual(await exportOf(store()));
        // The loaded rows read back through the repositories as the original did.
        expect(await target.secrets.getByName('db/password')).toEqual(
          await store().secrets.getByName('db/password'),
        );
        expect(hex(await target.accessKeys.get('AKALICE').then((k) => k?.encryptedSecret))).toBe(
          hex(everyByte()),
        );
      } finally {
        await target.close();
      }
    });

    it('refuses a store that holds data, and rows of another schema version, writing nothing', async () => {
      await fillEveryTable(store());
      const { batches, schemaVersion } = await collect(store());
      const before = await exportOf(store());
      await expect(store().importRows(schemaVersion, replay(batches), noCheck)).rejects.toBeInstanceOf(
        StoreNotEmptyError,
      );
      expect(await exportOf(store())).toEqual(before);
      const target = await open();
      try {
        await expect(target.importRows('0000_other', replay(batches), noCheck)).rejects.toBeInstanceOf(
          SchemaMismatchError,
        );
        expect(await target.isEmpty()).toBe(true);
      } finally {
        await target.close();
      }
    });

    it('rolls the whole load back when the check fails, and hands the check the loaded data', async () => {
      await fillEveryTable(store());
      const { batches, schemaVersion } = await collect(store());
      const target = await open();
      try {
        let seenHead: unknown;
        const refused = target.importRows(schemaVersion, replay(batches), async (tx) => {
          seenHead = await tx.audit.head();
          throw new Error('chain broken');
        });
        await expect(refused).rejects.toThrow('chain broken');
        expect(seenHead).toEqual({ seq: 2, hash: 'hash-2' });
        expect(await target.isEmpty()).toBe(true);
      } finally {
        await target.close();
      }
    });
  });

  describe('root-sealed values and chain links', () => {
    it('lists every root-sealed value and replaces each in place', async () => {
      await fillEveryTable(store());
      const items = await store().rootSealed.list();
      expect(items.map((item) => item.kind).sort()).toEqual([
        'access_key_secret',
        'key_material',
        'webhook_signing_key',
      ]);
      for (const item of items) await store().rootSealed.replace({ ...item, sealed: bytes(50, 77) });
      const after = await store().rootSealed.list();
      expect(after.map((item) => hex(item.sealed))).toEqual(items.map(() => hex(bytes(50, 77))));
      const version = (await store().keys.listVersions('key-a'))[0];
      expect(hex(await store().keys.getWrappedMaterial('key-a', version?.versionId ?? ''))).toBe(
        hex(bytes(50, 77)),
      );
    });

    it('re-links audit records without touching their event fields', async () => {
      await store().audit.append([auditRecord(1), auditRecord(2)]);
      await store().transaction((tx) =>
        tx.audit.relink([
          { seq: 1, prevHash: GENESIS_HASH, hash: 'new-1' },
          { seq: 2, prevHash: 'new-1', hash: 'new-2' },
        ]),
      );
      expect(await store().audit.scan(0, 10)).toEqual([
        { ...auditRecord(1), hash: 'new-1' },
        { ...auditRecord(2), prevHash: 'new-1', hash: 'new-2' },
      ]);
    });
  });
}
