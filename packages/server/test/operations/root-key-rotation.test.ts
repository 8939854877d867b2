/**
 * Root-key rotation at the service level: every root-sealed value (CMK material of every version and
 * the service key, access-key secrets, webhook signing keys), the audit chain and the check value move
 * to the new key in one transaction. A failure halfway (injected into the store) leaves everything
 * under the old key; afterwards the old key opens nothing and every value reads back identical.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { auditChainHash, auditChainKey } from '../../src/crypto/audit-chain.js';
import { openAccessKeySecret, openWebhookSigningKey, unwrapCmkMaterial } from '../../src/crypto/envelope.js';
import { rootKeyMatches } from '../../src/crypto/root-key.js';
import { ChainWalker } from '../../src/domain/audit.js';
import { resealStore } from '../../src/operations/root-key-rotation.js';
import { openSqliteStore } from '../../src/storage/sqlite.js';
import type { RootSealedItem, Store } from '../../src/storage/store.js';
import { RECEIVER_NETWORK_ENV } from '../fakes/webhook-receiver.js';
import { startTessera, tempDir } from '../helpers.js';

const OLD_KEY = randomBytes(32);
const NEW_KEY = randomBytes(32);
const dir = tempDir();
const dataDir = join(dir.path, 'data');

afterAll(() => {
  dir.remove();
});

function opens(item: RootSealedItem, key: Uint8Array): boolean {
  try {
    if (item.kind === 'key_material') unwrapCmkMaterial(key, item, item.sealed);
    if (item.kind === 'access_key_secret') openAccessKeySecret(key, item.accessKeyId, item.sealed);
    if (item.kind === 'webhook_signing_key') openWebhookSigningKey(key, item.name, item.sealed);
    return true;
  } catch {
    return false;
  }
}

async function chainVerifies(store: Store, key: Uint8Array): Promise<boolean> {
  const chainKey = auditChainKey(key);
  const walker = new ChainWalker((canonical) => auditChainHash(chainKey, canonical));
  const records = await store.audit.scan(0, 100_000);
  return records.length > 0 && records.every((record) => walker.next(record) === undefined);
}

/** Everything the store holds under the root key opens with `key` and with nothing else tried. */
async function sealedUnder(store: Store, key: Uint8Array): Promise<boolean> {
  const items = await store.rootSealed.list();
  const check = await store.meta.get('root_key_check');
  return (
    items.length > 0 &&
    items.every((item) => opens(item, key)) &&
    check !== undefined &&
    rootKeyMatches(key, check) &&
    (await chainVerifies(store, key))
  );
}

/** A store whose `n`-th re-seal inside a transaction fails, as a crash halfway would. */
function failingAt(inner: Store, n: number): Store {
  let calls = 0;
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'transaction') return Reflect.get(target, property, receiver) as unknown;
      return (work: Parameters<Store['transaction']>[0]) =>
        target.transaction((tx) =>
          work({
            ...tx,
            rootSealed: {
              list: () => tx.rootSealed.list(),
              replace: async (item) => {
                calls += 1;
                if (calls === n) throw new Error('crashed halfway');
                await tx.rootSealed.replace(item);
              },
            },
          }),
        );
    },
  });
}

describe('root-key rotation', () => {
  it('re-seals everything in one transaction: all or nothing, and values read back identical', async () => {
    const env = { TESSERA_ROOT_KEY: OLD_KEY.toString('base64'), ...RECEIVER_NETWORK_ENV };
    const first = await startTessera({ dataDir, keepData: true, env });
    const { services } = first.tessera;
    const key = await services.keys.createKey({ description: 'cmk', tags: [] });
    await services.keys.createKeyVersion(key.id);
    await services.secrets.createSecret({
      name: 'under/cmk',
      versionId: 'v1',
      data: 'sealed-by-a-cmk',
      dataType: 'text',
      encryptionKeyId: key.id,
    });
    await services.secrets.createSecret({
      name: 'under/service',
      versionId: 'v1',
      data: 'service-key',
      dataType: 'text',
    });
    await services.identities.createUser({ name: 'alice' });
    const accessKey = await services.accessKeys.create('alice');
    const webhook = await services.rotationWebhooks.create({
      name: 'hook',
      url: 'http://127.0.0.1:9/rotate',
    });
    for (let n = 0; n < 30; n++) {
      await services.audit.record({
        time: Date.now(),
        requestId: `req-${n}`,
        phase: 'outcome',
        principal: 'administrator',
        accessKeyId: null,
        sourceIp: '127.0.0.1',
        action: 'GetSecretValue',
        resource: 'under/cmk',
        secretName: 'under/cmk',
        versionId: null,
        versionStage: null,
        keyId: null,
        resultCode: 'Success',
        httpStatus: 200,
      });
    }
    await first.stop();

    const store = await openSqliteStore({ path: join(dataDir, 'tessera.db') });
    try {
      const before = await store.rootSealed.list();
      expect(new Set(before.map((item) => item.kind))).toEqual(
        new Set(['key_material', 'access_key_secret', 'webhook_signing_key']),
      );
      // Service key, the CMK's two versions; the bootstrap key and alice's; one webhook.
      expect(before.length).toBe(6);

      await expect(resealStore(failingAt(store, 4), OLD_KEY, NEW_KEY)).rejects.toThrow('crashed halfway');
      expect(await sealedUnder(store, OLD_KEY)).toBe(true);

      const counts = await resealStore(store, OLD_KEY, NEW_KEY);
      expect(counts).toEqual({
        keyMaterial: 3,
        accessKeySecrets: 2,
        webhookSigningKeys: 1,
        mfaSecrets: 0,
        auditRecords: 30,
      });
      expect(await sealedUnder(store, NEW_KEY)).toBe(true);
      const after = await store.rootSealed.list();
      expect(after.some((item) => opens(item, OLD_KEY))).toBe(false);
      expect(await chainVerifies(store, OLD_KEY)).toBe(false);
      const signingKey = after.find((item) => item.kind === 'webhook_signing_key');
      expect(signingKey && openWebhookSigningKey(NEW_KEY, 'hook', signingKey.sealed).toString('base64')).toBe(
        webhook.signingKey,
      );

      await expect(resealStore(store, OLD_KEY, NEW_KEY)).rejects.toThrow(
        'already sealed under the new root key',
      );
    } finally {
      await store.close();
    }

    await expect(startTessera({ dataDir, keepData: true, env })).rejects.toThrow('does not match');
    const second = await startTessera({
      dataDir,
      keepData: true,
      env: { TESSERA_ROOT_KEY: NEW_KEY.toString('base64'), ...RECEIVER_NETWORK_ENV },
    });
    try {
      const secrets = second.tessera.services.secrets;
      expect((await secrets.getSecretValue({ name: 'under/cmk' })).data).toBe('sealed-by-a-cmk');
      expect((await secrets.getSecretValue({ name: 'under/service' })).data).toBe('service-key');
      expect(accessKey.secret.length).toBeGreaterThan(10);
      const resolved = await second.tessera.services.accessKeys.resolve(accessKey.id);
      expect(resolved?.secret).toBe(accessKey.secret);
      expect((await second.tessera.services.audit.verify()).broken).toBeUndefined();
    } finally {
      await second.stop();
    }
  });
});
