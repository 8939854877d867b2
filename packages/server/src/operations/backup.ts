/**
 * `tessera backup FILE`: a consistent snapshot of the store, taken while servers keep serving, into
 * one file only the root key opens. The command opens the store itself with the server's settings
 * (it needs no running server): on SQLite a read transaction on the WAL database sees one snapshot
 * from another process without stopping the writer; on PostgreSQL a repeatable-read transaction does.
 */
import { resolve } from 'node:path';

import { BackupWriter } from './backup-file.js';
import {
  assertRootKeyOpens,
  engineOf,
  openConfiguredStore,
  operationConfig,
  operationRootKey,
} from './context.js';

export interface BackupReport {
  readonly file: string;
  readonly source: 'sqlite' | 'postgresql';
  readonly bytes: number;
  readonly schemaVersion: string;
  readonly rows: Readonly<Record<string, number>>;
}

export async function backup(
  env: Readonly<Record<string, string | undefined>>,
  file: string,
  now: () => Date = () => new Date(),
): Promise<BackupReport> {
  const config = operationConfig(env);
  const rootKey = operationRootKey(config);
  const path = resolve(file);
  const store = await openConfiguredStore(config, true);
  try {
    await assertRootKeyOpens(store, rootKey.key, 'this store');
    const source = engineOf(config);
    const writer = await BackupWriter.create(path, rootKey.key, source, now());
    try {
      const summary = await store.exportRows((batch) => writer.writeBatch(batch));
      const bytes = await writer.finish(summary);
      return { file: path, source, bytes, schemaVersion: summary.schemaVersion, rows: summary.rows };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  } finally {
    await store.close();
  }
}
