/**
 * Tags on keys and secrets through the real clients (docs/behaviour.md rules 9, 10, 16): the
 * single-resource actions with JSON parameters, the batch actions with repeat-list parameters, paging of
 * ListTagResources, and the state rules (key pending deletion, secret in its deletion window).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tag } from '../../../src/domain/validation.js';
import type { Services } from '../../../src/services/services.js';
import type { ApiClient, ApiServer, Body } from './harness.js';
import { $Kms, startApiServer } from './harness.js';

let server: ApiServer;
let services: Services;

beforeAll(async () => {
  server = await startApiServer();
  services = server.instance.tessera.services;
});

afterAll(async () => {
  await server.stop();
});

const tagsJson = (tags: Record<string, string>) =>
  JSON.stringify(Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })));

const asRecord = (tags: readonly Tag[]) => Object.fromEntries(tags.map((t) => [t.key, t.value]));

async function newSecret(name: string, tags: Record<string, string> = {}): Promise<string> {
  await services.secrets.createSecret({
    name,
    versionId: 'v1',
    data: 'value',
    dataType: 'text',
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  });
  return name;
}

async function newKey(tags: Record<string, string> = {}): Promise<string> {
  const key = await services.keys.createKey({
    description: 'tag test key',
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  });
  return key.id;
}

const secretTags = async (name: string) => asRecord((await services.secrets.describeSecret(name)).tags);
const keyTags = async (id: string) => asRecord((await services.keys.describeKey(id)).tags);

async function expectError(call: Promise<unknown>, code: string, status: number): Promise<void> {
  await expect(call).rejects.toMatchObject({ code, status });
}

/** `{ 'ResourceId.1': a, 'ResourceId.2': b, … }` */
function repeat(name: string, values: readonly string[], field?: string): Record<string, string> {
  return Object.fromEntries(
    values.map((value, index) => [
      field === undefined ? `${name}.${index + 1}` : `${name}.${index + 1}.${field}`,
      value,
    ]),
  );
}

function tagParams(tags: Record<string, string>): Record<string, string> {
  return { ...repeat('Tag', Object.keys(tags), 'Key'), ...repeat('Tag', Object.values(tags), 'Value') };
}

describe('TagResource / UntagResource on secrets', () => {
  it('adds, overwrites and removes tags through every client', async () => {
    for (const client of server.clients) {
      const name = await newSecret(`tag-secret-${client.name}`);
      const tagged = await client.call('TagResource', {
        SecretName: name,
        Tags: tagsJson({ env: 'prod', team: 'a b', 'path/x': 'y:z@1' }),
      });
      expect(Object.keys(tagged)).toEqual(['RequestId']);
      await client.call('TagResource', { SecretName: name, Tags: tagsJson({ env: 'dev' }) });
      expect(await secretTags(name)).toEqual({ env: 'dev', team: 'a b', 'path/x': 'y:z@1' });

      const untagged = await client.call('UntagResource', {
        SecretName: name,
        TagKeys: JSON.stringify(['team', 'never-there']),
      });
      expect(Object.keys(untagged)).toEqual(['RequestId']);
      expect(await secretTags(name)).toEqual({ env: 'dev', 'path/x': 'y:z@1' });
    }
  });

  it('takes the typed SDK requests and a secret ARN', async () => {
    const name = await newSecret('tag-secret-typed');
    const { region, accountId } = server.instance.tessera.identity;
    await server.kms.tagResource(
      new $Kms.TagResourceRequest({
        secretName: `acs:kms:${region}:${accountId}:secret/${name}`,
        tags: tagsJson({ owner: 'ops' }),
      }),
    );
    await server.kms.untagResource(
      new $Kms.UntagResourceRequest({ secretName: name, tagKeys: JSON.stringify(['nope']) }),
    );
    expect(await secretTags(name)).toEqual({ owner: 'ops' });
  });

  it('allows 20 tags per secret and refuses the 21st with 400 Rejected.LimitExceeded, changing nothing', async () => {
    const name = await newSecret('tag-secret-limit');
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, `v${i}`]));
    await server.client('kms20160120').call('TagResource', { SecretName: name, Tags: tagsJson(twenty) });
    // Overwriting a value keeps the count at 20.
    await server
      .client('kms20160120')
      .call('TagResource', { SecretName: name, Tags: tagsJson({ k0: 'new' }) });
    await expectError(
      server.client('openapi-acs3').call('TagResource', { SecretName: name, Tags: tagsJson({ k20: 'v' }) }),
      'Rejected.LimitExceeded',
      400,
    );
    expect(await secretTags(name)).toEqual({ ...twenty, k0: 'new' });
  });

  it('refuses the secret in its deletion window with 409 Rejected.ResourceInDeleteWindow', async () => {
    const name = await newSecret('tag-secret-deleted', { keep: 'me' });
    await services.secrets.deleteSecret(name, { force: false, recoveryWindowDays: 7 });
    const client = server.client('pop-core-post');
    await expectError(
      client.call('TagResource', { SecretName: name, Tags: tagsJson({ a: 'b' }) }),
      'Rejected.ResourceInDeleteWindow',
      409,
    );
    await expectError(
      client.call('UntagResource', { SecretName: name, TagKeys: '["keep"]' }),
      'Rejected.ResourceInDeleteWindow',
      409,
    );
    expect(await secretTags(name)).toEqual({ keep: 'me' });
  });

  it('answers an unknown secret with 404 Forbidden.ResourceNotFound', async () => {
    await expectError(
      server.client('openapi-v2').call('TagResource', { SecretName: 'tag-nope', Tags: tagsJson({ a: 'b' }) }),
      'Forbidden.ResourceNotFound',
      404,
    );
    await expectError(
      server.client('openapi-v2').call('UntagResource', { SecretName: 'tag-nope', TagKeys: '["a"]' }),
      'Forbidden.ResourceNotFound',
      404,
    );
  });
});

