/**
 * Access control through the real SDKs: RAM users with their own access keys and policies,
 * refused where no policy allows, a Deny beating an Allow, tag, source-IP and secure-transport
 * conditions, secret policies granting and denying, refusals answered the same whether the secret or
 * key exists or not, an inactive key refused, and one audit event per request with the true outcome.
 */
import PopCore from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiError, ApiServer, Body } from './harness.js';
import { send, v1Request } from './signed-fetch.js';
import type { RamClient } from './ram-clients.js';
import { $Ram, popRamClient, ram, ramClient } from './ram-clients.js';
import {
  $Kms,
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  clientsFor,
  errorOf,
  expectFailure,
  kmsClient,
  startApiServer,
} from './harness.js';

let server: ApiServer;
let admin: ApiClient;
let accountId: string;
let ramAdmin: RamClient;

beforeAll(async () => {
  server = await startApiServer();
  admin = server.client('pop-core-post');
  accountId = server.instance.tessera.identity.accountId;
  ramAdmin = ramClient(server.endpoint, { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET });
  for (const name of ['app/db', 'app/prod/db', 'app/dev/db', 'ops/db', 'ops/shared', 'app/locked']) {
    await admin.call('CreateSecret', { SecretName: name, VersionId: 'v1', SecretData: `value of ${name}` });
  }
});

afterAll(async () => {
  await server.stop();
});

interface TestUser {
  readonly name: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** pop-core POST, pop-core GET, openapi ACS3 and v2, the typed SDK's signing path. */
  readonly clients: readonly ApiClient[];
  readonly pop: ApiClient;
  readonly kms: ReturnType<typeof kmsClient>;
}

const statement = (effect: 'Allow' | 'Deny', action: string[], resource: string[], condition?: object) => ({
  Effect: effect,
  Action: action,
  Resource: resource,
  ...(condition === undefined ? {} : { Condition: condition }),
});

let userCount = 0;

/**
 * A RAM user made through the real RAM SDK by the administrator: one custom policy of these statements
 * (none: no policy at all), attached, and an access key.
 */
async function user(name: string, ...statements: object[]): Promise<TestUser> {
  await ram(ramAdmin.createUser(new $Ram.CreateUserRequest({ userName: name })));
  if (statements.length > 0) {
    const policyName = `policy-${name}-${++userCount}`;
    const policyDocument = JSON.stringify({ Version: '1', Statement: statements });
    await ram(ramAdmin.createPolicy(new $Ram.CreatePolicyRequest({ policyName, policyDocument })));
    await ram(
      ramAdmin.attachPolicyToUser(
        new $Ram.AttachPolicyToUserRequest({ userName: name, policyType: 'Custom', policyName }),
      ),
    );
  }
  const created = await ram(ramAdmin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: name })));
  const credentials = {
    accessKeyId: created.accessKey?.accessKeyId ?? '',
    accessKeySecret: created.accessKey?.accessKeySecret ?? '',
  };
  const clients = clientsFor(server, credentials);
  const pop = clients.find((c) => c.name === 'pop-core-post');
  if (!pop) throw new Error('no pop-core client');
  return { name, ...credentials, clients, pop, kms: kmsClient(server.endpoint, credentials) };
}

/** The error body a call ends with, without its RequestId: what must be identical between two answers. */
async function answer(promise: Promise<unknown>): Promise<Body> {
  const error = await errorOf(promise);
  const body: Body = { ...error.body, status: error.status };
  delete body.RequestId;
  return body;
}

const readOnlyApp = statement('Allow', ['kms:GetSecretValue'], ['acs:kms:*:*:secret/app/*']);

