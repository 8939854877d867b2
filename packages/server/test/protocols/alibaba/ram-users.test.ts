/**
 * RAM users and access keys through the real `@alicloud/ram20150501` SDK: every action, its errors
 * (status, Code, and state unchanged), the two-key limit, the secret shown once, and keys that sign.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAM_ACTION_NAMES } from '../../../src/domain/permissions.js';
import { RAM_ACTIONS } from '../../../src/protocols/alibaba/actions/ram-actions.js';
import type { ApiServer } from './harness.js';
import {
  $Kms,
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  expectFailure,
  kmsClient,
  startApiServer,
} from './harness.js';
import type { RamClient } from './ram-clients.js';
import { $Ram, ram, ramClient } from './ram-clients.js';

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
const A_STRING: unknown = expect.any(String);
const SECRET_SHAPE: unknown = expect.stringMatching(/^[A-Za-z0-9]{30}$/);

async function userNames(): Promise<string[]> {
  const body = await ram(admin.listUsers(new $Ram.ListUsersRequest({ maxItems: 1000 })));
  return (body.users?.user ?? []).map((u) => u.userName ?? '');
}

it('answers exactly the RAM actions of the permission table', () => {
  expect(Object.keys(RAM_ACTIONS).sort()).toEqual([...RAM_ACTION_NAMES].sort());
});

describe('users', () => {
  it('creates, reads, lists, updates and deletes a user in RAM shapes', async () => {
    const created = await ram(
      admin.createUser(
        new $Ram.CreateUserRequest({
          userName: 'ram-alice',
          displayName: 'Alice',
          comments: 'operations',
          email: 'alice@example.com',
          mobilePhone: '86-18600008888',
        }),
      ),
    );
    expect(created.requestId).toEqual(A_STRING);
    expect(created.user).toMatchObject({
      userName: 'ram-alice',
      displayName: 'Alice',
      comments: 'operations',
      email: 'alice@example.com',
      mobilePhone: '86-18600008888',
    });
    expect(created.user?.userId).toMatch(/^\d{16}$/);
    expect(created.user?.createDate).toMatch(ISO);

    const got = await ram(admin.getUser(new $Ram.GetUserRequest({ userName: 'ram-alice' })));
    expect(got.user).toMatchObject({
      userId: created.user?.userId,
      userName: 'ram-alice',
      displayName: 'Alice',
      comments: 'operations',
      email: 'alice@example.com',
      mobilePhone: '86-18600008888',
      createDate: created.user?.createDate,
      updateDate: ISO_DATE,
    });

    const updated = await ram(
      admin.updateUser(
        new $Ram.UpdateUserRequest({ userName: 'ram-alice', newUserName: 'ram-alice2', newComments: '' }),
      ),
    );
    expect(updated.user).toMatchObject({
      userName: 'ram-alice2',
      userId: created.user?.userId,
      comments: '',
    });
    await expectFailure(
      ram(admin.getUser(new $Ram.GetUserRequest({ userName: 'ram-alice' }))),
      404,
      'EntityNotExist.User',
    );

    await ram(admin.deleteUser(new $Ram.DeleteUserRequest({ userName: 'ram-alice2' })));
    expect(await userNames()).not.toContain('ram-alice2');
    await expectFailure(
      ram(admin.deleteUser(new $Ram.DeleteUserRequest({ userName: 'ram-alice2' }))),
      404,
      'EntityNotExist.User',
    );
  });

  it('pages ListUsers with MaxItems, Marker and IsTruncated', async () => {
    for (const name of ['page-a', 'page-b', 'page-c'])
      await ram(admin.createUser(new $Ram.CreateUserRequest({ userName: name })));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const body = await ram(
        admin.listUsers(new $Ram.ListUsersRequest({ maxItems: 2, ...(marker ? { marker } : {}) })),
      );
      const names = (body.users?.user ?? []).map((u) => u.userName ?? '');
      expect(names.length).toBeLessThanOrEqual(2);
      seen.push(...names);
      marker = body.isTruncated === true ? body.marker : undefined;
      if (body.isTruncated === true) expect(body.marker).toBeTruthy();
      pages += 1;
    } while (marker !== undefined);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['administrator', 'page-a', 'page-b', 'page-c']));
    await expectFailure(
      ram(admin.listUsers(new $Ram.ListUsersRequest({ marker: '!!' }))),
      400,
      'InvalidParameter',
    );
    await expectFailure(
      ram(admin.listUsers(new $Ram.ListUsersRequest({ maxItems: 1001 }))),
      400,
      'InvalidParameter',
    );
  });

  it('refuses bad names and taken names with RAM codes, changing nothing', async () => {
    const before = await userNames();
    const create = (request: Record<string, string>) =>
      ram(admin.createUser(new $Ram.CreateUserRequest(request)));
    await expectFailure(create({ userName: 'has space' }), 400, 'InvalidParameter.UserName.InvalidChars');
    await expectFailure(create({ userName: 'x'.repeat(65) }), 400, 'InvalidParameter.UserName.Length');
    await expectFailure(
      create({ userName: 'ok-name', displayName: 'x'.repeat(129) }),
      400,
      'InvalidParameter.DisplayName.Length',
    );
    await expectFailure(create({ userName: 'ok-name', email: 'nope' }), 400, 'InvalidParameter.Email.Format');
    await expectFailure(
      create({ userName: 'ok-name', mobilePhone: '123' }),
      400,
      'InvalidParameter.MobilePhone.Format',
    );
    await expectFailure(create({ displayName: 'no name' }), 400, 'MissingParameter');
    await expectFailure(create({ userName: 'administrator' }), 409, 'EntityAlreadyExists.User');
    expect(await userNames()).toEqual(before);

    await create({ userName: 'taken-a' });
    await create({ userName: 'taken-b' });
    const update = (request: Record<string, string>) =>
      ram(admin.updateUser(new $Ram.UpdateUserRequest(request)));
    await expectFailure(
      update({ userName: 'taken-a', newUserName: 'taken-b' }),
      409,
      'EntityAlreadyExists.User',
    );
    await expectFailure(
      update({ userName: 'taken-a', newUserName: 'a/b' }),
      400,
      'InvalidParameter.NewUserName.InvalidChars',
    );
    await expectFailure(
      update({ userName: 'taken-a', newDisplayName: 'x'.repeat(129) }),
      400,
      'InvalidParameter.NewDisplayName.Length',
    );
    await expectFailure(update({ userName: 'nobody', newComments: 'x' }), 404, 'EntityNotExist.User');
    expect((await ram(admin.getUser(new $Ram.GetUserRequest({ userName: 'taken-a' })))).user?.userName).toBe(
      'taken-a',
    );
  });

  it('protects the administrator from deletion and renaming', async () => {
    await expectFailure(
      ram(admin.deleteUser(new $Ram.DeleteUserRequest({ userName: 'administrator' }))),
      409,
      'Rejected.AdministratorProtected',
    );
    await expectFailure(
      ram(admin.updateUser(new $Ram.UpdateUserRequest({ userName: 'administrator', newUserName: 'root' }))),
      409,
      'Rejected.AdministratorProtected',
    );
    expect(await userNames()).toContain('administrator');
  });
});

describe('access keys', () => {
  it('shows a new secret once, lists keys without secrets, and stops at two keys per user', async () => {
    await ram(admin.createUser(new $Ram.CreateUserRequest({ userName: 'key-owner' })));
    const first = await ram(
      admin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'key-owner' })),
    );
    expect(first.accessKey).toMatchObject({
      accessKeyId: A_STRING,
      accessKeySecret: SECRET_SHAPE,
      status: 'Active',
      createDate: ISO_DATE,
    });
    const second = await ram(
      admin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'key-owner' })),
    );
    await expectFailure(
      ram(admin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'key-owner' }))),
      409,
      'LimitExceeded.User.AccessKey',
    );
    const listed = await ram(admin.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'key-owner' })));
    const keys = listed.accessKeys?.accessKey ?? [];
    expect(keys.map((k) => k.accessKeyId).sort()).toEqual(
      [first.accessKey?.accessKeyId, second.accessKey?.accessKeyId].sort(),
    );
    expect(keys.every((k) => k.status === 'Active' && ISO.test(k.createDate ?? ''))).toBe(true);
    const raw = JSON.stringify(listed);
    expect(raw).not.toContain(first.accessKey?.accessKeySecret);
    expect(raw).not.toContain(second.accessKey?.accessKeySecret);
    expect(raw).not.toContain('AccessKeySecret');
    await expectFailure(
      ram(admin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'no-such-user' }))),
      404,
      'EntityNotExist.User',
    );
  });

  it("signs requests with a user's key; an inactive key is refused with 403, a deleted one with 404", async () => {
    await ram(admin.createUser(new $Ram.CreateUserRequest({ userName: 'signer' })));
    const created = await ram(admin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'signer' })));
    const id = created.accessKey?.accessKeyId ?? '';
    const kms = kmsClient(server.endpoint, {
      accessKeyId: id,
      accessKeySecret: created.accessKey?.accessKeySecret ?? '',
    });
    const describe = () => kms.describeRegions(new $Kms.DescribeRegionsRequest({}));
    const answered = (await describe()) as { body?: { requestId?: string } };
    const events = server.instance.tessera.services.audit;
    const lookup = await events.lookup({ requestId: answered.body?.requestId, limit: 5 });
    expect(lookup.events.map((e) => [e.principal, e.accessKeyId])).toContainEqual(['signer', id]);

    await ram(
      admin.updateAccessKey(
        new $Ram.UpdateAccessKeyRequest({ userName: 'signer', userAccessKeyId: id, status: 'Inactive' }),
      ),
    );
    const listed = await ram(admin.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'signer' })));
    expect(listed.accessKeys?.accessKey?.[0]?.status).toBe('Inactive');
    await expect(describe()).rejects.toMatchObject({
      data: { Code: 'Forbidden.AccessKey', HttpStatus: 403 },
    });

    await ram(
      admin.updateAccessKey(
        new $Ram.UpdateAccessKeyRequest({ userName: 'signer', userAccessKeyId: id, status: 'Active' }),
      ),
    );
    await expect(describe()).resolves.toBeDefined();

    await expectFailure(
      ram(admin.deleteUser(new $Ram.DeleteUserRequest({ userName: 'signer' }))),
      409,
      'DeleteConflict.User.AccessKey',
    );
    await ram(
      admin.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'signer', userAccessKeyId: id })),
    );
    await expect(describe()).rejects.toMatchObject({
      data: { Code: 'InvalidAccessKeyId.NotFound', HttpStatus: 404 },
    });
    await expectFailure(
      ram(
        admin.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'signer', userAccessKeyId: id })),
      ),
      404,
      'EntityNotExist.User.AccessKey',
    );
    await ram(admin.deleteUser(new $Ram.DeleteUserRequest({ userName: 'signer' })));
  });

  it("refuses another user's key, bad statuses, and losing the administrator's last key", async () => {
    await ram(admin.createUser(new $Ram.CreateUserRequest({ userName: 'owner-1' })));
    await ram(admin.createUser(new $Ram.CreateUserRequest({ userName: 'owner-2' })));
    const key = await ram(admin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'owner-1' })));
    const id = key.accessKey?.accessKeyId ?? '';
    await expectFailure(
      ram(
        admin.updateAccessKey(
          new $Ram.UpdateAccessKeyRequest({ userName: 'owner-2', userAccessKeyId: id, status: 'Inactive' }),
        ),
      ),
      404,
      'EntityNotExist.User.AccessKey',
    );
    await expectFailure(
      ram(
        admin.updateAccessKey(
          new $Ram.UpdateAccessKeyRequest({ userName: 'owner-1', userAccessKeyId: id, status: 'Off' }),
        ),
      ),
      400,
      'InvalidParameter',
    );
    await expectFailure(
      ram(
        admin.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'owner-2', userAccessKeyId: id })),
      ),
      404,
      'EntityNotExist.User.AccessKey',
    );
    const owned = await ram(admin.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'owner-1' })));
    expect(owned.accessKeys?.accessKey?.map((k) => [k.accessKeyId, k.status])).toEqual([[id, 'Active']]);

    // Without UserName the caller's own keys: here the administrator's single bootstrap key.
    const mine = await ram(admin.listAccessKeys(new $Ram.ListAccessKeysRequest({})));
    expect(mine.accessKeys?.accessKey?.map((k) => k.accessKeyId)).toEqual([ACCESS_KEY_ID]);
    await expectFailure(
      ram(
        admin.updateAccessKey(
          new $Ram.UpdateAccessKeyRequest({ userAccessKeyId: ACCESS_KEY_ID, status: 'Inactive' }),
        ),
      ),
      409,
      'Rejected.AdministratorProtected',
    );
    await expectFailure(
      ram(admin.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userAccessKeyId: ACCESS_KEY_ID }))),
      409,
      'Rejected.AdministratorProtected',
    );
    expect(
      (await ram(admin.listAccessKeys(new $Ram.ListAccessKeysRequest({})))).accessKeys?.accessKey?.[0]
        ?.status,
    ).toBe('Active');
  });

  it('answers RAM actions from a user no policy allows with 403 NoPermission, and does nothing', async () => {
    await ram(admin.createUser(new $Ram.CreateUserRequest({ userName: 'plain-user' })));
    const key = await ram(admin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'plain-user' })));
    const user = ramClient(server.endpoint, {
      accessKeyId: key.accessKey?.accessKeyId ?? '',
      accessKeySecret: key.accessKey?.accessKeySecret ?? '',
    });
    await expectFailure(ram(user.listUsers(new $Ram.ListUsersRequest({}))), 403, 'NoPermission');
    await expectFailure(
      ram(user.createUser(new $Ram.CreateUserRequest({ userName: 'sneaky' }))),
      403,
      'NoPermission',
    );
    await expectFailure(ram(user.createAccessKey(new $Ram.CreateAccessKeyRequest({}))), 403, 'NoPermission');
    await expectFailure(
      ram(
        user.attachPolicyToUser(
          new $Ram.AttachPolicyToUserRequest({
            userName: 'plain-user',
            policyType: 'System',
            policyName: 'AdministratorAccess',
          }),
        ),
      ),
      403,
      'NoPermission',
    );
    expect(await userNames()).not.toContain('sneaky');
    const keys = await ram(admin.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'plain-user' })));
    expect(keys.accessKeys?.accessKey).toHaveLength(1);
    const policies = await ram(
      admin.listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName: 'plain-user' })),
    );
    expect(policies.policies?.policy ?? []).toEqual([]);
  });
});