describe('TagResource / UntagResource / ListResourceTags on keys', () => {
  it('tags a key and lists its tags with KeyId on each, as an array even for one tag', async () => {
    const keyId = await newKey();
    await server.kms.tagResource(new $Kms.TagResourceRequest({ keyId, tags: tagsJson({ only: 'one' }) }));
    const one = await server.client('pop-core-get').call('ListResourceTags', { KeyId: keyId });
    expect(one.Tags).toEqual({ Tag: [{ KeyId: keyId, TagKey: 'only', TagValue: 'one' }] });

    await server.kms.tagResource(
      new $Kms.TagResourceRequest({ keyId, tags: tagsJson({ only: 'changed', second: '2' }) }),
    );
    const typed = await server.kms.listResourceTags(new $Kms.ListResourceTagsRequest({ keyId }));
    expect(typed.tags.tag.map((t) => [t.keyId, t.tagKey, t.tagValue])).toEqual([
      [keyId, 'only', 'changed'],
      [keyId, 'second', '2'],
    ]);

    await server.kms.untagResource(
      new $Kms.UntagResourceRequest({ keyId, tagKeys: JSON.stringify(['only', 'absent']) }),
    );
    expect(await keyTags(keyId)).toEqual({ second: '2' });

    const empty = await server.client('openapi-acs3').call('ListResourceTags', { KeyId: await newKey() });
    expect(empty.Tags).toEqual({ Tag: [] });
  });

  it('refuses to tag or untag a key pending deletion with 409 Rejected.PendingDeletion, but still lists', async () => {
    const keyId = await newKey({ stay: 'put' });
    await services.keys.scheduleKeyDeletion(keyId, 7);
    const client = server.client('openapi-acs3');
    await expectError(
      client.call('TagResource', { KeyId: keyId, Tags: tagsJson({ a: 'b' }) }),
      'Rejected.PendingDeletion',
      409,
    );
    await expectError(
      client.call('UntagResource', { KeyId: keyId, TagKeys: '["stay"]' }),
      'Rejected.PendingDeletion',
      409,
    );
    const listed = await client.call('ListResourceTags', { KeyId: keyId });
    expect(listed.Tags).toEqual({ Tag: [{ KeyId: keyId, TagKey: 'stay', TagValue: 'put' }] });
  });

  it('tags a disabled key', async () => {
    const keyId = await newKey();
    await services.keys.disableKey(keyId);
    await server.client('kms20160120').call('TagResource', { KeyId: keyId, Tags: tagsJson({ a: 'b' }) });
    expect(await keyTags(keyId)).toEqual({ a: 'b' });
  });

  it('answers unknown keys and aliases with 404, and does not expose the service key', async () => {
    const client = server.client('pop-core-post');
    const serviceKey = await services.keys.serviceKey();
    for (const keyId of ['key-doesnotexist', serviceKey.id]) {
      await expectError(
        client.call('TagResource', { KeyId: keyId, Tags: tagsJson({ a: 'b' }) }),
        'Forbidden.KeyNotFound',
        404,
      );
      await expectError(client.call('ListResourceTags', { KeyId: keyId }), 'Forbidden.KeyNotFound', 404);
    }
    await expectError(
      client.call('UntagResource', { KeyId: 'alias/none', TagKeys: '["a"]' }),
      'Forbidden.AliasNotFound',
      404,
    );
    await expectError(client.call('ListResourceTags', {}), 'MissingParameter', 400);
  });
});

