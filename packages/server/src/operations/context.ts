/**
 * What every offline operation starts from: the server's own settings (the same environment the
 * server runs with), the root key (never generated here), and the store those settings name.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { DATABASE_FILE } from '../app.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/config.js';
import { loadRootKey, rootKeyMatches } from '../crypto/root-key.js';
import type { LoadedRootKey } from '../crypto/root-key.js';
import { openPostgresStore } from '../storage/postgres.js';
import { openSqliteStore } from '../storage/sqlite.js';
import type { Store } from '../storage/store.js';

/** A failure the operator can act on; the message says what and how. */
export class OperationError extends Error {
  override name = 'OperationError';
}

export function operationConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // ConfigError lists every problem; it reaches the operator as it is.
  return loadConfig(env);
}

export function operationRootKey(config: Config): LoadedRootKey {
  try {
    return loadRootKey({
      fromEnvironment: config.rootKey,
      file: config.rootKeyFile,
      generateIfMissing: false,
    });
  } catch (error) {
    throw new OperationError(`Cannot load the root key: ${(error as Error).message}.`);
  }
}

/** `sqlite` or `postgresql`: where these settings keep the store. */
export function engineOf(config: Config): 'sqlite' | 'postgresql' {
  return config.databaseUrl === undefined ? 'sqlite' : 'postgresql';
}

/**
 * Opens the store the settings name. `mustExist`: a SQLite data folder without a database is an
 * error rather than a new, empty database.
 */
export async function openConfiguredStore(config: Config, mustExist: boolean): Promise<Store> {
  if (config.databaseUrl !== undefined) return openPostgresStore({ connectionString: config.databaseUrl });
  const path = join(config.dataDir, DATABASE_FILE);
  if (mustExist && !existsSync(path)) {
    throw new OperationError(`There is no Tessera database in ${config.dataDir} (no ${DATABASE_FILE}).`);
  }
  return openSqliteStore({ path });
}

/** Refuses a root key that does not open this store's data (a store never started has no check yet). */
export async function assertRootKeyOpens(store: Store, rootKey: Uint8Array, what: string): Promise<void> {
  const check = await store.meta.get('root_key_check');
  if (check !== undefined && !rootKeyMatches(rootKey, check)) {
    throw new OperationError(`The root key does not open ${what}: it was sealed under another root key.`);
  }
}
