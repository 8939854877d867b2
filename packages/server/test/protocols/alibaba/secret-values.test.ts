/**
 * CreateSecret, GetSecretValue, BatchGetSecretValue, PutSecretValue and UpdateSecretVersionStage over
 * the wire, through the real SDKs: the typed kms20160120 methods where that SDK has them, the generic
 * clients otherwise. Every refusal is checked for its HTTP status and code, and for leaving the stored
 * secret exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../fakes/manual-clock.js';
import type { ApiClient, ApiServer, Body } from './harness.js';
import { $Kms, errorOf, startApiServer } from './harness.js';
import { refusalCheck, secretSnapshot } from './refusals.js';

let server: ApiServer;
let clock: ManualClock;
let acs3: ApiClient;
let popGet: ApiClient;
let popPost: ApiClient;

beforeAll(async () => {
  // Frozen near real time: request signatures (real time) stay inside the ±15 min window, and the
  // server's clock only moves when a test says so, which makes a stray write visible in UpdateTime.
  clock = new ManualClock(Date.now());
  server = await startApiServer({ clock });
  acs3 = server.client('openapi-acs3');
  popGet = server.client('pop-core-get');
  popPost = server.client('pop-core-post');
});

afterAll(async () => {
  await server.stop();
});

const expectRefused = refusalCheck(() => ({ server, clock }));
const snapshot = (name: string) => secretSnapshot(server, name);

// ---------------------------------------------------------------------------------------------------
// Helpers

async function create(name: string, data = 'value-1', extra: Record<string, string> = {}): Promise<void> {
  await acs3.call('CreateSecret', { SecretName: name, VersionId: 'v1', SecretData: data, ...extra });
}

async function value(name: string, selector: Record<string, string> = {}): Promise<Body> {
  return acs3.call('GetSecretValue', { SecretName: name, ...selector });
}

// ---------------------------------------------------------------------------------------------------

describe('CreateSecret', () => {
  it('creates a secret through the typed SDK, answers its ARN, and reads back as ACSCurrent', async () => {
    const created = await server.kms.createSecret(
      new $Kms.CreateSecretRequest({
        secretName: 'values/typed',
        versionId: 'v1',
        secretData: 'héllo wörld & 秘密 😀',
        description: 'typed client',
        tags: JSON.stringify([{ TagKey: 'team', TagValue: 'core' }]),
      }),
    );
    const { accountId, region } = server.instance.tessera.identity;
    expect(created).toMatchObject({
      arn: `acs:kms:${region}:${accountId}:secret/values/typed`,
      secretName: 'values/typed',
      versionId: 'v1',
    });
    const read = await server.kms.getSecretValue(
      new $Kms.GetSecretValueRequest({ secretName: 'values/typed' }),
    );
    expect(read).toMatchObject({
      secretName: 'values/typed',
      versionId: 'v1',
      secretData: 'héllo wörld & 秘密 😀',
      secretDataType: 'text',
      versionStages: { versionStage: ['ACSCurrent'] },
    });
    expect(read.createTime).toBe(
      new Date(Math.floor(clock.now() / 1000) * 1000).toISOString().replace('.000', ''),
    );
  });

  it('keeps binary data exactly as sent and refuses binary data that is not base64', async () => {
    await create('values/binary', 'AAECAwQF/w==', { SecretDataType: 'binary' });
    expect(await value('values/binary')).toMatchObject({
      SecretData: 'AAECAwQF/w==',
      SecretDataType: 'binary',
    });
    await expectRefused(
      () => create('values/not-base64', 'not base64!', { SecretDataType: 'binary' }),
      { code: 'InvalidParameter', status: 400, parameter: 'SecretData' },
      ['values/not-base64'],
    );
  });

  it('takes 30,720 bytes of data (multi-byte, in the query string) and refuses 30,721', async () => {
    const biggest = 'é'.repeat(15_360);
    await create('values/biggest', biggest);
    expect((await value('values/biggest')).SecretData).toBe(biggest);
    await expectRefused(
      () => create('values/too-big', `${biggest}x`),
      { code: 'InvalidParameter', status: 400, parameter: 'SecretData' },
      ['values/too-big'],
    );
  });

  it('refuses bad names, version ids, types and tags with InvalidParameter naming the parameter', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ SecretName: 'bad name!' }, 'SecretName'],
      [{ SecretName: 'n'.repeat(193) }, 'SecretName'],
      [{ SecretName: 'acs/reserved' }, 'SecretName'],
      [{ VersionId: 'v'.repeat(65) }, 'VersionId'],
      [{ VersionId: 'v 1' }, 'VersionId'],
      [{ SecretType: 'Redis' }, 'SecretType'],
      [{ SecretDataType: 'blob' }, 'SecretDataType'],
      [{ Tags: 'not json' }, 'Tags'],
      [{ Tags: '[{"TagKey":"aliyun-reserved","TagValue":"x"}]' }, 'Tags'],
      [{ Tags: '[{"TagKey":"bad*key","TagValue":"x"}]' }, 'Tags'],
      [{ Tags: '[{"TagKey":"k","TagValue":"x"},{"TagKey":"k","TagValue":"y"}]' }, 'Tags'],
      [{ Description: 'd'.repeat(1025) }, 'Description'],
    ];
    for (const [override, parameter] of cases) {
      const params = { SecretName: 'values/invalid', VersionId: 'v1', SecretData: 'x', ...override };
      await expectRefused(
        () => acs3.call('CreateSecret', params),
        { code: 'InvalidParameter', status: 400, parameter },
        ['values/invalid', params.SecretName],
      );
    }
    // Automatic rotation needs a rotator; a plain Generic secret has none (docs/rotation.md).
    await expectRefused(
      () =>
        acs3.call('CreateSecret', {
          SecretName: 'values/invalid',
          VersionId: 'v1',
          SecretData: 'x',
          EnableAutomaticRotation: 'true',
          RotationInterval: '7d',
        }),
      { code: 'Rejected.UnsupportedOperation', status: 400 },
      ['values/invalid'],
    );
  });

  it('refuses a 21st tag with Rejected.LimitExceeded', async () => {
    const tags = Array.from({ length: 21 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    await expectRefused(
      () => create('values/many-tags', 'x', { Tags: JSON.stringify(tags) }),
      { code: 'Rejected.LimitExceeded', status: 400 },
      ['values/many-tags'],
    );
  });

  it('names the missing parameter', async () => {
    for (const missing of ['SecretName', 'VersionId', 'SecretData']) {
      const all = { SecretName: 'values/missing', VersionId: 'v1', SecretData: 'x' };
      const params = Object.fromEntries(Object.entries(all).filter(([name]) => name !== missing));
      await expectRefused(
        () => popPost.call('CreateSecret', params),
        { code: 'MissingParameter', status: 400, parameter: missing },
        ['values/missing'],
      );
    }
  });

  it('refuses a taken name with Rejected.ResourceExist and an unknown key with Forbidden.KeyNotFound', async () => {
    await create('values/taken', 'first');
    await expectRefused(
      () => create('values/taken', 'second'),
      { code: 'Rejected.ResourceExist', status: 409 },
      ['values/taken'],
    );
    expect((await value('values/taken')).SecretData).toBe('first');
    await expectRefused(
      () => create('values/unknown-key', 'x', { EncryptionKeyId: 'key-does-not-exist' }),
      { code: 'Forbidden.KeyNotFound', status: 404 },
      ['values/unknown-key'],
    );
  });
});

describe('GetSecretValue', () => {
  beforeAll(async () => {
    await create('values/read', 'one');
    await acs3.call('PutSecretValue', { SecretName: 'values/read', VersionId: 'v2', SecretData: 'two' });
    await acs3.call('PutSecretValue', { SecretName: 'values/read', VersionId: 'v3', SecretData: 'three' });
  });

  it('reads by stage, by version id (a deprecated one too), and by both when they agree', async () => {
    expect(await value('values/read')).toMatchObject({ VersionId: 'v3', SecretData: 'three' });
    expect(await value('values/read', { VersionStage: 'ACSPrevious' })).toMatchObject({ VersionId: 'v2' });
    // v1 carries no stage any more, yet stays readable by id until it is evicted (docs/behaviour.md rule 4).
    expect(await value('values/read', { VersionId: 'v1' })).toMatchObject({
      SecretData: 'one',
      VersionStages: { VersionStage: [] },
    });
    expect(await value('values/read', { VersionId: 'v2', VersionStage: 'ACSPrevious' })).toMatchObject({
      SecretData: 'two',
    });
    const typed = await server.kms.getSecretValue(
      new $Kms.GetSecretValueRequest({ secretName: 'values/read', versionStage: 'ACSPrevious' }),
    );
    expect(typed.versionStages.versionStage).toEqual(['ACSPrevious']);
  });

  it('accepts the secret ARN wherever a name is taken', async () => {
    const { accountId, region } = server.instance.tessera.identity;
    const arn = `acs:kms:${region}:${accountId}:secret/values/read`;
    expect(await popGet.call('GetSecretValue', { SecretName: arn })).toMatchObject({
      SecretName: 'values/read',
      SecretData: 'three',
    });
    const error = await errorOf(popGet.call('GetSecretValue', { SecretName: 'acs:kms:nonsense' }));
    expect({ code: error.code, status: error.status }).toEqual({ code: 'InvalidParameter', status: 400 });
  });

  it('answers Forbidden.ResourceNotFound for a missing secret, version or stage, naming it (docs/behaviour.md rule 7)', async () => {
    await create('values/one-version');
    for (const [selector, missing] of [
      [{ SecretName: 'values/none' }, '"values/none"'],
      [{ SecretName: 'values/read', VersionId: 'v9' }, '"v9"'],
      [{ SecretName: 'values/read', VersionStage: 'NoSuchStage' }, '"NoSuchStage"'],
      [{ SecretName: 'values/one-version', VersionStage: 'ACSPrevious' }, '"ACSPrevious"'],
    ] as const) {
      const error = await errorOf(acs3.call('GetSecretValue', selector));
      expect({ code: error.code, status: error.status }).toEqual({
        code: 'Forbidden.ResourceNotFound',
        status: 404,
      });
      expect(error.message).toContain(missing);
      expect(error.message).not.toContain('$');
    }
    const batch = await acs3.call('BatchGetSecretValue', {
      SecretsList: JSON.stringify([{ SecretName: 'values/one-version', VersionStage: 'ACSPrevious' }]),
    });
    const [itemError] = batch.Errors as { Code: string; Message: string }[];
    expect(itemError?.Code).toBe('Forbidden.ResourceNotFound');
    expect(itemError?.Message).toContain('"ACSPrevious"');
  });

  it('refuses a VersionId and VersionStage that disagree, and the internal stage spelling', async () => {
    for (const [selector, parameter] of [
      [{ VersionId: 'v1', VersionStage: 'ACSCurrent' }, 'VersionStage'],
      [{ VersionStage: '$current' }, 'VersionStage'],
    ] as const) {
      const error = await errorOf(value('values/read', selector));
      expect({ code: error.code, status: error.status }).toEqual({ code: 'InvalidParameter', status: 400 });
      expect(error.message).toContain(parameter);
    }
  });

  it('answers DryRun with DryRunOperationError where the read would succeed, else with its error', async () => {
    for (const client of server.clients) {
      const passed = await errorOf(
        client.call('GetSecretValue', { SecretName: 'values/read', DryRun: 'true' }),
      );
      expect({ code: passed.code, status: passed.status }).toEqual({
        code: 'DryRunOperationError',
        status: 400,
      });
    }
    const missing = await errorOf(value('values/none', { DryRun: 'true' }));
    expect(missing.code).toBe('Forbidden.ResourceNotFound');
    const mismatch = await errorOf(
      value('values/read', { DryRun: 'true', VersionId: 'v1', VersionStage: 'ACSCurrent' }),
    );
    expect(mismatch.code).toBe('InvalidParameter');
    const bad = await errorOf(value('values/read', { DryRun: 'maybe' }));
    expect(bad.message).toContain('DryRun');
    // DryRun=false is an ordinary read; the Python spelling `True` counts as true.
    expect(await value('values/read', { DryRun: 'false' })).toMatchObject({ SecretData: 'three' });
    expect((await errorOf(value('values/read', { DryRun: 'True' }))).code).toBe('DryRunOperationError');
  });

  it('requires SecretName', async () => {
    const error = await errorOf(acs3.call('GetSecretValue', {}));
    expect({ code: error.code, status: error.status }).toEqual({ code: 'MissingParameter', status: 400 });
    expect(error.message).toContain('SecretName');
  });
});

describe('BatchGetSecretValue', () => {
  beforeAll(async () => {
    await create('batch/a', 'alpha');
    await create('batch/b', 'beta');
    await acs3.call('PutSecretValue', { SecretName: 'batch/b', VersionId: 'v2', SecretData: 'beta-2' });
    await create('batch/pending', 'gone-soon');
    await acs3.call('DeleteSecret', { SecretName: 'batch/pending', RecoveryWindowInDays: '7' });
  });

  it('answers values and per-item errors in bare arrays, each in request order', async () => {
    const { accountId, region } = server.instance.tessera.identity;
    const list = [
      { SecretName: 'batch/a' },
      { SecretName: 'batch/missing' },
      { SecretName: `acs:kms:${region}:${accountId}:secret/batch/b`, VersionStage: 'ACSPrevious' },
      { SecretName: 'batch/pending' },
      { SecretName: 'batch/b', VersionId: 'v2', FetchExtendedConfig: 'true' },
      { SecretName: 'batch/a', VersionId: 'nope' },
    ];
    for (const client of [acs3, popGet, server.client('kms20160120')]) {
      const body = await client.call('BatchGetSecretValue', { SecretsList: JSON.stringify(list) });
      expect(body.SecretValues).toEqual([
        expect.objectContaining({
          SecretName: 'batch/a',
          VersionId: 'v1',
          SecretData: 'alpha',
          SecretDataType: 'text',
          SecretType: 'Generic',
          VersionStages: { VersionStage: ['ACSCurrent'] },
        }),
        expect.objectContaining({ SecretName: 'batch/b', VersionId: 'v1', SecretData: 'beta' }),
        expect.objectContaining({ SecretName: 'batch/b', VersionId: 'v2', SecretData: 'beta-2' }),
      ]);
      expect(body.Errors).toEqual([
        expect.objectContaining({
          SecretName: 'batch/missing',
          Code: 'Forbidden.ResourceNotFound',
          HttpStatus: 404,
        }),
        expect.objectContaining({
          SecretName: 'batch/pending',
          Code: 'Rejected.ResourceInDeleteWindow',
          HttpStatus: 409,
        }),
        expect.objectContaining({
          SecretName: 'batch/a',
          Code: 'Forbidden.ResourceNotFound',
          HttpStatus: 404,
        }),
      ]);
      for (const item of body.Errors as Body[]) expect(typeof item.Message).toBe('string');
      expect(JSON.stringify(body.Errors)).not.toContain('gone-soon');
    }
  });

  it('keeps both arrays for a single item and for no errors', async () => {
    const body = await acs3.call('BatchGetSecretValue', { SecretsList: '[{"SecretName":"batch/a"}]' });
    expect(body.SecretValues).toHaveLength(1);
    expect(body.Errors).toEqual([]);
  });

  it('refuses a malformed, empty or oversized SecretsList as a whole', async () => {
    const twentyOne = JSON.stringify(Array.from({ length: 21 }, () => ({ SecretName: 'batch/a' })));
    const twenty = JSON.stringify(Array.from({ length: 20 }, () => ({ SecretName: 'batch/a' })));
    expect((await acs3.call('BatchGetSecretValue', { SecretsList: twenty })).SecretValues).toHaveLength(20);
    for (const secretsList of [
      twentyOne,
      '[]',
      'not json',
      '{"SecretName":"batch/a"}',
      '[{"VersionId":"v1"}]',
      '[{"SecretName":"batch/a","VersionId":7}]',
      '[{"SecretName":"batch/a","FetchExtendedConfig":"perhaps"}]',
      '[{"SecretName":"acs:kms:bad"}]',
      '[{"SecretName":"batch/a","VersionStage":"$previous"}]',
    ]) {
      const error = await errorOf(acs3.call('BatchGetSecretValue', { SecretsList: secretsList }));
      expect({ code: error.code, status: error.status, secretsList }).toEqual({
        code: 'InvalidParameter',
        status: 400,
        secretsList,
      });
      expect(error.message).toContain('SecretsList');
    }
    const missing = await errorOf(acs3.call('BatchGetSecretValue', {}));
    expect({ code: missing.code, status: missing.status }).toEqual({ code: 'MissingParameter', status: 400 });
  });
});

describe('PutSecretValue', () => {
  it('re-puts the same version idempotently and refuses other data under its id', async () => {
    await create('put/idem', 'same');
    await server.kms.putSecretValue(
      new $Kms.PutSecretValueRequest({ secretName: 'put/idem', versionId: 'v2', secretData: 'two' }),
    );
    // Same id and data: success, nothing changes, the stored labels come back (VersionStages ignored).
    const again = await server.kms.putSecretValue(
      new $Kms.PutSecretValueRequest({
        secretName: 'put/idem',
        versionId: 'v1',
        secretData: 'same',
        versionStages: '["Other"]',
      }),
    );
    expect(again.versionStages.versionStage).toEqual(['ACSPrevious']);
    const conflict = await expectRefused(
      () => acs3.call('PutSecretValue', { SecretName: 'put/idem', VersionId: 'v1', SecretData: 'different' }),
      { code: 'Rejected.ResourceExist', status: 409 },
      ['put/idem'],
    );
    expect(conflict.message).toContain('v1');
    expect(conflict.message).not.toContain('same');
    await expectRefused(
      () =>
        acs3.call('PutSecretValue', {
          SecretName: 'put/idem',
          VersionId: 'v1',
          SecretData: 'c2FtZQ==',
          SecretDataType: 'binary',
        }),
      { code: 'Rejected.ResourceExist', status: 409 },
      ['put/idem'],
    );
    expect((await value('put/idem', { VersionId: 'v1' })).SecretData).toBe('same');
  });

  it('refuses a ninth stage label with Rejected.LimitExceeded', async () => {
    await create('put/labels');
    const seven = JSON.stringify(Array.from({ length: 7 }, (_, i) => `L${i + 1}`));
    const put = await acs3.call('PutSecretValue', {
      SecretName: 'put/labels',
      VersionId: 'v2',
      SecretData: 'x',
      VersionStages: seven,
    });
    expect((put.VersionStages as Body).VersionStage).toHaveLength(7);
    await expectRefused(
      () =>
        acs3.call('PutSecretValue', {
          SecretName: 'put/labels',
          VersionId: 'v3',
          SecretData: 'y',
          VersionStages: '["L8"]',
        }),
      { code: 'Rejected.LimitExceeded', status: 400 },
      ['put/labels'],
    );
    await expectRefused(
      () =>
        acs3.call('UpdateSecretVersionStage', {
          SecretName: 'put/labels',
          VersionStage: 'L8',
          MoveToVersion: 'v1',
        }),
      { code: 'Rejected.LimitExceeded', status: 400 },
      ['put/labels'],
    );
    // Moving a label that exists already is fine at the limit.
    await acs3.call('UpdateSecretVersionStage', {
      SecretName: 'put/labels',
      VersionStage: 'L7',
      MoveToVersion: 'v1',
    });
  });

  it('refuses bad stage lists, ids and data with InvalidParameter', async () => {
    await create('put/invalid');
    const cases: [Record<string, string>, string][] = [
      [{ VersionStages: '["bad label"]' }, 'VersionStages'],
      [{ VersionStages: '[]' }, 'VersionStages'],
      [{ VersionStages: 'ACSCurrent' }, 'VersionStages'],
      [{ VersionStages: '["$current"]' }, 'VersionStages'],
      [{ VersionStages: '["A","A"]' }, 'VersionStages'],
      [{ VersionId: 'bad id' }, 'VersionId'],
      [{ SecretData: 'x'.repeat(30_721) }, 'SecretData'],
      [{ SecretData: '***', SecretDataType: 'binary' }, 'SecretData'],
      [{ SecretName: 'acs:kms:x' }, 'SecretName'],
    ];
    for (const [override, parameter] of cases) {
      await expectRefused(
        () =>
          acs3.call('PutSecretValue', {
            SecretName: 'put/invalid',
            VersionId: 'v2',
            SecretData: 'x',
            ...override,
          }),
        { code: 'InvalidParameter', status: 400, parameter },
        ['put/invalid'],
      );
    }
    await expectRefused(
      () => acs3.call('PutSecretValue', { SecretName: 'put/invalid', SecretData: 'x' }),
      { code: 'MissingParameter', status: 400, parameter: 'VersionId' },
      ['put/invalid'],
    );
    await expectRefused(
      () => acs3.call('PutSecretValue', { SecretName: 'put/none', VersionId: 'v2', SecretData: 'x' }),
      { code: 'Forbidden.ResourceNotFound', status: 404 },
      ['put/none'],
    );
  });

  it('keeps ten versions, evicting the oldest unlabeled one', async () => {
    await create('put/cap', 'd1');
    for (let n = 2; n <= 11; n++) {
      await acs3.call('PutSecretValue', { SecretName: 'put/cap', VersionId: `v${n}`, SecretData: `d${n}` });
    }
    const listed = await acs3.call('ListSecretVersionIds', {
      SecretName: 'put/cap',
      IncludeDeprecated: 'true',
    });
    const ids = (listed.VersionIds as { VersionId: Body[] }).VersionId.map((v) => v.VersionId);
    expect(ids).toEqual(['v11', 'v10', 'v9', 'v8', 'v7', 'v6', 'v5', 'v4', 'v3', 'v2']);
    expect((await errorOf(value('put/cap', { VersionId: 'v1' }))).code).toBe('Forbidden.ResourceNotFound');
  });
});

describe('UpdateSecretVersionStage', () => {
  beforeAll(async () => {
    await create('stage/s', 'one');
    await acs3.call('PutSecretValue', { SecretName: 'stage/s', VersionId: 'v2', SecretData: 'two' });
    await acs3.call('PutSecretValue', {
      SecretName: 'stage/s',
      VersionId: 'v3',
      SecretData: 'three',
      VersionStages: '["Blue"]',
    });
  });

  it('moves custom and built-in labels, through the typed SDK and pop-core', async () => {
    await server.kms.updateSecretVersionStage(
      new $Kms.UpdateSecretVersionStageRequest({
        secretName: 'stage/s',
        versionStage: 'Blue',
        removeFromVersion: 'v3',
        moveToVersion: 'v1',
      }),
    );
    expect(await value('stage/s', { VersionStage: 'Blue' })).toMatchObject({ VersionId: 'v1' });
    await popGet.call('UpdateSecretVersionStage', {
      SecretName: 'stage/s',
      VersionStage: 'ACSPrevious',
      MoveToVersion: 'v3',
    });
    expect(await value('stage/s', { VersionStage: 'ACSPrevious' })).toMatchObject({ VersionId: 'v3' });
    await popPost.call('UpdateSecretVersionStage', {
      SecretName: 'stage/s',
      VersionStage: 'Blue',
      RemoveFromVersion: 'v1',
    });
    expect((await errorOf(value('stage/s', { VersionStage: 'Blue' }))).status).toBe(404);
    // Moving a label onto the version that holds it changes nothing.
    const before = await snapshot('stage/s');
    expect(before).toMatchObject({ name: 'stage/s', versions: expect.any(Array) as unknown });
    clock.advance(1000);
    await acs3.call('UpdateSecretVersionStage', {
      SecretName: 'stage/s',
      VersionStage: 'ACSCurrent',
      MoveToVersion: 'v2',
    });
    expect(await snapshot('stage/s')).toEqual(before);
  });

  it('refuses invalid moves without changing anything', async () => {
    const refusals: [Record<string, string>, { code: string; status: number; parameter?: string }][] = [
      // ACSCurrent and ACSPrevious can only be moved, never removed (docs/behaviour.md rule 5).
      [
        { VersionStage: 'ACSCurrent', RemoveFromVersion: 'v2' },
        { code: 'InvalidParameter', status: 400, parameter: 'MoveToVersion' },
      ],
      [
        { VersionStage: 'ACSPrevious', RemoveFromVersion: 'v3' },
        { code: 'InvalidParameter', status: 400 },
      ],
      // RemoveFromVersion must hold the label.
      [
        { VersionStage: 'ACSCurrent', RemoveFromVersion: 'v1', MoveToVersion: 'v3' },
        { code: 'InvalidParameter', status: 400, parameter: 'RemoveFromVersion' },
      ],
      [
        { VersionStage: 'Nobody', RemoveFromVersion: 'v1' },
        { code: 'InvalidParameter', status: 400, parameter: 'RemoveFromVersion' },
      ],
      [
        { VersionStage: 'bad label', MoveToVersion: 'v1' },
        { code: 'InvalidParameter', status: 400, parameter: 'VersionStage' },
      ],
      [
        { VersionStage: '$previous', MoveToVersion: 'v1' },
        { code: 'InvalidParameter', status: 400, parameter: 'VersionStage' },
      ],
      [
        { VersionStage: 'ACSCurrent', MoveToVersion: 'v9' },
        { code: 'Forbidden.ResourceNotFound', status: 404 },
      ],
      [{ VersionStage: 'Blue' }, { code: 'MissingParameter', status: 400, parameter: 'MoveToVersion' }],
      [{ MoveToVersion: 'v1' }, { code: 'MissingParameter', status: 400, parameter: 'VersionStage' }],
    ];
    for (const [params, expected] of refusals) {
      await expectRefused(
        () => acs3.call('UpdateSecretVersionStage', { SecretName: 'stage/s', ...params }),
        expected,
        ['stage/s'],
      );
    }
    await expectRefused(
      () =>
        acs3.call('UpdateSecretVersionStage', {
          SecretName: 'stage/none',
          VersionStage: 'ACSCurrent',
          MoveToVersion: 'v1',
        }),
      { code: 'Forbidden.ResourceNotFound', status: 404 },
      ['stage/none'],
    );
  });
});