describe('TagResource / UntagResource parameters', () => {
  let client: ApiClient;
  let secret: string;
  let keyId: string;

  beforeAll(async () => {
    client = server.client('openapi-v2');
    secret = await newSecret('tag-params');
    keyId = await newKey();
  });

  it('needs exactly one of KeyId, SecretName, CertificateId; certificates are unsupported', async () => {
    const tags = tagsJson({ a: 'b' });
    await expectError(client.call('TagResource', { Tags: tags }), 'MissingParameter', 400);
    await expectError(
      client.call('TagResource', { KeyId: keyId, SecretName: secret, Tags: tags }),
      'InvalidParameter',
      400,
    );
    await expectError(
      client.call('TagResource', { CertificateId: 'cert-1', Tags: tags }),
      'Rejected.UnsupportedOperation',
      400,
    );
    await expectError(
      client.call('UntagResource', { CertificateId: 'cert-1', TagKeys: '["a"]' }),
      'Rejected.UnsupportedOperation',
      400,
    );
    await expectError(client.call('UntagResource', { TagKeys: '["a"]' }), 'MissingParameter', 400);
  });

  it('refuses missing, malformed and invalid Tags', async () => {
    const bad: [string | undefined, string][] = [
      [undefined, 'MissingParameter'],
      ['not json', 'InvalidParameter'],
      ['{"TagKey":"a","TagValue":"b"}', 'InvalidParameter'],
      ['[{"TagKey":"a"}]', 'InvalidParameter'],
      ['[{"TagKey":1,"TagValue":"b"}]', 'InvalidParameter'],
      ['[]', 'InvalidParameter'],
      [tagsJson({ aliyun_x: 'b' }), 'InvalidParameter'],
      [tagsJson({ 'acs:x': 'b' }), 'InvalidParameter'],
      [tagsJson({ 'bad#char': 'b' }), 'InvalidParameter'],
      [tagsJson({ a: '' }), 'InvalidParameter'],
      [tagsJson({ ['k'.repeat(129)]: 'v' }), 'InvalidParameter'],
      ['[{"TagKey":"a","TagValue":"1"},{"TagKey":"a","TagValue":"2"}]', 'InvalidParameter'],
    ];
    for (const [tags, code] of bad) {
      const params = tags === undefined ? { SecretName: secret } : { SecretName: secret, Tags: tags };
      await expectError(client.call('TagResource', params), code, 400);
      const keyParams = tags === undefined ? { KeyId: keyId } : { KeyId: keyId, Tags: tags };
      await expectError(client.call('TagResource', keyParams), code, 400);
    }
    expect(await secretTags(secret)).toEqual({});
    expect(await keyTags(keyId)).toEqual({});
  });

  it('refuses missing and malformed TagKeys', async () => {
    const bad: [string | undefined, string][] = [
      [undefined, 'MissingParameter'],
      ['a', 'InvalidParameter'],
      ['[1]', 'InvalidParameter'],
      ['[]', 'InvalidParameter'],
      [JSON.stringify(['k'.repeat(129)]), 'InvalidParameter'],
      ['[""]', 'InvalidParameter'],
    ];
    for (const [keys, code] of bad) {
      for (const target of [{ SecretName: secret }, { KeyId: keyId }]) {
        const params = keys === undefined ? target : { ...target, TagKeys: keys };
        await expectError(client.call('UntagResource', params), code, 400);
      }
    }
  });
});

