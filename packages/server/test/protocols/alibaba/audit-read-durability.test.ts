/**
 * `TESSERA_AUDIT_READ_DURABILITY=relaxed` end to end (docs/audit.md, "Durability of read events"): a
 * read is still answered only once its audit event is committed — another connection to the database
 * sees it the moment the answer arrives, and LookupEvents finds it — and the trail still verifies.
 * That the answer no longer waits for the fsync is tested at the driver (sqlite-relaxed-commit.test.ts),
 * and that a relaxed event is committed the moment it resolves, in audit-service.test.ts.
 */
import { join } from 'node:path';

import PopCore from '@alicloud/pop-core';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DATABASE_FILE } from '../../../src/app.js';
import type { ApiServer, Body } from './harness.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ApiError, startApiServer } from './harness.js';

let server: ApiServer;
let trail: PopCore;
let database: BetterSqlite3.Database;

beforeAll(async () => {
  server = await startApiServer({ env: { TESSERA_AUDIT_READ_DURABILITY: 'relaxed' } });
  trail = new PopCore({
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    endpoint: server.baseUrl,
    apiVersion: '2020-07-06',
  });
  database = new BetterSqlite3(join(server.instance.dataDir, DATABASE_FILE), { readonly: true });
});

afterAll(async () => {
  database.close();
  await server.stop();
});

function eventsOf(requestId: string): { action: string; result_code: string }[] {
  return database
    .prepare('select action, result_code from audit_events where request_id = ? order by seq')
    .all(requestId) as { action: string; result_code: string }[];
}

describe('relaxed read-audit durability', () => {
  it('says so at start', () => {
    expect(server.instance.logs.text).toMatch(/TESSERA_AUDIT_READ_DURABILITY=relaxed/);
  });

  it('answers a read only once its event is committed, and LookupEvents finds it right after', async () => {
    const rpc = server.client('pop-core-post');
    const created = await rpc.call('CreateSecret', {
      SecretName: 'relaxed/read',
      VersionId: 'v1',
      SecretData: 'value',
    });
    expect(eventsOf(String(created.RequestId)).map((e) => e.action)).toEqual([
      'CreateSecret',
      'CreateSecret',
    ]);
    const reads: string[] = [];
    for (let i = 0; i < 20; i++) {
      const read = await rpc.call('GetSecretValue', { SecretName: 'relaxed/read' });
      const requestId = String(read.RequestId);
      // Read at once, by another connection: the answer never arrives before the event is committed.
      expect(eventsOf(requestId)).toEqual([{ action: 'GetSecretValue', result_code: 'Success' }]);
      reads.push(requestId);
    }
    // A refused read is relaxed too, and committed before its answer all the same.
    const missing = await rpc.call('GetSecretValue', { SecretName: 'relaxed/absent' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(missing).toBeInstanceOf(ApiError);
    expect(eventsOf((missing as ApiError).requestId ?? '')).toEqual([
      { action: 'GetSecretValue', result_code: 'Forbidden.ResourceNotFound' },
    ]);

    const last = reads.at(-1) ?? '';
    const { Events } = (await trail.request<Body>(
      'LookupEvents',
      { 'LookupAttribute.1.Key': 'RequestId', 'LookupAttribute.1.Value': last },
      { method: 'POST', timeout: 10_000 },
    )) as { Events: Body[] };
    expect(Events.map((e) => e.requestId)).toEqual([last]);
    const verified = await trail.request<Body>('VerifyEvents', {}, { method: 'POST', timeout: 10_000 });
    expect(verified).toMatchObject({ Valid: true });
  });
});
