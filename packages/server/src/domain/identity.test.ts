import { describe, expect, it } from 'vitest';

import { DomainError } from './errors.js';
import {
  ADMINISTRATOR,
  attachPolicy,
  checkAccessKeyLimit,
  checkAdministratorKeepsAccess,
  checkUserDeletable,
  MAX_CUSTOM_POLICIES_PER_USER,
  MAX_SYSTEM_POLICIES_PER_USER,
  newPolicy,
  newUser,
  updateUser,
  validateComments,
  validateDisplayName,
  validateEmail,
  validateMobilePhone,
  validatePolicyDescription,
  validatePolicyName,
  validateUserName,
} from './identity.js';
import type { Attachment } from './identity.js';
import { MAX_RAM_POLICY_BYTES } from './ram-policy.js';
import { SYSTEM_POLICIES } from './system-policies.js';

const T0 = 1_700_000_000_000;

function failure(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('user validation', () => {
  it('accepts RAM user names of 1 to 64 letters, digits, ".", "_", "-" and "@"', () => {
    for (const name of ['a', 'alice', 'A.b_c-d@e', 'x'.repeat(64), '0'])
      expect(() => {
        validateUserName(name);
      }).not.toThrow();
  });

  it('refuses empty, over-long and badly spelt names, saying which rule and which field', () => {
    expect(
      failure(() => {
        validateUserName('');
      }).details,
    ).toEqual({ field: 'userName', rule: 'length' });
    expect(
      failure(() => {
        validateUserName('x'.repeat(65));
      }).details,
    ).toEqual({
      field: 'userName',
      rule: 'length',
    });
    for (const name of ['a b', 'a/b', 'é', 'a:b', 'a*'])
      expect(
        failure(() => {
          validateUserName(name);
        }).details,
      ).toEqual({ field: 'userName', rule: 'chars' });
    expect(
      failure(() => {
        validateUserName('a b', 'newUserName');
      }).details.field,
    ).toBe('newUserName');
  });

  it('checks display names, comments, e-mail and phone numbers', () => {
    expect(() => {
      validateDisplayName('Alice Ops 运维');
    }).not.toThrow();
    expect(
      failure(() => {
        validateDisplayName('');
      }).details.rule,
    ).toBe('length');
    expect(
      failure(() => {
        validateDisplayName('x'.repeat(129));
      }).details.rule,
    ).toBe('length');
    expect(
      failure(() => {
        validateDisplayName('a\nb');
      }).details.rule,
    ).toBe('chars');
    expect(() => {
      validateComments('');
    }).not.toThrow();
    expect(
      failure(() => {
        validateComments('x'.repeat(129));
      }).details.rule,
    ).toBe('length');
    expect(() => {
      validateEmail('');
    }).not.toThrow();
    expect(() => {
      validateEmail('ops@example.com');
    }).not.toThrow();
    for (const email of ['ops', 'ops@', 'a b@example.com', `${'x'.repeat(120)}@example.com`])
      expect(
        failure(() => {
          validateEmail(email);
        }).details.rule,
      ).toBe('format');
    expect(() => {
      validateMobilePhone('86-18600008888');
    }).not.toThrow();
    for (const phone of ['18600008888', '+86-186', 'x-123456'])
      expect(
        failure(() => {
          validateMobilePhone(phone);
        }).details.rule,
      ).toBe('format');
  });

  it('creates a user whose display name defaults to its name', () => {
    expect(newUser({ id: '1', name: 'alice', now: T0 })).toEqual({
      id: '1',
      name: 'alice',
      displayName: 'alice',
      comments: '',
      email: '',
      mobilePhone: '',
      createdAt: T0,
      updatedAt: T0,
    });
    expect(
      failure(() => newUser({ id: '1', name: 'alice', comments: 'x'.repeat(200), now: T0 })).details.field,
    ).toBe('comments');
  });

  it('updates the given fields only, names New… fields in errors, and keeps the administrator named', () => {
    const user = newUser({ id: '1', name: 'alice', displayName: 'Alice', now: T0 });
    const updated = updateUser(user, { newName: 'alice2', comments: 'moved' }, T0 + 1);
    expect(updated).toEqual({ ...user, name: 'alice2', comments: 'moved', updatedAt: T0 + 1 });
    expect(failure(() => updateUser(user, { displayName: '' }, T0)).details.field).toBe('newDisplayName');
    expect(failure(() => updateUser(user, { newName: 'a b' }, T0)).details.field).toBe('newUserName');
    const admin = newUser({ id: '2', name: ADMINISTRATOR, now: T0 });
    expect(failure(() => updateUser(admin, { newName: 'root' }, T0)).code).toBe('administrator_protected');
    expect(updateUser(admin, { comments: 'the account' }, T0).comments).toBe('the account');
  });

  it('deletes a user only without keys and policies, and never the administrator', () => {
    const user = newUser({ id: '1', name: 'alice', now: T0 });
    expect(() => {
      checkUserDeletable(user, { accessKeys: 0, attachments: 0 });
    }).not.toThrow();
    expect(
      failure(() => {
        checkUserDeletable(user, { accessKeys: 1, attachments: 1 });
      }).code,
    ).toBe('user_has_access_keys');
    expect(
      failure(() => {
        checkUserDeletable(user, { accessKeys: 0, attachments: 1 });
      }).code,
    ).toBe('user_has_policies');
    const admin = newUser({ id: '2', name: ADMINISTRATOR, now: T0 });
    expect(
      failure(() => {
        checkUserDeletable(admin, { accessKeys: 0, attachments: 0 });
      }).code,
    ).toBe('administrator_protected');
  });
});

describe('access key rules', () => {
  it('allows two keys per user', () => {
    expect(() => {
      checkAccessKeyLimit('alice', 1);
    }).not.toThrow();
    expect(
      failure(() => {
        checkAccessKeyLimit('alice', 2);
      }).code,
    ).toBe('access_key_limit_exceeded');
  });

  it('keeps one active key for the administrator, and for no one else', () => {
    expect(
      failure(() => {
        checkAdministratorKeepsAccess(ADMINISTRATOR, 0);
      }).code,
    ).toBe('administrator_protected');
    expect(() => {
      checkAdministratorKeepsAccess(ADMINISTRATOR, 1);
    }).not.toThrow();
    expect(() => {
      checkAdministratorKeepsAccess('alice', 0);
    }).not.toThrow();
  });
});

describe('policies', () => {
  const document =
    '{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:GetSecretValue","Resource":"*"}]}';

  it('checks policy names and descriptions', () => {
    expect(() => {
      validatePolicyName('Read-Only-2');
    }).not.toThrow();
    expect(
      failure(() => {
        validatePolicyName('');
      }).details.rule,
    ).toBe('length');
    expect(
      failure(() => {
        validatePolicyName('x'.repeat(129));
      }).details.rule,
    ).toBe('length');
    expect(
      failure(() => {
        validatePolicyName('read_only');
      }).details.rule,
    ).toBe('chars');
    expect(() => {
      validatePolicyDescription('x'.repeat(1024));
    }).not.toThrow();
    expect(
      failure(() => {
        validatePolicyDescription('x'.repeat(1025));
      }).details.rule,
    ).toBe('length');
  });

  it('creates a custom policy and refuses malformed or over-size documents as malformed_policy_document', () => {
    const { policy, parsed } = newPolicy({ name: 'reader', document, now: T0 });
    expect(policy).toMatchObject({ name: 'reader', type: 'custom', description: '', document });
    expect(parsed.statements).toHaveLength(1);
    for (const bad of [
      'not json',
      '{"Version":"2","Statement":[]}',
      '{"Version":"1","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}',
      `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Sid":"${'x'.repeat(MAX_RAM_POLICY_BYTES)}"}]}`,
    ]) {
      const error = failure(() => newPolicy({ name: 'bad', document: bad, now: T0 }));
      expect(error.code).toBe('malformed_policy_document');
      expect(error.details.field).toBe('policyDocument');
    }
  });

  it('attaches a policy once, up to ten custom and twenty system policies per user', () => {
    const attached = (type: 'custom' | 'system', count: number): Attachment[] =>
      Array.from({ length: count }, (_, i) => ({ userName: 'u', type, name: `p${i}`, attachedAt: T0 }));
    expect(attachPolicy([], { type: 'custom', name: 'p' }, 'u', T0)).toEqual({
      userName: 'u',
      type: 'custom',
      name: 'p',
      attachedAt: T0,
    });
    expect(
      failure(() => attachPolicy(attached('custom', 1), { type: 'custom', name: 'p0' }, 'u', T0)).code,
    ).toBe('policy_already_attached');
    // The same name of the other type is another policy.
    expect(() => attachPolicy(attached('custom', 1), { type: 'system', name: 'p0' }, 'u', T0)).not.toThrow();
    const customFull = attached('custom', MAX_CUSTOM_POLICIES_PER_USER);
    expect(failure(() => attachPolicy(customFull, { type: 'custom', name: 'new' }, 'u', T0)).code).toBe(
      'policy_attachment_limit_exceeded',
    );
    expect(() => attachPolicy(customFull, { type: 'system', name: 'new' }, 'u', T0)).not.toThrow();
    expect(
      failure(() =>
        attachPolicy(
          attached('system', MAX_SYSTEM_POLICIES_PER_USER),
          { type: 'system', name: 'x' },
          'u',
          T0,
        ),
      ).code,
    ).toBe('policy_attachment_limit_exceeded');
  });

  it('ships system policies whose documents parse', () => {
    expect([...SYSTEM_POLICIES.keys()]).toEqual([
      'AdministratorAccess',
      'AliyunKMSCryptoUserAccess',
      'AliyunKMSFullAccess',
      'AliyunKMSReadOnlyAccess',
      'AliyunKMSSecretAdminAccess',
      'AliyunKMSSecretUserAccess',
      'AliyunRAMFullAccess',
      'AliyunRAMReadOnlyAccess',
    ]);
    for (const { policy, parsed } of SYSTEM_POLICIES.values()) {
      expect(policy.type).toBe('system');
      expect(parsed.statements.length).toBeGreaterThan(0);
    }
  });
});