describe('a read-only user on secret/app/*', () => {
  let reader: TestUser;

  beforeAll(async () => {
    reader = await user('reader', readOnlyApp);
  });

  it('reads secrets there, through every client and the typed SDK', async () => {
    for (const client of reader.clients) {
      expect((await client.call('GetSecretValue', { SecretName: 'app/db' })).SecretData).toBe(
        'value of app/db',
      );
    }
    const typed = await reader.kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: 'app/db' }));
    expect(typed.secretData).toBe('value of app/db');
  });

  it('gets the same 403 for a secret it may not use whether or not it exists, for every secret action', async () => {
    const { services } = server.instance.tessera;
    await services.secrets.createSecret({ name: 'ops/probe', versionId: 'v1', data: 'x', dataType: 'text' });
    const calls: [string, Record<string, string>][] = [
      ['GetSecretValue', {}],
      ['GetSecretValue', { VersionId: 'no-such-version' }],
      ['DescribeSecret', {}],
      ['ListSecretVersionIds', {}],
      ['PutSecretValue', { VersionId: 'v9', SecretData: 'x' }],
      ['UpdateSecret', { Description: 'x' }],
      ['DeleteSecret', {}],
      ['RestoreSecret', {}],
      ['GetSecretPolicy', {}],
      ['UpdateSecretVersionStage', { VersionStage: 'Blue', MoveToVersion: 'v1' }],
      ['TagResource', { Tags: '[{"TagKey":"k","TagValue":"v"}]' }],
    ];
    const denied: Body[] = [];
    for (const [action, params] of calls) {
      denied.push(await answer(reader.pop.call(action, { SecretName: 'ops/probe', ...params })));
    }
    // The same calls once the secret really is gone.
    await admin.call('DeleteSecret', { SecretName: 'ops/probe', ForceDeleteWithoutRecovery: 'true' });
    for (const [index, [action, params]] of calls.entries()) {
      const missing = await answer(reader.pop.call(action, { SecretName: 'ops/probe', ...params }));
      expect(denied[index], action).toEqual(missing);
      expect(missing, action).toMatchObject({ Code: 'Forbidden.NoPermission', status: 403 });
    }
    // Nothing changed while refused.
    expect((await admin.call('GetSecretValue', { SecretName: 'ops/db' })).SecretData).toBe('value of ops/db');
  });

  it('answers a denied existing and a denied missing secret byte for byte alike, JSON and XML', async () => {
    const { services } = server.instance.tessera;
    await services.secrets.createSecret({ name: 'ops/bytes1', versionId: 'v1', data: 'x', dataType: 'text' });
    const raw = async (name: string, format: string, requestIdOf: (body: string) => string) => {
      const response = await send(
        v1Request(
          server.baseUrl,
          'GetSecretValue',
          { SecretName: name },
          { accessKeyId: reader.accessKeyId, secret: reader.accessKeySecret, format },
        ),
      );
      const body = await response.text();
      const requestId = requestIdOf(body);
      const headers: string[] = [];
      response.headers.forEach((value, header) => {
        if (header !== 'date') headers.push(`${header}: ${value.replaceAll(requestId, '<id>')}`);
      });
      return {
        status: response.status,
        headers,
        body: body.replaceAll(requestId, '<id>').replaceAll(name, '<name>'),
      };
    };
    const jsonId = (body: string) => (JSON.parse(body) as { RequestId: string }).RequestId;
    const xmlId = (body: string) => /<RequestId>([^<]+)<\/RequestId>/.exec(body)?.[1] ?? 'none';
    for (const [format, idOf] of [
      ['JSON', jsonId],
      ['XML', xmlId],
    ] as const) {
      const existing = await raw('ops/bytes1', format, idOf);
      const missing = await raw('ops/bytes2', format, idOf);
      expect(existing.status, format).toBe(403);
      expect(existing.body, format).toContain('Forbidden.NoPermission');
      expect(existing, format).toEqual(missing);
    }
  });

  it('answers BatchGetSecretValue items it may not read as missing', async () => {
    const body = await reader.pop.call('BatchGetSecretValue', {
      SecretsList: JSON.stringify([
        { SecretName: 'app/db' },
        { SecretName: 'ops/db' },
        { SecretName: 'ops/none' },
      ]),
    });
    expect((body.SecretValues as Body[]).map((v) => v.SecretName)).toEqual(['app/db']);
    const errors = body.Errors as Body[];
    expect(errors).toEqual([
      {
        SecretName: 'ops/db',
        Code: 'Forbidden.ResourceNotFound',
        Message: 'The secret "ops/db" does not exist.',
        HttpStatus: 404,
      },
      {
        SecretName: 'ops/none',
        Code: 'Forbidden.ResourceNotFound',
        Message: 'The secret "ops/none" does not exist.',
        HttpStatus: 404,
      },
    ]);
  });

  it('cannot write where it may read: a plain 403, and the value is unchanged', async () => {
    const error = await expectFailure(
      reader.pop.call('PutSecretValue', { SecretName: 'app/db', VersionId: 'v2', SecretData: 'changed' }),
      403,
      'Forbidden.NoPermission',
    );
    expect(error.body?.Message).toBe(
      `You are not authorized to do kms:PutSecretValue on acs:kms:cn-hangzhou:${accountId}:secret/app/db: no policy allows it.`,
    );
    expect((await admin.call('GetSecretValue', { SecretName: 'app/db' })).SecretData).toBe('value of app/db');
  });

  it('cannot create secrets, list them, use keys, or read the audit trail', async () => {
    await expectFailure(
      reader.pop.call('CreateSecret', { SecretName: 'app/new', VersionId: 'v1', SecretData: 'x' }),
      403,
      'Forbidden.NoPermission',
    );
    await expectFailure(reader.pop.call('ListSecrets'), 403, 'Forbidden.NoPermission');
    await expectFailure(reader.pop.call('CreateKey'), 403, 'Forbidden.NoPermission');
    await expectFailure(reader.pop.call('GetRandomPassword'), 403, 'Forbidden.NoPermission');
    const trail = new PopCore({
      accessKeyId: reader.accessKeyId,
      accessKeySecret: reader.accessKeySecret,
      endpoint: server.baseUrl,
      apiVersion: '2020-07-06',
    });
    const error = await errorOf(trail.request('LookupEvents', {}, { method: 'POST' }));
    expect(error).toMatchObject({ code: 'NoPermission' });
    // DescribeRegions is not access-controlled.
    expect(await reader.pop.call('DescribeRegions')).toHaveProperty('Regions');
  });
});

