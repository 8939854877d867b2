/**
 * The access rule of one request: every resource must be allowed, each with its own tags and secret
 * policy; the first refused resource is reported.
 */
import { describe, expect, it } from 'vitest';
import type { AccessQuestion, ResourceFacts } from './access-decision.js';
import { decideAccess } from './access-decision.js';
import type { Caller } from './policy-evaluation.js';
import { compileSecretPolicy } from './policy-evaluation.js';
import { parseRamPolicy } from './ram-policy.js';
import { parsePolicyDocument } from './secret-policy.js';

const ACCOUNT = '1234567890';
const alice: Caller = { kind: 'user', accountId: ACCOUNT, userName: 'alice' };
const root: Caller = { kind: 'root', accountId: ACCOUNT };
const arn = (name: string) => `acs:kms:cn-hangzhou:${ACCOUNT}:secret/${name}`;

const policy = (...statements: object[]) =>
  parseRamPolicy(JSON.stringify({ Version: '1', Statement: statements }));
const secretPolicy = (...statements: object[]) =>
  compileSecretPolicy(parsePolicyDocument(JSON.stringify({ Version: '1', Statement: statements })));

const readApp = policy({
  Effect: 'Allow',
  Action: ['kms:GetSecretValue'],
  Resource: ['acs:kms:*:*:secret/app/*'],
});

function question(overrides: Partial<AccessQuestion>): AccessQuestion {
  return {
    caller: alice,
    identityPolicies: [readApp],
    accountId: ACCOUNT,
    permission: 'kms:GetSecretValue',
    context: { secureTransport: false, sourceIp: '10.0.0.1' },
    resources: [],
    ...overrides,
  };
}

const secret = (name: string, extra: Partial<ResourceFacts> = {}): ResourceFacts => ({
  arn: arn(name),
  ...extra,
});

describe('decideAccess', () => {
  it('allows what a policy allows and nothing else; a request naming nothing is refused', () => {
    expect(decideAccess(question({ resources: [secret('app/db')] }))).toEqual({ allowed: true });
    const other = decideAccess(question({ resources: [secret('ops/db')] }));
    expect(other).toMatchObject({
      allowed: false,
      decision: 'implicit_deny',
      refused: { arn: arn('ops/db') },
    });
    expect(decideAccess(question({ resources: [] }))).toMatchObject({ allowed: false, refused: undefined });
  });

  it('needs every resource, reports the first refused one, and an explicit Deny anywhere is a deny', () => {
    const identityPolicies = [
      readApp,
      policy({ Effect: 'Deny', Action: ['kms:*'], Resource: ['acs:kms:*:*:secret/app/locked'] }),
    ];
    const outcome = decideAccess(
      question({
        identityPolicies,
        resources: [secret('app/a'), secret('ops/b'), secret('app/locked')],
      }),
    );
    expect(outcome).toMatchObject({ allowed: false, decision: 'deny', refused: { arn: arn('ops/b') } });
  });

  it('tests tag conditions against each resource its own tags', () => {
    const tagged = policy({
      Effect: 'Allow',
      Action: ['kms:GetSecretValue'],
      Resource: ['*'],
      Condition: { StringEquals: { 'kms:tag/team': 'payments' } },
    });
    const payments = secret('p', { tags: new Map([['team', 'payments']]) });
    const search = secret('s', { tags: new Map([['team', 'search']]) });
    const untagged = secret('u');
    expect(decideAccess(question({ identityPolicies: [tagged], resources: [payments] })).allowed).toBe(true);
    for (const resource of [search, untagged]) {
      expect(decideAccess(question({ identityPolicies: [tagged], resources: [resource] })).allowed).toBe(
        false,
      );
    }
    expect(
      decideAccess(question({ identityPolicies: [tagged], resources: [payments, search] })),
    ).toMatchObject({ allowed: false, refused: { arn: arn('s') } });
  });

  it('tests source IP and secure transport against the connection', () => {
    const fromOffice = policy({
      Effect: 'Allow',
      Action: ['kms:*'],
      Resource: ['*'],
      Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8'] }, Bool: { 'acs:SecureTransport': 'true' } },
    });
    const ask = (sourceIp: string, secureTransport: boolean) =>
      decideAccess(
        question({
          identityPolicies: [fromOffice],
          context: { sourceIp, secureTransport },
          resources: [secret('x')],
        }),
      ).allowed;
    expect(ask('10.1.2.3', true)).toBe(true);
    expect(ask('::ffff:10.1.2.3', true)).toBe(true);
    expect(ask('192.168.1.1', true)).toBe(false);
    expect(ask('10.1.2.3', false)).toBe(false);
  });

  it('lets a secret policy grant a user without RAM policies, and deny one whose RAM policy allows', () => {
    const grant = secretPolicy({
      Effect: 'Allow',
      Principal: { RAM: [`acs:ram::${ACCOUNT}:user/alice`] },
      Action: ['kms:GetSecretValue'],
      Resource: ['*'],
    });
    expect(
      decideAccess(question({ identityPolicies: [], resources: [secret('ops/x', { policy: grant })] })),
    ).toEqual({ allowed: true });
    const deny = secretPolicy({
      Effect: 'Deny',
      Principal: { RAM: [`acs:ram::${ACCOUNT}:*`] },
      Action: ['kms:*'],
      Resource: ['*'],
    });
    expect(decideAccess(question({ resources: [secret('app/x', { policy: deny })] }))).toMatchObject({
      allowed: false,
      decision: 'deny',
    });
    // The root has every right on its own resources, except what a secret policy denies it.
    expect(decideAccess(question({ caller: root, identityPolicies: [], resources: [secret('a')] }))).toEqual({
      allowed: true,
    });
    expect(decideAccess(question({ caller: root, resources: [secret('a', { policy: deny })] })).allowed).toBe(
      false,
    );
  });
});
