/**
 * GetSecretPolicy and SetSecretPolicy over the wire: the default policy, documents
 * stored and returned byte for byte, POST only for SetSecretPolicy, document validation, and the
 * `Policy` parameter of CreateSecret. The 1.2.0 typed SDK has no methods for these actions, so every
 * call goes through the generic clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../fakes/manual-clock.js';
import type { ApiClient, ApiServer } from './harness.js';
import { errorOf, startApiServer } from './harness.js';
import { refusalCheck, secretSnapshot } from './refusals.js';

let server: ApiServer;
let clock: ManualClock;
let acs3: ApiClient;

beforeAll(async () => {
  clock = new ManualClock(Date.now());
  server = await startApiServer({ clock });
  acs3 = server.client('openapi-acs3');
});

afterAll(async () => {
  await server.stop();
});

const expectRefused = refusalCheck(() => ({ server, clock }));
const snapshot = (name: string) => secretSnapshot(server, name);

function statement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Sid: 'AllowApp',
    Effect: 'Allow',
    Principal: { RAM: ['acs:ram::1234567890:role/app'] },
    Action: ['kms:GetSecretValue', 'kms:Describe*'],
    Resource: ['*'],
    ...overrides,
  };
}

const policy = (...statements: Record<string, unknown>[]) =>
  JSON.stringify({ Version: '1', Statement: statements.length > 0 ? statements : [statement()] });

async function create(name: string, extra: Record<string, string> = {}): Promise<void> {
  await acs3.call('CreateSecret', { SecretName: name, VersionId: 'v1', SecretData: 'x', ...extra });
}

describe('secret policies', () => {
  it('answers the default policy until one is set, through every client', async () => {
    await create('policy/default');
    const { accountId } = server.instance.tessera.identity;
    for (const client of server.clients) {
      const body = await client.call('GetSecretPolicy', { SecretName: 'policy/default' });
      expect(Object.keys(body).sort()).toEqual(['Policy', 'RequestId']);
      expect(JSON.parse(body.Policy as string)).toEqual({
        Version: '1',
        Statement: [
          {
            Sid: 'kms-default-secret-policy',
            Effect: 'Allow',
            Principal: { RAM: [`acs:ram::${accountId}:*`] },
            Action: ['kms:*'],
            Resource: ['*'],
          },
        ],
      });
    }
    // The default is itself a valid document: read, set back, read the same text.
    const { Policy } = await acs3.call('GetSecretPolicy', {
      SecretName: 'policy/default',
      PolicyName: 'default',
    });
    await acs3.call('SetSecretPolicy', { SecretName: 'policy/default', Policy: Policy as string });
    expect((await acs3.call('GetSecretPolicy', { SecretName: 'policy/default' })).Policy).toBe(Policy);
  });

  it('stores a document exactly as sent, through every POST client, and moves UpdateTime', async () => {
    const { accountId, region } = server.instance.tessera.identity;
    for (const client of server.clients.filter((c) => c.name !== 'pop-core-get')) {
      const name = `policy/set-${client.name}`;
      await create(name);
      clock.advance(60_000);
      // Whitespace, key order, unicode and escapes are the caller's; they come back untouched.
      const document = `{ "Statement": [ ${JSON.stringify(
        statement({
          Condition: {
            StringEquals: { 'acs:SourceIp': ['10.0.0.1', 'é'] },
            Bool: { 'acs:SecureTransport': true },
          },
        }),
      )} ],\n  "Version": "1" }`;
      const body = await client.call('SetSecretPolicy', {
        SecretName: `acs:kms:${region}:${accountId}:secret/${name}`,
        Policy: document,
        PolicyName: 'default',
      });
      expect(Object.keys(body)).toEqual(['RequestId']);
      expect((await client.call('GetSecretPolicy', { SecretName: name })).Policy).toBe(document);
      const described = await acs3.call('DescribeSecret', { SecretName: name });
      expect(described.UpdateTime).toBe(
        new Date(Math.floor(clock.now() / 1000) * 1000).toISOString().replace('.000', ''),
      );
    }
  });

  it('refuses SetSecretPolicy over GET with UnsupportedHTTPMethod', async () => {
    await create('policy/get');
    await expectRefused(
      () =>
        server.client('pop-core-get').call('SetSecretPolicy', { SecretName: 'policy/get', Policy: policy() }),
      { code: 'UnsupportedHTTPMethod', status: 403 },
      'policy/get',
    );
  });

  it('takes a 32,768-byte document and refuses one byte more', async () => {
    await create('policy/size');
    const build = (resources: string[]) => policy(statement({ Resource: resources }));
    const resources: string[] = [];
    while (Buffer.byteLength(build([...resources, 'r'.repeat(1000)])) <= 32_768)
      resources.push('r'.repeat(1000));
    const room = 32_768 - Buffer.byteLength(build([...resources, '']));
    const exact = build([...resources, 'é'.repeat(Math.floor(room / 2)) + 'r'.repeat(room % 2)]);
    expect(Buffer.byteLength(exact)).toBe(32_768);
    await server
      .client('pop-core-post')
      .call('SetSecretPolicy', { SecretName: 'policy/size', Policy: exact });
    expect((await acs3.call('GetSecretPolicy', { SecretName: 'policy/size' })).Policy).toBe(exact);
    const over = build([...resources, 'é'.repeat(Math.floor(room / 2)) + 'r'.repeat((room % 2) + 1)]);
    expect(Buffer.byteLength(over)).toBe(32_769);
    await expectRefused(
      () => acs3.call('SetSecretPolicy', { SecretName: 'policy/size', Policy: over }),
      { code: 'InvalidParameter', status: 400, parameter: 'Policy' },
      'policy/size',
    );
  });

  it('refuses documents of the wrong shape with InvalidParameter, keeping the stored one', async () => {
    await create('policy/shape');
    await acs3.call('SetSecretPolicy', { SecretName: 'policy/shape', Policy: policy() });
    const bad: string[] = [
      'not json',
      '[]',
      '"text"',
      JSON.stringify({ Statement: [statement()] }),
      JSON.stringify({ Version: '2', Statement: [statement()] }),
      JSON.stringify({ Version: 1, Statement: [statement()] }),
      JSON.stringify({ Version: '1', Statement: [] }),
      JSON.stringify({ Version: '1', Statement: statement() }),
      JSON.stringify({ Version: '1', Statement: [statement()], Extra: true }),
      policy(statement({ Effect: 'allow' })),
      policy(statement({ Effect: undefined })),
      policy(statement({ Principal: undefined })),
      policy(statement({ Principal: { RAM: 'acs:ram::1:*' } })),
      policy(statement({ Principal: { RAM: [] } })),
      policy(statement({ Principal: { RAM: ['root'] } })),
      policy(statement({ Principal: { RAM: ['*'], Service: ['x'] } })),
      policy(statement({ Action: ['GetSecretValue'] })),
      policy(statement({ Action: 'kms:*' })),
      policy(statement({ Action: ['kms:Get Secret'] })),
      policy(statement({ Resource: [] })),
      policy(statement({ Resource: [''] })),
      policy(statement({ Sid: 'has spaces' })),
      policy(statement({ Sid: 's'.repeat(129) })),
      policy(statement({ Conditions: {} })),
      policy(statement({ Condition: {} })),
      policy(statement({ Condition: { StringEquals: {} } })),
      policy(statement({ Condition: { StringEquals: { k: { nested: 1 } } } })),
      policy(statement({ Condition: { StringEquals: { k: [] } } })),
      policy(statement({ Condition: { 'not an operator': { k: 'v' } } })),
      policy(statement(), 'not an object' as unknown as Record<string, unknown>),
    ];
    for (const document of bad) {
      await expectRefused(
        () => acs3.call('SetSecretPolicy', { SecretName: 'policy/shape', Policy: document }),
        { code: 'InvalidParameter', status: 400, parameter: 'Policy' },
        'policy/shape',
      );
    }
    // Deny statements, several statements and a Sid-less statement are fine.
    await acs3.call('SetSecretPolicy', {
      SecretName: 'policy/shape',
      Policy: policy(statement(), statement({ Sid: undefined, Effect: 'Deny', Principal: { RAM: ['*'] } })),
    });
  });

  it('refuses missing parameters, other policy names and unknown secrets', async () => {
    await create('policy/params');
    await expectRefused(
      () => acs3.call('SetSecretPolicy', { SecretName: 'policy/params' }),
      { code: 'MissingParameter', status: 400, parameter: 'Policy' },
      'policy/params',
    );
    await expectRefused(
      () => acs3.call('SetSecretPolicy', { Policy: policy() }),
      { code: 'MissingParameter', status: 400, parameter: 'SecretName' },
      'policy/params',
    );
    await expectRefused(
      () =>
        acs3.call('SetSecretPolicy', { SecretName: 'policy/params', PolicyName: 'custom', Policy: policy() }),
      { code: 'InvalidParameter', status: 400, parameter: 'PolicyName' },
      'policy/params',
    );
    const other = await errorOf(
      acs3.call('GetSecretPolicy', { SecretName: 'policy/params', PolicyName: 'custom' }),
    );
    expect({ code: other.code, status: other.status }).toEqual({
      code: 'Forbidden.ResourceNotFound',
      status: 404,
    });
    for (const action of ['GetSecretPolicy', 'SetSecretPolicy']) {
      const error = await errorOf(acs3.call(action, { SecretName: 'policy/none', Policy: policy() }));
      expect({ code: error.code, status: error.status }).toEqual({
        code: 'Forbidden.ResourceNotFound',
        status: 404,
      });
    }
  });

  it('attaches a policy given to CreateSecret, and refuses to create with an invalid one', async () => {
    const document = policy(statement({ Effect: 'Deny' }));
    await create('policy/created', { Policy: document });
    expect((await acs3.call('GetSecretPolicy', { SecretName: 'policy/created' })).Policy).toBe(document);
    const error = await errorOf(create('policy/not-created', { Policy: '{"Version":"1"}' }));
    expect({ code: error.code, status: error.status }).toEqual({ code: 'InvalidParameter', status: 400 });
    expect(error.message).toContain('"Policy"');
    expect(await snapshot('policy/not-created')).toBe('absent');
  });
});
