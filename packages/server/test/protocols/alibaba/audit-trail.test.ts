/**
 * The audit trail end to end (docs/audit.md): every request through the real SDKs leaves exactly one
 * outcome event (and a state-changing one an attempt before it), with the right result and no secret
 * material; an edited or removed event fails verification, named; when the trail cannot write, requests
 * are refused with 503 and change nothing; LookupEvents filters and pages through the official
 * `@alicloud/pop-core` client speaking ActionTrail's version 2020-07-06.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import PopCore from '@alicloud/pop-core';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DATABASE_FILE } from '../../../src/app.js';
import { tempDir } from '../../helpers.js';
import type { ApiServer, Body } from './harness.js';
import {
  $Kms,
  ACCESS_KEY_ID,
  ApiError,
  ACCESS_KEY_SECRET,
  expectFailure,
  kmsClient,
  startApiServer,
  toApiError,
} from './harness.js';
import { expectApiError, send, v1Request } from './signed-fetch.js';
import type { AuditEventsTable } from '../../../src/storage/schema.js';

const ACTIONTRAIL_VERSION = '2020-07-06';
const ROOT_KEY = randomBytes(32).toString('base64');
const WRONG_SECRET = 'wrong-secret-9f8e7d6c5b4a3210';
const canary = (label: string) => `AUDITCANARY-${label}-${randomBytes(8).toString('hex')}`;

/** A row of the audit table as the database holds it. */
type EventRow = AuditEventsTable;

let server: ApiServer;
let auditDir: { path: string; remove: () => void };
let auditFile: string;
let trail: PopCore;

beforeAll(async () => {
  auditDir = tempDir('tessera-audit-');
  auditFile = join(auditDir.path, 'audit.jsonl');
  server = await startApiServer({ env: { TESSERA_ROOT_KEY: ROOT_KEY, TESSERA_AUDIT_FILE: auditFile } });
  trail = new PopCore({
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    endpoint: server.baseUrl,
    apiVersion: ACTIONTRAIL_VERSION,
  });
});

afterAll(async () => {
  await server.stop();
  auditDir.remove();
});

function database(readonly = true): BetterSqlite3.Database {
  return new BetterSqlite3(join(server.instance.dataDir, DATABASE_FILE), { readonly });
}

function rows(where = '1 = 1', ...args: unknown[]): EventRow[] {
  const db = database();
  try {
    return db.prepare(`select * from audit_events where ${where} order by seq`).all(...args) as EventRow[];
  } finally {
    db.close();
  }
}

/** An ActionTrail call through pop-core; errors in the harness's one shape. */
async function actionTrail(action: string, params: Record<string, string | number> = {}): Promise<Body> {
  try {
    const stringified = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
    return await trail.request<Body>(action, stringified, { method: 'POST', timeout: 10_000 });
  } catch (error) {
    throw toApiError(error);
  }
}

interface Expected {
  readonly action: string;
  readonly code: string;
  readonly status: number;
}

