/**
 * PostgreSQL adapter for database rotation: `ALTER ROLE … PASSWORD` with a SCRAM verifier computed here
 * (the plaintext never appears in SQL), then a login as the account. Each step opens its own short-lived
 * connection with timeouts, and closes it whatever happens.
 *
 * A server that does not ask for a password (`trust` in pg_hba.conf) accepts any login, so a login alone
 * proves nothing there: the adapter then compares the new password with the verifier the server stored
 * (`pg_authid`, readable by superusers). An administrator that cannot read it gets the login as proof.
 */
import pg from 'pg';
import type { ClientConfig } from 'pg';
import type { ConnectionOptions } from 'node:tls';
import type { DatabaseInstance } from '../domain/database-instance.js';
import type { DatabaseAccount } from '../domain/rds-secret.js';
import { RotationStepError } from '../services/rotation/rotator.js';
import type {
  AccountRef,
  DatabaseDriver,
  DatabaseTimeouts,
  EngineCodes,
  FailureContext,
} from './database-driver.js';
import { codeOf, DEFAULT_DATABASE_TIMEOUTS, stepErrorFrom } from './database-driver.js';
import { scramVerifier, verifierMatches } from './postgres-scram.js';

/** SQLSTATEs: invalid_password, invalid_authorization_specification; undefined_object; insufficient_privilege. */
const POSTGRES_CODES: EngineCodes = {
  loginRefused: new Set(['28P01', '28000']),
  noSuchAccount: new Set(['42704']),
  notPermitted: new Set(['42501']),
};

/** What node-postgres says, without a code, when a connection or query times out or TLS is not offered. */
const TIMEOUT_MESSAGES = /timeout|timed out/i;
const NO_TLS_MESSAGE = /does not support SSL/i;

export class PostgresDriver implements DatabaseDriver {
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
    const statement = `ALTER ROLE ${pg.escapeIdentifier(account.accountName)} PASSWORD ${pg.escapeLiteral(scramVerifier(password))}`;
    await this.#withClient(
      instance,
      admin,
      { login: 'administrator', account: account.accountName },
      (client) => client.query(statement),
    );
  }

  async testLogin(
    instance: DatabaseInstance,
    account: DatabaseAccount,
    admin: DatabaseAccount,
  ): Promise<void> {
    const password = { asked: false };
    const login: DatabaseAccount = {
      accountName: account.accountName,
      accountPassword: account.accountPassword,
    };
    await this.#withClient(
      instance,
      login,
      { login: 'account', account: account.accountName },
      (client) => client.query('SELECT 1'),
      () => {
        password.asked = true;
      },
    );
    if (password.asked) return;
    const stored = await this.#withClient(
      instance,
      admin,
      { login: 'administrator', account: account.accountName },
      async (client) => {
        try {
          const result = await client.query<{ rolpassword: string | null }>(
            'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
            [account.accountName],
          );
          return result.rows[0]?.rolpassword ?? null;
        } catch (error) {
          if (codeOf(error) === '42501') return undefined; // not a superuser: the login is all we can check
          throw error;
        }
      },
    );
    if (
      stored !== undefined &&
      (stored === null || !verifierMatches(stored, account.accountName, account.accountPassword))
    ) {
      throw new RotationStepError(
        `The database instance "${instance.id}" does not ask for passwords, and the password it stores for "${account.accountName}" is not the new one.`,
      );
    }
  }

  async #withClient<T>(
    instance: DatabaseInstance,
    login: DatabaseAccount,
    context: Pick<FailureContext, 'login' | 'account'>,
    work: (client: pg.Client) => Promise<T>,
    onPasswordAsked?: () => void,
  ): Promise<T> {
    const config: ClientConfig = {
      host: instance.host,
      port: instance.port,
      database: instance.database ?? 'postgres',
      user: login.accountName,
      // A function, so that we learn whether the server asked for the password at all.
      password: () => {
        onPasswordAsked?.();
        return login.accountPassword;
      },
      ssl: tlsOptions(instance),
      connectionTimeoutMillis: this.#timeouts.connectMs,
      query_timeout: this.#timeouts.queryMs,
      statement_timeout: this.#timeouts.queryMs,
      application_name: 'tessera-rotation',
    };
    const client = new pg.Client(config);
    // A dropped connection is reported by the pending query; the event must not crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await work(client);
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      throw stepErrorFrom(error, {
        instance,
        codes: POSTGRES_CODES,
        ...context,
        timeout: codeOf(error) === undefined && TIMEOUT_MESSAGES.test(message),
        tls: codeOf(error) === undefined && NO_TLS_MESSAGE.test(message),
      });
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function tlsOptions(instance: DatabaseInstance): false | ConnectionOptions {
  switch (instance.tlsMode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return instance.caCertificate === null
        ? { rejectUnauthorized: true, servername: instance.host }
        : { rejectUnauthorized: true, servername: instance.host, ca: instance.caCertificate };
  }
}