describe('policies', () => {
  it('let an explicit Deny beat an Allow', async () => {
    const mixed = await user(
      'mixed',
      statement('Allow', ['kms:*'], ['*']),
      statement('Deny', ['kms:GetSecretValue'], ['acs:kms:*:*:secret/app/prod/*']),
    );
    expect((await mixed.pop.call('GetSecretValue', { SecretName: 'app/dev/db' })).SecretData).toBe(
      'value of app/dev/db',
    );
    // It may describe the secret, so it already knows it exists: told the truth, 403.
    const error = await expectFailure(
      mixed.pop.call('GetSecretValue', { SecretName: 'app/prod/db' }),
      403,
      'Forbidden.NoPermission',
    );
    expect(error.body?.Message).toContain('a policy denies it');
    expect(await mixed.pop.call('DescribeSecret', { SecretName: 'app/prod/db' })).toHaveProperty('Arn');
  });

  it('apply kms:tag/<key> conditions to the tags of the secret', async () => {
    await admin.call('CreateSecret', {
      SecretName: 'tagged/payments',
      VersionId: 'v1',
      SecretData: 'p',
      Tags: '[{"TagKey":"team","TagValue":"payments"}]',
    });
    await admin.call('CreateSecret', {
      SecretName: 'tagged/search',
      VersionId: 'v1',
      SecretData: 's',
      Tags: '[{"TagKey":"team","TagValue":"search"}]',
    });
    const payments = await user(
      'payments',
      statement('Allow', ['kms:GetSecretValue'], ['*'], { StringEquals: { 'kms:tag/team': 'payments' } }),
    );
    expect((await payments.pop.call('GetSecretValue', { SecretName: 'tagged/payments' })).SecretData).toBe(
      'p',
    );
    await expectFailure(
      payments.pop.call('GetSecretValue', { SecretName: 'tagged/search' }),
      403,
      'Forbidden.NoPermission',
    );
    // Retagging the secret changes the answer at once.
    await admin.call('TagResource', {
      SecretName: 'tagged/search',
      Tags: '[{"TagKey":"team","TagValue":"payments"}]',
    });
    expect((await payments.pop.call('GetSecretValue', { SecretName: 'tagged/search' })).SecretData).toBe('s');
  });

  it('apply acs:SourceIp to the TCP peer and acs:SecureTransport to the connection', async () => {
    const local = await user(
      'local',
      statement('Allow', ['kms:GetSecretValue'], ['*'], {
        IpAddress: { 'acs:SourceIp': ['127.0.0.0/8', '::1'] },
      }),
    );
    const office = await user(
      'office',
      statement('Allow', ['kms:GetSecretValue'], ['*'], { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } }),
    );
    const tlsOnly = await user(
      'tls-only',
      statement('Allow', ['kms:GetSecretValue'], ['*'], { Bool: { 'acs:SecureTransport': 'true' } }),
    );
    expect((await local.pop.call('GetSecretValue', { SecretName: 'ops/db' })).SecretData).toBe(
      'value of ops/db',
    );
    await expectFailure(
      office.pop.call('GetSecretValue', { SecretName: 'ops/db' }),
      403,
      'Forbidden.NoPermission',
    );
    // Plain HTTP is not secure transport.
    await expectFailure(
      tlsOnly.pop.call('GetSecretValue', { SecretName: 'ops/db' }),
      403,
      'Forbidden.NoPermission',
    );
  });

  it('apply key tags and the real key behind an alias', async () => {
    const { KeyMetadata } = (await admin.call('CreateKey', {
      Tags: '[{"TagKey":"env","TagValue":"dev"}]',
    })) as {
      KeyMetadata: { KeyId: string };
    };
    const keyId = KeyMetadata.KeyId;
    await admin.call('CreateAlias', { AliasName: 'alias/dev', KeyId: keyId });
    const { KeyMetadata: other } = (await admin.call('CreateKey')) as { KeyMetadata: { KeyId: string } };
    await admin.call('CreateAlias', { AliasName: 'alias/other', KeyId: other.KeyId });
    const crypto = await user(
      'crypto',
      statement('Allow', ['kms:Encrypt', 'kms:Decrypt'], [`acs:kms:*:*:key/${keyId}`]),
      statement('Allow', ['kms:Encrypt'], ['*'], { StringEquals: { 'kms:tag/env': 'dev' } }),
    );
    // By alias: the permission is checked on the key the alias points at.
    const sealed = await crypto.pop.call('Encrypt', { KeyId: 'alias/dev', Plaintext: 'hello' });
    expect(
      await crypto.pop.call('Decrypt', { CiphertextBlob: sealed.CiphertextBlob as string }),
    ).toMatchObject({
      Plaintext: 'hello',
      KeyId: keyId,
    });
    // Another key: the same refusal as for a missing alias, naming the reference given, never the key behind it.
    expect(await answer(crypto.pop.call('Encrypt', { KeyId: 'alias/other', Plaintext: 'x' }))).toEqual(
      await answer(crypto.pop.call('Encrypt', { KeyId: 'alias/none', Plaintext: 'x' })).then((body) => ({
        ...body,
        Message: (body.Message as string).replace('alias/none', 'alias/other'),
      })),
    );
    expect(await answer(crypto.pop.call('DescribeKey', { KeyId: other.KeyId }))).toMatchObject({
      Code: 'Forbidden.NoPermission',
      status: 403,
      Message: `You are not authorized to do kms:DescribeKey on acs:kms:cn-hangzhou:${accountId}:key/${other.KeyId}: no policy allows it.`,
    });
    // Decrypt checks the key inside the blob.
    const foreign = await admin.call('Encrypt', { KeyId: other.KeyId, Plaintext: 'secret' });
    expect(
      await answer(crypto.pop.call('Decrypt', { CiphertextBlob: foreign.CiphertextBlob as string })),
    ).toMatchObject({
      Code: 'Forbidden.NoPermission',
      status: 403,
    });
    await expectFailure(crypto.pop.call('DescribeKey', { KeyId: keyId }), 403, 'Forbidden.NoPermission');
  });
});

