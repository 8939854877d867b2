/** The built-in policies: each documented exactly, and the one for applications reads values and nothing more. */
// eslint-disable-next-line no-restricted-imports -- test-only: the documented list must equal the code's
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate } from './policy-evaluation.js';
import { SYSTEM_POLICIES, renderSystemPolicyList } from './system-policies.js';

const CONTEXT = { secureTransport: false };
const doc = readFileSync(new URL('../../../../docs/permissions.md', import.meta.url), 'utf8');

describe('built-in policies', () => {
  it('are listed in docs/permissions.md exactly, statements included', () => {
    const found = /<!-- system-policies:begin -->\n\n([\s\S]*?)\n\n<!-- system-policies:end -->/.exec(doc);
    expect(found, 'docs/permissions.md has no system-policies markers').not.toBeNull();
    expect(found?.[1]).toBe(renderSystemPolicyList());
  });

  it('AliyunKMSSecretUserAccess reads secrets and nothing else', () => {
    const user = SYSTEM_POLICIES.get('AliyunKMSSecretUserAccess');
    expect(user).toBeDefined();
    const secret = 'acs:kms:cn-hangzhou:123:secret/app/db';
    const allowed = (action: `${string}:${string}`, resource = secret) =>
      user !== undefined &&
      evaluate([user.parsed], { action, resources: [resource], context: CONTEXT }) === 'allow';
    expect(allowed('kms:GetSecretValue')).toBe(true);
    expect(allowed('kms:DescribeSecret')).toBe(true);
    expect(allowed('kms:ListSecretVersionIds')).toBe(true);
    for (const permission of ['kms:PutSecretValue', 'kms:DeleteSecret', 'kms:UpdateSecretVersionStage']) {
      expect(allowed(permission), permission).toBe(false);
    }
    expect(allowed('kms:ListSecrets', 'acs:kms:cn-hangzhou:123:secret')).toBe(false);
    expect(allowed('kms:Decrypt', 'acs:kms:cn-hangzhou:123:key/k')).toBe(false);
    expect(allowed('ram:CreateUser', 'acs:ram::123:user/x')).toBe(false);
  });

  it('AliyunKMSSecretAdminAccess manages secrets and not keys; AliyunKMSReadOnlyAccess never reads values', () => {
    const decide = (name: string, action: `${string}:${string}`, resource: string) => {
      const policy = SYSTEM_POLICIES.get(name);
      return (
        policy !== undefined &&
        evaluate([policy.parsed], { action, resources: [resource], context: CONTEXT }) === 'allow'
      );
    };
    const secret = 'acs:kms:cn-hangzhou:123:secret/app/db';
    expect(decide('AliyunKMSSecretAdminAccess', 'kms:PutSecretValue', secret)).toBe(true);
    expect(decide('AliyunKMSSecretAdminAccess', 'kms:ListSecrets', 'acs:kms:cn-hangzhou:123:secret')).toBe(
      true,
    );
    expect(decide('AliyunKMSSecretAdminAccess', 'kms:GetRandomPassword', 'acs:kms:cn-hangzhou:123:*')).toBe(
      true,
    );
    expect(decide('AliyunKMSSecretAdminAccess', 'kms:Decrypt', 'acs:kms:cn-hangzhou:123:key/k')).toBe(false);
    expect(decide('AliyunKMSReadOnlyAccess', 'kms:DescribeSecret', secret)).toBe(true);
    expect(decide('AliyunKMSReadOnlyAccess', 'kms:GetSecretValue', secret)).toBe(false);
    expect(decide('AliyunKMSCryptoUserAccess', 'kms:Decrypt', 'acs:kms:cn-hangzhou:123:key/k')).toBe(true);
    expect(decide('AliyunKMSCryptoUserAccess', 'kms:GetSecretValue', secret)).toBe(false);
  });
});
