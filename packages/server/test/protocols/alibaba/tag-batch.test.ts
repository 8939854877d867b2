/**
 * TagResources changes every resource it names or none of them, even when another writer commits
 * while the batch runs. Racing two HTTP calls cannot hit the window reliably (a whole batch takes about
 * a millisecond), so a store wrapper commits the competing write at the worst moment: right after the
 * batch has read the contested resource, before it writes anything.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SECRET_LIMITS } from '../../../src/domain/secret.js';
import { OPERATIONS } from '../../../src/domain/operations.js';
import type { KmsOperationName, OperationName } from '../../../src/domain/operations.js';
import { OperationAccess } from '../../../src/services/operations/access.js';
import type { ActionContext } from '../../../src/protocols/alibaba/action.js';
import { KMS_ACTIONS } from '../../../src/protocols/alibaba/actions/index.js';
import { Params } from '../../../src/protocols/alibaba/params.js';
import { AuditService } from '../../../src/services/audit-service.js';
import { AccessKeyService } from '../../../src/services/access-key-service.js';
import { systemClock } from '../../../src/services/clock.js';
import { IdentityService } from '../../../src/services/identity-service.js';
import { KeyService } from '../../../src/services/key-service.js';
import { PasswordService } from '../../../src/services/password-service.js';
import { SecretPolicyCache } from '../../../src/services/secret-policy-cache.js';
import { SecretService } from '../../../src/services/secret-service.js';
import type { Services } from '../../../src/services/services.js';
import { openSqliteStore, SQLITE_IN_MEMORY } from '../../../src/storage/sqlite.js';
import type { KeyRepository, Repositories, SecretRepository, Store } from '../../../src/storage/store.js';

/** Runs after a read of a secret (by name) or a key (by id). */
type ReadHook = (resource: string) => Promise<unknown> | undefined;

/**
 * The store, calling `hook` after every read of a secret or key. Outside a transaction the reader waits
 * for what the hook started (a competing write commits before the reader goes on); inside one it cannot
 * (the write needs the connection the transaction holds), so the write queues behind the transaction.
 */
function watchedStore(store: Store, hook: () => ReadHook): Store {
  const after = async <T>(resource: string, read: Promise<T>, inTransaction: boolean): Promise<T> => {
    const found = await read;
    const competing = hook()(resource);
    if (competing && !inTransaction) await competing;
    return found;
  };
  const wrap = (repos: Repositories, inTransaction: boolean): Repositories => {
    const secrets: SecretRepository = {
      getByName: (name, options) => after(name, repos.secrets.getByName(name, options), inTransaction),
      insert: (secret, ciphertext) => repos.secrets.insert(secret, ciphertext),
      save: (secret, write) => repos.secrets.save(secret, write),
      getCiphertext: (secretId, versionId) => repos.secrets.getCiphertext(secretId, versionId),
      list: (query) => repos.secrets.list(query),
      getPolicy: (secretId, name) => repos.secrets.getPolicy(secretId, name),
      savePolicy: (policy) => repos.secrets.savePolicy(policy),
      destroy: (secretId) => repos.secrets.destroy(secretId),
      listExpired: (now, limit) => repos.secrets.listExpired(now, limit),
    };
    const keys: KeyRepository = {
      insert: (key, version, material) => repos.keys.insert(key, version, material),
      get: (keyId, options) => after(keyId, repos.keys.get(keyId, options), inTransaction),
      getServiceKey: () => repos.keys.getServiceKey(),
      save: (key) => repos.keys.save(key),
      addVersion: (version, material) => repos.keys.addVersion(version, material),
      getWrappedMaterial: (keyId, versionId) => repos.keys.getWrappedMaterial(keyId, versionId),
      listVersions: (keyId) => repos.keys.listVersions(keyId),
      list: (query) => repos.keys.list(query),
      destroy: (keyId) => repos.keys.destroy(keyId),
      listExpired: (now, limit) => repos.keys.listExpired(now, limit),
    };
    return {
      secrets,
      keys,
      aliases: repos.aliases,
      accessKeys: repos.accessKeys,
      meta: repos.meta,
      audit: repos.audit,
      identities: repos.identities,
    };
  };
  return {
    ...wrap(store, false),
    transaction: (work) => store.transaction((tx) => work(wrap(tx, true))),
    close: () => store.close(),
  };
}

let store: Store;
let services: Services;
let hook: ReadHook = () => undefined;