describe('CreateSecret with a customer key', () => {
  it('needs kms:GenerateDataKey on the key, refused the same whether the key exists or not', async () => {
    const { KeyMetadata } = (await admin.call('CreateKey')) as { KeyMetadata: { KeyId: string } };
    const keyId = KeyMetadata.KeyId;
    const creator = await user(
      'creator',
      statement('Allow', ['kms:CreateSecret'], ['acs:kms:*:*:secret/app/*']),
    );
    const create = (name: string, key: string) =>
      creator.pop.call('CreateSecret', {
        SecretName: name,
        VersionId: 'v1',
        SecretData: 'x',
        EncryptionKeyId: key,
      });
    expect(await answer(create('app/sealed', keyId))).toEqual(
      await answer(create('app/sealed', 'key-none')).then((body) => ({
        ...body,
        Message: (body.Message as string).replace('key-none', keyId),
      })),
    );
    const sealer = await user(
      'sealer',
      statement('Allow', ['kms:CreateSecret'], ['acs:kms:*:*:secret/app/*']),
      statement('Allow', ['kms:GenerateDataKey'], [`acs:kms:*:*:key/${keyId}`]),
    );
    await sealer.pop.call('CreateSecret', {
      SecretName: 'app/sealed',
      VersionId: 'v1',
      SecretData: 'x',
      EncryptionKeyId: keyId,
    });
    expect(await admin.call('DescribeSecret', { SecretName: 'app/sealed' })).toMatchObject({
      EncryptionKeyId: keyId,
    });
  });
});

