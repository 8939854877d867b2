/**
 * The offline operations — `tessera backup`, `tessera restore`, `tessera root-key rotate` — which open
 * the store directly with the server's own settings (the same environment `tessera server` reads),
 * through `@tessera/server/operations`. docs/operations.md describes when to run each.
 */
import { HELP_OPTION, parse, positionals, stringValue } from '../args.js';
import type { Command } from '../command.js';
import { CliError, ConfigError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import type * as OperationsModule from '@tessera/server/operations';

type Operations = typeof OperationsModule;

const SETTINGS_HELP = `It reads the server's settings from the environment — TESSERA_DATA_DIR (SQLite) or
TESSERA_DATABASE_URL (PostgreSQL), and TESSERA_ROOT_KEY or TESSERA_ROOT_KEY_FILE — so run it with the
same environment the server has.`;

const OPERATION_EXIT = `Exit status: 0 done, 2 usage error, 4 the settings, the key, the file or the target refused (nothing changed), 1 another failure.`;

async function operations(): Promise<Operations> {
  try {
    return await import('@tessera/server/operations');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND') {
      throw new ConfigError('the Tessera server is not built or not installed', [
        error.message,
        'run `npm run build` in the repository root',
      ]);
    }
    throw error;
  }
}

/** Runs an operation, turning its operator-facing failures into CLI errors. */
async function run<T>(work: (ops: Operations) => Promise<T>): Promise<T> {
  const ops = await operations();
  try {
    return await work(ops);
  } catch (error) {
    if (error instanceof ops.OperationError) throw new ConfigError(error.message);
    if (error instanceof ops.ConfigError)
      throw new ConfigError('invalid server settings', [...error.problems]);
    if (error instanceof Error) throw new CliError(EXIT.api, error.message);
    throw error;
  }
}

function rowsLine(rows: Readonly<Record<string, number>>): string {
  const interesting = [
    'secrets',
    'secret_versions',
    'keys',
    'key_versions',
    'access_keys',
    'users',
    'audit_events',
  ];
  return interesting.map((table) => `${table} ${rows[table] ?? 0}`).join(', ');
}

const BACKUP_USAGE = 'tessera backup FILE';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'write a consistent snapshot of the store to FILE while the server runs',
  usage: BACKUP_USAGE,
  help: `Usage: ${BACKUP_USAGE}

Writes one consistent snapshot of the whole store — ciphertext, sealed key material, sealed access-key
secrets, policies, the audit chain — to FILE (mode 0600; an existing FILE is refused). Servers keep
serving reads and writes meanwhile: every write acknowledged before the backup began is in it. The
file holds no plaintext value and is sealed with a key derived from the root key: only the root key
restores it, and a damaged or cut-off file is refused.

${SETTINGS_HELP}

${OPERATION_EXIT}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, HELP_OPTION, BACKUP_USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${backupCommand.help}\n`);
      return;
    }
    const [file = ''] = positionals(parsed, ['FILE'], BACKUP_USAGE);
    const report = await run((ops) => ops.backup(io.env, file));
    io.stdout.write(
      `backed up the ${report.source} store (schema ${report.schemaVersion}) to ${report.file}: ${report.bytes} bytes\n` +
        `rows: ${rowsLine(report.rows)}\n`,
    );
  },
};

const RESTORE_USAGE = 'tessera restore FILE';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'load a backup into an empty data folder or PostgreSQL database',
  usage: RESTORE_USAGE,
  help: `Usage: ${RESTORE_USAGE}

Loads a backup made by \`tessera backup\` into the store the settings name: an empty SQLite data
folder (TESSERA_DATA_DIR) or an empty PostgreSQL database (TESSERA_DATABASE_URL), whichever engine the
backup came from — this is how an installation moves between SQLite and PostgreSQL. It checks every
part of the file, that the root key opens the data and that the audit chain verifies, and loads
everything in one transaction. A target that holds data is refused and left as it was. No server may
run on the target meanwhile.

${SETTINGS_HELP}

${OPERATION_EXIT}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, HELP_OPTION, RESTORE_USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${restoreCommand.help}\n`);
      return;
    }
    const [file = ''] = positionals(parsed, ['FILE'], RESTORE_USAGE);
    const report = await run((ops) => ops.restore(io.env, file));
    io.stdout.write(
      `restored ${report.file} (taken ${report.takenAt} from ${report.source}) into the ${report.target} store\n` +
        `rows: ${rowsLine(report.rows)}\n` +
        `audit chain verified: ${report.auditRecords} records\n`,
    );
  },
};

const ROOT_KEY_USAGE = 'tessera root-key rotate [--new-key-file FILE]';

export const rootKeyCommand: Command = {
  name: 'root-key',
  summary: 'rotate the root key: re-seal everything it protects under a new one (server stopped)',
  usage: ROOT_KEY_USAGE,
  help: `Usage: ${ROOT_KEY_USAGE}

Re-seals everything the root key protects under a new root key, in one transaction: the material of
every customer master key version (and the service key), access-key secrets, rotation-webhook signing
keys, the audit chain's keyed hashes and the root-key check. Afterwards the old key opens nothing; a
crash midway leaves everything under the old key.

The new key (base64 of 32 bytes, e.g. from \`openssl rand -base64 32\`) comes from --new-key-file FILE
or TESSERA_NEW_ROOT_KEY. When the current key comes from a file (TESSERA_ROOT_KEY_FILE or the data
folder's root.key) that file is replaced with the new key; when it comes from TESSERA_ROOT_KEY, set
TESSERA_ROOT_KEY to the new key before starting the server again.

Stop the server first: a SQLite data folder in use is refused; with PostgreSQL stop every node (a
node holding the rotation scheduler's lease is refused, others cannot be seen).

${SETTINGS_HELP}

${OPERATION_EXIT}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, { ...HELP_OPTION, 'new-key-file': { type: 'string' } }, ROOT_KEY_USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${rootKeyCommand.help}\n`);
      return;
    }
    const [action = ''] = positionals(parsed, ['ACTION'], ROOT_KEY_USAGE);
    if (action !== 'rotate')
      throw new UsageError(`unknown root-key action "${action}" (try: rotate)`, ROOT_KEY_USAGE);
    const newKeyFile = stringValue(parsed, 'new-key-file');
    const report = await run((ops) => ops.rotateRootKey(io.env, newKeyFile));
    io.stdout.write(
      `re-sealed under the new root key: ${report.keyMaterial} key versions, ${report.accessKeySecrets} access-key secrets, ` +
        `${report.webhookSigningKeys} webhook signing keys, ${report.mfaSecrets} MFA secrets, ${report.auditRecords} audit records re-linked\n` +
        (report.keySource === 'file'
          ? `the key file ${report.keyFile ?? ''} now holds the new key\n`
          : 'set TESSERA_ROOT_KEY to the new key before starting the server\n'),
    );
  },
};
