/**
 * Key lifecycle actions through the real SDKs: CreateKey, DescribeKey, ListKeys, UpdateKeyDescription,
 * ScheduleKeyDeletion/CancelKeyDeletion and DescribeRegions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiServer, Body } from './harness.js';
import { errorOf, expectFailure, $Kms, startApiServer } from './harness.js';

let server: ApiServer;
let rpc: ApiClient;

beforeAll(async () => {
  server = await startApiServer();
  rpc = server.client('kms20160120');
});

afterAll(async () => {
  await server.stop();
});

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function metadataOf(body: Body): Record<string, unknown> {
  return body.KeyMetadata as Record<string, unknown>;
}

async function createKey(params: Record<string, string> = {}): Promise<string> {
  return metadataOf(await rpc.call('CreateKey', params)).KeyId as string;
}

async function describe_(keyId: string): Promise<Record<string, unknown>> {
  return metadataOf(await rpc.call('DescribeKey', { KeyId: keyId }));
}

async function keyCount(): Promise<number> {
  return (await rpc.call('ListKeys', { PageSize: 1 })).TotalCount as number;
}

describe('CreateKey and DescribeKey', () => {
  it('create and describe through every client', async () => {
    const { region, accountId } = server.instance.tessera.identity;
    for (const client of server.clients) {
      const created = metadataOf(await client.call('CreateKey', { Description: `made by ${client.name}` }));
      expect(created, client.name).toMatchObject({
        Arn: `acs:kms:${region}:${accountId}:key/${String(created.KeyId)}`,
        Description: `made by ${client.name}`,
        KeySpec: 'Aliyun_AES_256',
        KeyUsage: 'ENCRYPT/DECRYPT',
        KeyState: 'Enabled',
        Origin: 'Aliyun_KMS',
        ProtectionLevel: 'SOFTWARE',
        AutomaticRotation: 'Disabled',
        Creator: accountId,
      });
      expect(created.KeyId).toMatch(/^key-[a-z0-9]+$/);
      expect(created.CreationDate).toMatch(TIMESTAMP);
      expect(created.PrimaryKeyVersion).toMatch(/^[0-9a-f-]{36}$/);
      expect(created).not.toHaveProperty('DeleteDate');
      const described = metadataOf(await client.call('DescribeKey', { KeyId: String(created.KeyId) }));
      expect(described, client.name).toEqual(created);
    }
  });

  it('the typed 1.2.0 client creates with every supported choice spelled out and reads it back', async () => {
    const created = await server.kms.createKey(
      new $Kms.CreateKeyRequest({
        description: 'typed',
        keySpec: 'Aliyun_AES_256',
        keyUsage: 'ENCRYPT/DECRYPT',
        origin: 'Aliyun_KMS',
        protectionLevel: 'SOFTWARE',
        enableAutomaticRotation: false,
      }),
    );
    const keyId = created.keyMetadata.keyId;
    const described = await server.kms.describeKey(new $Kms.DescribeKeyRequest({ keyId }));
    expect(described.keyMetadata).toMatchObject({ keyId, description: 'typed', keyState: 'Enabled' });
    expect(described.requestId).toBeTruthy();
  });

  it('accepts Tags as JSON and an empty or 8,192-character description', async () => {
    const keyId = await createKey({ Tags: JSON.stringify([{ TagKey: 'team', TagValue: 'core' }]) });
    expect((await describe_(keyId)).Description).toBe('');
    const long = await createKey({ Description: 'é'.repeat(8192) });
    expect((await describe_(long)).Description).toBe('é'.repeat(8192));
  });

  it('refuses unsupported key kinds and bad parameters without creating anything', async () => {
    const before = await keyCount();
    const cases: [Record<string, string>, string, RegExp?][] = [
      [{ KeySpec: 'RSA_2048' }, 'Rejected.UnsupportedOperation', /only supports Aliyun_AES_256/],
      [{ KeySpec: 'Aliyun_SM4' }, 'Rejected.UnsupportedOperation', /Aliyun_AES_256/],
      [{ KeySpec: 'AES_9' }, 'InvalidParameter', /KeySpec.*Aliyun_AES_256/],
      [{ KeyUsage: 'SIGN/VERIFY' }, 'InvalidParameter', /KeyUsage/],
      [{ Origin: 'EXTERNAL' }, 'Unsupported.Origin'],
      [{ Origin: 'Elsewhere' }, 'InvalidParameter', /Origin/],
      [{ ProtectionLevel: 'HSM' }, 'Unsupported.ProtectionLevel'],
      [{ ProtectionLevel: 'hsm' }, 'InvalidParameter', /ProtectionLevel/],
      [{ EnableAutomaticRotation: 'true' }, 'InvalidParameter', /rotation interval is required/],
      [{ EnableAutomaticRotation: 'true', RotationInterval: '1d' }, 'InvalidParameter', /7d to 365d/],
      [{ EnableAutomaticRotation: 'yes' }, 'InvalidParameter', /EnableAutomaticRotation/],
      [{ Description: 'd'.repeat(8193) }, 'InvalidParameter', /Description/],
      [{ Tags: 'not json' }, 'InvalidParameter', /Tags/],
      [{ Tags: JSON.stringify([{ TagKey: 'aliyun-x', TagValue: 'v' }]) }, 'InvalidParameter', /Tags/],
      [{ Policy: '{"Version":"1"}' }, 'Rejected.UnsupportedOperation', /polic/],
      [{ DKMSInstanceId: 'kst-1' }, 'Rejected.UnsupportedOperation'],
    ];
    for (const [params, code, message] of cases) {
      const error = await expectFailure(rpc.call('CreateKey', params), 400, code);
      if (message) expect(error.message).toMatch(message);
    }
    expect(await keyCount()).toBe(before);
  });

  it('resolves a key by id, key ARN, alias and alias ARN', async () => {
    const keyId = await createKey();
    await rpc.call('CreateAlias', { AliasName: 'alias/describe-me', KeyId: keyId });
    const { region, accountId } = server.instance.tessera.identity;
    for (const reference of [
      keyId,
      `acs:kms:${region}:${accountId}:key/${keyId}`,
      'alias/describe-me',
      `acs:kms:${region}:${accountId}:alias/describe-me`,
    ]) {
      expect((await describe_(reference)).KeyId, reference).toBe(keyId);
    }
  });

  it('answers not-found codes and never shows the service key', async () => {
    await expectFailure(describe_('key-doesnotexist'), 404, 'Forbidden.KeyNotFound');
    await expectFailure(describe_('alias/nobody'), 404, 'Forbidden.AliasNotFound');
    await expectFailure(rpc.call('DescribeKey', {}), 400, 'MissingParameter');
    const serviceKey = await server.instance.tessera.services.keys.serviceKey();
    await expectFailure(describe_(serviceKey.id), 404, 'Forbidden.KeyNotFound');
    await expectFailure(rpc.call('DisableKey', { KeyId: serviceKey.id }), 404, 'Forbidden.KeyNotFound');
    const listed = await rpc.call('ListKeys', { PageSize: 100 });
    const ids = (listed.Keys as { Key: { KeyId: string }[] }).Key.map((k) => k.KeyId);
    expect(ids).not.toContain(serviceKey.id);
  });
});

describe('ListKeys', () => {
  it('pages with numbers, wrapped lists and ARNs', async () => {
    await createKey();
    await createKey();
    const total = await keyCount();
    expect(total).toBeGreaterThanOrEqual(2);
    const first = await rpc.call('ListKeys', { PageNumber: 1, PageSize: 1 });
    const second = await rpc.call('ListKeys', { PageNumber: 2, PageSize: 1 });
    for (const [page, number] of [
      [first, 1],
      [second, 2],
    ] as const) {
      expect(page).toMatchObject({ TotalCount: total, PageNumber: number, PageSize: 1 });
      const keys = (page.Keys as { Key: unknown[] }).Key;
      expect(Array.isArray(keys) && keys.length).toBe(1);
    }
    const [a] = (first.Keys as { Key: { KeyId: string; KeyArn: string }[] }).Key;
    const [b] = (second.Keys as { Key: { KeyId: string }[] }).Key;
    expect(a?.KeyId).not.toBe(b?.KeyId);
    expect(a?.KeyArn).toBe(
      `acs:kms:cn-hangzhou:${server.instance.tessera.identity.accountId}:key/${a?.KeyId}`,
    );
    const defaults = await rpc.call('ListKeys');
    expect(defaults).toMatchObject({ PageNumber: 1, PageSize: 10 });
    const beyond = await rpc.call('ListKeys', { PageNumber: 1000, PageSize: 100 });
    expect((beyond.Keys as { Key: unknown[] }).Key).toEqual([]);
  });

  it('works through the typed client', async () => {
    const page = await server.kms.listKeys(new $Kms.ListKeysRequest({ pageNumber: 1, pageSize: 2 }));
    expect(page.pageSize).toBe(2);
    expect(page.keys.key.length).toBeLessThanOrEqual(2);
    expect(page.keys.key[0]?.keyId).toMatch(/^key-/);
  });

  it('filters by key state and by the fixed key attributes', async () => {
    const disabled = await createKey();
    await rpc.call('DisableKey', { KeyId: disabled });
    const enabled = await createKey();
    const list = async (filters: unknown): Promise<string[]> => {
      const body = await rpc.call('ListKeys', { PageSize: 100, Filters: JSON.stringify(filters) });
      return (body.Keys as { Key: { KeyId: string }[] }).Key.map((k) => k.KeyId);
    };
    const disabledOnly = await list([{ Key: 'KeyState', Values: ['Disabled'] }]);
    expect(disabledOnly).toContain(disabled);
    expect(disabledOnly).not.toContain(enabled);
    const both = await list([{ Key: 'KeyState', Values: ['Enabled', 'Disabled'] }]);
    expect(both).toEqual(expect.arrayContaining([disabled, enabled]));
    expect(
      await list([
        { Key: 'KeySpec', Values: ['Aliyun_AES_256'] },
        { Key: 'KeyUsage', Values: ['ENCRYPT/DECRYPT'] },
        { Key: 'ProtectionLevel', Values: ['SOFTWARE'] },
        { Key: 'CreatorType', Values: ['User'] },
      ]),
    ).toEqual(expect.arrayContaining([disabled, enabled]));
    expect(await list([{ Key: 'KeySpec', Values: ['RSA_2048'] }])).toEqual([]);
    expect(await list([{ Key: 'KeyState', Values: ['PendingImport'] }])).toEqual([]);
    expect(
      await list([
        { Key: 'KeyState', Values: ['Enabled'] },
        { Key: 'ProtectionLevel', Values: ['HSM'] },
      ]),
    ).toEqual([]);
    const none = await rpc.call('ListKeys', {
      Filters: JSON.stringify([{ Key: 'KeyState', Values: ['PendingImport'] }]),
    });
    expect(none).toMatchObject({ TotalCount: 0, Keys: { Key: [] } });
  });

  it('rejects bad paging and filters', async () => {
    for (const params of [
      { PageSize: '0' },
      { PageSize: '101' },
      { PageNumber: '0' },
      { PageNumber: 'x' },
      { Filters: 'nope' },
      { Filters: '{}' },
      { Filters: JSON.stringify([{ Key: 'Color', Values: ['red'] }]) },
      { Filters: JSON.stringify([{ Key: 'KeyState', Values: ['Asleep'] }]) },
      { Filters: JSON.stringify([{ Key: 'KeyState', Values: [] }]) },
      { Filters: JSON.stringify([{ Key: 'KeyState', Values: Array(11).fill('Enabled') }]) },
    ]) {
      await expectFailure(rpc.call('ListKeys', params), 400, 'InvalidParameter');
    }
  });
});

describe('UpdateKeyDescription', () => {
  it('changes and clears the description; refuses a missing or too long one', async () => {
    const keyId = await createKey({ Description: 'old' });
    await server.kms.updateKeyDescription(
      new $Kms.UpdateKeyDescriptionRequest({ keyId, description: 'new' }),
    );
    expect((await describe_(keyId)).Description).toBe('new');
    await server.client('openapi-acs3').call('UpdateKeyDescription', { KeyId: keyId, Description: 'é ✓ 🎉' });
    expect((await describe_(keyId)).Description).toBe('é ✓ 🎉');
    await expectFailure(rpc.call('UpdateKeyDescription', { KeyId: keyId }), 400, 'MissingParameter');
    await expectFailure(
      rpc.call('UpdateKeyDescription', { KeyId: keyId, Description: 'x'.repeat(8193) }),
      400,
      'InvalidParameter',
    );
    expect((await describe_(keyId)).Description).toBe('é ✓ 🎉');
    await server.client('pop-core-post').call('UpdateKeyDescription', { KeyId: keyId, Description: '' });
    expect((await describe_(keyId)).Description).toBe('');
    await expectFailure(
      rpc.call('UpdateKeyDescription', { KeyId: 'key-missing', Description: 'x' }),
      404,
      'Forbidden.KeyNotFound',
    );
  });
});

describe('EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion', () => {
  it('moves a key through its states with the typed client', async () => {
    const keyId = await createKey();
    await server.kms.disableKey(new $Kms.DisableKeyRequest({ keyId }));
    expect((await describe_(keyId)).KeyState).toBe('Disabled');
    await server.kms.enableKey(new $Kms.EnableKeyRequest({ keyId }));
    expect((await describe_(keyId)).KeyState).toBe('Enabled');

    const before = Date.now();
    await server.kms.scheduleKeyDeletion(
      new $Kms.ScheduleKeyDeletionRequest({ keyId, pendingWindowInDays: 30 }),
    );
    const pending = await describe_(keyId);
    expect(pending.KeyState).toBe('PendingDeletion');
    expect(pending.DeleteDate).toMatch(TIMESTAMP);
    const deleteAt = Date.parse(String(pending.DeleteDate));
    expect(deleteAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 30 * 86_400_000);
    expect(deleteAt).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);

    await server.kms.cancelKeyDeletion(new $Kms.CancelKeyDeletionRequest({ keyId }));
    const cancelled = await describe_(keyId);
    expect(cancelled.KeyState).toBe('Enabled'); // docs/behaviour.md rule 16
    expect(cancelled).not.toHaveProperty('DeleteDate');
  });

  it('needs PendingWindowInDays from 7 to 366 and leaves the key alone otherwise', async () => {
    const keyId = await createKey();
    await expectFailure(rpc.call('ScheduleKeyDeletion', { KeyId: keyId }), 400, 'MissingParameter');
    for (const days of ['6', '367', '0', '-7', '7.5', 'week']) {
      const error = await expectFailure(
        rpc.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: days }),
        400,
        'InvalidParameter',
      );
      expect(error.message).toContain('PendingWindowInDays');
    }
    expect((await describe_(keyId)).KeyState).toBe('Enabled');
    for (const days of ['7', '366']) {
      const other = await createKey();
      await rpc.call('ScheduleKeyDeletion', { KeyId: other, PendingWindowInDays: days });
      expect((await describe_(other)).KeyState).toBe('PendingDeletion');
    }
  });

  it('answers Forbidden.KeyNotFound / AliasNotFound and MissingParameter', async () => {
    for (const action of ['EnableKey', 'DisableKey', 'CancelKeyDeletion']) {
      await expectFailure(rpc.call(action, { KeyId: 'key-missing' }), 404, 'Forbidden.KeyNotFound');
      await expectFailure(rpc.call(action, { KeyId: 'alias/missing' }), 404, 'Forbidden.AliasNotFound');
      await expectFailure(rpc.call(action, {}), 400, 'MissingParameter');
    }
    await expectFailure(
      rpc.call('ScheduleKeyDeletion', { KeyId: 'key-missing', PendingWindowInDays: 7 }),
      404,
      'Forbidden.KeyNotFound',
    );
  });
});

describe('DescribeRegions', () => {
  it('lists the configured region through the typed client and every other client', async () => {
    const typed = await server.kms.describeRegions(new $Kms.DescribeRegionsRequest({}));
    expect(typed.regions.region.map((r) => r.regionId)).toEqual(['cn-hangzhou']);
    for (const client of server.clients) {
      expect(await client.call('DescribeRegions'), client.name).toMatchObject({
        Regions: { Region: [{ RegionId: 'cn-hangzhou' }] },
      });
    }
  });

  it('reports another configured region', async () => {
    const other = await startApiServer({ env: { TESSERA_REGION: 'eu-central-1' } });
    try {
      expect(await other.client('openapi-acs3').call('DescribeRegions')).toMatchObject({
        Regions: { Region: [{ RegionId: 'eu-central-1' }] },
      });
    } finally {
      await other.stop();
    }
  });
});

describe('hostile values', () => {
  it('every key, alias and crypto action answers 4xx, never 5xx, and changes nothing', async () => {
    const keyId = await createKey({ Description: 'target' });
    const before = await describe_(keyId);
    const keyCountBefore = await keyCount();
    const odd = ['\u0000', 'acs:kms:::key/', 'acs:kms:x:y:alias/', 'alias/', '../..', 'x'.repeat(3000), '🎉'];
    const actions: [string, (value: string) => Record<string, string>][] = [
      ['DescribeKey', (v) => ({ KeyId: v })],
      ['EnableKey', (v) => ({ KeyId: v })],
      ['DisableKey', (v) => ({ KeyId: v })],
      ['CancelKeyDeletion', (v) => ({ KeyId: v })],
      ['ScheduleKeyDeletion', (v) => ({ KeyId: v, PendingWindowInDays: '7' })],
      ['ScheduleKeyDeletion', (v) => ({ KeyId: keyId, PendingWindowInDays: v })],
      ['UpdateKeyDescription', (v) => ({ KeyId: v, Description: 'x' })],
      ['CreateKeyVersion', (v) => ({ KeyId: v })],
      ['ListKeyVersions', (v) => ({ KeyId: v })],
      ['DescribeKeyVersion', (v) => ({ KeyId: keyId, KeyVersionId: v })],
      ['ListKeys', (v) => ({ Filters: v })],
      ['ListKeys', (v) => ({ PageSize: v })],
      ['CreateAlias', (v) => ({ AliasName: v, KeyId: keyId })],
      ['CreateAlias', (v) => ({ AliasName: 'alias/hostile', KeyId: v })],
      ['UpdateAlias', (v) => ({ AliasName: v, KeyId: keyId })],
      ['DeleteAlias', (v) => ({ AliasName: v })],
      ['ListAliasesByKeyId', (v) => ({ KeyId: v })],
      ['Encrypt', (v) => ({ KeyId: v, Plaintext: 'p' })],
      ['Encrypt', (v) => ({ KeyId: keyId, Plaintext: 'p', EncryptionContext: v })],
      ['Decrypt', (v) => ({ CiphertextBlob: v })],
      ['Decrypt', (v) => ({ CiphertextBlob: Buffer.from(v).toString('base64') })],
      ['GenerateDataKey', (v) => ({ KeyId: keyId, NumberOfBytes: v })],
      ['GenerateDataKeyWithoutPlaintext', (v) => ({ KeyId: keyId, KeySpec: v })],
    ];
    const acs3 = server.client('openapi-acs3');
    for (const [action, params] of actions) {
      for (const value of odd) {
        const error = await errorOf(acs3.call(action, params(value)));
        expect(
          [400, 404, 409],
          `${action} ${JSON.stringify(params(value)).slice(0, 80)}: ${error.code}`,
        ).toContain(error.status);
      }
    }
    expect(await describe_(keyId)).toEqual(before);
    expect(await keyCount()).toBe(keyCountBefore);
    await expectFailure(describe_('alias/hostile'), 404, 'Forbidden.AliasNotFound');
  });
});