describe('secret policies', () => {
  it('grant a user that has no RAM policy at all', async () => {
    const carol = await user('carol');
    await expectFailure(
      carol.pop.call('GetSecretValue', { SecretName: 'ops/shared' }),
      403,
      'Forbidden.NoPermission',
    );
    await admin.call('SetSecretPolicy', {
      SecretName: 'ops/shared',
      Policy: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { RAM: [`acs:ram::${accountId}:user/carol`] },
            Action: ['kms:GetSecretValue'],
            Resource: ['*'],
          },
        ],
      }),
    });
    expect((await carol.pop.call('GetSecretValue', { SecretName: 'ops/shared' })).SecretData).toBe(
      'value of ops/shared',
    );
    // Only what it grants, only there.
    await expectFailure(
      carol.pop.call('PutSecretValue', { SecretName: 'ops/shared', VersionId: 'v2', SecretData: 'x' }),
      403,
      'Forbidden.NoPermission',
    );
    await expectFailure(
      carol.pop.call('GetSecretValue', { SecretName: 'ops/db' }),
      403,
      'Forbidden.NoPermission',
    );
  });

  it('deny a user whose RAM policy allows, until the policy changes again', async () => {
    const dave = await user('dave', readOnlyApp);
    expect((await dave.pop.call('GetSecretValue', { SecretName: 'app/locked' })).SecretData).toBe(
      'value of app/locked',
    );
    const deny = (principal: string) =>
      JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Deny', Principal: { RAM: [principal] }, Action: ['kms:*'], Resource: ['*'] }],
      });
    await admin.call('SetSecretPolicy', {
      SecretName: 'app/locked',
      Policy: deny(`acs:ram::${accountId}:user/dave`),
    });
    await expectFailure(
      dave.pop.call('GetSecretValue', { SecretName: 'app/locked' }),
      403,
      'Forbidden.NoPermission',
    );
    // A Deny naming everyone reaches the administrator too, except that it may still fix the policy.
    await admin.call('SetSecretPolicy', { SecretName: 'app/locked', Policy: deny('*') });
    await expectFailure(
      admin.call('GetSecretValue', { SecretName: 'app/locked' }),
      403,
      'Forbidden.NoPermission',
    );
    await admin.call('SetSecretPolicy', {
      SecretName: 'app/locked',
      Policy: deny(`acs:ram::${accountId}:user/nobody`),
    });
    expect((await dave.pop.call('GetSecretValue', { SecretName: 'app/locked' })).SecretData).toBe(
      'value of app/locked',
    );
  });
});

