/**
 * The facts the operation pipeline gathers for access decisions (services/operations/access.ts): the
 * caller, RAM actions' identities from their parameters (the Alibaba adapter's resource-ids.ts), the
 * real key behind an alias, a secret's tags and its cached secret policy, a missing resource decided on
 * its ARN alone, and the user's policies read once per request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import type { ParsedPolicy } from '../../src/domain/ram-policy.js';
import { parseRamPolicy } from '../../src/domain/ram-policy.js';
import type { OperationName } from '../../src/domain/operations.js';
import { OPERATIONS } from '../../src/domain/operations.js';
import { ProtocolError } from '../../src/protocols/alibaba/errors.js';
import { Params } from '../../src/protocols/alibaba/params.js';
import { ramResourceIds } from '../../src/protocols/alibaba/resource-ids.js';
import type { AccessOptions } from '../../src/services/operations/access.js';
import { callerOf, OperationAccess } from '../../src/services/operations/access.js';
import type { TestInstance } from '../helpers.js';
import { startTessera } from '../helpers.js';

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

/** An OperationAccess for alice with these policies, counting how often they are read. */
function accessFor(
  action: OperationName,
  policies: readonly ParsedPolicy[],
  overrides: Partial<AccessOptions> = {},
): { access: OperationAccess; reads: () => number } {
  let reads = 0;
  const access = new OperationAccess({
    services: instance.tessera.services,
    identity: instance.tessera.identity,
    policies: {
      policiesFor: () => {
        reads++;
        return Promise.resolve(policies);
      },
    },
    name: action,
    operation: OPERATIONS[action],
    principal,
    context: { secureTransport: false, sourceIp: '127.0.0.1', currentTime: Date.now() },
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
});

describe('OperationAccess', () => {
  it('checks the real key behind an alias, with the key tags', async () => {
    const onKey = policy({
      Effect: 'Allow',
      Action: 'kms:DescribeKey',
      Resource: `acs:kms:*:*:key/${keyId}`,
    });
    expect((await accessFor('DescribeKey', [onKey]).access.requireKey('alias/dev')).id).toBe(keyId);
    const onAlias = policy({ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: 'acs:kms:*:*:alias/dev' });
    const { region, accountId } = instance.tessera.identity;
    const refused = await refusal(accessFor('DescribeKey', [onAlias]).access.requireKey('alias/dev'));
    // Refused on the key; the message names the alias the caller used, the trail the key's ARN.
    expect(isDomainError(refused, 'access_denied')).toBe(true);
    expect(refused).toMatchObject({
      message: `You are not authorized to do kms:DescribeKey on acs:kms:${region}:${accountId}:alias/dev: no policy allows it.`,
      details: { resource: `acs:kms:${region}:${accountId}:key/${keyId}` },
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

  it('refuses with access_denied, naming the permission and the refused ARN', async () => {
    const { region, accountId } = instance.tessera.identity;
    const error = await refusal(accessFor('ListSecrets', []).access.requireUnscoped());
    expect(error).toMatchObject({
      code: 'access_denied',
      details: { resource: `acs:kms:${region}:${accountId}:secret` },
    });
    const ram = accessFor('ListUsers', []);
    expect(await refusal(ram.access.requireUnscoped())).toMatchObject({
      code: 'access_denied',
      details: { resource: `acs:ram::${accountId}:*` },
    });
  });

  it('decides a missing secret or key on its ARN alone: refused without the permission, not found with it', async () => {
    const { region, accountId } = instance.tessera.identity;
    const byTag = policy({
      Effect: 'Allow',
      Action: 'kms:DescribeSecret',
      Resource: '*',
      Condition: { StringEquals: { 'kms:tag/team': 'payments' } },
    });
    // A tag condition is not met by a resource that does not exist.
    const missing = await refusal(accessFor('DescribeSecret', [byTag]).access.requireSecret('facts/none'));
    expect(missing).toMatchObject({
      code: 'access_denied',
      details: { resource: `acs:kms:${region}:${accountId}:secret/facts/none` },
    });
    const all = policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });
    expect(
      await refusal(accessFor('DescribeSecret', [all]).access.requireSecret('facts/none')),
    ).toMatchObject({
      code: 'secret_not_found',
    });
    expect(await refusal(accessFor('DescribeKey', []).access.requireKey('alias/none'))).toMatchObject({
      code: 'access_denied',
      details: { resource: `acs:kms:${region}:${accountId}:alias/none` },
    });
    expect(await refusal(accessFor('DescribeKey', [all]).access.requireKey('alias/none'))).toMatchObject({
      code: 'alias_not_found',
    });
    // A guarded read that finds nothing is settled the same way.
    const guarded = accessFor('GetSecretValue', [byTag]).access;
    guarded.secretGuard();
    const { secrets } = instance.tessera.services;
    const notFound = await refusal(secrets.getSecretValue({ name: 'facts/none' }));
    expect(await guarded.settleMissing(notFound)).toMatchObject({ code: 'access_denied' });
  });
});
