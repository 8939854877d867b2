/** Every tag method of the client, against a real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TesseraClient } from '../src/index.js';
import type { TestServer } from './helpers.js';
import { anyString, arrayContaining, startServer, uniqueName } from './helpers.js';

let api: TestServer;
let client: TesseraClient;

beforeAll(async () => {
  api = await startServer();
  client = api.client();
});

afterAll(async () => {
  await api.stop();
});

async function newSecret(): Promise<string> {
  const secretName = uniqueName('sdk-tags');
  await client.createSecret({ secretName, versionId: 'v1', secretData: 'x' });
  return secretName;
}

async function secretTags(secretName: string) {
  return (await client.describeSecret({ secretName, fetchTags: true })).tags;
}

describe('tag methods', () => {
  it('tagResource and untagResource change the tags of one secret', async () => {
    const secretName = await newSecret();
    const tags = [
      { tagKey: 'env', tagValue: 'test' },
      { tagKey: 'team', tagValue: 'core' },
    ];
    expect(await client.tagResource({ secretName, tags })).toEqual({ requestId: anyString() });
    expect(await secretTags(secretName)).toEqual(arrayContaining(tags));
    expect(await client.untagResource({ secretName, tagKeys: ['env', 'absent'] })).toEqual({
      requestId: anyString(),
    });
    expect(await secretTags(secretName)).toEqual([{ tagKey: 'team', tagValue: 'core' }]);
  });

  it('tagResource and untagResource work on a key; listResourceTags lists its tags', async () => {
    const keyId = (await client.createKey()).keyMetadata.keyId;
    await client.tagResource({ keyId, tags: [{ tagKey: 'owner', tagValue: 'ops' }] });
    expect((await client.listResourceTags({ keyId })).tags).toEqual([
      { keyId, tagKey: 'owner', tagValue: 'ops' },
    ]);
    await client.untagResource({ keyId, tagKeys: ['owner'] });
    expect((await client.listResourceTags({ keyId })).tags).toEqual([]);
  });

  it('tagResources tags several secrets, listTagResources finds them, untagResources removes tags', async () => {
    const first = await newSecret();
    const second = await newSecret();
    const marker = uniqueName('batch');
    expect(
      await client.tagResources({
        resourceType: 'secret',
        resourceId: [first, second],
        tag: [
          { key: 'batch', value: marker },
          { key: 'tier', value: 'gold' },
        ],
      }),
    ).toEqual({ requestId: anyString() });

    const listed = await client.listTagResources({ resourceType: 'secret', resourceId: [first, second] });
    expect(listed.nextToken ?? '').toBe('');
    expect(listed.tagResources).toEqual(
      arrayContaining([
        { resourceId: first, resourceType: 'secret', tagKey: 'batch', tagValue: marker },
        { resourceId: second, resourceType: 'secret', tagKey: 'tier', tagValue: 'gold' },
      ]),
    );
    const filtered = await client.listTagResources({
      resourceType: 'secret',
      tag: [{ key: 'batch', value: marker }],
    });
    expect(new Set(filtered.tagResources.map((r) => r.resourceId))).toEqual(new Set([first, second]));

    await client.untagResources({ resourceType: 'secret', resourceId: [first, second], tagKey: ['tier'] });
    expect(await secretTags(first)).toEqual([{ tagKey: 'batch', tagValue: marker }]);
    await client.untagResources({ resourceType: 'secret', resourceId: [second], all: true });
    expect(await secretTags(second)).toEqual([]);
  });
});
