/**
 * DescribeSecret, ListSecrets, ListSecretVersionIds, UpdateSecret, DeleteSecret, RestoreSecret and
 * GetRandomPassword over the wire, the deletion window (docs/behaviour.md rules 10–12) and its expiry.
 *
 * The server runs on a ManualClock frozen near real time. Requests are signed with real time and the
 * server checks their timestamp against this same clock (±15 minutes), so the clock cannot simply jump
 * 7 days ahead and keep answering API calls: every request would be InvalidTimeStamp.Expired. The expiry
 * test therefore moves the clock past the window, checks the service and runs the sweeper there, and
 * moves the clock back before the next API call, which then sees the secret gone for good.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, ManualClock } from '../../fakes/manual-clock.js';
import type { ApiClient, ApiServer, Body } from './harness.js';
import { $Kms, errorOf, startApiServer } from './harness.js';
import { refusalCheck, secretSnapshot } from './refusals.js';

let server: ApiServer;
let clock: ManualClock;
let acs3: ApiClient;
let popGet: ApiClient;

beforeAll(async () => {
  clock = new ManualClock(Date.now());
  server = await startApiServer({ clock });
  acs3 = server.client('openapi-acs3');
  popGet = server.client('pop-core-get');
});

afterAll(async () => {
  await server.stop();
});

const expectRefused = refusalCheck(() => ({ server, clock }));
const snapshot = (name: string) => secretSnapshot(server, name);

// ---------------------------------------------------------------------------------------------------
// Helpers

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

async function create(name: string, extra: Record<string, string> = {}): Promise<void> {
  await acs3.call('CreateSecret', { SecretName: name, VersionId: 'v1', SecretData: 'value', ...extra });
}

async function listNames(params: Record<string, string>): Promise<{ names: unknown[]; body: Body }> {
  const body = await acs3.call('ListSecrets', params);
  const list = (body.SecretList as { Secret: Body[] }).Secret;
  return { names: list.map((s) => s.SecretName), body };
}

const filter = (...filters: [string, string[]][]) =>
  JSON.stringify(filters.map(([Key, Values]) => ({ Key, Values })));

// ---------------------------------------------------------------------------------------------------

describe('DescribeSecret', () => {
  it('describes a secret through the typed SDK, with tags on request and never its data', async () => {
    await create('describe/one', {
      Description: 'the first',
      Tags: JSON.stringify([
        { TagKey: 'team', TagValue: 'core' },
        { TagKey: 'env', TagValue: 'prod' },
      ]),
    });
    const createdAt = clock.now();
    clock.advance(5000);
    await acs3.call('PutSecretValue', { SecretName: 'describe/one', VersionId: 'v2', SecretData: 'two' });
    const typed = await server.kms.describeSecret(
      new $Kms.DescribeSecretRequest({ secretName: 'describe/one', fetchTags: 'true' }),
    );
    const { accountId, region } = server.instance.tessera.identity;
    expect(typed).toMatchObject({
      arn: `acs:kms:${region}:${accountId}:secret/describe/one`,
      secretName: 'describe/one',
      description: 'the first',
      createTime: iso(createdAt),
      updateTime: iso(clock.now()),
      tags: {
        tag: [
          { tagKey: 'team', tagValue: 'core' },
          { tagKey: 'env', tagValue: 'prod' },
        ],
      },
    });
    const raw = await popGet.call('DescribeSecret', { SecretName: 'describe/one' });
    // The service key is not named, tags only on request, no planned deletion, no data.
    expect(Object.keys(raw).sort()).toEqual(
      ['Arn', 'CreateTime', 'Description', 'RequestId', 'SecretName', 'SecretType', 'UpdateTime'].sort(),
    );
    expect(raw.SecretType).toBe('Generic');
    expect(JSON.stringify(raw)).not.toContain('value');
  });

  it('names a customer key, accepts the ARN, and answers Forbidden.ResourceNotFound for an unknown name', async () => {
    const key = await server.instance.tessera.services.keys.createKey({ description: 'cmk', tags: [] });
    await create('describe/cmk', { EncryptionKeyId: key.id });
    const { accountId, region } = server.instance.tessera.identity;
    const body = await acs3.call('DescribeSecret', {
      SecretName: `acs:kms:${region}:${accountId}:secret/describe/cmk`,
      FetchTags: 'true',
    });
    expect(body).toMatchObject({ SecretName: 'describe/cmk', EncryptionKeyId: key.id, Tags: { Tag: [] } });
    const missing = await errorOf(acs3.call('DescribeSecret', { SecretName: 'describe/none' }));
    expect({ code: missing.code, status: missing.status }).toEqual({
      code: 'Forbidden.ResourceNotFound',
      status: 404,
    });
    const bad = await errorOf(acs3.call('DescribeSecret', { SecretName: 'describe/one', FetchTags: 'yes' }));
    expect({ code: bad.code, parameter: bad.message.includes('"FetchTags"') }).toEqual({
      code: 'InvalidParameter',
      parameter: true,
    });
    expect((await errorOf(acs3.call('DescribeSecret', {}))).code).toBe('MissingParameter');
  });
});

describe('ListSecrets', () => {
  beforeAll(async () => {
    await create('list/app/db', { Description: 'primary', Tags: '[{"TagKey":"env","TagValue":"prod"}]' });
    await create('list/app/api', { Description: 'other', Tags: '[{"TagKey":"team","TagValue":"prod"}]' });
    await create('list/app_x', { Description: 'primary' });
    await create('list/billing', { Tags: '[{"TagKey":"env","TagValue":"dev"}]' });
    await create('list/pending');
    await acs3.call('DeleteSecret', { SecretName: 'list/pending', RecoveryWindowInDays: '10' });
  });

  it('lists by name prefix with paging, numbers as numbers, lists wrapped', async () => {
    const first = await listNames({ Filters: filter(['SecretName', ['list/']]), PageSize: '2' });
    expect(first.names).toEqual(['list/app/api', 'list/app/db']);
    expect(first.body).toMatchObject({ PageNumber: 1, PageSize: 2, TotalCount: 5 });
    const third = await listNames({
      Filters: filter(['SecretName', ['list/']]),
      PageSize: '2',
      PageNumber: '3',
    });
    expect(third.names).toEqual(['list/pending']);
    const item = (third.body.SecretList as { Secret: Body[] }).Secret[0];
    expect(item).toEqual({
      SecretName: 'list/pending',
      SecretType: 'Generic',
      CreateTime: expect.stringMatching(/Z$/) as unknown,
      UpdateTime: expect.stringMatching(/Z$/) as unknown,
      PlannedDeleteTime: expect.stringMatching(/Z$/) as unknown,
    });
    const beyond = await listNames({ Filters: filter(['SecretName', ['list/']]), PageNumber: '9' });
    expect(beyond.names).toEqual([]);
    expect(beyond.body).toMatchObject({ TotalCount: 5, PageSize: 10 });
  });

  it('filters by prefix (OR), description, tag key and value exactly, and type; filters AND', async () => {
    const cases: [string, unknown[]][] = [
      [filter(['SecretName', ['list/app/', 'list/bill']]), ['list/app/api', 'list/app/db', 'list/billing']],
      [filter(['SecretName', ['list/app']]), ['list/app/api', 'list/app/db', 'list/app_x']],
      [filter(['SecretName', ['list/']], ['Description', ['primary']]), ['list/app/db', 'list/app_x']],
      [filter(['SecretName', ['list/']], ['Description', ['prim']]), []],
      [filter(['SecretName', ['list/']], ['TagKey', ['env']]), ['list/app/db', 'list/billing']],
      [filter(['SecretName', ['list/']], ['TagValue', ['prod']]), ['list/app/api', 'list/app/db']],
      [filter(['SecretName', ['list/']], ['TagKey', ['env']], ['TagValue', ['prod']]), ['list/app/db']],
      [
        filter(['SecretName', ['list/']], ['SecretType', ['Generic']]),
        ['list/app/api', 'list/app/db', 'list/app_x', 'list/billing', 'list/pending'],
      ],
      [filter(['SecretName', ['list/']], ['SecretType', ['Rds', 'Redis']]), []],
    ];
    for (const [filters, expected] of cases) {
      const { names, body } = await listNames({ Filters: filters });
      expect({ filters, names }).toEqual({ filters, names: expected });
      expect(body.TotalCount).toBe(expected.length);
    }
  });

  it('adds tags on request, through the typed SDK too', async () => {
    const { body } = await listNames({
      Filters: filter(['SecretName', ['list/app/db', 'list/app_x']]),
      FetchTags: 'true',
    });
    expect((body.SecretList as { Secret: Body[] }).Secret.map((s) => s.Tags)).toEqual([
      { Tag: [{ TagKey: 'env', TagValue: 'prod' }] },
      { Tag: [] },
    ]);
    const typed = await server.kms.listSecrets(
      new $Kms.ListSecretsRequest({ pageSize: 1, fetchTags: 'true' }),
    );
    expect(typed.pageSize).toBe(1);
    expect(typed.totalCount).toBeGreaterThanOrEqual(5);
    expect(typed.secretList.secret).toHaveLength(1);
  });

  it('refuses bad paging and filters with InvalidParameter naming the parameter', async () => {
    const tooMany = Array.from({ length: 11 }, (_, i) => `v${i}`);
    const cases: [Record<string, string>, string][] = [
      [{ PageSize: '0' }, 'PageSize'],
      [{ PageSize: '101' }, 'PageSize'],
      [{ PageNumber: '0' }, 'PageNumber'],
      [{ PageNumber: 'one' }, 'PageNumber'],
      [{ FetchTags: 'sometimes' }, 'FetchTags'],
      [{ Filters: 'not json' }, 'Filters'],
      [{ Filters: '{"Key":"SecretName","Values":["a"]}' }, 'Filters'],
      [{ Filters: filter(['Creator', ['me']]) }, 'Filters'],
      [{ Filters: '[{"Values":["a"]}]' }, 'Filters'],
      [{ Filters: '[{"Key":"SecretName","Values":["a"],"Op":"x"}]' }, 'Filters'],
      [{ Filters: filter(['SecretName', []]) }, 'Filters'],
      [{ Filters: filter(['SecretName', tooMany]) }, 'Filters'],
      [{ Filters: '[{"Key":"SecretName","Values":"a"}]' }, 'Filters'],
      [{ Filters: filter(['SecretName', ['a']], ['SecretName', ['b']]) }, 'Filters'],
      [{ Filters: filter(['SecretName', ['n'.repeat(193)]]) }, 'Filters'],
      [{ Filters: filter(['Description', ['']]) }, 'Filters'],
      [{ Filters: filter(['SecretType', ['Bogus']]) }, 'Filters'],
    ];
    for (const [params, parameter] of cases) {
      const error = await errorOf(acs3.call('ListSecrets', params));
      expect({ params, code: error.code, status: error.status }).toEqual({
        params,
        code: 'InvalidParameter',
        status: 400,
      });
      expect(error.message).toContain(`"${parameter}"`);
    }
  });
});

describe('ListSecretVersionIds', () => {
  beforeAll(async () => {
    await create('versions/s');
    for (const n of [2, 3, 4]) {
      clock.advance(1000);
      await acs3.call('PutSecretValue', {
        SecretName: 'versions/s',
        VersionId: `v${n}`,
        SecretData: `d${n}`,
      });
    }
  });

  it('lists labelled versions newest first, deprecated ones on request, with paging', async () => {
    const typed = await server.kms.listSecretVersionIds(
      new $Kms.ListSecretVersionIdsRequest({ secretName: 'versions/s' }),
    );
    expect(typed).toMatchObject({ secretName: 'versions/s', pageNumber: 1, pageSize: 20, totalCount: 2 });
    expect(typed.versionIds.versionId.map((v) => [v.versionId, v.versionStages.versionStage])).toEqual([
      ['v4', ['ACSCurrent']],
      ['v3', ['ACSPrevious']],
    ]);
    const all = await popGet.call('ListSecretVersionIds', {
      SecretName: 'versions/s',
      IncludeDeprecated: 'true',
      PageSize: '3',
      PageNumber: '2',
    });
    expect(all).toMatchObject({ TotalCount: 4, PageSize: 3, PageNumber: 2 });
    const items = (all.VersionIds as { VersionId: Body[] }).VersionId;
    expect(items).toEqual([
      {
        VersionId: 'v1',
        CreateTime: expect.stringMatching(/Z$/) as unknown,
        VersionStages: { VersionStage: [] },
      },
    ]);
  });

  it('refuses bad parameters and answers not found', async () => {
    for (const [params, parameter] of [
      [{ IncludeDeprecated: 'maybe' }, 'IncludeDeprecated'],
      [{ PageSize: '101' }, 'PageSize'],
      [{ PageSize: '0' }, 'PageSize'],
    ] as const) {
      const error = await errorOf(acs3.call('ListSecretVersionIds', { SecretName: 'versions/s', ...params }));
      expect({ code: error.code, status: error.status }).toEqual({ code: 'InvalidParameter', status: 400 });
      expect(error.message).toContain(parameter);
    }
    expect((await errorOf(acs3.call('ListSecretVersionIds', { SecretName: 'versions/none' }))).status).toBe(
      404,
    );
    expect((await errorOf(acs3.call('ListSecretVersionIds', {}))).code).toBe('MissingParameter');
  });
});

describe('UpdateSecret', () => {
  it('changes the description (and UpdateTime) through the typed SDK; empty clears it', async () => {
    await create('update/s', { Description: 'old' });
    clock.advance(60_000);
    const updated = await server.kms.updateSecret(
      new $Kms.UpdateSecretRequest({ secretName: 'update/s', description: 'new text' }),
    );
    expect(updated.secretName).toBe('update/s');
    expect(await acs3.call('DescribeSecret', { SecretName: 'update/s' })).toMatchObject({
      Description: 'new text',
      UpdateTime: iso(clock.now()),
    });
    await acs3.call('UpdateSecret', { SecretName: 'update/s', Description: '' });
    expect((await acs3.call('DescribeSecret', { SecretName: 'update/s' })).Description).toBe('');
  });

  it('changes nothing without a description, and refuses custom data, bad extended config and long descriptions', async () => {
    await create('update/t', { Description: 'keep' });
    const before = await snapshot('update/t');
    clock.advance(1000);
    // The typed SDK leaves an unset description out of the request entirely: nothing to change.
    await server.kms.updateSecret(new $Kms.UpdateSecretRequest({ secretName: 'update/t' }));
    await acs3.call('UpdateSecret', { SecretName: 'update/t' });
    expect(await snapshot('update/t')).toEqual(before);
    await expectRefused(
      () => acs3.call('UpdateSecret', { SecretName: 'update/t', 'ExtendedConfig.CustomData': '{"k":"v"}' }),
      { code: 'InvalidParameter', status: 400, parameter: 'ExtendedConfig.CustomData' },
      ['update/t'],
    );
    await expectRefused(
      () => acs3.call('UpdateSecret', { SecretName: 'update/t', ExtendedConfig: '["not an object"]' }),
      { code: 'InvalidParameter', status: 400, parameter: 'ExtendedConfig' },
      ['update/t'],
    );
    await expectRefused(
      () => acs3.call('UpdateSecret', { SecretName: 'update/t', Description: 'x'.repeat(1025) }),
      { code: 'InvalidParameter', status: 400, parameter: 'Description' },
      ['update/t'],
    );
    await expectRefused(
      () => acs3.call('UpdateSecret', { SecretName: 'update/none', Description: 'x' }),
      { code: 'Forbidden.ResourceNotFound', status: 404 },
      ['update/none'],
    );
  });
});

describe('DeleteSecret and RestoreSecret', () => {
  it('schedules deletion with the default 30-day window, and restores', async () => {
    await create('delete/default');
    const deleted = await server.kms.deleteSecret(
      new $Kms.DeleteSecretRequest({ secretName: 'delete/default' }),
    );
    expect(deleted).toMatchObject({
      secretName: 'delete/default',
      plannedDeleteTime: iso(clock.now() + 30 * DAY_MS),
    });
    expect(await acs3.call('DescribeSecret', { SecretName: 'delete/default' })).toMatchObject({
      PlannedDeleteTime: iso(clock.now() + 30 * DAY_MS),
    });
    const restored = await server.kms.restoreSecret(
      new $Kms.RestoreSecretRequest({ secretName: 'delete/default' }),
    );
    expect(restored.secretName).toBe('delete/default');
    expect(await acs3.call('DescribeSecret', { SecretName: 'delete/default' })).not.toHaveProperty(
      'PlannedDeleteTime',
    );
    expect((await acs3.call('GetSecretValue', { SecretName: 'delete/default' })).SecretData).toBe('value');
    // Restoring a secret that is not pending deletion succeeds and changes nothing (docs/behaviour.md rule 12).
    const before = await snapshot('delete/default');
    clock.advance(1000);
    expect(await acs3.call('RestoreSecret', { SecretName: 'delete/default' })).toMatchObject({
      SecretName: 'delete/default',
    });
    expect(await snapshot('delete/default')).toEqual(before);
  });

  it('refuses windows outside 7–30 days and bad flags, without scheduling anything', async () => {
    await create('delete/window');
    for (const [params, parameter] of [
      [{ RecoveryWindowInDays: '6' }, 'RecoveryWindowInDays'],
      [{ RecoveryWindowInDays: '31' }, 'RecoveryWindowInDays'],
      [{ RecoveryWindowInDays: 'week' }, 'RecoveryWindowInDays'],
      [{ RecoveryWindowInDays: '6', ForceDeleteWithoutRecovery: 'true' }, 'RecoveryWindowInDays'],
      [{ ForceDeleteWithoutRecovery: 'perhaps' }, 'ForceDeleteWithoutRecovery'],
    ] as const) {
      await expectRefused(
        () => acs3.call('DeleteSecret', { SecretName: 'delete/window', ...params }),
        { code: 'InvalidParameter', status: 400, parameter },
        ['delete/window'],
      );
    }
    for (const days of ['7', '30']) {
      await create(`delete/window-${days}`);
      const body = await acs3.call('DeleteSecret', {
        SecretName: `delete/window-${days}`,
        RecoveryWindowInDays: days,
      });
      expect(body.PlannedDeleteTime).toBe(iso(clock.now() + Number(days) * DAY_MS));
    }
    for (const action of ['DeleteSecret', 'RestoreSecret']) {
      const error = await errorOf(acs3.call(action, { SecretName: 'delete/none' }));
      expect({ code: error.code, status: error.status }).toEqual({
        code: 'Forbidden.ResourceNotFound',
        status: 404,
      });
    }
  });

  it('rejects every change and read of a pending secret with Rejected.ResourceInDeleteWindow', async () => {
    await create('delete/pending');
    await acs3.call('SetSecretPolicy', {
      SecretName: 'delete/pending',
      // Denies another user, not the administrator making these calls (policies are enforced).
      Policy:
        '{"Version":"1","Statement":[{"Effect":"Deny","Principal":{"RAM":["acs:ram::1234567890:user/mallory"]},"Action":["kms:*"],"Resource":["*"]}]}',
    });
    await acs3.call('DeleteSecret', { SecretName: 'delete/pending', RecoveryWindowInDays: '7' });
    const planned = iso(clock.now() + 7 * DAY_MS);
    const refused: [string, Record<string, string>][] = [
      ['GetSecretValue', {}],
      ['GetSecretValue', { DryRun: 'true' }],
      ['PutSecretValue', { VersionId: 'v2', SecretData: 'x' }],
      ['PutSecretValue', { VersionId: 'v1', SecretData: 'value' }],
      ['UpdateSecretVersionStage', { VersionStage: 'Blue', MoveToVersion: 'v1' }],
      ['ListSecretVersionIds', {}],
      ['UpdateSecret', { Description: 'x' }],
      ['UpdateSecret', {}],
      ['DeleteSecret', { RecoveryWindowInDays: '30' }],
      ['GetSecretPolicy', {}],
      [
        'SetSecretPolicy',
        {
          Policy:
            '{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["*"]},"Action":["kms:*"],"Resource":["*"]}]}',
        },
      ],
      ['CreateSecret', { VersionId: 'v1', SecretData: 'again' }],
    ];
    for (const [action, params] of refused) {
      await expectRefused(
        () => acs3.call(action, { SecretName: 'delete/pending', ...params }),
        { code: 'Rejected.ResourceInDeleteWindow', status: 409 },
        ['delete/pending'],
      );
    }
    // Describe and List still show it, with its planned deletion time.
    expect((await acs3.call('DescribeSecret', { SecretName: 'delete/pending' })).PlannedDeleteTime).toBe(
      planned,
    );
    const listed = await listNames({ Filters: filter(['SecretName', ['delete/pending']]) });
    expect((listed.body.SecretList as { Secret: Body[] }).Secret[0]?.PlannedDeleteTime).toBe(planned);
    // Restore brings everything back, the policy included.
    await acs3.call('RestoreSecret', { SecretName: 'delete/pending' });
    expect((await acs3.call('GetSecretValue', { SecretName: 'delete/pending' })).SecretData).toBe('value');
    expect((await acs3.call('GetSecretPolicy', { SecretName: 'delete/pending' })).Policy).toContain('"Deny"');
  });

  it('force-deletes at once, pending or not; the name is free again', async () => {
    await create('delete/force');
    const body = await popGet.call('DeleteSecret', {
      SecretName: 'delete/force',
      ForceDeleteWithoutRecovery: 'true',
    });
    expect(body).toMatchObject({ SecretName: 'delete/force', PlannedDeleteTime: iso(clock.now()) });
    expect((await errorOf(acs3.call('DescribeSecret', { SecretName: 'delete/force' }))).status).toBe(404);
    expect((await errorOf(acs3.call('RestoreSecret', { SecretName: 'delete/force' }))).status).toBe(404);
    await create('delete/force', { SecretData: 'reborn' });
    await acs3.call('DeleteSecret', { SecretName: 'delete/force', RecoveryWindowInDays: '7' });
    await acs3.call('DeleteSecret', { SecretName: 'delete/force', ForceDeleteWithoutRecovery: 'True' });
    expect(await snapshot('delete/force')).toBe('absent');
    await create('delete/force', { SecretData: 'third life' });
    expect((await acs3.call('GetSecretValue', { SecretName: 'delete/force' })).SecretData).toBe('third life');
  });

  it('destroys the secret when the window ends; its name is free again', async () => {
    const { secrets } = server.instance.tessera.services;
    await create('delete/expiring', { Tags: '[{"TagKey":"doomed","TagValue":"yes"}]' });
    const deleted = await acs3.call('DeleteSecret', {
      SecretName: 'delete/expiring',
      RecoveryWindowInDays: '7',
    });
    expect(deleted.PlannedDeleteTime).toBe(iso(clock.now() + 7 * DAY_MS));

    const window = 7 * DAY_MS;
    try {
      clock.advance(window - 1);
      expect((await secrets.describeSecret('delete/expiring')).plannedDeleteAt).not.toBeNull();
      // Why the expiry checks run on the service: with the clock days ahead, signatures made now are stale.
      expect((await errorOf(acs3.call('DescribeSecret', { SecretName: 'delete/expiring' }))).code).toBe(
        'InvalidTimeStamp.Expired',
      );
      clock.advance(1);
      // Gone as soon as the window ends, before the sweeper runs…
      await expect(secrets.describeSecret('delete/expiring')).rejects.toMatchObject({
        code: 'secret_not_found',
      });
      expect(
        (await secrets.listSecrets({ namePrefixes: ['delete/expiring'], offset: 0, limit: 10 })).total,
      ).toBe(0);
      // …and destroyed by it.
      expect(await secrets.purgeExpired()).toBeGreaterThanOrEqual(1);
    } finally {
      clock.advance(-window);
    }
    // Back at the present the secret stays gone: no describe, no listing, no restore, the tag is free.
    expect((await errorOf(acs3.call('DescribeSecret', { SecretName: 'delete/expiring' }))).code).toBe(
      'Forbidden.ResourceNotFound',
    );
    expect((await errorOf(acs3.call('RestoreSecret', { SecretName: 'delete/expiring' }))).code).toBe(
      'Forbidden.ResourceNotFound',
    );
    expect((await listNames({ Filters: filter(['TagKey', ['doomed']]) })).names).toEqual([]);
    await create('delete/expiring', { SecretData: 'new life' });
    expect((await acs3.call('GetSecretValue', { SecretName: 'delete/expiring' })).SecretData).toBe(
      'new life',
    );
  });
});

describe('GetRandomPassword', () => {
  const LOWER = /[a-z]/;
  const UPPER = /[A-Z]/;
  const DIGIT = /[0-9]/;
  const PUNCT = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

  it('answers 32 characters with every class by default, through the typed SDK', async () => {
    const { randomPassword } = await server.kms.getRandomPassword(new $Kms.GetRandomPasswordRequest({}));
    expect(randomPassword).toHaveLength(32);
    for (const cls of [LOWER, UPPER, DIGIT, PUNCT]) expect(randomPassword).toMatch(cls);
  });

  it('follows length, class and character exclusions, through every client', async () => {
    for (const client of server.clients) {
      const punct = await client.call('GetRandomPassword', {
        PasswordLength: '128',
        ExcludeLowercase: 'true',
        ExcludeUppercase: 'true',
        ExcludeNumbers: 'true',
        ExcludeCharacters: '"\'\\&%+',
      });
      const password = punct.RandomPassword as string;
      expect(password).toHaveLength(128);
      expect(password).toMatch(/^[!#$()*,\-./:;<=>?@[\]^_`{|}~]+$/);
    }
    const short = await acs3.call('GetRandomPassword', {
      PasswordLength: '8',
      ExcludePunctuation: 'true',
      RequireEachIncludedType: 'false',
    });
    expect(short.RandomPassword).toMatch(/^[A-Za-z0-9]{8}$/);
    const digits = await acs3.call('GetRandomPassword', {
      ExcludeLowercase: 'true',
      ExcludeUppercase: 'true',
      ExcludePunctuation: 'true',
      ExcludeCharacters: '0123456789'.slice(0, 9),
    });
    expect(digits.RandomPassword).toBe('9'.repeat(32));
  });

  it('refuses lengths outside 8–128, bad flags, and exclusions that leave nothing', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ PasswordLength: '7' }, 'PasswordLength'],
      [{ PasswordLength: '129' }, 'PasswordLength'],
      [{ PasswordLength: 'long' }, 'PasswordLength'],
      [{ ExcludeNumbers: 'maybe' }, 'ExcludeNumbers'],
      [{ RequireEachIncludedType: 'sure' }, 'RequireEachIncludedType'],
      [
        {
          ExcludeLowercase: 'true',
          ExcludeUppercase: 'true',
          ExcludeNumbers: 'true',
          ExcludePunctuation: 'true',
        },
        'ExcludeCharacters',
      ],
      [
        {
          ExcludeLowercase: 'true',
          ExcludeUppercase: 'true',
          ExcludePunctuation: 'true',
          ExcludeCharacters: '0123456789',
        },
        'ExcludeCharacters',
      ],
    ];
    for (const [params, parameter] of cases) {
      const error = await errorOf(acs3.call('GetRandomPassword', params));
      expect({ params, code: error.code, status: error.status }).toEqual({
        params,
        code: 'InvalidParameter',
        status: 400,
      });
      expect(error.message).toContain(`"${parameter}"`);
    }
  });
});