describe('access keys', () => {
  it('refuses a request signed with an inactive key, and accepts it again once reactivated', async () => {
    const erin = await user('erin', readOnlyApp);
    const status = (value: 'Active' | 'Inactive') =>
      ram(
        ramAdmin.updateAccessKey(
          new $Ram.UpdateAccessKeyRequest({
            userName: 'erin',
            userAccessKeyId: erin.accessKeyId,
            status: value,
          }),
        ),
      );
    await status('Inactive');
    for (const client of erin.clients) {
      await expectFailure(
        client.call('GetSecretValue', { SecretName: 'app/db' }),
        403,
        'Forbidden.AccessKey',
      );
    }
    await status('Active');
    expect((await erin.pop.call('GetSecretValue', { SecretName: 'app/db' })).SecretData).toBe(
      'value of app/db',
    );
  });
});

describe('RAM actions', () => {
  it('are refused to a user without RAM permissions, and change nothing', async () => {
    const reader = await user('ram-reader', readOnlyApp);
    const asReader = ramClient(server.endpoint, reader);
    await expectFailure(ram(asReader.listUsers(new $Ram.ListUsersRequest({}))), 403, 'NoPermission');
    await expectFailure(
      ram(asReader.createUser(new $Ram.CreateUserRequest({ userName: 'sneaky' }))),
      403,
      'NoPermission',
    );
    await expectFailure(
      ram(
        asReader.attachPolicyToUser(
          new $Ram.AttachPolicyToUserRequest({
            userName: 'ram-reader',
            policyType: 'System',
            policyName: 'AdministratorAccess',
          }),
        ),
      ),
      403,
      'NoPermission',
    );
    // Even its own keys need a policy.
    await expectFailure(
      ram(asReader.listAccessKeys(new $Ram.ListAccessKeysRequest({}))),
      403,
      'NoPermission',
    );
    const users = await ram(ramAdmin.listUsers(new $Ram.ListUsersRequest({})));
    expect(users.users?.user?.map((u) => u.userName)).not.toContain('sneaky');
  });

  it('are authorized per user and policy ARN: a user may manage its own keys and nobody else', async () => {
    const self = await user(
      'self-service',
      statement(
        'Allow',
        ['ram:CreateAccessKey', 'ram:ListAccessKeys', 'ram:UpdateAccessKey', 'ram:DeleteAccessKey'],
        ['acs:ram:*:*:user/self-service'],
      ),
      statement('Allow', ['ram:GetPolicy'], ['acs:ram:*:*:policy/policy-self-*']),
    );
    const pop = popRamClient(server.baseUrl, self, 'POST');
    // Its own keys: UserName omitted means the caller.
    const listed = await pop.call('ListAccessKeys');
    expect((listed.AccessKeys as { AccessKey: Body[] }).AccessKey).toHaveLength(1);
    await pop.call('CreateAccessKey', { UserName: 'self-service' });
    await expectFailure(pop.call('ListAccessKeys', { UserName: 'ram-reader' }), 403, 'NoPermission');
    await expectFailure(pop.call('CreateAccessKey', { UserName: 'administrator' }), 403, 'NoPermission');
    await expectFailure(
      pop.call('GetPolicy', { PolicyName: 'policy-erin-1', PolicyType: 'Custom' }),
      403,
      'NoPermission',
    );
  });

  it('follow a system policy attached and detached through RAM', async () => {
    const operator = await user('operator');
    await ram(
      ramAdmin.attachPolicyToUser(
        new $Ram.AttachPolicyToUserRequest({
          userName: 'operator',
          policyType: 'System',
          policyName: 'AdministratorAccess',
        }),
      ),
    );
    expect((await operator.pop.call('GetSecretValue', { SecretName: 'ops/db' })).SecretData).toBe(
      'value of ops/db',
    );
    const asOperator = ramClient(server.endpoint, operator);
    const users = await ram(asOperator.listUsers(new $Ram.ListUsersRequest({})));
    expect(users.users?.user?.map((u) => u.userName)).toContain('operator');
    // Detaching it takes effect on the next request.
    await ram(
      ramAdmin.detachPolicyFromUser(
        new $Ram.DetachPolicyFromUserRequest({
          userName: 'operator',
          policyType: 'System',
          policyName: 'AdministratorAccess',
        }),
      ),
    );
    await expectFailure(
      operator.pop.call('GetSecretValue', { SecretName: 'ops/db' }),
      403,
      'Forbidden.NoPermission',
    );
  });
});

