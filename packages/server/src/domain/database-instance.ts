/**
 * Database instances registered with Tessera: where a managed database secret's accounts live (engine,
 * address, TLS) and which Tessera secret holds the administrator credentials used to change their
 * passwords. Pure validation; the registry service stores what these functions return.
 */
import { DomainError, invalidArgument } from './errors.js';
import type { EpochMs } from './secret.js';
import { validateDescription, validateSecretName } from './validation.js';

/** MariaDB speaks the MySQL protocol and statements, so it registers as `mysql`. */
export const DATABASE_ENGINES = ['postgresql', 'mysql'] as const;
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

/**
 * `disable`: plain TCP. `require`: TLS without checking the server's certificate (protects against
 * eavesdropping only). `verify-full`: TLS, certificate checked against the CA (or the system's CAs) and
 * the host name.
 */
export const TLS_MODES = ['disable', 'require', 'verify-full'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

const INSTANCE_ID = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** Host names, IPv4 and IPv6 addresses (bracketed or not); nothing that could carry a user or a path. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[?[0-9A-Fa-f:.]{2,45}\]?)$/;
const DATABASE_NAME = /^[A-Za-z0-9_$.-]{1,64}$/;
const MAX_CA_LENGTH = 16_384;

export interface DatabaseInstance {
  /** The name users give it; ExtendedConfig's `DBInstanceId` refers to it. */
  readonly id: string;
  readonly engine: DatabaseEngine;
  readonly host: string;
  readonly port: number;
  /** The database to connect to (PostgreSQL needs one; `postgres` when null). */
  readonly database: string | null;
  readonly tlsMode: TlsMode;
  /** PEM certificates to trust instead of the system's CAs (verify-full only). */
  readonly caCertificate: string | null;
  /** The Tessera secret whose $current value is `{"AccountName","AccountPassword"}` of an administrator. */
  readonly adminSecretName: string;
  readonly description: string;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export interface DatabaseInstanceSettings {
  readonly engine: DatabaseEngine;
  readonly host: string;
  readonly port?: number | undefined;
  readonly database?: string | null | undefined;
  readonly tlsMode?: TlsMode | undefined;
  readonly caCertificate?: string | null | undefined;
  readonly adminSecretName: string;
  readonly description?: string | undefined;
}

/** What an update may change; absent (or undefined) keeps the setting. The engine never changes. */
export type DatabaseInstanceChanges = {
  readonly [K in Exclude<keyof DatabaseInstanceSettings, 'engine'>]?: DatabaseInstanceSettings[K] | undefined;
};

export function defaultPort(engine: DatabaseEngine): number {
  return engine === 'postgresql' ? 5432 : 3306;
}

export function validateDatabaseInstanceId(id: string): void {
  if (!INSTANCE_ID.test(id)) {
    throw invalidArgument(
      'dbInstanceId',
      'A database instance id is 1 to 64 characters of letters, digits and _ . -, starting with a letter.',
    );
  }
}

export function registerDatabaseInstance(
  input: DatabaseInstanceSettings & { readonly id: string; readonly now: EpochMs },
): DatabaseInstance {
  validateDatabaseInstanceId(input.id);
  return checked({
    id: input.id,
    engine: input.engine,
    host: input.host,
    port: input.port ?? defaultPort(input.engine),
    database: input.database ?? null,
    tlsMode: input.tlsMode ?? 'disable',
    caCertificate: input.caCertificate ?? null,
    adminSecretName: input.adminSecretName,
    description: input.description ?? '',
    createdAt: input.now,
    updatedAt: input.now,
  });
}

/** Changes the given settings; absent ones stay, `null` clears the optional ones. The engine never changes. */
export function updateDatabaseInstance(
  instance: DatabaseInstance,
  changes: DatabaseInstanceChanges,
  now: EpochMs,
): DatabaseInstance {
  return checked({
    ...instance,
    host: changes.host ?? instance.host,
    port: changes.port ?? instance.port,
    database: changes.database === undefined ? instance.database : changes.database,
    tlsMode: changes.tlsMode ?? instance.tlsMode,
    caCertificate: changes.caCertificate === undefined ? instance.caCertificate : changes.caCertificate,
    adminSecretName: changes.adminSecretName ?? instance.adminSecretName,
    description: changes.description ?? instance.description,
    updatedAt: now,
  });
}

function checked(instance: DatabaseInstance): DatabaseInstance {
  if (!(DATABASE_ENGINES as readonly string[]).includes(instance.engine)) {
    throw invalidArgument('engine', `The engine is one of ${DATABASE_ENGINES.join(', ')}.`);
  }
  if (!HOST.test(instance.host)) {
    throw invalidArgument('host', 'The host is a host name or an IP address.');
  }
  if (!Number.isInteger(instance.port) || instance.port < 1 || instance.port > 65_535) {
    throw invalidArgument('port', 'The port is a whole number from 1 to 65535.');
  }
  if (instance.database !== null && !DATABASE_NAME.test(instance.database)) {
    throw invalidArgument(
      'database',
      'A database name is 1 to 64 characters of letters, digits and _ $ . -.',
    );
  }
  if (!(TLS_MODES as readonly string[]).includes(instance.tlsMode)) {
    throw invalidArgument('tlsMode', `The TLS mode is one of ${TLS_MODES.join(', ')}.`);
  }
  if (instance.caCertificate !== null) {
    if (instance.tlsMode !== 'verify-full') {
      throw invalidArgument('caCertificate', 'A CA certificate is only used with the TLS mode verify-full.');
    }
    if (
      instance.caCertificate.length > MAX_CA_LENGTH ||
      !instance.caCertificate.includes('-----BEGIN CERTIFICATE-----')
    ) {
      throw invalidArgument(
        'caCertificate',
        `The CA is PEM text (BEGIN CERTIFICATE), at most ${MAX_CA_LENGTH} characters.`,
      );
    }
  }
  try {
    validateSecretName(instance.adminSecretName);
  } catch (error) {
    if (error instanceof DomainError) {
      throw invalidArgument('adminSecretName', 'The administrator secret is named like any secret.');
    }
    throw error;
  }
  validateDescription(instance.description);
  return instance;
}
