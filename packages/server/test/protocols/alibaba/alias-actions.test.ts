/**
 * Aliases through the real SDKs: CreateAlias, UpdateAlias, DeleteAlias, ListAliases and
 * ListAliasesByKeyId.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiServer } from './harness.js';
import { expectFailure, $Kms, startApiServer } from './harness.js';

let server: ApiServer;
let rpc: ApiClient;

beforeAll(async () => {
  server = await startApiServer();
  rpc = server.client('kms20160120');
});

afterAll(async () => {
  await server.stop();
});

async function createKey(): Promise<string> {
  const body = await rpc.call('CreateKey', {});
  return (body.KeyMetadata as { KeyId: string }).KeyId;
}

async function targetOf(aliasName: string): Promise<string> {
  const body = await rpc.call('DescribeKey', { KeyId: aliasName });
  return (body.KeyMetadata as { KeyId: string }).KeyId;
}

interface WireAlias {
  AliasName: string;
  AliasArn: string;
  KeyId: string;
}

function aliasesOf(body: Record<string, unknown>): WireAlias[] {
  return (body.Aliases as { Alias: WireAlias[] }).Alias;
}

describe('aliases', () => {
  it('create, rebind and delete with the typed client', async () => {
    const first = await createKey();
    const second = await createKey();
    await server.kms.createAlias(new $Kms.CreateAliasRequest({ aliasName: 'alias/typed', keyId: first }));
    expect(await targetOf('alias/typed')).toBe(first);
    await server.kms.updateAlias(new $Kms.UpdateAliasRequest({ aliasName: 'alias/typed', keyId: second }));
    expect(await targetOf('alias/typed')).toBe(second);
    await server.kms.deleteAlias(new $Kms.DeleteAliasRequest({ aliasName: 'alias/typed' }));
    await expectFailure(targetOf('alias/typed'), 404, 'Forbidden.AliasNotFound');
    // The keys themselves are untouched.
    expect(await targetOf(second)).toBe(second);
  });

  it('works through every client', async () => {
    const keyId = await createKey();
    for (const client of server.clients) {
      const name = `alias/via-${client.name}`;
      await client.call('CreateAlias', { AliasName: name, KeyId: keyId });
      const listed = aliasesOf(await client.call('ListAliasesByKeyId', { KeyId: keyId, PageSize: 100 }));
      expect(
        listed.map((a) => a.AliasName),
        client.name,
      ).toContain(name);
      await client.call('DeleteAlias', { AliasName: name });
    }
    expect(aliasesOf(await rpc.call('ListAliasesByKeyId', { KeyId: keyId }))).toEqual([]);
  });

  it('an alias can point at a key by alias or ARN, and CreateAlias resolves it to the key id', async () => {
    const keyId = await createKey();
    await rpc.call('CreateAlias', { AliasName: 'alias/base', KeyId: keyId });
    await rpc.call('CreateAlias', { AliasName: 'alias/second-name', KeyId: 'alias/base' });
    const { region, accountId } = server.instance.tessera.identity;
    await rpc.call('CreateAlias', {
      AliasName: 'alias/third-name',
      KeyId: `acs:kms:${region}:${accountId}:key/${keyId}`,
    });
    expect(await targetOf('alias/second-name')).toBe(keyId);
    expect(await targetOf('alias/third-name')).toBe(keyId);
  });

  it('refuses a taken name, bad names and unknown keys without changing anything', async () => {
    const keyId = await createKey();
    const other = await createKey();
    await rpc.call('CreateAlias', { AliasName: 'alias/taken', KeyId: keyId });
    await expectFailure(
      rpc.call('CreateAlias', { AliasName: 'alias/taken', KeyId: other }),
      400,
      'AliasAlreadyExists',
    );
    expect(await targetOf('alias/taken')).toBe(keyId);
    for (const name of ['taken', 'alias/', 'alias/acs-reserved', 'alias/a b', `alias/${'a'.repeat(256)}`]) {
      const error = await expectFailure(
        rpc.call('CreateAlias', { AliasName: name, KeyId: keyId }),
        400,
        'InvalidParameter',
      );
      expect(error.message).toContain('AliasName');
    }
    await expectFailure(
      rpc.call('CreateAlias', { AliasName: 'alias/x1', KeyId: 'key-nope' }),
      404,
      'Forbidden.KeyNotFound',
    );
    await expectFailure(
      rpc.call('CreateAlias', { AliasName: 'alias/x1', KeyId: 'alias/nope' }),
      404,
      'Forbidden.AliasNotFound',
    );
    await expectFailure(rpc.call('CreateAlias', { KeyId: keyId }), 400, 'MissingParameter');
    await expectFailure(rpc.call('CreateAlias', { AliasName: 'alias/x1' }), 400, 'MissingParameter');
    await expectFailure(targetOf('alias/x1'), 404, 'Forbidden.AliasNotFound');

    await expectFailure(
      rpc.call('UpdateAlias', { AliasName: 'alias/absent', KeyId: keyId }),
      404,
      'Forbidden.AliasNotFound',
    );
    await expectFailure(
      rpc.call('UpdateAlias', { AliasName: 'alias/taken', KeyId: 'key-nope' }),
      404,
      'Forbidden.KeyNotFound',
    );
    expect(await targetOf('alias/taken')).toBe(keyId);
    await expectFailure(
      rpc.call('DeleteAlias', { AliasName: 'alias/absent' }),
      404,
      'Forbidden.AliasNotFound',
    );
    await expectFailure(rpc.call('DeleteAlias', {}), 400, 'MissingParameter');
    const serviceKey = await server.instance.tessera.services.keys.serviceKey();
    await expectFailure(
      rpc.call('CreateAlias', { AliasName: 'alias/service', KeyId: serviceKey.id }),
      404,
      'Forbidden.KeyNotFound',
    );
  });

  it('lists aliases in pages, wrapped, with ARNs; by key too', async () => {
    const keyId = await createKey();
    for (const n of [1, 2, 3]) await rpc.call('CreateAlias', { AliasName: `alias/list-${n}`, KeyId: keyId });
    const all = await server.kms.listAliases(new $Kms.ListAliasesRequest({ pageNumber: 1, pageSize: 100 }));
    expect(all.aliases.alias.map((a) => a.aliasName)).toEqual(
      expect.arrayContaining(['alias/list-1', 'alias/list-2', 'alias/list-3']),
    );
    expect(all.totalCount).toBe(all.aliases.alias.length);

    const byKey = await server.kms.listAliasesByKeyId(
      new $Kms.ListAliasesByKeyIdRequest({ keyId, pageNumber: 2, pageSize: 2 }),
    );
    expect(byKey).toMatchObject({ totalCount: 3, pageNumber: 2, pageSize: 2 });
    const { region, accountId } = server.instance.tessera.identity;
    expect(byKey.aliases.alias).toEqual([
      { aliasName: 'alias/list-3', aliasArn: `acs:kms:${region}:${accountId}:alias/list-3`, keyId },
    ]);

    const viaPop = await server.client('pop-core-get').call('ListAliases', { PageSize: 1 });
    expect(viaPop).toMatchObject({ PageNumber: 1, PageSize: 1, TotalCount: all.totalCount });
    expect(aliasesOf(viaPop)).toHaveLength(1);
    expect(await server.client('openapi-acs3').call('ListAliases')).toMatchObject({ PageSize: 10 });

    await expectFailure(rpc.call('ListAliasesByKeyId', { KeyId: 'key-nope' }), 404, 'Forbidden.KeyNotFound');
    await expectFailure(rpc.call('ListAliasesByKeyId', {}), 400, 'MissingParameter');
    await expectFailure(rpc.call('ListAliases', { PageSize: '101' }), 400, 'InvalidParameter');
    await expectFailure(rpc.call('ListAliases', { PageNumber: '-1' }), 400, 'InvalidParameter');
  });
});
