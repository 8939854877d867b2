/**
 * `tessera restore FILE`: loads a backup into the empty store the server's settings name (a SQLite
 * data folder or a PostgreSQL database), in one transaction, after checking every frame of the file
 * and, before committing, that the root key opens the data and the audit chain verifies. A target that
 * holds data is refused. On SQLite the data folder is locked meanwhile, so no server starts on it.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { auditChainHash, auditChainKey } from '../crypto/audit-chain.js';
import { rootKeyMatches } from '../crypto/root-key.js';
import { ChainWalker } from '../domain/audit.js';
import { DataFolderLockedError, lockDataFolder } from '../storage/data-folder-lock.js';
import type { DataFolderLock } from '../storage/data-folder-lock.js';
import type { Repositories } from '../storage/store.js';
import { SchemaMismatchError, StoreNotEmptyError } from '../storage/store.js';
import { openBackup } from './backup-file.js';
import {
  OperationError,
  engineOf,
  openConfiguredStore,
  operationConfig,
  operationRootKey,
} from './context.js';

export interface RestoreReport {
  readonly file: string;
  readonly target: 'sqlite' | 'postgresql';
  /** Where the backup was taken from, and when (from its header). */
  readonly source: string;
  readonly takenAt: string;
  readonly rows: Readonly<Record<string, number>>;
  readonly auditRecords: number;
}

const CHAIN_PAGE = 1000;

export async function restore(
  env: Readonly<Record<string, string | undefined>>,
  file: string,
): Promise<RestoreReport> {
  const config = operationConfig(env);
  const rootKey = operationRootKey(config);
  const path = resolve(file);
  let backupFile;
  try {
    backupFile = await openBackup(path, rootKey.key);
  } catch (error) {
    throw new OperationError(`Cannot restore ${path}: ${(error as Error).message}.`);
  }
  const target = engineOf(config);
  let lock: DataFolderLock | undefined;
  if (target === 'sqlite') {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    lock = lockFolder(config.dataDir);
  }
  try {
    const store = await openConfiguredStore(config, false);
    try {
      let auditRecords = 0;
      const check = async (tx: Repositories): Promise<void> => {
        const rootKeyCheck = await tx.meta.get('root_key_check');
        if (rootKeyCheck !== undefined && !rootKeyMatches(rootKey.key, rootKeyCheck)) {
          throw new OperationError('The backup was sealed under another root key; nothing was restored.');
        }
        auditRecords = await verifyChain(tx, rootKey.key);
      };
      const summary = await store
        .importRows(backupFile.contents.schemaVersion, backupFile.batches(), check)
        .catch((error: unknown) => {
          if (error instanceof StoreNotEmptyError) {
            throw new OperationError(
              `The target ${describeTarget(target, config.dataDir)} already holds data; restore only into an empty one. Nothing was written.`,
            );
          }
          if (error instanceof SchemaMismatchError)
            throw new OperationError(`${error.message} Nothing was written.`);
          throw error;
        });
      return {
        file: path,
        target,
        source: backupFile.header.source,
        takenAt: backupFile.header.createdAt,
        rows: summary.rows,
        auditRecords,
      };
    } finally {
      await store.close();
    }
  } finally {
    lock?.release();
  }
}

/** Walks the restored chain; throws naming the first break. Returns how many records it checked. */
async function verifyChain(tx: Repositories, rootKey: Uint8Array): Promise<number> {
  const chainKey = auditChainKey(rootKey);
  const walker = new ChainWalker((canonical) => auditChainHash(chainKey, canonical));
  let checked = 0;
  for (;;) {
    const page = await tx.audit.scan(walker.head.seq, CHAIN_PAGE);
    for (const record of page) {
      const broken = walker.next(record);
      if (broken) {
        throw new OperationError(
          `The backup's audit chain breaks at record ${broken.seq} (${broken.reason}); nothing was restored.`,
        );
      }
      checked += 1;
    }
    if (page.length < CHAIN_PAGE) return checked;
  }
}

export function lockFolder(dataDir: string, purpose = 'restore'): DataFolderLock {
  try {
    return lockDataFolder(dataDir, purpose);
  } catch (error) {
    if (error instanceof DataFolderLockedError) throw new OperationError(`${error.message} Stop it first.`);
    throw error;
  }
}

function describeTarget(target: 'sqlite' | 'postgresql', dataDir: string): string {
  return target === 'sqlite' ? `data folder ${dataDir}` : 'PostgreSQL database';
}
