/**
 * Managed database secrets (`SecretType=Rds`): the ExtendedConfig that ties a secret to a registered
 * database instance and says how it rotates, the SecretData shapes CreateSecret accepts, and the value
 * every version holds, `{"AccountName","AccountPassword"}` (what Alibaba's clients read back).
 *
 * - SingleUser: one account; each rotation changes its password.
 * - DoubleUsers: two accounts with the same privileges (`AccountName`, `CloneAccountName`); each rotation
 *   changes the password of the account that is NOT current and makes it current, so the credential that
 *   becomes $previous keeps working until the rotation after.
 */
import { invalidArgument } from './errors.js';
import { validateDatabaseInstanceId } from './database-instance.js';

export const RDS_SUB_TYPES = ['SingleUser', 'DoubleUsers'] as const;
export type RdsSubType = (typeof RDS_SUB_TYPES)[number];

/** Generated passwords: long enough to be unguessable, within every engine's limit. */
export const MIN_DB_PASSWORD_LENGTH = 16;
export const MAX_DB_PASSWORD_LENGTH = 64;
export const DEFAULT_DB_PASSWORD_LENGTH = 32;

/**
 * Account names Tessera manages: a conservative alphabet valid on both engines (quoted anyway), at most
 * 32 characters (MySQL's limit).
 */
const ACCOUNT_NAME = /^[A-Za-z_][A-Za-z0-9_$.-]{0,31}$/;
/** MySQL's host part of an account (`'app'@'%'`): a host, address, pattern or `%`. */
const ACCOUNT_HOST = /^[A-Za-z0-9_.:%-]{1,255}$/;
const MAX_ACCOUNT_PASSWORD_LENGTH = 256;

/** Members ExtendedConfig may have; anything else is a mistake the caller wants to hear about. */
const KNOWN_MEMBERS = new Set([
  'SecretSubType',
  'DBInstanceId',
  'AccountName',
  'CloneAccountName',
  'AccountHost',
  'PasswordLength',
  'CustomData',
]);

export interface RdsConfig {
  readonly subType: RdsSubType;
  readonly dbInstanceId: string;
  /** SingleUser: the account, when ExtendedConfig names it. DoubleUsers: the first account (always set). */
  readonly accountName: string | undefined;
  /** DoubleUsers only: the second account. */
  readonly cloneAccountName: string | undefined;
  /** MySQL/MariaDB: the host part of the accounts (`%` unless given). */
  readonly accountHost: string;
  readonly passwordLength: number;
}

/** A database login, the value of every version of an Rds secret. */
export interface DatabaseAccount {
  readonly accountName: string;
  readonly accountPassword: string;
}

/** Parses ExtendedConfig (already JSON-parsed) of an Rds secret; errors name `extendedConfig`. */
export function parseRdsConfig(config: Readonly<Record<string, unknown>> | undefined): RdsConfig {
  if (config === undefined) {
    throw invalidArgument(
      'extendedConfig',
      'An Rds secret needs ExtendedConfig with SecretSubType and DBInstanceId.',
    );
  }
  const unknown = Object.keys(config).find((member) => !KNOWN_MEMBERS.has(member));
  if (unknown !== undefined) {
    throw invalidArgument('extendedConfig', `ExtendedConfig of an Rds secret has no member "${unknown}".`);
  }
  const subType = RDS_SUB_TYPES.find((candidate) => candidate === config.SecretSubType);
  if (subType === undefined) {
    throw invalidArgument('extendedConfig', `SecretSubType is ${RDS_SUB_TYPES.join(' or ')}.`);
  }
  const dbInstanceId = config.DBInstanceId;
  if (typeof dbInstanceId !== 'string') {
    throw invalidArgument(
      'extendedConfig',
      'DBInstanceId names a database instance registered with Tessera.',
    );
  }
  validateDatabaseInstanceId(dbInstanceId);
  const accountName = optionalAccountName(config.AccountName, 'AccountName');
  const cloneAccountName = optionalAccountName(config.CloneAccountName, 'CloneAccountName');
  if (subType === 'DoubleUsers') {
    if (accountName === undefined || cloneAccountName === undefined) {
      throw invalidArgument(
        'extendedConfig',
        'A DoubleUsers secret names its two accounts in AccountName and CloneAccountName.',
      );
    }
    if (accountName === cloneAccountName) {
      throw invalidArgument('extendedConfig', 'AccountName and CloneAccountName are two different accounts.');
    }
  } else if (cloneAccountName !== undefined) {
    throw invalidArgument('extendedConfig', 'CloneAccountName is for DoubleUsers secrets only.');
  }
  const accountHost = config.AccountHost ?? '%';
  if (typeof accountHost !== 'string' || !ACCOUNT_HOST.test(accountHost)) {
    throw invalidArgument('extendedConfig', 'AccountHost is the host part of a MySQL account, such as %.');
  }
  const passwordLength = config.PasswordLength ?? DEFAULT_DB_PASSWORD_LENGTH;
  if (
    typeof passwordLength !== 'number' ||
    !Number.isInteger(passwordLength) ||
    passwordLength < MIN_DB_PASSWORD_LENGTH ||
    passwordLength > MAX_DB_PASSWORD_LENGTH
  ) {
    throw invalidArgument(
      'extendedConfig',
      `PasswordLength is a whole number from ${MIN_DB_PASSWORD_LENGTH} to ${MAX_DB_PASSWORD_LENGTH}.`,
    );
  }
  if (config.CustomData !== undefined && !isCustomData(config.CustomData)) {
    throw invalidArgument('extendedConfig', 'CustomData is an object of at most 10 string members.');
  }
  return { subType, dbInstanceId, accountName, cloneAccountName, accountHost, passwordLength };
}