beforeEach(async () => {
  const rootKey = randomBytes(32);
  store = watchedStore(await openSqliteStore({ path: SQLITE_IN_MEMORY }), () => hook);
  const keys = new KeyService({ store, rootKey, clock: systemClock });
  await keys.ensureServiceKey();
  const accessKeys = new AccessKeyService({ store, rootKey, clock: systemClock });
  services = {
    keys,
    secrets: new SecretService({ store, keys, clock: systemClock, limits: DEFAULT_SECRET_LIMITS }),
    accessKeys,
    passwords: new PasswordService(),
    audit: new AuditService({ store, rootKey }),
    secretPolicies: new SecretPolicyCache({ store }),
    identities: new IdentityService({ store, clock: systemClock, accessKeys }),
  };
});

afterEach(async () => {
  hook = () => undefined;
  await store.close();
});

function call(action: KmsOperationName, params: Record<string, string>): Promise<unknown> {
  const handler = KMS_ACTIONS[action];
  const identity = { region: 'cn-hangzhou', accountId: '1234567890123456' };
  const principal = { accessKeyId: 'TesseraTestAdmin', userName: 'administrator' };
  const context: ActionContext = {
    params: new Params(new Map(Object.entries(params))),
    services,
    identity,
    principal,
    requestId: 'test',
    method: 'POST',
    serviceKeyId: 'none',
    noteResource: () => undefined,
    markDryRun: () => undefined,
    access: new OperationAccess({
      services,
      identity,
      policies: { policiesFor: () => Promise.resolve([]) },
      name: action,
      operation: OPERATIONS[action as OperationName],
      principal,
      context: { secureTransport: false },
    }),
  };
  return handler(context);
}

const tagList = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, value: 'v' }));

/**
 * Once the batch has read `contested`, a competing call tags it up to the 20-tag limit. Returns the
 * outcome of the batch and of the competing call.
 */
async function race(
  contested: string,
  competing: () => Promise<unknown>,
  batch: () => Promise<unknown>,
): Promise<{ batch: 'fulfilled' | 'rejected'; competing: 'fulfilled' | 'rejected' }> {
  let started: Promise<PromiseSettledResult<unknown>> | undefined;
  hook = (resource) => {
    if (resource !== contested || started) return undefined;
    started = Promise.allSettled([competing()]).then(([outcome]) => outcome);
    return started;
  };
  const [outcome] = await Promise.allSettled([batch()]);
  hook = () => undefined;
  if (!started) throw new Error('the batch never read the contested resource');
  return { batch: outcome.status, competing: (await started).status };
}

describe('TagResources under a competing writer', () => {
  it('tags every secret or none when another call fills one of them meanwhile', async () => {
    const { secrets } = services;
    for (const name of ['first', 'second']) {
      await secrets.createSecret({ name, versionId: 'v1', data: 'x', dataType: 'text' });
    }
    await secrets.createSecret({
      name: 'contested',
      versionId: 'v1',
      data: 'x',
      dataType: 'text',
      tags: tagList('old', 10),
    });
    const outcome = await race(
      'contested',
      () => secrets.tagSecret('contested', tagList('fill', 10)),
      () =>
        call('TagResources', {
          RegionId: 'cn-hangzhou',
          ResourceType: 'secret',
          'ResourceId.1': 'first',
          'ResourceId.2': 'second',
          'ResourceId.3': 'contested',
          'Tag.1.Key': 'batch',
          'Tag.1.Value': 'b',
        }),
    );
    // One of the two calls had to fail (10 + 10 + 1 tags do not fit in 20).
    expect([outcome.batch, outcome.competing].sort()).toEqual(['fulfilled', 'rejected']);
    const batchTags = [];
    for (const name of ['first', 'second', 'contested']) {
      batchTags.push((await secrets.describeSecret(name)).tags.find((t) => t.key === 'batch')?.value);
    }
    expect(batchTags).toEqual(
      outcome.batch === 'fulfilled' ? ['b', 'b', 'b'] : [undefined, undefined, undefined],
    );
  });

  it('tags every key or none when another call fills one of them meanwhile', async () => {
    const { keys } = services;
    const first = (await keys.createKey({ description: '', tags: [] })).id;
    const contested = (await keys.createKey({ description: '', tags: tagList('old', 10) })).id;
    const outcome = await race(
      contested,
      () => keys.tagKey(contested, tagList('fill', 10)),
      () =>
        call('TagResources', {
          RegionId: 'cn-hangzhou',
          ResourceType: 'key',
          'ResourceId.1': first,
          'ResourceId.2': contested,
          'Tag.1.Key': 'batch',
          'Tag.1.Value': 'b',
        }),
    );
    expect([outcome.batch, outcome.competing].sort()).toEqual(['fulfilled', 'rejected']);
    const batchTags = [];
    for (const id of [first, contested]) {
      batchTags.push((await keys.describeKey(id)).tags.find((t) => t.key === 'batch')?.value);
    }
    expect(batchTags).toEqual(outcome.batch === 'fulfilled' ? ['b', 'b'] : [undefined, undefined]);
  });
});