describe('audit trail of real SDK calls', () => {
  it('has one outcome per request with its result, attempts before writes, and no secret material', async () => {
    const expected = new Map<string, Expected>();
    const values = [canary('create'), canary('put')];
    const plaintext = canary('plaintext');
    const rpc = server.client('kms20160120');
    const acs3 = server.client('openapi-acs3');

    async function track(action: string, call: Promise<Body>): Promise<Body | undefined> {
      try {
        const body = await call;
        expect(typeof body.RequestId).toBe('string');
        expected.set(body.RequestId as string, { action, code: 'Success', status: 200 });
        return body;
      } catch (error) {
        const failure = error instanceof ApiError ? error : toApiError(error);
        expect(failure.requestId, failure.message).toBeDefined();
        expected.set(failure.requestId ?? '', { action, code: failure.code, status: failure.status });
        return undefined;
      }
    }

    const first = rows().length;
    await track(
      'CreateSecret',
      rpc.call('CreateSecret', { SecretName: 'audit/db', VersionId: 'v1', SecretData: values[0] ?? '' }),
    );
    await track('GetSecretValue', acs3.call('GetSecretValue', { SecretName: 'audit/db' }));
    await track(
      'PutSecretValue',
      acs3.call('PutSecretValue', {
        SecretName: 'audit/db',
        VersionId: 'v2',
        SecretData: values[1] ?? '',
        VersionStages: '["ACSCurrent"]',
      }),
    );
    await track(
      'GetSecretValue',
      server.client('pop-core-get').call('GetSecretValue', { SecretName: 'audit/db', VersionId: 'v1' }),
    );
    await track('GetSecretValue', acs3.call('GetSecretValue', { SecretName: 'audit/missing' }));
    const badSignature = kmsClient(server.endpoint, {
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: WRONG_SECRET,
    });
    await track(
      'GetSecretValue',
      badSignature
        .getSecretValue(new $Kms.GetSecretValueRequest({ secretName: 'audit/db' }))
        .then((r) => r.body as unknown as Body)
        .catch((error: unknown) => {
          throw toApiError(error);
        }),
    );
    const unknownKey = kmsClient(server.endpoint, {
      accessKeyId: 'NoSuchAccessKey1',
      accessKeySecret: WRONG_SECRET,
    });
    await track(
      'GetSecretValue',
      unknownKey
        .getSecretValue(new $Kms.GetSecretValueRequest({ secretName: 'audit/db' }))
        .then((r) => r.body as unknown as Body)
        .catch((error: unknown) => {
          throw toApiError(error);
        }),
    );
    const key = await track('CreateKey', rpc.call('CreateKey', {}));
    const keyId = String((key?.KeyMetadata as Body | undefined)?.KeyId);
    await track(
      'Encrypt',
      acs3.call('Encrypt', { KeyId: keyId, Plaintext: Buffer.from(plaintext).toString('base64') }),
    );
    await track('GenerateDataKey', acs3.call('GenerateDataKey', { KeyId: keyId }));
    await track('NoSuchAction', acs3.call('NoSuchAction', {}));
    await track('DeleteSecret', acs3.call('DeleteSecret', { SecretName: 'audit/missing' }));

    const events = rows('seq > ?', first);
    const outcomes = events.filter((e) => e.phase === 'outcome');
    // One outcome per request, and only for these requests.
    expect(outcomes.map((e) => e.request_id).sort()).toEqual([...expected.keys()].sort());
    for (const event of outcomes) {
      const want = expected.get(event.request_id);
      expect({ code: event.result_code, status: event.http_status }, event.request_id).toEqual({
        code: want?.code,
        status: want?.status,
      });
      if (want?.code !== 'InvalidAction.NotFound') expect(event.action).toBe(want?.action);
      expect(event.source_ip).toMatch(/127\.0\.0\.1/);
    }
    const byCode = (code: string) => outcomes.filter((e) => e.result_code === code);
    expect(byCode('Forbidden.ResourceNotFound').length).toBe(2);
    expect(byCode('SignatureDoesNotMatch')).toMatchObject([
      { principal: null, access_key_id: ACCESS_KEY_ID, secret_name: 'audit/db' },
    ]);
    expect(byCode('InvalidAccessKeyId.NotFound')).toMatchObject([
      { principal: null, access_key_id: 'NoSuchAccessKey1' },
    ]);
    expect(byCode('Success').every((e) => e.principal === 'administrator')).toBe(true);
    expect(outcomes.find((e) => e.version_id === 'v1' && e.action === 'GetSecretValue')).toBeDefined();
    expect(outcomes.find((e) => e.action === 'Encrypt')?.key_id).toBe(keyId);

    // Attempts: exactly the state-changing calls that passed authentication, each before its outcome.
    const attempts = events.filter((e) => e.phase === 'attempt');
    expect(attempts.map((e) => e.action).sort()).toEqual(
      ['CreateKey', 'CreateSecret', 'DeleteSecret', 'PutSecretValue'].sort(),
    );
    for (const attempt of attempts) {
      const outcome = outcomes.find((e) => e.request_id === attempt.request_id);
      expect(outcome && outcome.seq > attempt.seq).toBe(true);
      expect(attempt.result_code).toBeNull();
    }

    // No secret material anywhere: the table (every column) and the JSON-lines copy.
    const table = JSON.stringify(rows());
    const stream = readFileSync(auditFile, 'utf8');
    for (const text of [table, stream]) {
      for (const value of [...values, plaintext, ACCESS_KEY_SECRET, WRONG_SECRET]) {
        expect(text).not.toContain(value);
        expect(text).not.toContain(Buffer.from(value).toString('base64'));
      }
      expect(text).not.toContain('AUDITCANARY');
    }

    // The JSON-lines copy holds the same records, in order, and only its owner can read it.
    const lines = stream
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; hash: string; requestId: string });
    expect(lines.map((l) => [l.seq, l.hash])).toEqual(rows().map((r) => [r.seq, r.hash]));
    expect(statSync(auditFile).mode & 0o777).toBe(0o600);
  });

  it('records the protocol, and renders the core built-in stages by their Alibaba names', async () => {
    const admin = server.client('pop-core-post');
    const created = await admin.call('CreateSecret', {
      SecretName: `trail/protocol-${Date.now()}`,
      VersionId: 'v1',
      SecretData: 'x',
    });
    const { events } = await server.instance.tessera.services.audit.lookup({
      requestId: String(created.RequestId),
      limit: 10,
    });
    expect(events.map((e) => [e.phase, e.protocol])).toEqual([
      ['outcome', 'alibaba'],
      ['attempt', 'alibaba'],
    ]);
    // A core event (a rotation step) records the neutral stage; LookupEvents answers in ACS names.
    const requestId = `stage-${Date.now()}`;
    await server.instance.tessera.services.audit.record({
      time: Date.now(),
      requestId,
      phase: 'outcome',
      principal: '$rotation',
      accessKeyId: null,
      sourceIp: null,
      action: 'RotationCreate',
      resource: 'trail/rotated',
      secretName: 'trail/rotated',
      versionId: 'r1',
      versionStage: '$pending',
      keyId: null,
      resultCode: 'Success',
      httpStatus: null,
    });
    const { Events } = (await actionTrail('LookupEvents', {
      'LookupAttribute.1.Key': 'User',
      'LookupAttribute.1.Value': '$rotation',
      MaxResults: 50,
    })) as { Events: Body[] };
    expect(Events.find((e) => e.requestId === requestId)).toMatchObject({ versionStage: 'ACSPending' });
  });

  it('refuses a user no policy allows actiontrail:LookupEvents, and records that refusal', async () => {
    await server.instance.tessera.services.identities.createUser({ name: 'alice' });
    const other = await server.instance.tessera.services.accessKeys.create('alice');
    const alice = new PopCore({
      accessKeyId: other.id,
      accessKeySecret: other.secret,
      endpoint: server.baseUrl,
      apiVersion: ACTIONTRAIL_VERSION,
    });
    const refused = await expectFailure(
      alice.request('LookupEvents', {}, { method: 'POST' }).catch((e: unknown) => {
        throw toApiError(e);
      }),
      403,
      'NoPermission',
    );
    const { region, accountId } = server.instance.tessera.identity;
    expect(rows('request_id = ?', refused.requestId)).toMatchObject([
      {
        phase: 'outcome',
        principal: 'alice',
        action: 'LookupEvents',
        result_code: 'NoPermission',
        resource: `acs:actiontrail:${region}:${accountId}:*`,
      },
    ]);
  });
});