function optionalAccountName(value: unknown, member: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !ACCOUNT_NAME.test(value)) {
    throw invalidArgument(
      'extendedConfig',
      `${member} is 1 to 32 characters of letters, digits and _ $ . -, starting with a letter or _.`,
    );
  }
  return value;
}

function isCustomData(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.values(value);
  return entries.length <= 10 && entries.every((v) => typeof v === 'string');
}

/**
 * The first version's account from CreateSecret's SecretData: Alibaba's `{"Accounts":[{"AccountName",
 * "AccountPassword"}]}` with one account, or the value shape `{"AccountName","AccountPassword"}` itself.
 * SingleUser: the account ExtendedConfig names, if it names one. DoubleUsers: one of its two accounts.
 */
export function parseRdsSecretData(data: string, config: RdsConfig): DatabaseAccount {
  const shapeError = () =>
    invalidArgument(
      'secretData',
      'The SecretData of an Rds secret is {"Accounts":[{"AccountName":"…","AccountPassword":"…"}]}.',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw shapeError();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw shapeError();
  let entry: unknown = parsed;
  if ('Accounts' in parsed) {
    const accounts = parsed.Accounts;
    if (Object.keys(parsed).length !== 1 || !Array.isArray(accounts) || accounts.length !== 1) {
      throw invalidArgument('secretData', 'SecretData lists exactly one account in "Accounts".');
    }
    entry = accounts[0];
  }
  const account = accountFrom(entry);
  if (account === undefined) throw shapeError();
  if (!ACCOUNT_NAME.test(account.accountName)) {
    throw invalidArgument('secretData', 'AccountName is 1 to 32 characters of letters, digits and _ $ . -.');
  }
  if (account.accountPassword.length === 0 || account.accountPassword.length > MAX_ACCOUNT_PASSWORD_LENGTH) {
    throw invalidArgument('secretData', `AccountPassword is 1 to ${MAX_ACCOUNT_PASSWORD_LENGTH} characters.`);
  }
  if (accountsRotated(config, account.accountName) === undefined) {
    throw invalidArgument('secretData', 'The account in SecretData is not one the ExtendedConfig names.');
  }
  return account;
}

/**
 * The accounts whose passwords rotations of a secret holding `current` change: SingleUser the current
 * account (which must be AccountName when ExtendedConfig names one), DoubleUsers both accounts (the
 * current one must be one of them). Undefined when `current` is not an account the config names.
 */
export function accountsRotated(config: RdsConfig, current: string): string[] | undefined {
  if (config.subType === 'DoubleUsers') {
    const both = [config.accountName, config.cloneAccountName].filter((name) => name !== undefined);
    return both.includes(current) ? both : undefined;
  }
  return config.accountName === undefined || config.accountName === current ? [current] : undefined;
}

/** Reads a stored value; undefined when it is not `{"AccountName","AccountPassword"}` of two strings. */
export function parseAccountValue(value: string): DatabaseAccount | undefined {
  try {
    return accountFrom(JSON.parse(value));
  } catch {
    return undefined;
  }
}

export function formatAccountValue(account: DatabaseAccount): string {
  return JSON.stringify({ AccountName: account.accountName, AccountPassword: account.accountPassword });
}

function accountFrom(value: unknown): DatabaseAccount | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { AccountName, AccountPassword } = value as Record<string, unknown>;
  if (typeof AccountName !== 'string' || typeof AccountPassword !== 'string') return undefined;
  if (Object.keys(value).length !== 2) return undefined;
  return { accountName: AccountName, accountPassword: AccountPassword };
}

/**
 * Generated database passwords use letters, digits and these marks only: none needs quoting in a SQL
 * literal, a connection URL, a shell or a configuration file.
 */
export const DATABASE_PASSWORD_PUNCTUATION = '-_.~+=';
/** Every other ASCII punctuation mark, for the password generator's exclusion list. */
export const DATABASE_PASSWORD_EXCLUDED = '!"#$%&\'()*,/:;<>?@[\\]^`{|}';
const DATABASE_SAFE_PASSWORD = /^[A-Za-z0-9._~+=-]+$/;

/** Whether a password uses only the database-safe alphabet. */
export function isDatabaseSafePassword(password: string): boolean {
  return DATABASE_SAFE_PASSWORD.test(password);
}

/** DoubleUsers: the account a rotation changes, the one that is not current. Undefined for a stranger. */
export function otherAccount(config: RdsConfig, current: string): string | undefined {
  if (current === config.accountName) return config.cloneAccountName;
  if (current === config.cloneAccountName) return config.accountName;
  return undefined;
}
