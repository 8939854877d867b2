/**
 * What an engine adapter (PostgreSQL, MySQL/MariaDB) does for a rotation, and how driver failures become
 * `RotationStepError`s whose messages users may see: they name the instance, the account and the
 * driver's error code, never a password, a connection string or the driver's own message (MySQL's
 * syntax errors quote the statement, which could carry a password).
 */
import type { DatabaseInstance } from '../domain/database-instance.js';
import type { DatabaseAccount } from '../domain/rds-secret.js';
import { RotationStepError } from '../services/rotation/rotator.js';

export interface DatabaseTimeouts {
  /** Giving up on a connection attempt (TCP, TLS and authentication). */
  readonly connectMs: number;
  /** Giving up on one statement. */
  readonly queryMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 5_000, queryMs: 10_000 };

/** The account a rotation changes: its name, and for MySQL the host part (`'app'@'%'`). */
export interface AccountRef {
  readonly accountName: string;
  readonly accountHost: string;
}

export interface DatabaseDriver {
  /** Logs in as the administrator and sets the account's password; setting the same password again is harmless. */
  setPassword(
    instance: DatabaseInstance,
    admin: DatabaseAccount,
    account: AccountRef,
    password: string,
  ): Promise<void>;
  /** Logs in as the account with its password and runs a statement; throws when the login is refused. */
  testLogin(instance: DatabaseInstance, account: DatabaseAccount, admin: DatabaseAccount): Promise<void>;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);

/** Driver error codes (SQLSTATE or MySQL names) by what they mean for a rotation. */
export interface EngineCodes {
  readonly loginRefused: ReadonlySet<string>;
  readonly noSuchAccount: ReadonlySet<string>;
  readonly notPermitted: ReadonlySet<string>;
}

/** Node's TLS errors carry codes like `DEPTH_ZERO_SELF_SIGNED_CERT` or `ERR_TLS_CERT_ALTNAME_INVALID`. */
function isTlsCode(code: string): boolean {
  return /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code);
}

export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : undefined;
}

/** What the adapter was doing when the driver failed, for the message. */
export interface FailureContext {
  readonly instance: DatabaseInstance;
  /** Who was logged in (or logging in). */
  readonly login: 'administrator' | 'account';
  /** The account whose password is being set or tested. */
  readonly account: string;
  readonly codes: EngineCodes;
  /** The adapter recognised a connection or statement timeout (drivers report those without a code). */
  readonly timeout?: boolean;
  /** The adapter recognised a TLS failure without a code (e.g. the server offers no TLS). */
  readonly tls?: boolean;
}

/** A driver failure as a user-safe step error. */
export function stepErrorFrom(error: unknown, context: FailureContext): RotationStepError {
  if (error instanceof RotationStepError) return error;
  const { instance, codes, account } = context;
  const where = `the database instance "${instance.id}" (${instance.host}:${instance.port})`;
  const who = context.login === 'administrator' ? 'the administrator' : `the account "${account}"`;
  const code = codeOf(error);
  const suffix = code === undefined ? '' : ` (${code})`;
  const options = (retryable: boolean) => ({ retryable, cause: error });
  if (context.timeout === true) {
    return new RotationStepError(`Timed out talking to ${where} as ${who}.`, options(true));
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return new RotationStepError(`Cannot reach ${where}${suffix}.`, options(true));
  }
  if (context.tls === true || (code !== undefined && isTlsCode(code))) {
    return new RotationStepError(
      `The TLS connection to ${where} failed${suffix}; check the instance's TLS mode and CA.`,
      options(true),
    );
  }
  if (code !== undefined && codes.loginRefused.has(code)) {
    return new RotationStepError(
      context.login === 'administrator'
        ? `${capitalised(where)} refused the administrator's login${suffix}; check the administrator secret.`
        : `${capitalised(where)} refused the login of the account "${account}" with the new password${suffix}.`,
      options(true),
    );
  }
  if (code !== undefined && codes.noSuchAccount.has(code)) {
    return new RotationStepError(
      `The account "${account}" does not exist on ${where}${suffix}.`,
      options(false),
    );
  }
  if (code !== undefined && codes.notPermitted.has(code)) {
    return new RotationStepError(
      `The administrator may not change the password of "${account}" on ${where}${suffix}; grant it the privilege.`,
      options(false),
    );
  }
  return new RotationStepError(
    `${capitalised(where)} failed a statement run as ${who}${suffix}.`,
    options(true),
  );
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
