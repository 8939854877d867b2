/**
 * The permission table: every KMS action the endpoint answers has an entry, the domain's list
 * of names is the protocol's table, the ARNs come out in the documented forms, and docs/permissions.md
 * lists exactly the rows permissions.ts holds, both ways.
 */
// The domain may not read files or know the protocol; this test checks the domain against both.
// eslint-disable-next-line no-restricted-imports -- test-only: compares the doc with the table
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- test-only: the list must equal the protocol's table
import { ACTIONTRAIL_ACTIONS } from '../protocols/alibaba/actions/actiontrail-actions.js';
// eslint-disable-next-line no-restricted-imports -- test-only: the list must equal the protocol's table
import { KMS_ACTIONS } from '../protocols/alibaba/actions/index.js';
import { isDomainError } from './errors.js';
import type { PermissionEntry } from './permissions.js';
import {
  ACTIONTRAIL_ACTION_NAMES,
  KMS_ACTION_NAMES,
  KMS_PERMISSIONS,
  RAM_ACTION_NAMES,
  RAM_PERMISSIONS,
  aliasArn,
  permissionFor,
  renderPermissionTable,
  resourcesToAuthorize,
} from './permissions.js';
import { evaluate } from './policy-evaluation.js';
import { parseRamPolicy } from './ram-policy.js';

const IDS = { region: 'cn-hangzhou', accountId: '1234567890' };

describe('the action list', () => {
  it('equals the keys of the protocol action table', () => {
    expect([...KMS_ACTION_NAMES].sort()).toEqual(Object.keys(KMS_ACTIONS).sort());
    expect(new Set(KMS_ACTION_NAMES).size).toBe(KMS_ACTION_NAMES.length);
    expect([...ACTIONTRAIL_ACTION_NAMES].sort()).toEqual(Object.keys(ACTIONTRAIL_ACTIONS).sort());
  });

  it('maps every KMS and RAM action to a permission of its product', () => {
    for (const name of KMS_ACTION_NAMES) {
      expect(KMS_PERMISSIONS[name].permission, name).toMatch(/^kms:[A-Z][A-Za-z]+$/);
      expect(permissionFor('kms', name)).toBe(KMS_PERMISSIONS[name]);
    }
    for (const name of RAM_ACTION_NAMES) {
      expect(RAM_PERMISSIONS[name].permission, name).toBe(`ram:${name}`);
    }
    expect(Object.keys(KMS_PERMISSIONS).sort()).toEqual([...KMS_ACTION_NAMES].sort());
    expect(Object.keys(RAM_PERMISSIONS).sort()).toEqual([...RAM_ACTION_NAMES].sort());
    expect(permissionFor('kms', 'toString')).toBeUndefined();
    expect(permissionFor('kms', 'CreateUser')).toBeUndefined();
  });

  it('uses kms:<Action> except where documented', () => {
    const renamed = KMS_ACTION_NAMES.filter((a) => KMS_PERMISSIONS[a].permission !== `kms:${a}`);
    expect(renamed).toEqual(['BatchGetSecretValue', 'ReEncrypt']);
    expect(KMS_PERMISSIONS.BatchGetSecretValue.permission).toBe('kms:GetSecretValue');
    // ReEncrypt is authorized twice: ReEncryptFrom on the source key, ReEncryptTo on the destination.
    expect(KMS_PERMISSIONS.ReEncrypt.permission).toBe('kms:ReEncryptTo');
  });
});

