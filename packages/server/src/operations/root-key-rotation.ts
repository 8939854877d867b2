/**
 * `tessera root-key rotate`: re-seals everything the root key protects under a new root key, in one
 * store transaction — CMK material of every key version (service key included), access-key secrets,
 * rotation-webhook signing keys (all listed by `RootSealedRepository`), the audit chain (whose keyed
 * hashes are derived from the root key: verified under the old key, re-linked under the new), and the
 * root-key check value. A crash at any point leaves either all of it under the old key or all under
 * the new one.
 *
 * Offline only: a running server holds the old key in memory and would go on sealing under it. On
 * SQLite the data folder lock refuses while a server runs; on PostgreSQL every node must be stopped
 * first (docs/operations.md).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { auditChainHash, auditChainKey, auditHeadKey } from '../crypto/audit-chain.js';
import { SealedHeadFile } from '../services/audit-files.js';
import { AUDIT_HEAD_FILE } from '../app.js';
import {
  openAccessKeySecret,
  openMfaSecret,
  openWebhookSigningKey,
  sealAccessKeySecret,
  sealMfaSecret,
  sealWebhookSigningKey,
  unwrapCmkMaterial,
  wrapCmkMaterial,
} from '../crypto/envelope.js';
import { decodeRootKey, makeRootKeyCheck, rootKeyMatches } from '../crypto/root-key.js';
import { ChainWalker, canonicalAuditEncoding, GENESIS_HASH } from '../domain/audit.js';
import { SCHEDULER_LEASE } from '../services/rotation/scheduler.js';
import type { AuditLink, RootSealedItem, Store } from '../storage/store.js';
import {
  OperationError,
  engineOf,
  openConfiguredStore,
  operationConfig,
  operationRootKey,
} from './context.js';
import { lockFolder } from './restore.js';

export interface ResealCounts {
  readonly keyMaterial: number;
  readonly accessKeySecrets: number;
  readonly webhookSigningKeys: number;
  readonly mfaSecrets: number;
  readonly auditRecords: number;
}

export interface RootKeyRotationReport extends ResealCounts {
  /** Where the new key now has to come from: the key file (rewritten) or the environment (to change). */
  readonly keySource: 'file' | 'environment';
  readonly keyFile: string | undefined;
}

const CHAIN_PAGE = 1000;

/**
 * Re-seals the store's root-protected values from `oldKey` to `newKey` in one transaction. Refuses
 * when `oldKey` does not open the store; nothing changes then.
 */
export async function resealStore(
  store: Store,
  oldKey: Uint8Array,
  newKey: Uint8Array,
): Promise<ResealCounts> {
  return store.transaction(async (tx) => {
    const check = await tx.meta.get('root_key_check');
    if (check === undefined)
      throw new OperationError('The store has never been started; there is nothing to re-seal.');
    if (!rootKeyMatches(oldKey, check)) {
      throw new OperationError(
        rootKeyMatches(newKey, check)
          ? 'The store is already sealed under the new root key; nothing to do.'
          : 'The current root key does not open this store.',
      );
    }
    const counts = {
      keyMaterial: 0,
      accessKeySecrets: 0,
      webhookSigningKeys: 0,
      mfaSecrets: 0,
      auditRecords: 0,
    };
    for (const item of await tx.rootSealed.list()) {
      await tx.rootSealed.replace(reseal(item, oldKey, newKey));
      if (item.kind === 'key_material') counts.keyMaterial += 1;
      if (item.kind === 'access_key_secret') counts.accessKeySecrets += 1;
      if (item.kind === 'webhook_signing_key') counts.webhookSigningKeys += 1;
      if (item.kind === 'mfa_secret') counts.mfaSecrets += 1;
    }

    const oldChain = auditChainKey(oldKey);
    const newChain = auditChainKey(newKey);
    const walker = new ChainWalker((canonical) => auditChainHash(oldChain, canonical));
    let previous = GENESIS_HASH;
    for (;;) {
      const page = await tx.audit.scan(walker.head.seq, CHAIN_PAGE);
      const links: AuditLink[] = [];
      for (const record of page) {
        const broken = walker.next(record);
        if (broken) {
          throw new OperationError(
            `The audit chain breaks at record ${broken.seq} (${broken.reason}); it is left as it is and nothing was re-sealed. Run \`tessera audit verify\` and investigate first.`,
          );
        }
        // The encoding leaves `hash` out; only the link to the re-linked predecessor changes.
        const relinked = { ...record, prevHash: previous };
        previous = auditChainHash(newChain, canonicalAuditEncoding(relinked));
        links.push({ seq: record.seq, prevHash: relinked.prevHash, hash: previous });
      }
      await tx.audit.relink(links);
      counts.auditRecords += links.length;
      if (page.length < CHAIN_PAGE) break;
    }

    await tx.meta.set('root_key_check', makeRootKeyCheck(newKey));
    return counts;
  });
}