describe('LookupEvents', () => {
  it('filters by action, user, resource, request id and time, newest first', async () => {
    const acs3 = server.client('openapi-acs3');
    await acs3.call('CreateSecret', { SecretName: 'lookup/a', VersionId: 'v1', SecretData: 'x' });
    const read = await acs3.call('GetSecretValue', { SecretName: 'lookup/a' });
    await acs3.call('DescribeSecret', { SecretName: 'lookup/a' });

    const byResource = await actionTrail('LookupEvents', {
      'LookupAttribute.1.Key': 'ResourceName',
      'LookupAttribute.1.Value': 'lookup/a',
      MaxResults: 50,
    });
    const events = byResource.Events as Body[];
    expect(events.map((e) => [e.eventName, e.eventPhase])).toEqual([
      ['DescribeSecret', 'outcome'],
      ['GetSecretValue', 'outcome'],
      ['CreateSecret', 'outcome'],
      ['CreateSecret', 'attempt'],
    ]);
    expect(events[1]).toMatchObject({
      requestId: read.RequestId,
      eventType: 'ApiCall',
      eventSource: 'alibaba',
      resultCode: 'Success',
      httpStatus: 200,
      secretName: 'lookup/a',
      resourceName: 'lookup/a',
      userIdentity: { userName: 'administrator', accessKeyId: ACCESS_KEY_ID },
    });
    expect(events[1]).not.toHaveProperty('errorCode');
    expect(byResource.NextToken).toBeUndefined();

    const combined = await actionTrail('LookupEvents', {
      'LookupAttribute.1.Key': 'EventName',
      'LookupAttribute.1.Value': 'GetSecretValue',
      'LookupAttribute.2.Key': 'User',
      'LookupAttribute.2.Value': 'administrator',
      'LookupAttribute.3.Key': 'ResourceName',
      'LookupAttribute.3.Value': 'lookup/a',
    });
    expect((combined.Events as Body[]).map((e) => e.requestId)).toEqual([read.RequestId]);

    const byRequest = await actionTrail('LookupEvents', {
      'LookupAttribute.1.Key': 'RequestId',
      'LookupAttribute.1.Value': String(read.RequestId),
    });
    expect(byRequest.Events).toHaveLength(1);

    const future = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const none = await actionTrail('LookupEvents', { StartTime: future });
    expect(none.Events).toEqual([]);
    expect(none.StartTime).toBe(future);
    const past = '2000-01-01T00:00:00Z';
    const early = await actionTrail('LookupEvents', { StartTime: past, EndTime: '2000-01-02T00:00:00Z' });
    expect(early.Events).toEqual([]);
  });

  it('pages with MaxResults and NextToken, without gaps or repeats', async () => {
    const acs3 = server.client('openapi-acs3');
    for (let i = 0; i < 7; i++) await acs3.call('DescribeRegions', {});
    const filter = { 'LookupAttribute.1.Key': 'EventName', 'LookupAttribute.1.Value': 'DescribeRegions' };
    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await actionTrail('LookupEvents', {
        ...filter,
        MaxResults: 3,
        ...(token === undefined ? {} : { NextToken: token }),
      });
      pages += 1;
      seen.push(...(page.Events as Body[]).map((e) => Number(e.eventSeq)));
      token = page.NextToken as string | undefined;
    } while (token !== undefined);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    expect(new Set(seen).size).toBe(7);
  });

  it('refuses unknown keys, bad times, a bad token and an out-of-range page size', async () => {
    const cases: Record<string, string>[] = [
      { 'LookupAttribute.1.Key': 'Colour', 'LookupAttribute.1.Value': 'red' },
      { 'LookupAttribute.1.Key': 'User', 'LookupAttribute.1.Value': '' },
      {
        'LookupAttribute.1.Key': 'User',
        'LookupAttribute.1.Value': 'a',
        'LookupAttribute.2.Key': 'User',
        'LookupAttribute.2.Value': 'b',
      },
      { StartTime: 'yesterday' },
      { StartTime: '2025-01-02T00:00:00Z', EndTime: '2025-01-01T00:00:00Z' },
      { NextToken: 'not-a-token' },
      { MaxResults: '51' },
    ];
    for (const params of cases) {
      await expectFailure(actionTrail('LookupEvents', params), 400, 'InvalidParameter');
    }
  });

  it('is reached by a hand-signed v1 request too, and an unknown version is refused', async () => {
    const response = await send(v1Request(server.baseUrl, 'LookupEvents', { Version: ACTIONTRAIL_VERSION }));
    expect(response.status).toBe(200);
    const unknown = await send(v1Request(server.baseUrl, 'LookupEvents', { Version: '2099-01-01' }));
    await expectApiError(unknown, 400, 'InvalidVersion');
  });
});

