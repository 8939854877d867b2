/**
 * Property tests of RAM policy evaluation:
 *  - the iterative wildcard matcher agrees with a reference matcher built on an escaped regular
 *    expression (test-only; production never builds a regex from policy text);
 *  - the decision does not depend on the order of statements or of policies;
 *  - adding a Deny statement never turns a deny into an allow, and never turns anything into an allow;
 *  - adding an Allow statement never turns an allow into a deny or implicit deny;
 *  - adversarial patterns (`a*a*a*…b` against `aaaa…`) finish in bounded time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessRequest, Decision, ParsedPolicy, ParsedStatement } from './ram-policy.js';
import { evaluate } from './policy-evaluation.js';
import { parseRamPolicy } from './ram-policy.js';
import { globMatches, wildcardMatch } from './policy-patterns.js';

function referenceMatch(pattern: string, subject: string): boolean {
  const body = Array.from(pattern)
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'su').test(subject);
}

// Small alphabets so that matches are frequent; regex metacharacters and an astral character included.
const patternChar = fc.constantFrom('a', 'b', '*', '?', '.', '(', '\\', '/', '😀', '\n');
const subjectChar = fc.constantFrom('a', 'b', '.', '(', '\\', '/', '*', '?', '😀', '\n');
const pattern = fc.array(patternChar, { maxLength: 12 }).map((cs) => cs.join(''));
const subject = fc.array(subjectChar, { maxLength: 14 }).map((cs) => cs.join(''));

describe('wildcard matcher', () => {
  it('agrees with an escaped-regex reference', () => {
    fc.assert(
      fc.property(pattern, subject, (p, s) => {
        expect(wildcardMatch(p, s)).toBe(referenceMatch(p, s));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the reference when the subject is built from the pattern', () => {
    // Replace each wildcard with something it should accept, so most cases are positive.
    const filled = fc
      .tuple(pattern, fc.array(subject, { minLength: 12, maxLength: 12 }))
      .map(([p, fills]) => {
        let i = 0;
        const s = Array.from(p)
          .map((c) => (c === '*' ? (fills[i++] ?? '') : c === '?' ? 'x' : c))
          .join('');
        return [p, s] as const;
      });
    fc.assert(
      fc.property(filled, ([p, s]) => {
        expect(wildcardMatch(p, s)).toBe(referenceMatch(p, s));
        expect(wildcardMatch(p, s)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('stays fast on adversarial patterns', () => {
    const subjectChars = Array.from('a'.repeat(1024));
    const hostile = Array.from(`${'a*'.repeat(64)}b`);
    const started = performance.now();
    for (let i = 0; i < 20; i += 1) expect(globMatches(hostile, subjectChars)).toBe(false);
    // A backtracking matcher needs astronomically long here; the iterative one is O(pattern × subject).
    expect(performance.now() - started).toBeLessThan(1000);
    const policy = parseRamPolicy(
      JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'kms:*', Resource: `acs:kms:*:*:secret/${'*a'.repeat(490)}b` },
        ],
      }),
    );
    const t0 = performance.now();
    expect(
      evaluate([policy], {
        action: 'kms:GetSecretValue',
        resources: [`acs:kms:r:1:secret/${'a'.repeat(1000)}`],
        context: { secureTransport: true },
      }),
    ).toBe('implicit_deny');
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

// ---------------------------------------------------------------------------------------------------
// Random statements over a small universe, so that matches, conflicts and conditions are all common.

const ACTIONS = ['kms:GetSecretValue', 'kms:PutSecretValue', 'kms:DeleteSecret'] as const;
const RESOURCES = [
  'acs:kms:r1:1:secret/app/db',
  'acs:kms:r1:1:secret/app/cache',
  'acs:kms:r2:1:secret/ops/root',
  'acs:kms:r1:1:key/k1',
] as const;
const actionPattern = fc.constantFrom(
  '*',
  'kms:*',
  'kms:Get*',
  'KMS:getsecretvalue',
  'kms:Put?ecretValue',
  'kms:Delete*',
);
const resourcePattern = fc.constantFrom(
  '*',
  'acs:kms:*:*:secret/app/*',
  'acs:kms:r1:1:*',
  'acs:kms:*:*:secret/ops/root',
  'acs:kms:*:*:key/*',
  'acs:kms:r?:1:secret/*',
);
const conditionBlock = fc.option(
  fc.constantFrom<Record<string, unknown>>(
    { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } },
    { NotIpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } },
    { Bool: { 'acs:SecureTransport': 'true' } },
    { StringEquals: { 'kms:tag/env': ['dev', 'test'] } },
    { StringNotLike: { 'kms:tag/team': 'pay*' } },
    { StringEquals: { 'acs:SourceVpc': 'vpc-1' } },
    { StringEqualsIgnoreCase: { 'kms:tag/env': 'DEV' }, Bool: { 'acs:SecureTransport': false } },
  ),
  { nil: undefined },
);
const statementJson = fc
  .record({
    effect: fc.constantFrom('Allow', 'Deny'),
    notAction: fc.boolean(),
    actions: fc.array(actionPattern, { minLength: 1, maxLength: 2 }),
    notResource: fc.boolean(),
    resources: fc.array(resourcePattern, { minLength: 1, maxLength: 2 }),
    condition: conditionBlock,
  })
  .map((s) => ({
    Effect: s.effect,
    [s.notAction ? 'NotAction' : 'Action']: s.actions,
    [s.notResource ? 'NotResource' : 'Resource']: s.resources,
    ...(s.condition === undefined ? {} : { Condition: s.condition }),
  }));

function toPolicy(statements: readonly Record<string, unknown>[]): ParsedPolicy {
  return parseRamPolicy(JSON.stringify({ Version: '1', Statement: statements }));
}

const requestArb: fc.Arbitrary<AccessRequest> = fc
  .record({
    action: fc.constantFrom(...ACTIONS),
    resources: fc.subarray([...RESOURCES], { minLength: 1 }),
    context: fc.record({
      sourceIp: fc.option(fc.constantFrom('10.1.2.3', '192.0.2.1', '2001:db8::5', '::ffff:10.9.9.9'), {
        nil: undefined,
      }),
      secureTransport: fc.boolean(),
      tags: fc.option(
        fc.constantFrom(
          new Map([['env', 'dev']]),
          new Map([['team', 'payments']]),
          new Map([['env', 'Dev']]),
        ),
        { nil: undefined },
      ),
    }),
  })
  .map((r) => ({
    action: r.action,
    resources: r.resources,
    context: {
      secureTransport: r.context.secureTransport,
      ...(r.context.sourceIp === undefined ? {} : { sourceIp: r.context.sourceIp }),
      ...(r.context.tags === undefined ? {} : { tags: r.context.tags }),
    },
  }));

const policiesArb = fc.array(fc.array(statementJson, { minLength: 1, maxLength: 4 }), {
  minLength: 0,
  maxLength: 3,
});

describe('evaluation', () => {
  it('does not depend on the order of statements or policies', () => {
    fc.assert(
      fc.property(policiesArb, requestArb, fc.infiniteStream(fc.nat()), (docs, request, seeds) => {
        const policies = docs.map(toPolicy);
        const expected = evaluate(policies, request);
        const shuffle = <T>(items: readonly T[]): T[] => {
          const out = [...items];
          for (let i = out.length - 1; i > 0; i -= 1) {
            const j = (seeds.next().value as number) % (i + 1);
            [out[i], out[j]] = [out[j] as T, out[i] as T];
          }
          return out;
        };
        const reordered = shuffle(docs).map((statements) => toPolicy(shuffle(statements)));
        expect(evaluate(reordered, request)).toBe(expected);
        // One merged policy holding every statement decides the same as the separate policies.
        const merged: ParsedPolicy = { version: '1', statements: policies.flatMap((p) => p.statements) };
        expect(evaluate([merged], request)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('adding a Deny never allows more', () => {
    const denyStatement = statementJson.map((s) => ({ ...s, Effect: 'Deny' }));
    fc.assert(
      fc.property(policiesArb, denyStatement, requestArb, (docs, deny, request) => {
        const before = evaluate(docs.map(toPolicy), request);
        const after = evaluate([...docs.map(toPolicy), toPolicy([deny])], request);
        if (before !== 'allow') expect(after).not.toBe('allow');
        if (before === 'deny') expect(after).toBe('deny');
        if (after === 'allow') expect(before).toBe('allow');
      }),
      { numRuns: 1000 },
    );
  });

  it('adding an Allow never denies more', () => {
    const allowStatement = statementJson.map((s) => ({ ...s, Effect: 'Allow' }));
    fc.assert(
      fc.property(policiesArb, allowStatement, requestArb, (docs, allow, request) => {
        const before = evaluate(docs.map(toPolicy), request);
        const after = evaluate([...docs.map(toPolicy), toPolicy([allow])], request);
        if (before === 'allow') expect(after).toBe('allow');
        // An Allow never creates an explicit deny, nor removes one.
        expect(after === 'deny').toBe(before === 'deny');
      }),
      { numRuns: 1000 },
    );
  });

  it('explicit deny wins: a Deny matching everything unconditionally always denies', () => {
    const denyAll: ParsedStatement | undefined = toPolicy([{ Effect: 'Deny', Action: '*', Resource: '*' }])
      .statements[0];
    fc.assert(
      fc.property(policiesArb, requestArb, (docs, request) => {
        const decision: Decision = evaluate(
          [...docs.map(toPolicy), { version: '1', statements: denyAll === undefined ? [] : [denyAll] }],
          request,
        );
        expect(decision).toBe('deny');
      }),
      { numRuns: 300 },
    );
  });
});
