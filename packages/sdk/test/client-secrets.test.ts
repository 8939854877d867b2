/** Every secret method of the client, against a real server. Each test makes its own secrets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TesseraClient } from '../src/index.js';
import { TesseraApiError } from '../src/index.js';
import type { TestServer } from './helpers.js';
import { anyString, containing, matching, startServer, uniqueName } from './helpers.js';

let api: TestServer;
let client: TesseraClient;

beforeAll(async () => {
  api = await startServer();
  client = api.client();
});

afterAll(async () => {
  await api.stop();
});

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

async function newSecret(prefix: string, secretData = 'v1-data'): Promise<string> {
  const secretName = uniqueName(prefix);
  await client.createSecret({ secretName, versionId: 'v1', secretData });
  return secretName;
}

describe('secret methods', () => {
  it('createSecret answers with ARN, name, version and type', async () => {
    const secretName = uniqueName('sdk-create');
    const created = await client.createSecret({
      secretName,
      versionId: 'v1',
      secretData: 'hello',
      description: 'made by the SDK test',
      tags: [{ tagKey: 'team', tagValue: 'payments' }],
    });
    expect(created).toEqual({
      requestId: anyString(),
      arn: matching(new RegExp(`^acs:kms:[^:]+:[^:]+:secret/${secretName}$`)),
      secretName,
      versionId: 'v1',
      secretType: 'Generic',
    });
  });

  it('getSecretValue reads the current version, by stage, by version id, and by both', async () => {
    const secretName = await newSecret('sdk-get');
    await client.putSecretValue({ secretName, versionId: 'v2', secretData: 'v2-data' });

    const current = await client.getSecretValue({ secretName });
    expect(current).toEqual({
      requestId: anyString(),
      secretName,
      versionId: 'v2',
      createTime: matching(TIMESTAMP),
      secretData: 'v2-data',
      secretDataType: 'text',
      secretType: 'Generic',
      versionStages: ['ACSCurrent'],
    });
    const previous = await client.getSecretValue({ secretName, versionStage: 'ACSPrevious' });
    expect(previous).toMatchObject({
      versionId: 'v1',
      secretData: 'v1-data',
      versionStages: ['ACSPrevious'],
    });
    expect(await client.getSecretValue({ secretName, versionId: 'v1' })).toMatchObject({
      secretData: 'v1-data',
    });
    expect(
      await client.getSecretValue({ secretName, versionId: 'v1', versionStage: 'ACSPrevious' }),
    ).toMatchObject({
      versionId: 'v1',
    });
    await expect(
      client.getSecretValue({ secretName, versionId: 'v1', versionStage: 'ACSCurrent' }),
    ).rejects.toMatchObject({ code: 'InvalidParameter', status: 400 });
  });

  it('getSecretValue with dryRun answers DryRunOperationError', async () => {
    const secretName = await newSecret('sdk-dryrun');
    await expect(client.getSecretValue({ secretName, dryRun: true })).rejects.toMatchObject({
      code: 'DryRunOperationError',
    });
  });

  it('batchGetSecretValue returns each value, and an error per item that fails', async () => {
    const first = await newSecret('sdk-batch-a', 'a');
    const second = await newSecret('sdk-batch-b', 'b');
    const missing = uniqueName('sdk-batch-missing');
    const answer = await client.batchGetSecretValue({
      secretsList: [{ secretName: first }, { secretName: second, versionId: 'v1' }, { secretName: missing }],
    });
    expect(answer.secretValues.map((v) => [v.secretName, v.secretData, v.versionStages])).toEqual([
      [first, 'a', ['ACSCurrent']],
      [second, 'b', ['ACSCurrent']],
    ]);
    expect(answer.errors).toEqual([
      {
        secretName: missing,
        code: 'Forbidden.ResourceNotFound',
        message: anyString(),
        httpStatus: 404,
      },
    ]);
  });

  it('putSecretValue makes the new version current and the old one previous; custom stages leave both alone', async () => {
    const secretName = await newSecret('sdk-put');
    const put = await client.putSecretValue({ secretName, versionId: 'v2', secretData: 'v2-data' });
    expect(put).toEqual({
      requestId: anyString(),
      secretName,
      versionId: 'v2',
      versionStages: ['ACSCurrent'],
    });

    const pending = await client.putSecretValue({
      secretName,
      versionId: 'v3',
      secretData: 'v3-data',
      versionStages: ['MyPendingLabel'],
    });
    expect(pending.versionStages).toEqual(['MyPendingLabel']);
    expect((await client.getSecretValue({ secretName })).versionId).toBe('v2');

    // The same value under the same id is a no-op; a different one is refused.
    expect(
      (await client.putSecretValue({ secretName, versionId: 'v2', secretData: 'v2-data' })).versionId,
    ).toBe('v2');
    const conflict = await client
      .putSecretValue({ secretName, versionId: 'v2', secretData: 'other' })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(TesseraApiError);
    expect(conflict).toMatchObject({ code: 'Rejected.ResourceExist', status: 409, action: 'PutSecretValue' });
  });

  it('updateSecretVersionStage moves ACSCurrent and gives the old holder ACSPrevious', async () => {
    const secretName = await newSecret('sdk-stage');
    await client.putSecretValue({
      secretName,
      versionId: 'v2',
      secretData: 'v2',
      versionStages: ['MyPendingLabel'],
    });
    const moved = await client.updateSecretVersionStage({
      secretName,
      versionStage: 'ACSCurrent',
      moveToVersion: 'v2',
    });
    expect(moved).toEqual({ requestId: anyString(), secretName });
    expect((await client.getSecretValue({ secretName })).versionId).toBe('v2');
    expect((await client.getSecretValue({ secretName, versionStage: 'ACSPrevious' })).versionId).toBe('v1');
    await client.updateSecretVersionStage({
      secretName,
      versionStage: 'MyPendingLabel',
      removeFromVersion: 'v2',
    });
    expect((await client.getSecretValue({ secretName })).versionStages).toEqual(['ACSCurrent']);
  });

  it('describeSecret returns metadata, and tags when asked', async () => {
    const secretName = uniqueName('sdk-describe');
    await client.createSecret({
      secretName,
      versionId: 'v1',
      secretData: 'x',
      description: 'described',
      tags: [{ tagKey: 'env', tagValue: 'test' }],
    });
    const described = await client.describeSecret({ secretName });
    expect(described).toMatchObject({
      secretName,
      arn: containing(`:secret/${secretName}`),
      secretType: 'Generic',
      description: 'described',
      createTime: matching(TIMESTAMP),
      updateTime: matching(TIMESTAMP),
    });
    expect(described.tags).toBeUndefined();
    expect(described.plannedDeleteTime).toBeUndefined();
    expect((await client.describeSecret({ secretName, fetchTags: true })).tags).toEqual([
      { tagKey: 'env', tagValue: 'test' },
    ]);
  });

  it('listSecrets pages through secrets filtered by name prefix', async () => {
    const prefix = uniqueName('sdk-list');
    for (const suffix of ['a', 'b', 'c']) {
      await client.createSecret({ secretName: `${prefix}-${suffix}`, versionId: 'v1', secretData: suffix });
    }
    const filters = [{ key: 'SecretName', values: [prefix] }];
    const first = await client.listSecrets({ filters, pageSize: 2 });
    expect(first).toMatchObject({ pageNumber: 1, pageSize: 2, totalCount: 3 });
    const second = await client.listSecrets({ filters, pageSize: 2, pageNumber: 2, fetchTags: true });
    const names = [...first.secretList, ...second.secretList].map((s) => s.secretName).sort();
    expect(names).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
    expect(second.secretList[0]).toMatchObject({ createTime: matching(TIMESTAMP), tags: [] });
  });

  it('listSecretVersionIds lists labelled versions newest first, and deprecated ones on request', async () => {
    const secretName = await newSecret('sdk-versions');
    await client.putSecretValue({ secretName, versionId: 'v2', secretData: '2' });
    await client.putSecretValue({ secretName, versionId: 'v3', secretData: '3' });
    const listed = await client.listSecretVersionIds({ secretName });
    expect(listed).toMatchObject({ secretName, pageNumber: 1, totalCount: 2 });
    expect(listed.versionIds.map((v) => [v.versionId, v.versionStages])).toEqual([
      ['v3', ['ACSCurrent']],
      ['v2', ['ACSPrevious']],
    ]);
    expect(listed.versionIds[0]?.createTime).toMatch(TIMESTAMP);
    const all = await client.listSecretVersionIds({ secretName, includeDeprecated: true });
    expect(all.versionIds.map((v) => [v.versionId, v.versionStages])).toEqual([
      ['v3', ['ACSCurrent']],
      ['v2', ['ACSPrevious']],
      ['v1', []],
    ]);
  });

  it('updateSecret changes the description', async () => {
    const secretName = await newSecret('sdk-update');
    expect(await client.updateSecret({ secretName, description: 'new words' })).toEqual({
      requestId: anyString(),
      secretName,
    });
    expect((await client.describeSecret({ secretName })).description).toBe('new words');
  });

  it('deleteSecret schedules deletion and restoreSecret brings the secret back', async () => {
    const secretName = await newSecret('sdk-delete');
    const deleted = await client.deleteSecret({ secretName, recoveryWindowInDays: 7 });
    expect(deleted).toMatchObject({ secretName, plannedDeleteTime: matching(TIMESTAMP) });
    const days = (Date.parse(deleted.plannedDeleteTime) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);
    expect((await client.describeSecret({ secretName })).plannedDeleteTime).toBe(deleted.plannedDeleteTime);
    await expect(client.getSecretValue({ secretName })).rejects.toMatchObject({
      code: 'Rejected.ResourceInDeleteWindow',
      status: 409,
    });
    expect(await client.restoreSecret({ secretName })).toEqual({ requestId: anyString(), secretName });
    expect((await client.getSecretValue({ secretName })).secretData).toBe('v1-data');
  });

  it('deleteSecret with forceDeleteWithoutRecovery destroys at once and frees the name', async () => {
    const secretName = await newSecret('sdk-force');
    await client.deleteSecret({ secretName, forceDeleteWithoutRecovery: true });
    await expect(client.describeSecret({ secretName })).rejects.toMatchObject({
      code: 'Forbidden.ResourceNotFound',
    });
    await client.createSecret({ secretName, versionId: 'again', secretData: 'reborn' });
    expect((await client.getSecretValue({ secretName })).versionId).toBe('again');
  });

  it('getRandomPassword honours the length and the excluded classes', async () => {
    expect((await client.getRandomPassword()).randomPassword).toHaveLength(32);
    const { randomPassword } = await client.getRandomPassword({
      passwordLength: 40,
      excludePunctuation: true,
      excludeCharacters: 'aeiou',
    });
    expect(randomPassword).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(randomPassword).not.toMatch(/[aeiou]/);
  });

  it('setSecretPolicy stores a policy that getSecretPolicy returns as set', async () => {
    const secretName = await newSecret('sdk-policy');
    const initial = await client.getSecretPolicy({ secretName });
    expect(JSON.parse(initial.policy)).toMatchObject({ Version: '1' });
    const policy = JSON.stringify({
      Version: '1',
      Statement: [
        {
          Sid: 'app-read',
          Effect: 'Allow',
          Principal: { RAM: ['*'] },
          Action: ['kms:GetSecretValue'],
          Resource: ['*'],
        },
      ],
    });
    expect(await client.setSecretPolicy({ secretName, policy })).toEqual({ requestId: anyString() });
    expect((await client.getSecretPolicy({ secretName, policyName: 'default' })).policy).toBe(policy);
  });
});