describe('VerifyEvents', () => {
  it('passes an intact trail, then names an edited event and a removed one', async () => {
    await server.client('openapi-acs3').call('DescribeRegions', {});
    const intact = await actionTrail('VerifyEvents');
    expect(intact).toMatchObject({ Valid: true });
    expect(intact.CheckedEvents).toBeGreaterThan(10);
    expect(intact.BrokenEvent).toBeUndefined();

    const victim = rows("phase = 'outcome' and result_code = 'SignatureDoesNotMatch'")[0];
    expect(victim).toBeDefined();
    const db = database(false);
    try {
      db.prepare("update audit_events set result_code = 'Success' where seq = ?").run(victim?.seq);
      const edited = await actionTrail('VerifyEvents');
      expect(edited).toMatchObject({
        Valid: false,
        BrokenEvent: { Seq: victim?.seq, RequestId: victim?.request_id, Reason: 'edited' },
        LastSeq: (victim?.seq ?? 0) - 1,
      });

      db.prepare('update audit_events set result_code = ? where seq = ?').run(
        victim?.result_code,
        victim?.seq,
      );
      expect(await actionTrail('VerifyEvents')).toMatchObject({ Valid: true });

      db.prepare('delete from audit_events where seq = ?').run(victim?.seq);
      const next = rows('seq = ?', (victim?.seq ?? 0) + 1)[0];
      const removed = await actionTrail('VerifyEvents');
      expect(removed).toMatchObject({
        Valid: false,
        BrokenEvent: { Seq: next?.seq, RequestId: next?.request_id, Reason: 'missing_before' },
      });
    } finally {
      db.close();
    }
  });
});

