/**
 * The identity and access-key services on a real store: the caches `resolve` and `policiesFor` keep
 * must never serve an answer older than the last change made through the services.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccessKeyService } from '../../src/services/access-key-service.js';
import type { IdentityService } from '../../src/services/identity-service.js';
import { ManualClock } from '../fakes/manual-clock.js';
import type { TestInstance } from '../helpers.js';
import { startTessera } from '../helpers.js';

let instance: TestInstance;
let identities: IdentityService;
let accessKeys: AccessKeyService;

beforeEach(async () => {
  instance = await startTessera({ clock: new ManualClock() });
  ({ identities, accessKeys } = instance.tessera.services);
});

afterEach(async () => {
  await instance.stop();
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'DomainError', code });
}

const READ = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:GetSecretValue","Resource":"*"}]}';

describe('identity service', () => {
  it('has the administrator from the first start, who cannot be deleted or renamed', async () => {
    expect((await identities.getUser('administrator')).name).toBe('administrator');
    await expectCode(identities.deleteUser('administrator'), 'administrator_protected');
    await expectCode(identities.updateUser('administrator', { newName: 'root' }), 'administrator_protected');
  });

  it('answers policiesFor from attachments, and a change is seen at once despite the cache', async () => {
    expect(await identities.policiesFor('nobody')).toBeUndefined();
    await identities.createUser({ name: 'alice' });
    expect(await identities.policiesFor('alice')).toEqual([]);
    await identities.createPolicy({ name: 'reader', document: READ });
    await identities.attachPolicy('alice', { type: 'custom', name: 'reader' });
    await identities.attachPolicy('alice', { type: 'system', name: 'AliyunKMSFullAccess' });
    const attached = await identities.policiesFor('alice');
    expect(attached).toHaveLength(2);
    expect(await identities.policiesFor('alice')).toBe(attached);
    await identities.detachPolicy('alice', { type: 'custom', name: 'reader' });
    expect(await identities.policiesFor('alice')).toHaveLength(1);

    await identities.updateUser('alice', { newName: 'alice2' });
    expect(await identities.policiesFor('alice')).toBeUndefined();
    expect(await identities.policiesFor('alice2')).toHaveLength(1);
    await identities.detachPolicy('alice2', { type: 'system', name: 'AliyunKMSFullAccess' });
    await identities.deleteUser('alice2');
    expect(await identities.policiesFor('alice2')).toBeUndefined();
  });

  it('refuses to delete a user with keys or policies, or a policy in use, and changes nothing', async () => {
    await identities.createUser({ name: 'bob' });
    await identities.createPolicy({ name: 'reader', document: READ });
    const key = await accessKeys.create('bob');
    await identities.attachPolicy('bob', { type: 'custom', name: 'reader' });
    await expectCode(identities.deleteUser('bob'), 'user_has_access_keys');
    await accessKeys.delete(key.id, 'bob');
    await expectCode(identities.deleteUser('bob'), 'user_has_policies');
    await expectCode(identities.deletePolicy('reader'), 'policy_in_use');
    expect((await identities.getPolicy({ type: 'custom', name: 'reader' })).attachmentCount).toBe(1);
    await identities.detachPolicy('bob', { type: 'custom', name: 'reader' });
    await identities.deletePolicy('reader');
    await identities.deleteUser('bob');
    await expectCode(identities.getUser('bob'), 'user_not_found');
  });

  it('pages policies: system ones first, then custom ones, each by name', async () => {
    for (const name of ['zeta', 'alpha']) await identities.createPolicy({ name, document: READ });
    await expectCode(
      identities.createPolicy({ name: 'AdministratorAccess', document: READ }),
      'policy_already_exists',
    );
    const seen: string[] = [];
    let after;
    do {
      const page = await identities.listPolicies({ after, limit: 3 });
      seen.push(...page.policies.map((p) => `${p.policy.type}:${p.policy.name}`));
      after = page.next;
    } while (after !== undefined);
    expect(seen).toEqual([
      'system:AdministratorAccess',
      'system:AliyunKMSCryptoUserAccess',
      'system:AliyunKMSFullAccess',
      'system:AliyunKMSReadOnlyAccess',
      'system:AliyunKMSSecretAdminAccess',
      'system:AliyunKMSSecretUserAccess',
      'system:AliyunRAMFullAccess',
      'system:AliyunRAMReadOnlyAccess',
      'custom:alpha',
      'custom:zeta',
    ]);
    const custom = await identities.listPolicies({ type: 'custom', limit: 10 });
    expect(custom.policies.map((p) => p.policy.name)).toEqual(['alpha', 'zeta']);
    expect(custom.next).toBeUndefined();
  });
});

describe('access key service', () => {
  it('creates at most two keys per user, lists them without secrets', async () => {
    await expectCode(accessKeys.create('ghost'), 'user_not_found');
    await identities.createUser({ name: 'carol' });
    const first = await accessKeys.create('carol');
    const second = await accessKeys.create('carol');
    await expectCode(accessKeys.create('carol'), 'access_key_limit_exceeded');
    const listed = await accessKeys.list('carol');
    expect(listed.map((k) => k.id).sort()).toEqual([first.id, second.id].sort());
    expect(JSON.stringify(listed)).not.toContain(first.secret);
    expect(listed.every((k) => !('secret' in k))).toBe(true);
  });

  it('resolves through its cache, and every change is seen by the next resolve', async () => {
    await identities.createUser({ name: 'dave' });
    const key = await accessKeys.create('dave');
    expect((await accessKeys.resolve(key.id))?.status).toBe('active');
    await accessKeys.setStatus(key.id, 'inactive', 'dave');
    expect((await accessKeys.resolve(key.id))?.status).toBe('inactive');
    await accessKeys.setStatus(key.id, 'active', 'dave');
    expect((await accessKeys.resolve(key.id))?.status).toBe('active');
    await identities.updateUser('dave', { newName: 'david' });
    expect((await accessKeys.resolve(key.id))?.userName).toBe('david');
    await expectCode(accessKeys.delete(key.id, 'dave'), 'user_not_found');
    await identities.createUser({ name: 'erin' });
    await expectCode(accessKeys.delete(key.id, 'erin'), 'access_key_not_found');
    await accessKeys.delete(key.id, 'david');
    expect(await accessKeys.resolve(key.id)).toBeUndefined();
  });

  it("keeps the administrator's last active key", async () => {
    const [only] = await accessKeys.list('administrator');
    if (!only) throw new Error('no administrator key');
    await expectCode(accessKeys.setStatus(only.id, 'inactive'), 'administrator_protected');
    await expectCode(accessKeys.delete(only.id), 'administrator_protected');
    const spare = await accessKeys.create('administrator');
    await accessKeys.setStatus(only.id, 'inactive');
    await expectCode(accessKeys.delete(spare.id), 'administrator_protected');
    await accessKeys.delete(only.id);
    expect((await accessKeys.list('administrator')).map((k) => k.id)).toEqual([spare.id]);
  });
});
