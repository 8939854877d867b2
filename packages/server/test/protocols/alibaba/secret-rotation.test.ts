/**
 * The two rotation scenarios of Alibaba's secret rotation documentation, end to end through every real client: the
 * typed kms20160120 transport (signature v1), openapi in ACS3 and in v2 mode, and pop-core with GET and
 * with POST. After each step the test reads what a consumer would read (GetSecretValue, default stage
 * and ACSPrevious) and what an operator would list (ListSecretVersionIds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiServer, Body } from './harness.js';
import { errorOf, startApiServer } from './harness.js';

let server: ApiServer;

beforeAll(async () => {
  server = await startApiServer();
});

afterAll(async () => {
  await server.stop();
});

interface Read {
  readonly versionId: unknown;
  readonly data: unknown;
  readonly stages: unknown;
}

async function read(client: ApiClient, name: string, stage?: string): Promise<Read> {
  const body = await client.call('GetSecretValue', {
    SecretName: name,
    ...(stage === undefined ? {} : { VersionStage: stage }),
  });
  expect(body).toMatchObject({ SecretName: name, SecretType: 'Generic', SecretDataType: 'text' });
  expect(body.CreateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  return {
    versionId: body.VersionId,
    data: body.SecretData,
    stages: (body.VersionStages as Body | undefined)?.VersionStage,
  };
}

async function versions(client: ApiClient, name: string, includeDeprecated = false): Promise<unknown> {
  const body = await client.call('ListSecretVersionIds', {
    SecretName: name,
    ...(includeDeprecated ? { IncludeDeprecated: 'true' } : {}),
  });
  const list = (body.VersionIds as { VersionId: Body[] }).VersionId;
  expect(body.TotalCount).toBe(list.length);
  return list.map((v) => [v.VersionId, (v.VersionStages as Body).VersionStage]);
}

const CLIENTS = ['kms20160120', 'openapi-acs3', 'openapi-v2', 'pop-core-get', 'pop-core-post'] as const;

describe.each(CLIENTS)('rotation scenarios through %s', (clientName) => {
  it('scenario 1: one PutSecretValue makes the new version current and the old one previous', async () => {
    const client = server.client(clientName);
    const name = `MyOAuthAppSecret-${clientName}`;
    await client.call('CreateSecret', { SecretName: name, VersionId: 'v1', SecretData: 'app-secret-v1' });
    expect(await read(client, name)).toEqual({
      versionId: 'v1',
      data: 'app-secret-v1',
      stages: ['ACSCurrent'],
    });
    expect((await errorOf(read(client, name, 'ACSPrevious'))).code).toBe('Forbidden.ResourceNotFound');

    // The administrator stores the App Secret the OAuth system just generated.
    const put = await client.call('PutSecretValue', {
      SecretName: name,
      SecretData: 'sample-app-secret',
      VersionId: 'v2',
    });
    expect(put).toMatchObject({
      SecretName: name,
      VersionId: 'v2',
      VersionStages: { VersionStage: ['ACSCurrent'] },
    });
    expect(await read(client, name)).toEqual({
      versionId: 'v2',
      data: 'sample-app-secret',
      stages: ['ACSCurrent'],
    });
    expect(await read(client, name, 'ACSPrevious')).toEqual({
      versionId: 'v1',
      data: 'app-secret-v1',
      stages: ['ACSPrevious'],
    });
    expect(await versions(client, name)).toEqual([
      ['v2', ['ACSCurrent']],
      ['v1', ['ACSPrevious']],
    ]);

    // The next rotation pushes v1 out of both stages: it is deprecated, listed only on request.
    await client.call('PutSecretValue', { SecretName: name, SecretData: 'app-secret-v3', VersionId: 'v3' });
    expect(await read(client, name)).toMatchObject({ versionId: 'v3', data: 'app-secret-v3' });
    expect(await read(client, name, 'ACSPrevious')).toMatchObject({
      versionId: 'v2',
      stages: ['ACSPrevious'],
    });
    expect(await versions(client, name)).toEqual([
      ['v3', ['ACSCurrent']],
      ['v2', ['ACSPrevious']],
    ]);
    expect(await versions(client, name, true)).toEqual([
      ['v3', ['ACSCurrent']],
      ['v2', ['ACSPrevious']],
      ['v1', []],
    ]);
  });

  it('scenario 2: a pending label, registration with the target, then ACSCurrent moves', async () => {
    const client = server.client(clientName);
    const name = `db_cred-${clientName}`;
    // Stands in for the database whose account the secret holds.
    const database = new Map([['alice', 'initial-password']]);
    await client.call('CreateSecret', {
      SecretName: name,
      VersionId: 'v1',
      SecretData: JSON.stringify({ uname: 'alice', pwd: 'initial-password' }),
    });

    // 1. A new password from GetRandomPassword, without punctuation.
    const generated = await client.call('GetRandomPassword', { ExcludePunctuation: 'true' });
    const password = generated.RandomPassword as string;
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);

    // 2. Stored as v2 under MyPendingLabel; ACSCurrent (and the absent ACSPrevious) stay as they were.
    const secretData = JSON.stringify({ uname: 'alice', pwd: password });
    const put = await client.call('PutSecretValue', {
      SecretName: name,
      SecretData: secretData,
      VersionId: 'v2',
      VersionStages: '["MyPendingLabel"]',
    });
    expect(put).toMatchObject({ VersionId: 'v2', VersionStages: { VersionStage: ['MyPendingLabel'] } });
    const current = await read(client, name);
    expect(current).toMatchObject({ versionId: 'v1', stages: ['ACSCurrent'] });
    expect(JSON.parse(current.data as string)).toEqual({ uname: 'alice', pwd: 'initial-password' });
    expect((await errorOf(read(client, name, 'ACSPrevious'))).status).toBe(404);
    expect(await read(client, name, 'MyPendingLabel')).toEqual({
      versionId: 'v2',
      data: secretData,
      stages: ['MyPendingLabel'],
    });
    expect(await versions(client, name)).toEqual([
      ['v2', ['MyPendingLabel']],
      ['v1', ['ACSCurrent']],
    ]);

    // 3. Register the pending credentials with the target, reading them by their label.
    const pending = JSON.parse((await read(client, name, 'MyPendingLabel')).data as string) as {
      uname: string;
      pwd: string;
    };
    database.set(pending.uname, pending.pwd);

    // 4. Mark v2 current; v1, which held ACSCurrent, becomes ACSPrevious (docs/behaviour.md rule 1).
    const moved = await client.call('UpdateSecretVersionStage', {
      SecretName: name,
      VersionStage: 'ACSCurrent',
      MoveToVersion: 'v2',
    });
    expect(moved).toMatchObject({ SecretName: name });
    const after = await read(client, name);
    expect(after).toEqual({ versionId: 'v2', data: secretData, stages: ['ACSCurrent', 'MyPendingLabel'] });
    // The consumer's new credentials are the ones the database accepts.
    const consumer = JSON.parse(after.data as string) as { uname: string; pwd: string };
    expect(database.get(consumer.uname)).toBe(consumer.pwd);
    expect(await read(client, name, 'ACSPrevious')).toMatchObject({
      versionId: 'v1',
      stages: ['ACSPrevious'],
    });
    expect(await versions(client, name)).toEqual([
      ['v2', ['ACSCurrent', 'MyPendingLabel']],
      ['v1', ['ACSPrevious']],
    ]);

    // Tidy up: the pending label comes off v2; ACSCurrent and ACSPrevious stay.
    await client.call('UpdateSecretVersionStage', {
      SecretName: name,
      VersionStage: 'MyPendingLabel',
      RemoveFromVersion: 'v2',
    });
    expect(await read(client, name)).toMatchObject({ versionId: 'v2', stages: ['ACSCurrent'] });
    expect(await versions(client, name)).toEqual([
      ['v2', ['ACSCurrent']],
      ['v1', ['ACSPrevious']],
    ]);
  });
});
