/**
 * RAM policies through the real `@alicloud/ram20150501` SDK, and all sixteen RAM actions through
 * `@alicloud/pop-core` with GET and with POST (signature v1), in JSON and in XML.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './harness.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, expectFailure, startApiServer } from './harness.js';
import type { RamClient } from './ram-clients.js';
import { $Ram, popRamClient, ram, ramClient } from './ram-clients.js';
import { send, v1Request } from './signed-fetch.js';

let server: ApiServer;
let admin: RamClient;

beforeAll(async () => {
  server = await startApiServer();
  admin = ramClient(server.endpoint, { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET });
});

afterAll(async () => {
  await server.stop();
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
// Asymmetric matchers are typed `any`; hold them as `unknown` so objects using them stay typed.
const ISO_DATE: unknown = expect.stringMatching(ISO);
const A_NUMBER: unknown = expect.any(Number);
const READ_SECRETS = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: ['kms:GetSecretValue'], Resource: ['acs:kms:*:*:secret/app/*'] }],
});

async function customPolicyNames(): Promise<string[]> {
  const body = await ram(
    admin.listPolicies(new $Ram.ListPoliciesRequest({ policyType: 'Custom', maxItems: 1000 })),
  );
  return (body.policies?.policy ?? []).map((p) => p.policyName ?? '');
}

describe('policies', () => {
  it('creates, reads, lists and deletes a custom policy in RAM shapes', async () => {
    const created = await ram(
      admin.createPolicy(
        new $Ram.CreatePolicyRequest({
          policyName: 'app-reader',
          policyDocument: READ_SECRETS,
          description: 'reads app secrets',
        }),
      ),
    );
    expect(created.policy).toMatchObject({
      policyName: 'app-reader',
      policyType: 'Custom',
      description: 'reads app secrets',
      defaultVersion: 'v1',
      createDate: ISO_DATE,
    });

    const got = await ram(
      admin.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'app-reader', policyType: 'Custom' })),
    );
    expect(got.policy).toMatchObject({
      policyName: 'app-reader',
      policyType: 'Custom',
      policyDocument: READ_SECRETS,
      attachmentCount: 0,
      updateDate: ISO_DATE,
    });
    expect(got.defaultPolicyVersion).toMatchObject({
      versionId: 'v1',
      isDefaultVersion: true,
      policyDocument: READ_SECRETS,
    });

    const system = await ram(
      admin.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'AliyunKMSFullAccess', policyType: 'System' })),
    );
    expect(system.policy).toMatchObject({ policyName: 'AliyunKMSFullAccess', policyType: 'System' });
    expect(JSON.parse(system.policy?.policyDocument ?? '{}')).toMatchObject({ Version: '1' });
    await expectFailure(
      ram(admin.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'app-reader', policyType: 'System' }))),
      404,
      'EntityNotExist.Policy',
    );

    expect(await customPolicyNames()).toContain('app-reader');
    await ram(admin.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'app-reader' })));
    expect(await customPolicyNames()).not.toContain('app-reader');
    await expectFailure(
      ram(admin.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'app-reader' }))),
      404,
      'EntityNotExist.Policy',
    );
  });

  it('refuses malformed documents, bad names and taken names, creating nothing', async () => {
    const before = await customPolicyNames();
    const create = (name: string, document: string) =>
      ram(admin.createPolicy(new $Ram.CreatePolicyRequest({ policyName: name, policyDocument: document })));
    const malformed = [
      'not json',
      '{"Version":"1","Statement":[]}',
      '{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Get*"}]}',
      '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}]}',
      JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Sid: 'x'.repeat(7000) }],
      }),
    ];
    for (const document of malformed) {
      const error = await expectFailure(create('bad-doc', document), 400, 'MalformedPolicyDocument');
      expect(error.message.length).toBeGreaterThan(0);
    }
    await expectFailure(create('under_score', READ_SECRETS), 400, 'InvalidParameter.PolicyName.InvalidChars');
    await expectFailure(create('x'.repeat(129), READ_SECRETS), 400, 'InvalidParameter.PolicyName.Length');
    await expectFailure(
      ram(
        admin.createPolicy(
          new $Ram.CreatePolicyRequest({
            policyName: 'long-desc',
            policyDocument: READ_SECRETS,
            description: 'x'.repeat(1025),
          }),
        ),
      ),
      400,
      'InvalidParameter.Description.Length',
    );
    await expectFailure(create('AdministratorAccess', READ_SECRETS), 409, 'EntityAlreadyExists.Policy');
    expect(await customPolicyNames()).toEqual(before);
    await create('once', READ_SECRETS);
    await expectFailure(create('once', READ_SECRETS), 409, 'EntityAlreadyExists.Policy');
    expect(await customPolicyNames()).toEqual([...before, 'once'].sort());
  });

  it('lists system policies, then custom ones, with PolicyType filters and Marker paging', async () => {
    await ram(
      admin.createPolicy(
        new $Ram.CreatePolicyRequest({ policyName: 'list-me', policyDocument: READ_SECRETS }),
      ),
    );
    const all: string[] = [];
    let marker: string | undefined;
    do {
      const body = await ram(
        admin.listPolicies(new $Ram.ListPoliciesRequest({ maxItems: 4, ...(marker ? { marker } : {}) })),
      );
      const page = body.policies?.policy ?? [];
      expect(page.length).toBeLessThanOrEqual(4);
      for (const p of page) {
        expect(p).toMatchObject({
          defaultVersion: 'v1',
          createDate: ISO_DATE,
          attachmentCount: A_NUMBER,
        });
        all.push(`${p.policyType ?? ''}:${p.policyName ?? ''}`);
      }
      marker = body.isTruncated === true ? body.marker : undefined;
    } while (marker !== undefined);
    expect(all.slice(0, 8)).toEqual([
      'System:AdministratorAccess',
      'System:AliyunKMSCryptoUserAccess',
      'System:AliyunKMSFullAccess',
      'System:AliyunKMSReadOnlyAccess',
      'System:AliyunKMSSecretAdminAccess',
      'System:AliyunKMSSecretUserAccess',
      'System:AliyunRAMFullAccess',
      'System:AliyunRAMReadOnlyAccess',
    ]);
    expect(all).toContain('Custom:list-me');
    const systems = await ram(admin.listPolicies(new $Ram.ListPoliciesRequest({ policyType: 'System' })));
    expect(systems.policies?.policy?.every((p) => p.policyType === 'System')).toBe(true);
    expect(systems.isTruncated).toBe(false);
    await expectFailure(
      ram(admin.listPolicies(new $Ram.ListPoliciesRequest({ policyType: 'Other' }))),
      400,
      'InvalidParameter',
    );
  });

  it('attaches and detaches policies, with RAM conflict codes for every misuse', async () => {
    await ram(admin.createUser(new $Ram.CreateUserRequest({ userName: 'policy-user' })));
    await ram(
      admin.createPolicy(
        new $Ram.CreatePolicyRequest({ policyName: 'attach-me', policyDocument: READ_SECRETS }),
      ),
    );
    const attach = (policyType: string, policyName: string, userName = 'policy-user') =>
      ram(admin.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ policyType, policyName, userName })));
    const detach = (policyType: string, policyName: string, userName = 'policy-user') =>
      ram(
        admin.detachPolicyFromUser(
          new $Ram.DetachPolicyFromUserRequest({ policyType, policyName, userName }),
        ),
      );
    const attached = async () =>
      (
        (
          await ram(
            admin.listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName: 'policy-user' })),
          )
        ).policies?.policy ?? []
      ).map((p) => `${p.policyType ?? ''}:${p.policyName ?? ''}`);

    await attach('Custom', 'attach-me');
    await attach('System', 'AliyunKMSReadOnlyAccess');
    const listed = await ram(
      admin.listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName: 'policy-user' })),
    );
    expect(listed.policies?.policy?.[0]).toMatchObject({
      policyName: 'attach-me',
      policyType: 'Custom',
      defaultVersion: 'v1',
      attachDate: ISO_DATE,
    });
    expect(await attached()).toEqual(['Custom:attach-me', 'System:AliyunKMSReadOnlyAccess']);

    await expectFailure(attach('Custom', 'attach-me'), 409, 'EntityAlreadyExists.User.Policy');
    await expectFailure(attach('Custom', 'no-such-policy'), 404, 'EntityNotExist.Policy');
    await expectFailure(attach('System', 'attach-me'), 404, 'EntityNotExist.Policy');
    await expectFailure(attach('Custom', 'attach-me', 'no-such-user'), 404, 'EntityNotExist.User');
    await expectFailure(attach('Sometimes', 'attach-me'), 400, 'InvalidParameter');
    await expectFailure(
      ram(admin.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'attach-me' }))),
      409,
      'DeleteConflict.Policy.User',
    );
    await expectFailure(
      ram(
        admin.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'attach-me', cascadingDelete: true })),
      ),
      400,
      'Rejected.UnsupportedOperation',
    );
    await expectFailure(
      ram(admin.deleteUser(new $Ram.DeleteUserRequest({ userName: 'policy-user' }))),
      409,
      'DeleteConflict.User.Policy',
    );
    const count = await ram(
      admin.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'attach-me', policyType: 'Custom' })),
    );
    expect(count.policy?.attachmentCount).toBe(1);
    expect(await attached()).toEqual(['Custom:attach-me', 'System:AliyunKMSReadOnlyAccess']);

    await detach('Custom', 'attach-me');
    await expectFailure(detach('Custom', 'attach-me'), 404, 'EntityNotExist.User.Policy');
    await detach('System', 'AliyunKMSReadOnlyAccess');
    expect(await attached()).toEqual([]);
    await ram(admin.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'attach-me' })));
    await ram(admin.deleteUser(new $Ram.DeleteUserRequest({ userName: 'policy-user' })));
  });
});

describe.each(['GET', 'POST'] as const)('every RAM action through pop-core %s', (method) => {
  it('runs the whole lifecycle', async () => {
    const client = popRamClient(
      server.baseUrl,
      { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET },
      method,
    );
    const user = `pop-${method.toLowerCase()}`;
    const policy = `pop-${method.toLowerCase()}-policy`;
    const created = await client.call('CreateUser', { UserName: user, DisplayName: 'Pop' });
    expect(created).toMatchObject({ User: { UserName: user, DisplayName: 'Pop' } });
    expect(await client.call('GetUser', { UserName: user })).toMatchObject({ User: { UserName: user } });
    const users = (await client.call('ListUsers', { MaxItems: 1000 })) as {
      Users: { User: { UserName: string }[] };
    };
    expect(users.Users.User.map((u) => u.UserName)).toContain(user);
    await client.call('UpdateUser', { UserName: user, NewComments: 'updated' });
    const key = (await client.call('CreateAccessKey', { UserName: user })) as {
      AccessKey: { AccessKeyId: string };
    };
    const keys = (await client.call('ListAccessKeys', { UserName: user })) as {
      AccessKeys: { AccessKey: unknown[] };
    };
    expect(keys.AccessKeys.AccessKey).toHaveLength(1);
    await client.call('UpdateAccessKey', {
      UserName: user,
      UserAccessKeyId: key.AccessKey.AccessKeyId,
      Status: 'Inactive',
    });
    await client.call('DeleteAccessKey', { UserName: user, UserAccessKeyId: key.AccessKey.AccessKeyId });
    await client.call('CreatePolicy', { PolicyName: policy, PolicyDocument: READ_SECRETS });
    expect(await client.call('GetPolicy', { PolicyName: policy, PolicyType: 'Custom' })).toMatchObject({
      Policy: { PolicyDocument: READ_SECRETS },
    });
    const policies = (await client.call('ListPolicies', { PolicyType: 'Custom' })) as {
      Policies: { Policy: { PolicyName: string }[] };
    };
    expect(policies.Policies.Policy.map((p) => p.PolicyName)).toContain(policy);
    await client.call('AttachPolicyToUser', { UserName: user, PolicyName: policy, PolicyType: 'Custom' });
    expect(await client.call('ListPoliciesForUser', { UserName: user })).toMatchObject({
      Policies: { Policy: [{ PolicyName: policy, PolicyType: 'Custom' }] },
    });
    await client.call('DetachPolicyFromUser', { UserName: user, PolicyName: policy, PolicyType: 'Custom' });
    await client.call('DeletePolicy', { PolicyName: policy });
    await client.call('DeleteUser', { UserName: user });
    await expectFailure(client.call('GetUser', { UserName: user }), 404, 'EntityNotExist.User');
  });
});

it('answers Format=XML with one element per listed item', async () => {
  const response = await send(
    v1Request(server.baseUrl, 'ListUsers', { Version: '2015-05-01' }, { format: 'XML' }),
  );
  const text = await response.text();
  expect(response.status).toBe(200);
  expect(text).toMatch(
    /^<\?xml[^>]*\?><ListUsersResponse><RequestId>[^<]+<\/RequestId><IsTruncated>false<\/IsTruncated><Users><User><UserId>\d{16}<\/UserId><UserName>administrator<\/UserName>/,
  );
});
