/**
 * Paging tokens through the real clients: ListTagResources' NextToken does not tell how many hidden
 * resources the listing skipped (it is sealed, not encoded, and its length does not depend on the
 * position), and every continuation token — ListTagResources and LookupEvents' NextToken, RAM's Marker —
 * is bound to the caller it was issued to: anyone else gets InvalidParameter (docs/permissions.md).
 */
import PopCore from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiServer, Body, Credentials } from './harness.js';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  clientsFor,
  errorOf,
  startApiServer,
  toApiError,
} from './harness.js';
import { $Ram, popRamClient, ram, ramClient } from './ram-clients.js';

const ACTIONTRAIL = '2020-07-06';
/** Secrets the test user may not see, listed before the ones it may. */
const HIDDEN = 57;
/** One page of ListTagResources is 200 rows; one more makes a NextToken. */
const VISIBLE = 201;

let server: ApiServer;
let admin: ApiClient;
let lister: ApiClient;
let listerRam: ApiClient;
let listerTrail: ApiClient;
let adminTrail: ApiClient;

const ADMIN: Credentials = { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET };

/** pop-core (signature v1, POST) on the ActionTrail version. */
function trailClient(credentials: Credentials): ApiClient {
  const client = new PopCore({ ...credentials, endpoint: server.baseUrl, apiVersion: ACTIONTRAIL });
  return {
    name: 'pop-core-post',
    async call(action, params = {}) {
      const strings = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
      try {
        return await client.request<Body>(action, strings, { method: 'POST', timeout: 10_000 });
      } catch (error) {
        throw toApiError(error);
      }
    },
  };
}

beforeAll(async () => {
  server = await startApiServer();
  admin = server.client('pop-core-post');
  const { secrets } = server.instance.tessera.services;
  const create = (name: string, tag: string) =>
    secrets.createSecret({
      name,
      versionId: 'v1',
      data: 'value',
      dataType: 'text',
      tags: [{ key: 'paging', value: tag }],
    });
  for (let i = 0; i < HIDDEN; i++) await create(`paging-a-hidden/${String(i).padStart(3, '0')}`, 'p');
  for (let i = 0; i < VISIBLE; i++) {
    await create(`paging-b-visible/${String(i).padStart(3, '0')}`, 'p');
    await create(`paging-c-open/${String(i).padStart(3, '0')}`, 'q');
  }

  const ramAdmin = ramClient(server.endpoint, ADMIN);
  await ram(ramAdmin.createUser(new $Ram.CreateUserRequest({ userName: 'lister' })));
  const policyDocument = JSON.stringify({
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['kms:ListTagResources'],
        Resource: ['acs:kms:*:*:secret/paging-b-visible/*', 'acs:kms:*:*:secret/paging-c-open/*'],
      },
      { Effect: 'Allow', Action: ['actiontrail:LookupEvents', 'ram:ListUsers'], Resource: ['*'] },
    ],
  });
  await ram(ramAdmin.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'lister', policyDocument })));
  await ram(
    ramAdmin.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({ userName: 'lister', policyType: 'Custom', policyName: 'lister' }),
    ),
  );
  const created = await ram(
    ramAdmin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'lister' })),
  );
  const credentials = {
    accessKeyId: created.accessKey?.accessKeyId ?? '',
    accessKeySecret: created.accessKey?.accessKeySecret ?? '',
  };
  const pop = clientsFor(server, credentials).find((c) => c.name === 'pop-core-post');
  if (!pop) throw new Error('no pop-core client');
  lister = pop;
  listerRam = popRamClient(server.baseUrl, credentials, 'POST');
  listerTrail = trailClient(credentials);
  adminTrail = trailClient(ADMIN);
  for (let i = 0; i < 3; i++) {
    await ram(ramAdmin.createUser(new $Ram.CreateUserRequest({ userName: `paging-user-${i}` })));
  }
}, 120_000);

