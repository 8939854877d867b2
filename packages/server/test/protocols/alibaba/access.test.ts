/**
 * The facts the edge gathers for access decisions (protocols/alibaba/access.ts): the caller, the
 * connection, RAM actions' identities from their parameters, the real key behind an alias, a secret's
 * tags and its cached secret policy, the not-found answers refusals are masked as, and the user's
 * policies read once per request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../../../src/domain/errors.js';
import type { ParsedPolicy } from '../../../src/domain/ram-policy.js';
import { parseRamPolicy } from '../../../src/domain/ram-policy.js';
import type { AccessOptions } from '../../../src/protocols/alibaba/access.js';
import {
  callerOf,
  connectionFacts,
  denialOf,
  keyNotFound,
  ramResourceIds,
  RequestAccess,
} from '../../../src/protocols/alibaba/access.js';
import { ProtocolError } from '../../../src/protocols/alibaba/errors.js';
import { Params } from '../../../src/protocols/alibaba/params.js';
import type { TestInstance } from '../../helpers.js';
import { startTessera } from '../../helpers.js';

let instance: TestInstance;
let keyId: string;

beforeAll(async () => {
  instance = await startTessera();
  const { secrets, keys } = instance.tessera.services;
  keyId = (await keys.createKey({ description: '', tags: [{ key: 'env', value: 'dev' }] })).id;
  await keys.createAlias('alias/dev', keyId);
  await secrets.createSecret({
    name: 'facts/tagged',
    versionId: 'v1',
    data: 'x',
    dataType: 'text',
    tags: [{ key: 'team', value: 'payments' }],
  });
});

afterAll(async () => {
  await instance.stop();
});

const principal = { accessKeyId: 'AK', userName: 'alice' };
const params = (entries: Record<string, string>) => new Params(new Map(Object.entries(entries)));
const policy = (...statements: object[]) =>
  parseRamPolicy(JSON.stringify({ Version: '1', Statement: statements }));

/** A RequestAccess for alice with these policies, counting how often they are read. */
function accessFor(
  action: string,
  policies: readonly ParsedPolicy[],
  overrides: Partial<AccessOptions> = {},
): { access: RequestAccess; reads: () => number } {
  let reads = 0;
  const access = new RequestAccess({
    services: instance.tessera.services,
    identity: instance.tessera.identity,
    policies: {
      policiesFor: () => {
        reads++;
        return Promise.resolve(policies);
      },
    },
    product: 'kms',
    action,
    principal,
    context: { secureTransport: false, sourceIp: '127.0.0.1' },
    ...overrides,
  });
  return { access, reads: () => reads };
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => error,
  );
}

describe('facts', () => {
  it('the administrator is the account root, anyone else a RAM user', () => {
    expect(callerOf({ accessKeyId: 'A', userName: 'administrator' }, '42')).toEqual({
      kind: 'root',
      accountId: '42',
    });
    expect(callerOf(principal, '42')).toEqual({ kind: 'user', accountId: '42', userName: 'alice' });
  });

  it('the connection: the TCP peer, TLS or not, the clock', () => {
    expect(connectionFacts({ remoteAddress: '10.1.2.3', encrypted: true }, 5)).toEqual({
      sourceIp: '10.1.2.3',
      secureTransport: true,
      currentTime: 5,
    });
    expect(connectionFacts({ remoteAddress: undefined }, 5)).toEqual({
      secureTransport: false,
      currentTime: 5,
    });
  });

  it('RAM actions: UserName and PolicyName, the caller for its own access keys', () => {
    expect(ramResourceIds('CreateUser', params({ UserName: 'bob' }), principal)).toEqual({ userName: 'bob' });
    expect(ramResourceIds('CreateAccessKey', params({}), principal)).toEqual({ userName: 'alice' });
    expect(ramResourceIds('DeleteAccessKey', params({ UserName: 'bob' }), principal)).toEqual({
      userName: 'bob',
    });
    expect(
      ramResourceIds('AttachPolicyToUser', params({ UserName: 'bob', PolicyName: 'ro' }), principal),
    ).toEqual({
      userName: 'bob',
      policyName: 'ro',
    });
    expect(ramResourceIds('ListUsers', params({}), principal)).toEqual({});
    expect(() => ramResourceIds('GetUser', params({}), principal)).toThrow(ProtocolError);
  });

  it('masks a key as missing in the form of the reference the caller used', () => {
    const cases: [string, string, string][] = [
      ['key-1', 'key_not_found', 'The key "key-1" does not exist.'],
      ['acs:kms:r:1:key/key-1', 'key_not_found', 'The key "acs:kms:r:1:key/key-1" does not exist.'],
      ['alias/a', 'alias_not_found', 'The alias "alias/a" does not exist.'],
      ['acs:kms:r:1:alias/a', 'alias_not_found', 'The alias "alias/a" does not exist.'],
    ];
    for (const [reference, code, message] of cases) {
      expect(keyNotFound(reference)).toMatchObject({ code, message });
    }
  });
});

