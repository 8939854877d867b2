/**
 * MySQL and MariaDB adapter for database rotation: `ALTER USER 'name'@'host' IDENTIFIED BY '…'` over the
 * administrator's connection, then a login as the account. Neither engine takes parameters in account
 * statements, so the statement is built from quoted literals: the password is checked against the
 * database-safe alphabet first (no quote or backslash can appear) and escaped anyway. Both engines
 * mask the password of this statement in their logs.
 */
import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions, SslOptions } from 'mysql2/promise';
import type { DatabaseInstance } from '../domain/database-instance.js';
import type { DatabaseAccount } from '../domain/rds-secret.js';
import { isDatabaseSafePassword } from '../domain/rds-secret.js';
import { RotationStepError } from '../services/rotation/rotator.js';
import type {
  AccountRef,
  DatabaseDriver,
  DatabaseTimeouts,
  EngineCodes,
  FailureContext,
} from './database-driver.js';
import { codeOf, DEFAULT_DATABASE_TIMEOUTS, stepErrorFrom } from './database-driver.js';

const MYSQL_CODES: EngineCodes = {
  loginRefused: new Set([
    'ER_ACCESS_DENIED_ERROR',
    'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
    'ER_ACCOUNT_HAS_BEEN_LOCKED',
  ]),
  noSuchAccount: new Set(['ER_CANNOT_USER']),
  notPermitted: new Set([
    'ER_SPECIFIC_ACCESS_DENIED_ERROR',
    'ER_DBACCESS_DENIED_ERROR',
    'ER_TABLEACCESS_DENIED_ERROR',
  ]),
};

export class MysqlDriver implements DatabaseDriver {
  readonly #timeouts: DatabaseTimeouts;

  constructor(timeouts: DatabaseTimeouts = DEFAULT_DATABASE_TIMEOUTS) {
    this.#timeouts = timeouts;
  }

  async setPassword(
    instance: DatabaseInstance,
    admin: DatabaseAccount,
    account: AccountRef,
    password: string,
  ): Promise<void> {
    if (!isDatabaseSafePassword(password)) {
      throw new RotationStepError('The new password has characters outside the database-safe alphabet.', {
        retryable: false,
      });
    }
    await this.#withConnection(
      instance,
      admin,
      { login: 'administrator', account: account.accountName },
      async (connection) => {
        const target = `${connection.escape(account.accountName)}@${connection.escape(account.accountHost)}`;
        await connection.query({
          sql: `ALTER USER ${target} IDENTIFIED BY ${connection.escape(password)}`,
          timeout: this.#timeouts.queryMs,
        });
      },
    );
  }

  async testLogin(instance: DatabaseInstance, account: DatabaseAccount): Promise<void> {
    await this.#withConnection(
      instance,
      account,
      { login: 'account', account: account.accountName },
      async (connection) => {
        await connection.query({ sql: 'SELECT 1', timeout: this.#timeouts.queryMs });
      },
    );
  }

  async #withConnection(
    instance: DatabaseInstance,
    login: DatabaseAccount,
    context: Pick<FailureContext, 'login' | 'account'>,
    work: (connection: Connection) => Promise<void>,
  ): Promise<void> {
    const options: ConnectionOptions = {
      host: instance.host,
      port: instance.port,
      user: login.accountName,
      password: login.accountPassword,
      connectTimeout: this.#timeouts.connectMs,
      // Literal statements only: no `?` substitution surprises, no multiple statements.
      multipleStatements: false,
    };
    if (instance.database !== null) options.database = instance.database;
    const ssl = tlsOptions(instance);
    if (ssl !== undefined) options.ssl = ssl;
    let connection: Connection | undefined;
    try {
      connection = await mysql.createConnection(options);
      // Errors after the connection is established reach the pending query; the event must not crash.
      connection.on('error', () => undefined);
      await work(connection);
    } catch (error) {
      throw stepErrorFrom(error, {
        instance,
        codes: MYSQL_CODES,
        ...context,
        timeout: codeOf(error) === 'PROTOCOL_SEQUENCE_TIMEOUT',
        tls: codeOf(error) === 'HANDSHAKE_NO_SSL_SUPPORT',
      });
    } finally {
      await connection?.end().catch(() => undefined);
    }
  }
}

function tlsOptions(instance: DatabaseInstance): SslOptions | undefined {
  switch (instance.tlsMode) {
    case 'disable':
      return undefined;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return instance.caCertificate === null
        ? { rejectUnauthorized: true }
        : { rejectUnauthorized: true, ca: instance.caCertificate };
  }
}
