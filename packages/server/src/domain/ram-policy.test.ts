/**
 * Example tests of RAM policy parsing and evaluation, one rule each (semantics in the header
 * of ram-policy.ts and in docs/permissions.md). Random checks live in ram-policy.property.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import type { Caller } from './policy-evaluation.js';
import { authorize, compileSecretPolicy, evaluate } from './policy-evaluation.js';
import type { AccessRequest, ParsedPolicy, RequestContext } from './ram-policy.js';
import { MAX_RAM_POLICY_BYTES, parseRamPolicy } from './ram-policy.js';
import { cidrContains, parseCidr, parseIpAddress, wildcardMatch } from './policy-patterns.js';
import { defaultSecretPolicy, parsePolicyDocument } from './secret-policy.js';

const ACCOUNT = '1234567890';
const arn = (name: string): string => `acs:kms:cn-hangzhou:${ACCOUNT}:secret/${name}`;
const CTX: RequestContext = { secureTransport: true, sourceIp: '203.0.113.7' };

function policy(...statements: Record<string, unknown>[]): ParsedPolicy {
  return parseRamPolicy(JSON.stringify({ Version: '1', Statement: statements }));
}

function request(
  resource: string | string[],
  context: Partial<RequestContext> = {},
  action: AccessRequest['action'] = 'kms:GetSecretValue',
): AccessRequest {
  return {
    action,
    resources: Array.isArray(resource) ? resource : [resource],
    context: { ...CTX, ...context },
  };
}

const allowApp = { Effect: 'Allow', Action: 'kms:GetSecretValue', Resource: 'acs:kms:*:*:secret/app/*' };

function rejects(document: unknown, message: RegExp): void {
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  let thrown: unknown;
  try {
    parseRamPolicy(text);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DomainError);
  const error = thrown as DomainError;
  expect(error.code).toBe('invalid_argument');
  expect(error.details.field).toBe('policyDocument');
  expect(error.message).toMatch(message);
}

describe('evaluation basics', () => {
  it('denies implicitly when nothing allows', () => {
    expect(evaluate([], request(arn('app/db')))).toBe('implicit_deny');
    expect(evaluate([policy(allowApp)], request(arn('other/db')))).toBe('implicit_deny');
  });

  it('allows what an Allow statement matches', () => {
    expect(evaluate([policy(allowApp)], request(arn('app/db')))).toBe('allow');
  });

  it('an explicit Deny beats an Allow, in the same policy or another', () => {
    const deny = { Effect: 'Deny', Action: 'kms:*', Resource: arn('app/root-password') };
    expect(evaluate([policy(allowApp, deny)], request(arn('app/root-password')))).toBe('deny');
    expect(evaluate([policy(allowApp), policy(deny)], request(arn('app/root-password')))).toBe('deny');
    expect(evaluate([policy(allowApp), policy(deny)], request(arn('app/db')))).toBe('allow');
  });

  it('needs every resource of the request allowed; one denied resource denies all', () => {
    const both = request([arn('app/a'), arn('other/b')]);
    expect(evaluate([policy(allowApp)], both)).toBe('implicit_deny');
    expect(evaluate([policy({ ...allowApp, Resource: '*' })], both)).toBe('allow');
    const deny = { Effect: 'Deny', Action: '*', Resource: arn('other/b') };
    expect(evaluate([policy({ ...allowApp, Resource: '*' }, deny)], both)).toBe('deny');
  });

  it('a request naming no resource is never allowed', () => {
    expect(evaluate([policy({ Effect: 'Allow', Action: '*', Resource: '*' })], request([]))).toBe(
      'implicit_deny',
    );
  });

  it('does not allow other actions than the ones listed', () => {
    const put = request(arn('app/db'), {}, 'kms:PutSecretValue');
    expect(evaluate([policy(allowApp)], put)).toBe('implicit_deny');
  });
});

describe('NotAction and NotResource', () => {
  it('NotAction covers every action except the listed ones', () => {
    const p = policy({ Effect: 'Allow', NotAction: ['kms:Delete*', 'kms:Set*'], Resource: '*' });
    expect(evaluate([p], request(arn('x')))).toBe('allow');
    expect(evaluate([p], request(arn('x'), {}, 'kms:DeleteSecret'))).toBe('implicit_deny');
    expect(evaluate([p], request(arn('x'), {}, 'kms:SetSecretPolicy'))).toBe('implicit_deny');
  });

  it('NotResource covers every resource except the listed ones, also in a Deny', () => {
    const allowAll = { Effect: 'Allow', Action: 'kms:*', Resource: '*' };
    const denyOutsideApp = { Effect: 'Deny', Action: 'kms:*', NotResource: 'acs:kms:*:*:secret/app/*' };
    expect(evaluate([policy(allowAll, denyOutsideApp)], request(arn('app/db')))).toBe('allow');
    expect(evaluate([policy(allowAll, denyOutsideApp)], request(arn('ops/db')))).toBe('deny');
  });
});

describe('wildcards and case', () => {
  it('matches acs:kms:*:*:secret/app/* across regions and accounts, and names with slashes', () => {
    const p = policy(allowApp);
    expect(evaluate([p], request('acs:kms:eu-central-1:999:secret/app/a/b/c'))).toBe('allow');
    expect(evaluate([p], request('acs:kms:cn-hangzhou:1:secret/app/'))).toBe('allow');
    expect(evaluate([p], request('acs:kms:cn-hangzhou:1:secret/apps/x'))).toBe('implicit_deny');
    expect(evaluate([p], request('acs:kms:cn-hangzhou:1:key/app/x'))).toBe('implicit_deny');
  });

  it('? matches exactly one character', () => {
    const p = policy({ ...allowApp, Resource: arn('db-?') });
    expect(evaluate([p], request(arn('db-1')))).toBe('allow');
    expect(evaluate([p], request(arn('db-')))).toBe('implicit_deny');
    expect(evaluate([p], request(arn('db-12')))).toBe('implicit_deny');
    expect(wildcardMatch('a?c', 'a😀c')).toBe(true);
  });

  it('treats regular-expression characters literally', () => {
    expect(wildcardMatch('app.(x)+[y]', 'app.(x)+[y]')).toBe(true);
    expect(wildcardMatch('app.db', 'appXdb')).toBe(false);
    expect(wildcardMatch('a\\*', 'a\\bc')).toBe(true);
  });

  it('matches actions case-insensitively and resources case-sensitively', () => {
    const p = policy({ Effect: 'Allow', Action: 'KMS:getsecretVALUE', Resource: arn('App/db') });
    expect(evaluate([p], request(arn('App/db')))).toBe('allow');
    expect(evaluate([p], request(arn('app/db')))).toBe('implicit_deny');
    expect(evaluate([policy({ ...allowApp, Action: 'kms:get*' })], request(arn('app/x')))).toBe('allow');
  });

  it('a lone * action or resource matches everything', () => {
    const p = policy({ Effect: 'Allow', Action: '*', Resource: '*' });
    expect(evaluate([p], request('acs:ram::1:user/bob', {}, 'ram:CreateUser'))).toBe('allow');
  });
});

describe('conditions', () => {
  const withCondition = (condition: Record<string, unknown>, effect = 'Allow') =>
    policy({ Effect: effect, Action: 'kms:*', Resource: '*', Condition: condition });
  const tags = (entries: Record<string, string>) => new Map(Object.entries(entries));

  it('StringEquals / StringNotEquals on a tag, case-sensitive, values OR-ed', () => {
    const eq = withCondition({ StringEquals: { 'kms:tag/env': ['dev', 'test'] } });
    expect(evaluate([eq], request(arn('a'), { tags: tags({ env: 'test' }) }))).toBe('allow');
    expect(evaluate([eq], request(arn('a'), { tags: tags({ env: 'Dev' }) }))).toBe('implicit_deny');
    const ne = withCondition({ StringNotEquals: { 'kms:tag/env': ['prod', 'staging'] } });
    expect(evaluate([ne], request(arn('a'), { tags: tags({ env: 'dev' }) }))).toBe('allow');
    expect(evaluate([ne], request(arn('a'), { tags: tags({ env: 'staging' }) }))).toBe('implicit_deny');
  });

  it('StringEqualsIgnoreCase and StringNotEqualsIgnoreCase ignore case', () => {
    const eq = withCondition({ StringEqualsIgnoreCase: { 'kms:tag/env': 'DEV' } });
    expect(evaluate([eq], request(arn('a'), { tags: tags({ env: 'dev' }) }))).toBe('allow');
    const ne = withCondition({ StringNotEqualsIgnoreCase: { 'kms:tag/env': 'PROD' } });
    expect(evaluate([ne], request(arn('a'), { tags: tags({ env: 'prod' }) }))).toBe('implicit_deny');
  });

  it('StringLike / StringNotLike use the same wildcards', () => {
    const like = withCondition({ StringLike: { 'kms:tag/team': 'pay*' } });
    expect(evaluate([like], request(arn('a'), { tags: tags({ team: 'payments' }) }))).toBe('allow');
    expect(evaluate([like], request(arn('a'), { tags: tags({ team: 'ops' }) }))).toBe('implicit_deny');
    const notLike = withCondition({ StringNotLike: { 'kms:tag/team': ['pay*', 'sec?'] } });
    expect(evaluate([notLike], request(arn('a'), { tags: tags({ team: 'ops' }) }))).toBe('allow');
    expect(evaluate([notLike], request(arn('a'), { tags: tags({ team: 'secu' }) }))).toBe('implicit_deny');
  });

  it('a missing tag fails positive operators and satisfies negated ones', () => {
    const none = request(arn('a'));
    expect(evaluate([withCondition({ StringEquals: { 'kms:tag/env': 'dev' } })], none)).toBe('implicit_deny');
    expect(evaluate([withCondition({ StringLike: { 'kms:tag/env': '*' } })], none)).toBe('implicit_deny');
    expect(evaluate([withCondition({ StringNotEquals: { 'kms:tag/env': 'prod' } })], none)).toBe('allow');
  });

  it('tag keys are case-sensitive, the kms:tag/ prefix is not', () => {
    const p = withCondition({ StringEquals: { 'KMS:Tag/Env': 'dev' } });
    expect(evaluate([p], request(arn('a'), { tags: tags({ Env: 'dev' }) }))).toBe('allow');
    expect(evaluate([p], request(arn('a'), { tags: tags({ env: 'dev' }) }))).toBe('implicit_deny');
  });

  it('Bool on acs:SecureTransport, with true or "true"', () => {
    for (const value of [true, 'true', 'TRUE']) {
      const p = withCondition({ Bool: { 'acs:SecureTransport': value } });
      expect(evaluate([p], request(arn('a'), { secureTransport: true }))).toBe('allow');
      expect(evaluate([p], request(arn('a'), { secureTransport: false }))).toBe('implicit_deny');
    }
    const denyPlain = withCondition({ Bool: { 'acs:SecureTransport': false } }, 'Deny');
    const allowAll = withCondition({ Bool: { 'acs:SecureTransport': [true, false] } });
    expect(evaluate([allowAll, denyPlain], request(arn('a'), { secureTransport: false }))).toBe('deny');
    expect(evaluate([allowAll, denyPlain], request(arn('a'), { secureTransport: true }))).toBe('allow');
  });

  it('IpAddress and NotIpAddress on acs:SourceIp', () => {
    const inside = withCondition({ IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '203.0.113.0/24'] } });
    expect(evaluate([inside], request(arn('a'), { sourceIp: '203.0.113.200' }))).toBe('allow');
    expect(evaluate([inside], request(arn('a'), { sourceIp: '198.51.100.1' }))).toBe('implicit_deny');
    const allowAll = withCondition({ Bool: { 'acs:SecureTransport': [true, false] } });
    const outside = withCondition({ NotIpAddress: { 'acs:SourceIp': '10.0.0.0/8' } }, 'Deny');
    expect(evaluate([allowAll, outside], request(arn('a'), { sourceIp: '10.1.2.3' }))).toBe('allow');
    expect(evaluate([allowAll, outside], request(arn('a'), { sourceIp: '11.1.2.3' }))).toBe('deny');
    // No source IP at all: IpAddress fails, NotIpAddress holds (so the Deny above applies).
    expect(evaluate([inside], request(arn('a'), { sourceIp: undefined as unknown as string }))).toBe(
      'implicit_deny',
    );
    const noIp: AccessRequest = {
      action: 'kms:GetSecretValue',
      resources: [arn('a')],
      context: { secureTransport: true },
    };
    expect(evaluate([allowAll, outside], noIp)).toBe('deny');
  });

  it('IPv6 CIDR blocks and IPv4-mapped client addresses', () => {
    const v6 = withCondition({ IpAddress: { 'acs:SourceIp': '2001:db8::/32' } });
    expect(evaluate([v6], request(arn('a'), { sourceIp: '2001:db8:85a3::8a2e:370:7334' }))).toBe('allow');
    expect(evaluate([v6], request(arn('a'), { sourceIp: '2001:db9::1' }))).toBe('implicit_deny');
    expect(evaluate([v6], request(arn('a'), { sourceIp: '32.1.13.184' }))).toBe('implicit_deny');
    const v4 = withCondition({ IpAddress: { 'acs:SourceIp': '192.168.1.0/24' } });
    expect(evaluate([v4], request(arn('a'), { sourceIp: '::ffff:192.168.1.9' }))).toBe('allow');
  });

  it('string operators on acs:SourceIp compare the text', () => {
    const p = withCondition({ StringLike: { 'acs:SourceIp': '203.0.113.*' } });
    expect(evaluate([p], request(arn('a')))).toBe('allow');
  });

  it('date operators on acs:CurrentTime', () => {
    const window = withCondition({
      DateGreaterThan: { 'acs:CurrentTime': '2025-01-01T00:00:00Z' },
      DateLessThanEquals: { 'acs:CurrentTime': '2025-02-01T00:00:00+08:00' },
    });
    const at = (iso: string) => request(arn('a'), { currentTime: Date.parse(iso) });
    expect(evaluate([window], at('2025-01-15T00:00:00Z'))).toBe('allow');
    expect(evaluate([window], at('2025-01-01T00:00:00Z'))).toBe('implicit_deny');
    expect(evaluate([window], at('2025-01-31T16:00:00Z'))).toBe('allow');
    expect(evaluate([window], at('2025-01-31T16:00:01Z'))).toBe('implicit_deny');
    expect(evaluate([window], request(arn('a')))).toBe('implicit_deny');
    const ge = withCondition({ DateGreaterThanEquals: { 'acs:CurrentTime': '2025-01-01T00:00:00Z' } });
    const lt = withCondition({ DateLessThan: { 'acs:CurrentTime': '2025-01-01T00:00:00Z' } });
    expect(evaluate([ge], at('2025-01-01T00:00:00Z'))).toBe('allow');
    expect(evaluate([lt], at('2025-01-01T00:00:00Z'))).toBe('implicit_deny');
  });

  it('operators and keys are AND-ed', () => {
    const p = withCondition({
      IpAddress: { 'acs:SourceIp': '203.0.113.0/24' },
      StringEquals: { 'kms:tag/env': 'dev', 'kms:tag/team': 'pay' },
    });
    const all = tags({ env: 'dev', team: 'pay' });
    expect(evaluate([p], request(arn('a'), { tags: all }))).toBe('allow');
    expect(evaluate([p], request(arn('a'), { tags: tags({ env: 'dev' }) }))).toBe('implicit_deny');
    expect(evaluate([p], request(arn('a'), { tags: all, sourceIp: '10.0.0.1' }))).toBe('implicit_deny');
  });

  it('an unknown condition key fails closed: an Allow never applies, a Deny always does', () => {
    const allow = withCondition({ StringEquals: { 'acs:SourceVpc': 'vpc-1' } });
    expect(evaluate([allow], request(arn('a')))).toBe('implicit_deny');
    const negatedAllow = withCondition({ StringNotEquals: { 'acs:SourceVpc': 'vpc-1' } });
    expect(evaluate([negatedAllow], request(arn('a')))).toBe('implicit_deny');
    const deny = withCondition({ StringEquals: { 'acs:MFAPresent': 'false' } }, 'Deny');
    const allowAll = policy({ Effect: 'Allow', Action: '*', Resource: '*' });
    expect(evaluate([allowAll, deny], request(arn('a')))).toBe('deny');
  });
});

describe('IP parsing', () => {
  it('parses IPv4 strictly', () => {
    expect(parseIpAddress('0.0.0.0')).toEqual({ version: 4, value: 0n });
    expect(parseIpAddress('255.255.255.255')).toEqual({ version: 4, value: 0xffffffffn });
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4/']) {
      expect(parseIpAddress(bad), bad).toBeUndefined();
    }
  });

  it('parses IPv6 with :: compression and a dotted tail', () => {
    expect(parseIpAddress('::')).toEqual({ version: 6, value: 0n });
    expect(parseIpAddress('::1')).toEqual({ version: 6, value: 1n });
    expect(parseIpAddress('1::')?.value).toBe(1n << 112n);
    expect(parseIpAddress('2001:DB8::1')).toEqual(parseIpAddress('2001:0db8:0000:0000:0000:0000:0000:0001'));
    expect(parseIpAddress('64:ff9b::192.0.2.33')?.value).toBe((0x64ff9bn << 96n) | 0xc0000221n);
    for (const bad of [
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      ':::',
      '1:',
      'g::1',
      '12345::',
      '1.2.3.4::',
      'fe80::1%eth0',
      '::1.2.3',
    ]) {
      expect(parseIpAddress(bad), bad).toBeUndefined();
    }
    expect(parseIpAddress('1:2:3:4:5:6:7::')).toBeDefined();
  });

  it('CIDR edges: /0, /32, /128, host bits, prefixes out of range', () => {
    const all4 = parseCidr('0.0.0.0/0')!;
    expect(cidrContains(all4, parseIpAddress('255.1.2.3')!)).toBe(true);
    expect(cidrContains(all4, parseIpAddress('::1')!)).toBe(false);
    const one = parseCidr('10.0.0.1')!;
    expect(one.prefix).toBe(32);
    expect(cidrContains(one, parseIpAddress('10.0.0.1')!)).toBe(true);
    expect(cidrContains(one, parseIpAddress('10.0.0.2')!)).toBe(false);
    const hostBits = parseCidr('10.1.2.3/16')!;
    expect(cidrContains(hostBits, parseIpAddress('10.1.255.255')!)).toBe(true);
    expect(cidrContains(hostBits, parseIpAddress('10.2.0.0')!)).toBe(false);
    const edge = parseCidr('192.168.0.0/31')!;
    expect(cidrContains(edge, parseIpAddress('192.168.0.1')!)).toBe(true);
    expect(cidrContains(edge, parseIpAddress('192.168.0.2')!)).toBe(false);
    const all6 = parseCidr('::/0')!;
    expect(cidrContains(all6, parseIpAddress('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')!)).toBe(true);
    const single6 = parseCidr('2001:db8::1/128')!;
    expect(cidrContains(single6, parseIpAddress('2001:db8::1')!)).toBe(true);
    expect(cidrContains(single6, parseIpAddress('2001:db8::2')!)).toBe(false);
    const mapped = parseCidr('::ffff:10.0.0.0/104')!;
    expect(mapped).toEqual(parseCidr('10.0.0.0/8'));
    for (const bad of [
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/-1',
      '10.0.0.0/08',
      '10.0.0.0/',
      'x/8',
      '10.0.0.0/8/8',
    ]) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });
});

describe('parsing: malformed documents name the field', () => {
  const ok = { Effect: 'Allow', Action: 'kms:*', Resource: '*' };

  it('accepts strings or arrays for Action and Resource, and a Sid', () => {
    const p = policy({ Sid: 'read app secrets', ...ok, Action: ['kms:Get*', 'kms:List*'] });
    expect(p.statements[0]?.sid).toBe('read app secrets');
  });

  it('rejects documents that are too large, not JSON, or the wrong shape', () => {
    const big = JSON.stringify({
      Version: '1',
      Statement: [{ ...ok, Sid: 'x'.repeat(100) }],
      Pad: 'x'.repeat(MAX_RAM_POLICY_BYTES),
    });
    rejects(big, /at most 6144 bytes/);
    // 6,144 bytes counted in UTF-8, not in characters.
    const multiByte = JSON.stringify({
      Version: '1',
      Statement: [{ ...ok, Resource: `acs:kms:*:*:secret/${'é'.repeat(3100)}` }],
    });
    expect(multiByte.length).toBeLessThan(MAX_RAM_POLICY_BYTES);
    rejects(multiByte, /at most 6144 bytes/);
    rejects('{', /not valid JSON/);
    rejects([], /must be a JSON object/);
    rejects({ Version: '2', Statement: [ok] }, /"Version" must be "1"/);
    rejects({ Version: '1', Statement: [] }, /non-empty array/);
    rejects({ Version: '1', Statement: ok }, /non-empty array/);
    rejects({ Version: '1', Statement: [ok], Id: 'x' }, /unknown member "Id"/);
  });

  it('rejects bad statements, naming which one', () => {
    const doc = (s: Record<string, unknown>) => ({ Version: '1', Statement: [ok, s] });
    rejects(doc({ ...ok, Effect: 'allow' }), /Statement\[1\]\.Effect must be "Allow" or "Deny"/);
    rejects(
      doc({ ...ok, Principal: { RAM: ['*'] } }),
      /Statement\[1\]\.Principal belongs in resource policies/,
    );
    rejects(doc({ ...ok, Condtion: {} }), /Statement\[1\] has an unknown member "Condtion"/);
    rejects(doc({ ...ok, NotAction: 'kms:Get*' }), /both Action and NotAction/);
    rejects(doc({ Effect: 'Allow', Resource: '*' }), /needs Action or NotAction/);
    rejects(doc({ Effect: 'Allow', Action: '*' }), /needs Resource or NotResource/);
    rejects(doc({ ...ok, NotResource: 'acs:kms:*:*:*' }), /both Resource and NotResource/);
    rejects(doc({ ...ok, Action: [] }), /Statement\[1\]\.Action must be a non-empty string/);
    rejects(doc({ ...ok, Action: 'GetSecretValue' }), /Statement\[1\]\.Action lists "GetSecretValue"/);
    rejects(doc({ ...ok, Action: 'kms:Get Secret' }), /actions look like/);
    rejects(doc({ ...ok, Resource: 'secret/app/*' }), /Statement\[1\]\.Resource lists "secret\/app\/\*"/);
    rejects(doc({ ...ok, NotResource: 'acs:kms', Resource: undefined }), /NotResource lists "acs:kms"/);
    rejects(doc({ ...ok, Sid: 7 }), /Sid must be a string/);
  });

  it('rejects bad conditions with the operator and key named', () => {
    const cond = (c: unknown) => ({ Version: '1', Statement: [{ ...ok, Condition: c }] });
    rejects(cond({}), /Condition is empty/);
    rejects(
      cond({ NumericEquals: { 'acs:x': 1 } }),
      /operator "NumericEquals", which Tessera does not evaluate/,
    );
    rejects(cond({ StringEquals: {} }), /StringEquals names no condition key/);
    rejects(cond({ StringEquals: { 'kms:tag/env': [] } }), /StringEquals\.kms:tag\/env must be a string/);
    rejects(cond({ StringEquals: { 'kms:tag/env': { a: 1 } } }), /must be a string, number or boolean/);
    rejects(
      cond({ IpAddress: { 'acs:SourceIp': '10.0.0.0/33' } }),
      /IpAddress\.acs:SourceIp: "10\.0\.0\.0\/33" is not an IPv4 or IPv6/,
    );
    rejects(cond({ IpAddress: { 'kms:tag/env': '10.0.0.0/8' } }), /cannot be tested with IpAddress/);
    rejects(cond({ Bool: { 'acs:SecureTransport': 'yes' } }), /Bool takes true or false/);
    rejects(cond({ DateLessThan: { 'acs:CurrentTime': 'tomorrow' } }), /is not a time like/);
    rejects(cond({ StringEquals: { 'acs:CurrentTime': '2025' } }), /cannot be tested with StringEquals/);
    rejects(cond({ StringEquals: { 'kms:tag/env': Array<string>(101).fill('x') } }), /1 to 100/);
  });
});

describe('secret policies with identity policies', () => {
  const alice: Caller = { kind: 'user', accountId: ACCOUNT, userName: 'alice' };
  const bob: Caller = { kind: 'user', accountId: ACCOUNT, userName: 'bob' };
  const root: Caller = { kind: 'root', accountId: ACCOUNT };
  const stranger: Caller = { kind: 'user', accountId: '999', userName: 'alice' };
  const secretPolicy = (...statements: Record<string, unknown>[]) =>
    compileSecretPolicy(parsePolicyDocument(JSON.stringify({ Version: '1', Statement: statements })));
  const grantAlice = {
    Effect: 'Allow',
    Principal: { RAM: [`acs:ram::${ACCOUNT}:user/alice`] },
    Action: ['kms:GetSecretValue'],
    Resource: ['*'],
  };
  const get = request(arn('app/db'));
  const decide = (
    caller: Caller,
    identity: ParsedPolicy[],
    resourcePolicy?: ReturnType<typeof secretPolicy>,
  ) =>
    authorize({
      caller,
      identityPolicies: identity,
      resourceAccountId: ACCOUNT,
      request: get,
      ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
    });

  it('the default secret policy grants nothing by itself; RAM policies decide', () => {
    const defaults = compileSecretPolicy(parsePolicyDocument(defaultSecretPolicy(ACCOUNT)));
    expect(decide(alice, [], defaults)).toBe('implicit_deny');
    expect(decide(alice, [policy(allowApp)], defaults)).toBe('allow');
  });

  it('a secret policy can grant a named user of the account without any RAM policy', () => {
    const p = secretPolicy(grantAlice);
    expect(decide(alice, [], p)).toBe('allow');
    expect(decide(bob, [], p)).toBe('implicit_deny');
  });

  it('a secret policy Deny beats a RAM Allow, and a RAM Deny beats a secret policy Allow', () => {
    const denyAll = { Effect: 'Deny', Principal: { RAM: ['*'] }, Action: ['kms:*'], Resource: ['*'] };
    expect(decide(alice, [policy(allowApp)], secretPolicy(denyAll))).toBe('deny');
    const ramDeny = policy({ Effect: 'Deny', Action: 'kms:*', Resource: '*' });
    expect(decide(alice, [ramDeny], secretPolicy(grantAlice))).toBe('deny');
  });

  it('a Deny reaches principals through patterns and account-wide entries', () => {
    const denyUsers = { ...grantAlice, Effect: 'Deny', Principal: { RAM: [`acs:ram::${ACCOUNT}:user/a*`] } };
    expect(decide(alice, [policy(allowApp)], secretPolicy(denyUsers))).toBe('deny');
    expect(decide(bob, [policy(allowApp)], secretPolicy(denyUsers))).toBe('allow');
    const denyAccount = { ...denyUsers, Principal: { RAM: [`acs:ram::${ACCOUNT}:root`] } };
    expect(decide(bob, [policy(allowApp)], secretPolicy(denyAccount))).toBe('deny');
  });

  it('an Allow with a wildcard principal delegates instead of granting', () => {
    const wide = { ...grantAlice, Principal: { RAM: ['*', `acs:ram::${ACCOUNT}:user/*`] } };
    expect(decide(alice, [], secretPolicy(wide))).toBe('implicit_deny');
  });

  it('secret policy conditions apply, and unevaluable ones fail closed', () => {
    const fromOffice = { ...grantAlice, Condition: { IpAddress: { 'acs:SourceIp': ['203.0.113.0/24'] } } };
    expect(decide(alice, [], secretPolicy(fromOffice))).toBe('allow');
    const elsewhere = { ...grantAlice, Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8'] } } };
    expect(decide(alice, [], secretPolicy(elsewhere))).toBe('implicit_deny');
    const typo = { ...grantAlice, Condition: { StringEqual: { 'kms:tag/env': 'dev' } } };
    expect(decide(alice, [], secretPolicy(typo))).toBe('implicit_deny');
    const denyTypo = { ...typo, Effect: 'Deny' };
    expect(decide(alice, [policy(allowApp)], secretPolicy(denyTypo))).toBe('deny');
  });

  it('another account needs both sides to allow', () => {
    const grantStranger = { ...grantAlice, Principal: { RAM: ['acs:ram::999:user/alice'] } };
    expect(decide(stranger, [], secretPolicy(grantStranger))).toBe('implicit_deny');
    expect(decide(stranger, [policy(allowApp)], undefined)).toBe('implicit_deny');
    expect(decide(stranger, [policy(allowApp)], secretPolicy(grantStranger))).toBe('allow');
  });

  it('the account root is allowed unless a secret policy denies it', () => {
    expect(decide(root, [], undefined)).toBe('allow');
    const denyAll = {
      Effect: 'Deny',
      Principal: { RAM: ['*'] },
      Action: ['kms:GetSecretValue'],
      Resource: ['*'],
    };
    expect(decide(root, [], secretPolicy(denyAll))).toBe('deny');
  });
});
