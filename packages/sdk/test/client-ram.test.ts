/** `client.ram`: the RAM-compatible actions against a real server, in the SDK's camelCase shapes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAM_ACTION_NAMES } from '../../server/src/domain/permissions.js';
import { RamApi } from '../src/api/ram.js';
import { TesseraApiError, TesseraClient } from '../src/index.js';
import type { TestServer } from './helpers.js';
import { startServer } from './helpers.js';

let server: TestServer;
let client: TesseraClient;

beforeAll(async () => {
  server = await startServer();
  client = server.client();
});

afterAll(async () => {
  await server.stop();
});

async function apiError(promise: Promise<unknown>): Promise<TesseraApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TesseraApiError))
    throw new Error(`expected a TesseraApiError, got ${String(error)}`);
  return error;
}

const DOCUMENT = {
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'kms:DescribeRegions', Resource: '*' }],
};

describe('client.ram', () => {
  it('has a typed method for every RAM action', () => {
    const methods = Object.getOwnPropertyNames(RamApi.prototype);
    for (const action of RAM_ACTION_NAMES)
      expect(methods).toContain(action.charAt(0).toLowerCase() + action.slice(1));
  });

  it('manages a user, its access keys and policies end to end', async () => {
    const created = await client.ram.createUser({ userName: 'sdk-user', displayName: 'SDK User' });
    expect(created.user).toMatchObject({ userName: 'sdk-user', displayName: 'SDK User' });
    expect(created.requestId).toBeTruthy();
    expect((await client.ram.getUser({ userName: 'sdk-user' })).user.userId).toBe(created.user.userId);
    const page = await client.ram.listUsers({ maxItems: 1 });
    expect(page.users).toHaveLength(1);
    expect(page.isTruncated).toBe(true);
    const next = await client.ram.listUsers({ marker: page.marker, maxItems: 1000 });
    expect(next.users.map((u) => u.userName)).toContain('sdk-user');
    expect((await client.ram.updateUser({ userName: 'sdk-user', newComments: 'hi' })).user.comments).toBe(
      'hi',
    );

    const key = await client.ram.createAccessKey({ userName: 'sdk-user' });
    expect(key.accessKey).toMatchObject({ status: 'Active' });
    expect(key.accessKey.accessKeySecret).toHaveLength(30);
    const keys = await client.ram.listAccessKeys({ userName: 'sdk-user' });
    expect(keys.accessKeys).toEqual([
      { accessKeyId: key.accessKey.accessKeyId, status: 'Active', createDate: key.accessKey.createDate },
    ]);
    // The new key signs requests of its own.
    const asUser = new TesseraClient({
      endpoint: server.baseUrl,
      accessKeyId: key.accessKey.accessKeyId,
      accessKeySecret: key.accessKey.accessKeySecret,
    });
    await expect(asUser.describeRegions()).resolves.toBeDefined();
    const refused = await apiError(asUser.ram.listUsers());
    expect([refused.status, refused.code]).toEqual([403, 'NoPermission']);
    await client.ram.updateAccessKey({
      userName: 'sdk-user',
      userAccessKeyId: key.accessKey.accessKeyId,
      status: 'Inactive',
    });
    expect((await apiError(asUser.describeRegions())).code).toBe('Forbidden.AccessKey');

    await client.ram.createPolicy({
      policyName: 'sdk-policy',
      policyDocument: DOCUMENT,
      description: 'regions',
    });
    const policy = await client.ram.getPolicy({ policyName: 'sdk-policy', policyType: 'Custom' });
    expect(JSON.parse(policy.policy.policyDocument ?? '')).toEqual(DOCUMENT);
    expect(policy.defaultPolicyVersion.versionId).toBe('v1');
    const custom = await client.ram.listPolicies({ policyType: 'Custom' });
    expect(custom.policies.map((p) => p.policyName)).toEqual(['sdk-policy']);
    await client.ram.attachPolicyToUser({
      userName: 'sdk-user',
      policyName: 'sdk-policy',
      policyType: 'Custom',
    });
    const attached = await client.ram.listPoliciesForUser({ userName: 'sdk-user' });
    expect(attached.policies.map((p) => [p.policyType, p.policyName])).toEqual([['Custom', 'sdk-policy']]);
    const conflict = await apiError(client.ram.deleteUser({ userName: 'sdk-user' }));
    expect([conflict.status, conflict.code]).toEqual([409, 'DeleteConflict.User.AccessKey']);

    await client.ram.deleteAccessKey({ userName: 'sdk-user', userAccessKeyId: key.accessKey.accessKeyId });
    await client.ram.detachPolicyFromUser({
      userName: 'sdk-user',
      policyName: 'sdk-policy',
      policyType: 'Custom',
    });
    await client.ram.deletePolicy({ policyName: 'sdk-policy' });
    await client.ram.deleteUser({ userName: 'sdk-user' });
    const gone = await apiError(client.ram.getUser({ userName: 'sdk-user' }));
    expect([gone.status, gone.code]).toEqual([404, 'EntityNotExist.User']);
  });
});