describe('RequestAccess', () => {
  it('checks the real key behind an alias, with the key tags', async () => {
    const onKey = policy({
      Effect: 'Allow',
      Action: 'kms:DescribeKey',
      Resource: `acs:kms:*:*:key/${keyId}`,
    });
    expect((await accessFor('DescribeKey', [onKey]).access.requireKey('alias/dev')).id).toBe(keyId);
    const onAlias = policy({ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: 'acs:kms:*:*:alias/dev' });
    const masked = await refusal(accessFor('DescribeKey', [onAlias]).access.requireKey('alias/dev'));
    expect(isDomainError(masked, 'alias_not_found')).toBe(true);
    expect(denialOf(masked)).toEqual({
      code: 'Forbidden.NoPermission',
      resource: `acs:kms:${instance.tessera.identity.region}:${instance.tessera.identity.accountId}:key/${keyId}`,
    });
    const byTag = policy({
      Effect: 'Allow',
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'kms:tag/env': 'dev' } },
    });
    expect((await accessFor('DescribeKey', [byTag]).access.requireKey(keyId)).id).toBe(keyId);
  });

  it('checks a secret with its tags and its secret policy, re-read once the policy is set', async () => {
    const { secrets } = instance.tessera.services;
    const byTag = policy({
      Effect: 'Allow',
      Action: 'kms:DescribeSecret',
      Resource: '*',
      Condition: { StringEquals: { 'kms:tag/team': 'payments' } },
    });
    expect((await accessFor('DescribeSecret', [byTag]).access.requireSecret('facts/tagged')).name).toBe(
      'facts/tagged',
    );
    const { accountId } = instance.tessera.identity;
    // The policy is cached after this read; setting a new one must reach the next decision.
    expect(
      await accessFor('DescribeSecret', []).access.allowsSecret(await secrets.describeSecret('facts/tagged')),
    ).toBe(false);
    await secrets.setSecretPolicy(
      'facts/tagged',
      JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { RAM: [`acs:ram::${accountId}:user/alice`] },
            Action: ['kms:DescribeSecret'],
            Resource: ['*'],
          },
        ],
      }),
    );
    expect((await accessFor('DescribeSecret', []).access.requireSecret('facts/tagged')).name).toBe(
      'facts/tagged',
    );
  });

  it('reads the caller policies once per request, never for the root, and settles only when it decided', async () => {
    const readAll = policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });
    const { access, reads } = accessFor('DescribeSecret', [readAll]);
    expect(access.settled).toBe(false);
    await access.requireSecret('facts/tagged');
    await access.requireSecret('facts/tagged');
    expect(reads()).toBe(1);
    expect(access.settled).toBe(true);
    const root = accessFor('ListSecrets', [], { principal: { accessKeyId: 'A', userName: 'administrator' } });
    await root.access.requireUnscoped();
    expect(root.reads()).toBe(0);
    const regions = accessFor('DescribeRegions', []);
    await regions.access.requireUnscoped();
    expect(regions.access.settled).toBe(true);
  });

  it('answers refusals without a not-found answer with 403 and the product code', async () => {
    const error = await refusal(accessFor('ListSecrets', []).access.requireUnscoped());
    expect(error).toMatchObject({ status: 403, code: 'Forbidden.NoPermission' });
    const ram = accessFor('ListUsers', [], { product: 'ram' });
    expect(await refusal(ram.access.requireUnscoped())).toMatchObject({ status: 403, code: 'NoPermission' });
  });
});