describe('resourcesToAuthorize', () => {
  it('builds secret, key and alias ARNs', () => {
    expect(resourcesToAuthorize('kms', 'GetSecretValue', { ...IDS, secretNames: ['app/db'] })).toEqual({
      permission: 'kms:GetSecretValue',
      resources: ['acs:kms:cn-hangzhou:1234567890:secret/app/db'],
      requiresAuthorization: true,
    });
    expect(resourcesToAuthorize('kms', 'Encrypt', { ...IDS, keyIds: ['key-abc'] }).resources).toEqual([
      'acs:kms:cn-hangzhou:1234567890:key/key-abc',
    ]);
    expect(
      resourcesToAuthorize('kms', 'CreateAlias', { ...IDS, aliasNames: ['alias/app'], keyIds: ['key-abc'] })
        .resources,
    ).toEqual(['acs:kms:cn-hangzhou:1234567890:alias/app', 'acs:kms:cn-hangzhou:1234567890:key/key-abc']);
    expect(aliasArn('r', '1', 'app')).toBe('acs:kms:r:1:alias/app');
  });

  it('checks GetSecretValue on every secret of a batch', () => {
    const auth = resourcesToAuthorize('kms', 'BatchGetSecretValue', { ...IDS, secretNames: ['a', 'b'] });
    expect(auth.permission).toBe('kms:GetSecretValue');
    expect(auth.resources).toHaveLength(2);
  });

  it('uses containers, the account wildcard, RAM ARNs, and nothing for DescribeRegions', () => {
    expect(resourcesToAuthorize('kms', 'ListSecrets', IDS).resources).toEqual([
      'acs:kms:cn-hangzhou:1234567890:secret',
    ]);
    expect(resourcesToAuthorize('kms', 'GetRandomPassword', IDS).resources).toEqual([
      'acs:kms:cn-hangzhou:1234567890:*',
    ]);
    expect(
      resourcesToAuthorize('ram', 'AttachPolicyToUser', { ...IDS, userName: 'bob', policyName: 'ro' })
        .resources,
    ).toEqual(['acs:ram::1234567890:user/bob', 'acs:ram::1234567890:policy/ro']);
    expect(resourcesToAuthorize('actiontrail', 'LookupEvents', IDS)).toEqual({
      permission: 'actiontrail:LookupEvents',
      resources: ['acs:actiontrail:cn-hangzhou:1234567890:*'],
      requiresAuthorization: true,
    });
    expect(permissionFor('actiontrail', 'VerifyEvents')?.permission).toBe('actiontrail:VerifyEvents');
    expect(permissionFor('actiontrail', 'GetSecretValue')).toBeUndefined();
    expect(resourcesToAuthorize('kms', 'DescribeRegions', IDS)).toEqual({
      permission: 'kms:DescribeRegions',
      resources: [],
      requiresAuthorization: false,
    });
  });

  it('tag operations take secrets or keys', () => {
    expect(resourcesToAuthorize('kms', 'TagResource', { ...IDS, secretNames: ['s'] }).resources).toEqual([
      'acs:kms:cn-hangzhou:1234567890:secret/s',
    ]);
    expect(
      resourcesToAuthorize('kms', 'TagResources', { ...IDS, keyIds: ['k1', 'k2'] }).resources,
    ).toHaveLength(2);
  });

  it('treats a missing identifier or unknown action as a bug', () => {
    const internal = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(isDomainError(error, 'internal')).toBe(true);
        return;
      }
      throw new Error('expected an internal error');
    };
    internal(() => resourcesToAuthorize('kms', 'GetSecretValue', IDS));
    internal(() => resourcesToAuthorize('kms', 'GetSecretValue', { ...IDS, secretNames: [] }));
    internal(() => resourcesToAuthorize('kms', 'CreateAlias', { ...IDS, keyIds: ['k'] }));
    internal(() => resourcesToAuthorize('kms', 'TagResource', IDS));
    internal(() => resourcesToAuthorize('ram', 'GetUser', IDS));
    internal(() => resourcesToAuthorize('kms', 'NoSuchAction', IDS));
  });

  it('the account wildcard is matched by * and acs:kms:*:*:* but not by a secret pattern', () => {
    const auth = resourcesToAuthorize('kms', 'GetRandomPassword', IDS);
    const request = {
      action: auth.permission,
      resources: auth.resources,
      context: { secureTransport: true },
    };
    const allowOn = (resource: string) =>
      evaluate(
        [
          parseRamPolicy(
            JSON.stringify({
              Version: '1',
              Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: resource }],
            }),
          ),
        ],
        request,
      );
    expect(allowOn('*')).toBe('allow');
    expect(allowOn('acs:kms:*:*:*')).toBe('allow');
    expect(allowOn('acs:kms:*:*:secret/*')).toBe('implicit_deny');
  });
});

describe('docs/permissions.md', () => {
  const doc = readFileSync(new URL('../../../../docs/permissions.md', import.meta.url), 'utf8');

  function rowsOf(table: string): string[][] {
    return table
      .split('\n')
      .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
      .slice(1)
      .map((line) =>
        line
          .slice(1, -1)
          .split('|')
          .map((cell) => cell.trim().replace(/^`|`$/g, '')),
      );
  }

  const begin = doc.indexOf('<!-- permissions:begin -->');
  const end = doc.indexOf('<!-- permissions:end -->');

  it('has the table between its markers', () => {
    expect(begin).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(begin);
  });

  it('lists exactly the rows of permissions.ts, both ways', () => {
    const documented = rowsOf(doc.slice(begin, end));
    const expected = rowsOf(renderPermissionTable());
    const key = (r: string[]) => r.join(' | ');
    const inDocOnly = documented.map(key).filter((r) => !expected.map(key).includes(r));
    const inCodeOnly = expected.map(key).filter((r) => !documented.map(key).includes(r));
    expect({ inDocOnly, inCodeOnly }).toEqual({ inDocOnly: [], inCodeOnly: [] });
    expect(documented).toHaveLength(
      KMS_ACTION_NAMES.length + RAM_ACTION_NAMES.length + ACTIONTRAIL_ACTION_NAMES.length,
    );
  });

  it('renders each entry once, notes included', () => {
    const entries: [string, PermissionEntry][] = [
      ...KMS_ACTION_NAMES.map((a): [string, PermissionEntry] => [a, KMS_PERMISSIONS[a]]),
      ...RAM_ACTION_NAMES.map((a): [string, PermissionEntry] => [a, RAM_PERMISSIONS[a]]),
    ];
    const rows = rowsOf(renderPermissionTable());
    for (const [action, entry] of entries) {
      const row = rows.find((r) => r[1] === action && r[2] === entry.permission);
      expect(row, action).toBeDefined();
      expect(row?.[3]).toBe(entry.resource);
      expect(row?.[4]).toBe(entry.note ?? '');
    }
  });
});