describe('the audit trail', () => {
  it('has one outcome event per request with the true outcome; an auditor may read it by policy', async () => {
    const frank = await user('frank', readOnlyApp);
    const auditor = await user('auditor', statement('Allow', ['actiontrail:LookupEvents'], ['*']));
    const requestIds: string[] = [];
    const note = async (promise: Promise<Body>) => {
      try {
        requestIds.push((await promise).RequestId as string);
      } catch (error) {
        requestIds.push((error as ApiError).requestId ?? 'none');
      }
    };
    await note(frank.pop.call('GetSecretValue', { SecretName: 'app/db' }));
    await note(frank.pop.call('GetSecretValue', { SecretName: 'ops/db' }));
    await note(frank.pop.call('GetSecretValue', { SecretName: 'ops/none' }));
    await note(frank.pop.call('PutSecretValue', { SecretName: 'app/db', VersionId: 'v3', SecretData: 'x' }));
    await note(frank.pop.call('ListSecrets'));

    const trail = new PopCore({
      accessKeyId: auditor.accessKeyId,
      accessKeySecret: auditor.accessKeySecret,
      endpoint: server.baseUrl,
      apiVersion: '2020-07-06',
    });
    const { Events } = await trail.request<{ Events: Body[] }>(
      'LookupEvents',
      { 'LookupAttribute.1.Key': 'User', 'LookupAttribute.1.Value': 'frank', MaxResults: 50 },
      { method: 'POST' },
    );
    const outcomes = Events.filter((e) => e.eventPhase === 'outcome');
    const summary = requestIds.map((id) => {
      const events = outcomes.filter((e) => e.requestId === id);
      expect(events, id).toHaveLength(1);
      const [event] = events as [Body];
      return [event.eventName, event.resultCode, event.httpStatus, event.resourceName];
    });
    const arn = (name: string) => `acs:kms:cn-hangzhou:${accountId}:secret/${name}`;
    expect(summary).toEqual([
      ['GetSecretValue', 'Success', 200, 'app/db'],
      // Refused the same whether the secret exists or not, with the refused ARN.
      ['GetSecretValue', 'Forbidden.NoPermission', 403, arn('ops/db')],
      ['GetSecretValue', 'Forbidden.NoPermission', 403, arn('ops/none')],
      ['PutSecretValue', 'Forbidden.NoPermission', 403, arn('app/db')],
      ['ListSecrets', 'Forbidden.NoPermission', 403, `acs:kms:cn-hangzhou:${accountId}:secret`],
    ]);
    // The administrator's own reading is allowed as always.
    const adminTrail = new PopCore({
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
      endpoint: server.baseUrl,
      apiVersion: '2020-07-06',
    });
    expect(await adminTrail.request('VerifyEvents', {}, { method: 'POST' })).toMatchObject({ Valid: true });
    // The auditor may look events up, not verify the chain (another permission).
    expect(await errorOf(trail.request('VerifyEvents', {}, { method: 'POST' }))).toMatchObject({
      code: 'NoPermission',
    });
  });
});

