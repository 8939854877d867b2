/**
 * The real PostgreSQL (127.0.0.1:5432, user postgres, trust) and MariaDB/MySQL (127.0.0.1:3306, root,
 * empty password) servers that rotation tests run against, and throwaway accounts on them. The servers are
 * a requirement of the test suite, like the compiler: when one is unreachable the tests fail saying so,
 * they are never skipped.
 *
 * The local PostgreSQL trusts every TCP login, so a successful login proves nothing about a password
 * there; `loginWorks` therefore also checks the password against the verifier the server stores, as the
 * rotator itself does on such servers.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseEngine, DatabaseInstance } from '../src/domain/database-instance.js';
import type { DatabaseAccount } from '../src/domain/rds-secret.js';
import { verifierMatches } from '../src/rotators/postgres-scram.js';

export const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' } as const;
export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '' } as const;

export const ENGINES: readonly DatabaseEngine[] = ['postgresql', 'mysql'];

/** Fails with a clear message when a database server the tests need is not there. */
export async function requireDatabases(): Promise<void> {
  try {
    const client = new pg.Client({ ...POSTGRES, database: 'postgres', connectionTimeoutMillis: 5000 });
    await client.connect();
    await client.end();
  } catch (error) {
    throw new Error(
      `These tests need PostgreSQL at ${POSTGRES.host}:${POSTGRES.port} (user postgres, trust auth): ${(error as Error).message}`,
    );
  }
  try {
    const connection = await mysql.createConnection({ ...MARIADB, connectTimeout: 5000 });
    await connection.end();
  } catch (error) {
    throw new Error(
      `These tests need MariaDB/MySQL at ${MARIADB.host}:${MARIADB.port} (root, empty password): ${(error as Error).message}`,
    );
  }
}

/** A unique account name for this test run: lower case, within both engines' limits. */
export function uniqueAccount(prefix = 'tsr'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export function adminAccount(engine: DatabaseEngine): DatabaseAccount {
  const server = engine === 'postgresql' ? POSTGRES : MARIADB;
  return { accountName: server.user, accountPassword: server.password };
}

/** A registered-instance record for the local server of this engine (for rotator-level tests). */
export function localInstance(
  engine: DatabaseEngine,
  overrides: Partial<DatabaseInstance> = {},
): DatabaseInstance {
  return {
    id: `local-${engine}`,
    engine,
    host: '127.0.0.1',
    port: engine === 'postgresql' ? POSTGRES.port : MARIADB.port,
    database: engine === 'postgresql' ? 'postgres' : null,
    tlsMode: 'disable',
    caCertificate: null,
    adminSecretName: 'db/admin',
    description: '',
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

async function onPostgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...POSTGRES, database: 'postgres' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function onMariadb<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(MARIADB);
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/** Creates a login account with this password (test passwords are plain alphanumerics). */
export async function createAccount(engine: DatabaseEngine, name: string, password: string): Promise<void> {
  if (!/^[A-Za-z0-9]+$/.test(password)) throw new Error('test passwords are alphanumeric');
  if (engine === 'postgresql') {
    await onPostgres((c) => c.query(`CREATE ROLE ${pg.escapeIdentifier(name)} LOGIN PASSWORD '${password}'`));
  } else {
    await onMariadb((c) => c.query(`CREATE USER ${c.escape(name)}@'%' IDENTIFIED BY '${password}'`));
  }
}

export async function dropAccount(engine: DatabaseEngine, name: string): Promise<void> {
  if (engine === 'postgresql') {
    await onPostgres((c) => c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(name)}`));
  } else {
    await onMariadb((c) => c.query(`DROP USER IF EXISTS ${c.escape(name)}@'%'`));
  }
}

/** Whether a client can log in as the account with this password (see the module comment for PostgreSQL). */
export async function loginWorks(engine: DatabaseEngine, account: DatabaseAccount): Promise<boolean> {
  if (engine === 'postgresql') {
    const client = new pg.Client({
      ...POSTGRES,
      database: 'postgres',
      user: account.accountName,
      password: account.accountPassword,
    });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
    const stored = await onPostgres(async (c) => {
      const result = await c.query<{ rolpassword: string | null }>(
        'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
        [account.accountName],
      );
      return result.rows[0]?.rolpassword ?? null;
    });
    return stored !== null && verifierMatches(stored, account.accountName, account.accountPassword);
  }
  try {
    const connection = await mysql.createConnection({
      ...MARIADB,
      user: account.accountName,
      password: account.accountPassword,
    });
    await connection.query('SELECT 1');
    await connection.end();
    return true;
  } catch {
    return false;
  }
}