describe('TagResources / UntagResources', () => {
  it('tags and untags several secrets at once through every client', async () => {
    for (const client of server.clients) {
      const names = [await newSecret(`batch-${client.name}-1`), await newSecret(`batch-${client.name}-2`)];
      const body = await client.call('TagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'secret',
        ...repeat('ResourceId', names),
        ...tagParams({ env: 'prod', tier: 'gold' }),
      });
      expect(Object.keys(body)).toEqual(['RequestId']);
      for (const name of names) expect(await secretTags(name)).toEqual({ env: 'prod', tier: 'gold' });

      await client.call('UntagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'secret',
        ...repeat('ResourceId', names),
        ...repeat('TagKey', ['tier', 'missing']),
      });
      for (const name of names) expect(await secretTags(name)).toEqual({ env: 'prod' });

      await client.call('UntagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'secret',
        ...repeat('ResourceId', names),
        All: 'true',
      });
      for (const name of names) expect(await secretTags(name)).toEqual({});
    }
  });

  it('tags and untags several keys at once', async () => {
    const client = server.client('openapi-acs3');
    const keys = [await newKey(), await newKey({ old: 'x' })];
    await client.call('TagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'key',
      ...repeat('ResourceId', keys),
      ...tagParams({ project: 'tessera' }),
    });
    expect(await keyTags(keys[0]!)).toEqual({ project: 'tessera' });
    expect(await keyTags(keys[1]!)).toEqual({ old: 'x', project: 'tessera' });
    await client.call('UntagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'key',
      ...repeat('ResourceId', keys),
      All: 'True',
    });
    for (const keyId of keys) expect(await keyTags(keyId)).toEqual({});
  });

  it('changes nothing when any named resource is unknown, pending deletion or would pass 20 tags', async () => {
    const client = server.client('pop-core-get');
    const fine = await newSecret('batch-all-or-nothing', { before: '1' });
    const deleted = await newSecret('batch-deleted');
    await services.secrets.deleteSecret(deleted, { force: false });
    const full = await newSecret(
      'batch-full',
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'])),
    );
    const attempts: [string[], string, number][] = [
      [[fine, 'batch-unknown'], 'Forbidden.ResourceNotFound', 404],
      [[fine, deleted], 'Rejected.ResourceInDeleteWindow', 409],
      [[fine, full], 'Rejected.LimitExceeded', 400],
    ];
    for (const [ids, code, status] of attempts) {
      await expectError(
        client.call('TagResources', {
          RegionId: 'cn-hangzhou',
          ResourceType: 'secret',
          ...repeat('ResourceId', ids),
          ...tagParams({ added: 'yes' }),
        }),
        code,
        status,
      );
      expect(await secretTags(fine)).toEqual({ before: '1' });
    }
    await expectError(
      client.call('UntagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'secret',
        ...repeat('ResourceId', [fine, 'batch-unknown']),
        All: 'true',
      }),
      'Forbidden.ResourceNotFound',
      404,
    );
    expect(await secretTags(fine)).toEqual({ before: '1' });

    const pendingKey = await newKey();
    await services.keys.scheduleKeyDeletion(pendingKey, 7);
    const liveKey = await newKey();
    await expectError(
      client.call('TagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'key',
        ...repeat('ResourceId', [liveKey, pendingKey]),
        ...tagParams({ added: 'yes' }),
      }),
      'Rejected.PendingDeletion',
      409,
    );
    expect(await keyTags(liveKey)).toEqual({});
  });

  it('validates RegionId, ResourceType, ResourceId.N, Tag.N, TagKey.N and All', async () => {
    const client = server.client('openapi-v2');
    const name = await newSecret('batch-validation');
    const base = { RegionId: 'cn-hangzhou', ResourceType: 'secret', 'ResourceId.1': name };
    const tags = tagParams({ a: 'b' });
    const manyIds = repeat(
      'ResourceId',
      Array.from({ length: 51 }, (_, i) => `batch-${i}`),
    );
    const manyTags = tagParams(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])));
    const cases: [string, Record<string, string>, string][] = [
      ['TagResources', { ResourceType: 'secret', 'ResourceId.1': name, ...tags }, 'MissingParameter'],
      ['TagResources', { RegionId: 'cn-hangzhou', 'ResourceId.1': name, ...tags }, 'MissingParameter'],
      ['TagResources', { ...base, ResourceType: 'certificate', ...tags }, 'InvalidParameter'],
      ['TagResources', { RegionId: 'cn-hangzhou', ResourceType: 'secret', ...tags }, 'MissingParameter'],
      ['TagResources', { ...base, ...manyIds, ...tags }, 'InvalidParameter'],
      ['TagResources', { ...base, ...manyTags }, 'InvalidParameter'],
      ['TagResources', base, 'MissingParameter'],
      ['TagResources', { ...base, 'Tag.1.Value': 'v' }, 'MissingParameter'],
      ['TagResources', { ...base, 'Tag.1.Key': 'k' }, 'InvalidParameter'],
      ['TagResources', { ...base, ...tagParams({ aliyun: 'x' }) }, 'InvalidParameter'],
      ['UntagResources', base, 'MissingParameter'],
      ['UntagResources', { ...base, 'TagKey.1': 'a', All: 'true' }, 'InvalidParameter'],
      ['UntagResources', { ...base, All: 'maybe' }, 'InvalidParameter'],
      [
        'UntagResources',
        {
          ...base,
          ...repeat(
            'TagKey',
            Array.from({ length: 21 }, (_, i) => `k${i}`),
          ),
        },
        'InvalidParameter',
      ],
      ['UntagResources', { ...base, 'TagKey.1': 'k'.repeat(129) }, 'InvalidParameter'],
    ];
    for (const [action, params, code] of cases) {
      await expectError(client.call(action, params), code, 400);
    }
    expect(await secretTags(name)).toEqual({});
  });
});