describe('managed database secrets: Tessera logs in only with credentials the caller could read', () => {
  beforeAll(async () => {
    await admin.call('CreateSecret', {
      SecretName: 'dbadm/orders',
      VersionId: 'v1',
      SecretData: JSON.stringify({ AccountName: 'orders_admin', AccountPassword: 'admin-pw' }),
    });
    await admin.call('RegisterDatabaseInstance', {
      DBInstanceId: 'deputy-orders',
      Engine: 'PostgreSQL',
      Host: '127.0.0.1',
      AdminSecretName: 'dbadm/orders',
    });
  });

  const rdsSecret = (name: string, accountName: string) => ({
    SecretName: name,
    VersionId: 'v1',
    SecretType: 'Rds',
    ExtendedConfig: JSON.stringify({ SecretSubType: 'SingleUser', DBInstanceId: 'deputy-orders' }),
    SecretData: JSON.stringify({ AccountName: accountName, AccountPassword: 'Pw0-initial' }),
  });

  it('refuses a user who may not read the administrator secret, whether or not it exists', async () => {
    const deputy = await user(
      'deputy',
      statement('Allow', ['kms:*'], ['acs:kms:*:*:secret/app/*']),
      statement('Allow', ['kms:RegisterDatabaseInstance', 'kms:ListDatabaseInstances'], ['*']),
    );
    const register = (secret: string) =>
      deputy.pop.call('RegisterDatabaseInstance', {
        DBInstanceId: `deputy-${secret.replace('/', '-')}`,
        Engine: 'PostgreSQL',
        Host: '127.0.0.1',
        AdminSecretName: secret,
      });
    // The refusal on a secret it may not read is the same whether the secret exists or not.
    // (The names differ, so the messages are compared with the name taken out.)
    const unnamed = async (secret: string) => {
      const body = await answer(register(secret));
      return { ...body, Message: String(body.Message).replace(secret, '<name>') };
    };
    const refused = await unnamed('dbadm/orders');
    expect(refused).toMatchObject({ Code: 'Forbidden.NoPermission', status: 403 });
    expect(refused).toEqual(await unnamed('dbadm/none'));
    await expectFailure(
      deputy.pop.call('CreateSecret', rdsSecret('app/orders', 'app')),
      403,
      'Forbidden.NoPermission',
    );
    // Nothing was registered or created.
    const listed = await deputy.pop.call('ListDatabaseInstances', { PageSize: 100 });
    expect(JSON.stringify(listed)).not.toContain('deputy-dbadm');
    await expectFailure(
      admin.call('DescribeSecret', { SecretName: 'app/orders' }),
      404,
      'Forbidden.ResourceNotFound',
    );

    // Allowed to read the administrator secret, the same user may.
    const trusted = await user(
      'trusted-deputy',
      statement('Allow', ['kms:*'], ['acs:kms:*:*:secret/app/*', 'acs:kms:*:*:secret/dbadm/*']),
    );
    expect(await trusted.pop.call('CreateSecret', rdsSecret('app/orders', 'app'))).toMatchObject({
      SecretType: 'Rds',
    });
  });

  it('refuses an Rds secret that would rotate the administrator account itself', async () => {
    const refused = await expectFailure(
      admin.call('CreateSecret', rdsSecret('app/orders-admin', 'orders_admin')),
      400,
      'InvalidParameter',
    );
    expect(refused.message).toContain('administrator');
    expect(refused.message).not.toContain('admin-pw');
  });
});