function reseal(item: RootSealedItem, oldKey: Uint8Array, newKey: Uint8Array): RootSealedItem {
  switch (item.kind) {
    case 'key_material': {
      const ref = { keyId: item.keyId, versionId: item.versionId };
      return { ...item, sealed: wrapCmkMaterial(newKey, ref, unwrapCmkMaterial(oldKey, ref, item.sealed)) };
    }
    case 'access_key_secret': {
      const secret = openAccessKeySecret(oldKey, item.accessKeyId, item.sealed);
      return { ...item, sealed: sealAccessKeySecret(newKey, item.accessKeyId, secret) };
    }
    case 'webhook_signing_key': {
      const key = openWebhookSigningKey(oldKey, item.name, item.sealed);
      return { ...item, sealed: sealWebhookSigningKey(newKey, item.name, key) };
    }
    case 'mfa_secret':
      return { ...item, sealed: sealMfaSecret(newKey, openMfaSecret(oldKey, item.sealed)) };
  }
}

/**
 * A best-effort check for running servers that no data-folder lock covers (PostgreSQL nodes): a
 * server with the rotation scheduler on renews its lease on every tick, so a lease another holder has
 * not let expire means a live node (or one killed less than a lease ago). The check takes the lease
 * for a millisecond only, so a rotation killed midway leaves nothing behind that blocks the next.
 */
async function refuseLiveScheduler(store: Store): Promise<void> {
  if (!(await store.leases.acquire(SCHEDULER_LEASE, `root-key-rotation-${process.pid}`, Date.now(), 1))) {
    throw new OperationError(
      'A running Tessera server holds the rotation scheduler lease on this store: stop every server first (a killed one lets it go after TESSERA_ROTATION_LEASE_SECONDS).',
    );
  }
}

/**
 * The sealed audit head beside the data (docs/audit.md) names the chain's newest hash under a key
 * derived from the root key: both changed, so it is sealed again, or the next start would find a head it
 * cannot open and report it.
 */
async function resealAuditHead(store: Store, path: string, newKey: Buffer): Promise<void> {
  if (!existsSync(path)) return;
  const head = await store.audit.head();
  const file = new SealedHeadFile(path, auditHeadKey(newKey));
  try {
    if (head) file.write(head);
  } finally {
    file.close();
  }
}

/** Where the new root key comes from: `--new-key-file`, else `TESSERA_NEW_ROOT_KEY`. */
export function readNewRootKey(
  env: Readonly<Record<string, string | undefined>>,
  newKeyFile: string | undefined,
): Buffer {
  const text =
    newKeyFile !== undefined
      ? readKeyFile(newKeyFile)
      : env.TESSERA_NEW_ROOT_KEY?.trim() === ''
        ? undefined
        : env.TESSERA_NEW_ROOT_KEY;
  if (text === undefined) {
    throw new OperationError('Give the new root key with --new-key-file FILE or in TESSERA_NEW_ROOT_KEY.');
  }
  try {
    return decodeRootKey(text);
  } catch (error) {
    throw new OperationError(`The new root key is not usable: ${(error as Error).message}.`);
  }
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new OperationError(`Cannot read the new root key file: ${(error as Error).message}.`);
  }
}

export async function rotateRootKey(
  env: Readonly<Record<string, string | undefined>>,
  newKeyFile: string | undefined,
): Promise<RootKeyRotationReport> {
  const config = operationConfig(env);
  const oldKey = operationRootKey(config);
  const newKey = readNewRootKey(env, newKeyFile);
  if (newKey.equals(oldKey.key)) throw new OperationError('The new root key is the current one.');
  const lock = engineOf(config) === 'sqlite' ? lockFolder(config.dataDir, 'root-key rotation') : undefined;
  try {
    const store = await openConfiguredStore(config, true);
    let counts: ResealCounts;
    try {
      await refuseLiveScheduler(store);
      counts = await resealStore(store, oldKey.key, newKey);
      await resealAuditHead(store, join(config.dataDir, AUDIT_HEAD_FILE), newKey);
    } finally {
      await store.close();
    }
    if (oldKey.source === 'environment') {
      return { ...counts, keySource: 'environment', keyFile: undefined };
    }
    // The store now opens only with the new key: the key file follows at once (write, then rename,
    // so the file is always one whole key). Should this step fail, the new key is still wherever the
    // operator gave it from.
    const temporary = `${config.rootKeyFile}.new`;
    try {
      writeFileSync(temporary, `${newKey.toString('base64')}\n`, { mode: 0o600 });
      renameSync(temporary, config.rootKeyFile);
    } catch (error) {
      throw new OperationError(
        `The store is re-sealed under the new root key, but ${config.rootKeyFile} could not be replaced (${(error as Error).message}): put the new key there yourself before starting the server.`,
      );
    }
    return { ...counts, keySource: 'file', keyFile: config.rootKeyFile };
  } finally {
    lock?.release();
  }
}