describe('ListTagResources', () => {
  const list = (client: ApiClient, params: Record<string, string>) =>
    client.call('ListTagResources', { RegionId: 'cn-hangzhou', ...params });

  const rowsOf = (body: Body) => (body.TagResources as { TagResource: Record<string, string>[] }).TagResource;

  it('lists the tags of named secrets, one row per tag, skipping unknown ones', async () => {
    const a = await newSecret('list-a', { env: 'prod', team: 'x' });
    const b = await newSecret('list-b', { env: 'dev' });
    await newSecret('list-c', { env: 'prod' });
    for (const client of server.clients) {
      const body = await list(client, {
        ResourceType: 'secret',
        ...repeat('ResourceId', [a, 'list-unknown', b]),
      });
      expect(body.NextToken).toBe('');
      expect(rowsOf(body)).toEqual([
        { ResourceId: a, ResourceType: 'secret', TagKey: 'env', TagValue: 'prod' },
        { ResourceId: a, ResourceType: 'secret', TagKey: 'team', TagValue: 'x' },
        { ResourceId: b, ResourceType: 'secret', TagKey: 'env', TagValue: 'dev' },
      ]);
    }
    const one = await list(server.client('kms20160120'), { ResourceType: 'secret', 'ResourceId.1': b });
    expect(one.TagResources).toEqual({
      TagResource: [{ ResourceId: b, ResourceType: 'secret', TagKey: 'env', TagValue: 'dev' }],
    });
    const none = await list(server.client('kms20160120'), {
      ResourceType: 'secret',
      'ResourceId.1': 'list-x',
    });
    expect(none).toMatchObject({ NextToken: '', TagResources: { TagResource: [] } });
  });

  it('filters by tag: a key alone matches any value, several filters must all match', async () => {
    await newSecret('filter-1', { color: 'red', size: 'l' });
    await newSecret('filter-2', { color: 'blue', size: 'l' });
    await newSecret('filter-3', { size: 'l' });
    const client = server.client('openapi-acs3');
    const ids = (body: Body) => [...new Set(rowsOf(body).map((r) => r.ResourceId))].sort();

    expect(ids(await list(client, { ResourceType: 'secret', 'Tag.1.Key': 'color' }))).toEqual([
      'filter-1',
      'filter-2',
    ]);
    const red = await list(client, { ResourceType: 'secret', ...tagParams({ color: 'red' }) });
    // A matching resource is listed with all its tags.
    expect(rowsOf(red)).toEqual([
      { ResourceId: 'filter-1', ResourceType: 'secret', TagKey: 'color', TagValue: 'red' },
      { ResourceId: 'filter-1', ResourceType: 'secret', TagKey: 'size', TagValue: 'l' },
    ]);
    expect(
      ids(await list(client, { ResourceType: 'secret', ...tagParams({ size: 'l', color: 'blue' }) })),
    ).toEqual(['filter-2']);
    expect(
      ids(
        await list(client, {
          ResourceType: 'secret',
          ...repeat('ResourceId', ['filter-1', 'filter-3']),
          'Tag.1.Key': 'size',
        }),
      ),
    ).toEqual(['filter-1', 'filter-3']);
  });

  it('lists keys by key id, without secrets', async () => {
    const keyId = await newKey({ kind: 'listed-key' });
    await newSecret('list-not-a-key', { kind: 'listed-key' });
    const body = await list(server.client('pop-core-post'), {
      ResourceType: 'key',
      ...tagParams({ kind: 'listed-key' }),
    });
    expect(rowsOf(body)).toEqual([
      { ResourceId: keyId, ResourceType: 'key', TagKey: 'kind', TagValue: 'listed-key' },
    ]);
    const byId = await list(server.client('pop-core-post'), { ResourceType: 'key', 'ResourceId.1': keyId });
    expect(rowsOf(byId)).toHaveLength(1);
  });

  it('pages 200 rows at a time with an opaque NextToken, "" on the last page, mid-resource too', async () => {
    const names = Array.from({ length: 11 }, (_, i) => `page-${String(i).padStart(2, '0')}`);
    for (const name of names) {
      // 19 tags each: the first page ends in the middle of the eleventh secret.
      await newSecret(name, Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`t${i}`, name])));
    }
    const client = server.client('pop-core-get');
    const query = { ResourceType: 'secret', 'Tag.1.Key': 't0' };
    const first = await list(client, query);
    expect(rowsOf(first)).toHaveLength(200);
    expect(typeof first.NextToken).toBe('string');
    expect(first.NextToken).not.toBe('');
    const second = await list(client, { ...query, NextToken: first.NextToken as string });
    expect(rowsOf(second)).toHaveLength(9);
    expect(second.NextToken).toBe('');
    const all = [...rowsOf(first), ...rowsOf(second)].map((r) => `${r.ResourceId}/${r.TagKey}`);
    expect(all).toHaveLength(209);
    expect(new Set(all).size).toBe(209);
    expect(
      new Set(
        rowsOf(first)
          .concat(rowsOf(second))
          .map((r) => r.ResourceId),
      ),
    ).toEqual(new Set(names));

    // A token belongs to its query.
    await expectError(
      list(client, { ResourceType: 'secret', 'Tag.1.Key': 't1', NextToken: first.NextToken as string }),
      'InvalidParameter',
      400,
    );
    await expectError(list(client, { ...query, NextToken: 'garbage!' }), 'InvalidParameter', 400);
    const forged = Buffer.from(JSON.stringify({ v: 1, r: -1, t: 0, q: 'x' })).toString('base64url');
    await expectError(list(client, { ...query, NextToken: forged }), 'InvalidParameter', 400);
  });

  it('validates RegionId, ResourceType and ResourceId.N', async () => {
    const client = server.client('openapi-v2');
    await expectError(client.call('ListTagResources', { ResourceType: 'secret' }), 'MissingParameter', 400);
    await expectError(list(client, {}), 'MissingParameter', 400);
    await expectError(list(client, { ResourceType: 'alias' }), 'InvalidParameter', 400);
    await expectError(
      list(client, {
        ResourceType: 'secret',
        ...repeat(
          'ResourceId',
          Array.from({ length: 51 }, (_, i) => `x${i}`),
        ),
      }),
      'InvalidParameter',
      400,
    );
    await expectError(
      list(client, { ResourceType: 'secret', 'Tag.1.Value': 'orphan' }),
      'MissingParameter',
      400,
    );
  });
});
