/** Conformance cases for `IdentityRepository` and `AccessKeyRepository.delete`. */
import { describe, expect, it } from 'vitest';

import type { Attachment, Policy, User } from '../../domain/identity.js';
import type { AccessKeyRecord } from '../store.js';
import { bytes, expectDomainError, T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

function user(name: string, overrides: Partial<User> = {}): User {
  return {
    id: `id-${name}`,
    name,
    displayName: `Display ${name}`,
    comments: '',
    email: '',
    mobilePhone: '',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function policy(name: string): Policy {
  return {
    name,
    type: 'custom',
    description: `about ${name}`,
    document: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}',
    createdAt: T0,
    updatedAt: T0,
  };
}

function key(id: string, userName: string): AccessKeyRecord {
  return { id, userName, status: 'active', encryptedSecret: bytes(32, id.length), createdAt: T0 };
}

function attachment(userName: string, name: string, type: 'custom' | 'system', at = T0): Attachment {
  return { userName, type, name, attachedAt: at };
}

/** Registers the identity cases. */
export function describeIdentityCases(store: StoreRef): void {
  describe('identities', () => {
    it('inserts, reads and pages users by name; a taken name is user_already_exists', async () => {
      const alice = user('alice', { comments: 'ops', email: 'a@example.com', mobilePhone: '86-1234567' });
      for (const u of [user('carol'), alice, user('Bob'), user('bob')])
        await store().identities.insertUser(u);
      expect(await store().identities.getUser('alice')).toEqual(alice);
      expect(await store().identities.getUser('nobody')).toBeUndefined();
      // Code-point order: upper case sorts before lower case.
      const first = await store().identities.listUsers({ limit: 2 });
      expect(first.map((u) => u.name)).toEqual(['Bob', 'alice']);
      const rest = await store().identities.listUsers({ after: 'alice', limit: 10 });
      expect(rest.map((u) => u.name)).toEqual(['bob', 'carol']);
      await expectDomainError(
        store().identities.insertUser(user('alice', { id: 'other' })),
        'user_already_exists',
      );
      expect(await store().identities.getUser('alice')).toEqual(alice);
    });

    it('renames a user together with its access keys and attachments', async () => {
      await store().identities.insertUser(user('old'));
      await store().identities.insertUser(user('taken'));
      await store().accessKeys.put(key('AK-old', 'old'));
      await store().identities.insertPolicy(policy('p1'));
      await store().identities.attach(attachment('old', 'p1', 'custom'));
      await store().identities.attach(attachment('old', 'AdministratorAccess', 'system', T0 + 1));

      const renamed = user('new', { id: 'id-old', displayName: 'Renamed', updatedAt: T0 + 5 });
      await store().identities.saveUser('old', renamed);
      expect(await store().identities.getUser('old')).toBeUndefined();
      expect(await store().identities.getUser('new')).toEqual(renamed);
      expect((await store().accessKeys.get('AK-old'))?.userName).toBe('new');
      expect((await store().identities.listAttachments('new')).map((a) => a.name)).toEqual([
        'p1',
        'AdministratorAccess',
      ]);
      expect(await store().identities.listAttachments('old')).toEqual([]);

      await expectDomainError(
        store().identities.saveUser('new', { ...renamed, name: 'taken' }),
        'user_already_exists',
      );
      expect(await store().identities.getUser('new')).toEqual(renamed);
      expect((await store().accessKeys.get('AK-old'))?.userName).toBe('new');
    });

    it('deletes users and access keys, saying whether one was there', async () => {
      await store().identities.insertUser(user('gone'));
      await store().accessKeys.put(key('AK-gone', 'gone'));
      expect(await store().accessKeys.delete('AK-gone')).toBe(true);
      expect(await store().accessKeys.delete('AK-gone')).toBe(false);
      expect(await store().accessKeys.get('AK-gone')).toBeUndefined();
      expect(await store().identities.deleteUser('gone')).toBe(true);
      expect(await store().identities.deleteUser('gone')).toBe(false);
      expect(await store().identities.getUser('gone')).toBeUndefined();
    });

    it('stores custom policies: insert, get, list by name, delete; a taken name is policy_already_exists', async () => {
      for (const name of ['b-policy', 'a-policy', 'c-policy'])
        await store().identities.insertPolicy(policy(name));
      expect(await store().identities.getPolicy('a-policy')).toEqual(policy('a-policy'));
      expect((await store().identities.listPolicies({ limit: 2 })).map((p) => p.name)).toEqual([
        'a-policy',
        'b-policy',
      ]);
      expect(
        (await store().identities.listPolicies({ after: 'b-policy', limit: 5 })).map((p) => p.name),
      ).toEqual(['c-policy']);
      await expectDomainError(store().identities.insertPolicy(policy('a-policy')), 'policy_already_exists');
      expect(await store().identities.deletePolicy('a-policy')).toBe(true);
      expect(await store().identities.deletePolicy('a-policy')).toBe(false);
      expect(await store().identities.getPolicy('a-policy')).toBeUndefined();
    });

    it('attaches, counts, lists and detaches policies; attaching twice is policy_already_attached', async () => {
      await store().identities.insertUser(user('u1'));
      await store().identities.insertUser(user('u2'));
      await store().identities.insertPolicy(policy('shared'));
      await store().identities.attach(attachment('u1', 'shared', 'custom', T0 + 2));
      await store().identities.attach(attachment('u2', 'shared', 'custom'));
      await store().identities.attach(attachment('u1', 'AliyunKMSFullAccess', 'system', T0 + 1));
      await expectDomainError(
        store().identities.attach(attachment('u1', 'shared', 'custom', T0 + 9)),
        'policy_already_attached',
      );
      expect(await store().identities.listAttachments('u1')).toEqual([
        attachment('u1', 'AliyunKMSFullAccess', 'system', T0 + 1),
        attachment('u1', 'shared', 'custom', T0 + 2),
      ]);
      expect(await store().identities.attachmentCounts('custom', ['shared', 'unused'])).toEqual(
        new Map([['shared', 2]]),
      );
      expect(await store().identities.attachmentCounts('system', ['AliyunKMSFullAccess'])).toEqual(
        new Map([['AliyunKMSFullAccess', 1]]),
      );
      expect(await store().identities.attachmentCounts('custom', [])).toEqual(new Map());
      expect(await store().identities.detach('u1', { type: 'custom', name: 'shared' })).toBe(true);
      expect(await store().identities.detach('u1', { type: 'custom', name: 'shared' })).toBe(false);
      // Same name, other type: not the same attachment.
      expect(await store().identities.detach('u1', { type: 'custom', name: 'AliyunKMSFullAccess' })).toBe(
        false,
      );
      expect((await store().identities.listAttachments('u1')).map((a) => a.name)).toEqual([
        'AliyunKMSFullAccess',
      ]);
    });

    it('rolls back a rename with everything else in a failed transaction', async () => {
      await store().identities.insertUser(user('keep'));
      await store().accessKeys.put(key('AK-keep', 'keep'));
      await expect(
        store().transaction(async (tx) => {
          await tx.identities.saveUser('keep', user('moved', { id: 'id-keep' }));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await store().identities.getUser('keep'))?.name).toBe('keep');
      expect((await store().accessKeys.get('AK-keep'))?.userName).toBe('keep');
    });
  });
}