describe('fail closed', () => {
  let failing: ApiServer;

  beforeAll(async () => {
    failing = await startApiServer({ env: { TESSERA_ROOT_KEY: ROOT_KEY } });
    await failing.client('openapi-acs3').call('CreateSecret', {
      SecretName: 'closed/db',
      VersionId: 'v1',
      SecretData: 'original',
    });
  });

  afterAll(async () => {
    await failing.stop();
  });

  /** Makes the database refuse audit inserts (of one phase, or all) until `heal` is called. */
  function breakTrail(phase?: 'attempt' | 'outcome'): { heal: () => void } {
    const db = new BetterSqlite3(join(failing.instance.dataDir, DATABASE_FILE));
    const when = phase === undefined ? '' : `when new.phase = '${phase}'`;
    db.exec(
      `create trigger refuse_audit before insert on audit_events ${when} begin select raise(abort, 'refused'); end`,
    );
    return {
      heal: () => {
        db.exec('drop trigger refuse_audit');
        db.close();
      },
    };
  }

  it('refuses every request with 503 and changes nothing while no event can be written', async () => {
    const acs3 = failing.client('openapi-acs3');
    const before = (await acs3.call('ListSecretVersionIds', { SecretName: 'closed/db' })).TotalCount;
    const trailBroken = breakTrail();
    try {
      const refusals = [
        acs3.call('PutSecretValue', { SecretName: 'closed/db', VersionId: 'v2', SecretData: 'CHANGED' }),
        acs3.call('CreateSecret', { SecretName: 'closed/new', VersionId: 'v1', SecretData: 'new' }),
        acs3.call('DeleteSecret', { SecretName: 'closed/db', ForceDeleteWithoutRecovery: 'true' }),
        acs3.call('GetSecretValue', { SecretName: 'closed/db' }),
        acs3.call('GetSecretValue', { SecretName: 'closed/missing' }),
        kmsClient(failing.endpoint, { accessKeyId: ACCESS_KEY_ID, accessKeySecret: WRONG_SECRET })
          .getSecretValue(new $Kms.GetSecretValueRequest({ secretName: 'closed/db' }))
          .catch((e: unknown) => {
            throw toApiError(e);
          }) as Promise<Body>,
      ];
      for (const refusal of refusals) await expectFailure(refusal, 503, 'ServiceUnavailableTemporary');
      const raw = await send(v1Request(failing.baseUrl, 'GetSecretValue', { SecretName: 'closed/db' }));
      const body = await expectApiError(raw, 503, 'ServiceUnavailableTemporary');
      expect(JSON.stringify(body)).not.toContain('original');
    } finally {
      trailBroken.heal();
    }
    expect(await acs3.call('GetSecretValue', { SecretName: 'closed/db' })).toMatchObject({
      SecretData: 'original',
      VersionId: 'v1',
    });
    expect((await acs3.call('ListSecretVersionIds', { SecretName: 'closed/db' })).TotalCount).toBe(before);
    await expectFailure(
      acs3.call('DescribeSecret', { SecretName: 'closed/new' }),
      404,
      'Forbidden.ResourceNotFound',
    );
    const verify = await failing.instance.tessera.services.audit.verify();
    expect(verify.broken).toBeUndefined();
  });

  it('answers 503 when only the outcome cannot be written; the write then stands, its attempt on record', async () => {
    const acs3 = failing.client('openapi-acs3');
    const trailBroken = breakTrail('outcome');
    let refused;
    try {
      refused = await expectFailure(
        acs3.call('PutSecretValue', { SecretName: 'closed/db', VersionId: 'v3', SecretData: 'third' }),
        503,
        'ServiceUnavailableTemporary',
      );
    } finally {
      trailBroken.heal();
    }
    const { events } = await failing.instance.tessera.services.audit.lookup({
      requestId: refused.requestId,
      limit: 10,
    });
    expect(events.map((e) => [e.phase, e.action])).toEqual([['attempt', 'PutSecretValue']]);
    const versions = await acs3.call('ListSecretVersionIds', {
      SecretName: 'closed/db',
      IncludeDeprecated: 'true',
    });
    expect(JSON.stringify(versions)).toContain('v3');
  });
});