afterAll(async () => {
  await server.stop();
});

const tagged = (value: string, extra: Record<string, string> = {}) =>
  ({
    RegionId: 'cn-hangzhou',
    ResourceType: 'secret',
    'Tag.1.Key': 'paging',
    'Tag.1.Value': value,
    ...extra,
  }) as const;

async function expectInvalid(call: Promise<unknown>, parameter: string): Promise<void> {
  const error = await errorOf(call);
  expect({ code: error.code, status: error.status }).toEqual({ code: 'InvalidParameter', status: 400 });
  expect(error.message).toContain(parameter);
}

describe('ListTagResources NextToken', () => {
  it('does not tell how many hidden resources were skipped', async () => {
    // Behind the first page: 200 visible resources, after 57 hidden ones (tag p) or none (tag q).
    const afterHidden = (await lister.call('ListTagResources', tagged('p'))).NextToken;
    const afterNone = (await lister.call('ListTagResources', tagged('q'))).NextToken;
    expect(typeof afterHidden).toBe('string');
    expect(typeof afterNone).toBe('string');
    const tokens = [String(afterHidden), String(afterNone)];
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      const decoded = Buffer.from(token, 'base64url');
      // Neither the scan position (57 + 200) nor the row count (200) can be read out of it.
      for (const text of [decoded.toString('utf8'), decoded.toString('latin1')]) {
        expect(text).not.toContain(String(HIDDEN + 200));
        expect(text).not.toContain('200');
        expect(() => JSON.parse(text) as unknown).toThrow();
      }
    }
    expect(tokens[0]?.length).toBe(tokens[1]?.length);
    // A token is fresh each time: two tokens for the same position do not match either.
    const again = (await lister.call('ListTagResources', tagged('p'))).NextToken;
    expect(again).not.toBe(afterHidden);

    const second = await lister.call('ListTagResources', tagged('p', { NextToken: String(afterHidden) }));
    const rows = (second.TagResources as Body).TagResource as Body[];
    expect(rows.map((row) => row.ResourceId)).toEqual(['paging-b-visible/200']);
    expect(second.NextToken).toBe('');
  });

  it('is refused for another caller, another query, and when edited', async () => {
    const token = String((await lister.call('ListTagResources', tagged('p'))).NextToken);
    await expectInvalid(admin.call('ListTagResources', tagged('p', { NextToken: token })), 'NextToken');
    await expectInvalid(lister.call('ListTagResources', tagged('q', { NextToken: token })), 'NextToken');
    const edited = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    await expectInvalid(lister.call('ListTagResources', tagged('p', { NextToken: edited })), 'NextToken');
    const adminToken = String((await admin.call('ListTagResources', tagged('q'))).NextToken);
    await expectInvalid(lister.call('ListTagResources', tagged('q', { NextToken: adminToken })), 'NextToken');
  });
});

describe('other continuation tokens are bound to the caller too', () => {
  it('LookupEvents NextToken', async () => {
    const page = await adminTrail.call('LookupEvents', { MaxResults: 1 });
    const token = String(page.NextToken);
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toMatch(/seq:/);
    await adminTrail.call('LookupEvents', { MaxResults: 1, NextToken: token });
    await expectInvalid(listerTrail.call('LookupEvents', { MaxResults: 1, NextToken: token }), 'NextToken');
  });

  it('RAM ListUsers Marker', async () => {
    const adminRam = popRamClient(server.baseUrl, ADMIN, 'POST');
    const page = await adminRam.call('ListUsers', { MaxItems: 1 });
    expect(page.IsTruncated).toBe(true);
    const marker = String(page.Marker);
    const next = await adminRam.call('ListUsers', { MaxItems: 1, Marker: marker });
    expect(next.Users).toBeDefined();
    await expectInvalid(listerRam.call('ListUsers', { MaxItems: 1, Marker: marker }), 'Marker');
  });
});
