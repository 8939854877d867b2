/**
 * The `tessera` command line: picks the subcommand, prints help, and turns every failure into a
 * message on stderr and an exit status (see `exit-codes.ts`).
 */
import { readFileSync } from 'node:fs';
import type { Command } from './command.js';
import { CONNECTION_HELP, EXIT_HELP } from './command.js';
import { accessKey } from './commands/access-key.js';
import { agent } from './commands/agent.js';
import { audit } from './commands/audit.js';
import { configure } from './commands/configure.js';
import { db } from './commands/db.js';
import { get } from './commands/get.js';
import { key } from './commands/key.js';
import { kms } from './commands/kms.js';
import { backupCommand, restoreCommand, rootKeyCommand } from './commands/operations.js';
import { password } from './commands/password.js';
import { policy } from './commands/policy.js';
import { put } from './commands/put.js';
import { run } from './commands/run.js';
import { rotation } from './commands/rotation.js';
import { server } from './commands/server.js';
import { user } from './commands/user.js';
import { versions } from './commands/versions.js';
import { CliError, UsageError } from './errors.js';
import type { ExitCode } from './exit-codes.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import { unknownName } from './suggest.js';

export const COMMANDS: readonly Command[] = [
  get,
  put,
  versions,
  password,
  run,
  agent,
  kms,
  audit,
  user,
  accessKey,
  policy,
  rotation,
  key,
  db,
  configure,
  server,
  backupCommand,
  restoreCommand,
  rootKeyCommand,
];

const USAGE = 'tessera <command> [arguments] [options]';

/** Connection options that may also come before the command: `tessera --profile prod get db`. */
const LEADING_OPTIONS = new Set(['--endpoint', '--access-key-id', '--access-key-secret', '--profile']);

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `Usage: ${USAGE}

Tessera's command line: secrets for people and scripts, any API action, and the server itself.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

  tessera put db/password --create < password.txt
  export DB_PASSWORD="$(tessera get db/password)"
  tessera kms ListSecrets --PageSize 50

${CONNECTION_HELP}

${EXIT_HELP}
Run \`tessera <command> --help\` for a command's options.`;
}

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/**
 * Runs one command line to completion and returns the exit status, or `'detached'` when a long-running
 * command (the server) now owns the process. Never throws.
 */
export async function main(argv: readonly string[], io: Io): Promise<ExitCode | 'detached'> {
  try {
    return (await dispatch(argv, io)) ?? EXIT.ok;
  } catch (error) {
    return report(error, io);
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<'detached' | undefined> {
  const leading: string[] = [];
  let index = 0;
  while (index < argv.length) {
    const token = argv[index] ?? '';
    const flag = token.split('=')[0] ?? '';
    if (!LEADING_OPTIONS.has(flag)) break;
    leading.push(token);
    if (!token.includes('=')) {
      const value = argv[index + 1];
      if (value === undefined) throw new UsageError(`${token} needs a value`, USAGE);
      leading.push(value);
      index++;
    }
    index++;
  }
  const name = argv[index];
  const rest = [...leading, ...argv.slice(index + 1)];
  if (name === undefined) {
    if (leading.length > 0) throw new UsageError('missing the command', USAGE);
    throw new UsageError('missing the command (try: tessera --help)', USAGE);
  }
  if (leading.length === 0 && (name === '--help' || name === '-h' || name === 'help')) {
    const topic = argv[index + 1];
    const command = COMMANDS.find((c) => c.name === topic);
    if (topic !== undefined && command === undefined) throw new UsageError(unknownCommand(topic), USAGE);
    io.stdout.write(`${command === undefined ? topLevelHelp() : command.help}\n`);
    return undefined;
  }
  if (leading.length === 0 && (name === '--version' || name === '-v')) {
    io.stdout.write(`tessera ${version()}\n`);
    return undefined;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    throw new UsageError(
      name.startsWith('-')
        ? unknownName('option', name, ['--help', '--version', ...LEADING_OPTIONS])
        : unknownCommand(name),
      USAGE,
    );
  }
  await command.run(rest, io);
  return command.detaches === true ? 'detached' : undefined;
}

function report(error: unknown, io: Io): ExitCode {
  if (error instanceof UsageError) {
    io.stderr.write(
      `tessera: ${error.message}\nUsage: ${error.usage}\nRun \`tessera ${commandOf(error.usage)}--help\` for details.\n`,
    );
    return error.exitCode;
  }
  if (error instanceof CliError) {
    io.stderr.write(`tessera: ${error.message}\n${error.details.map((line) => `  ${line}\n`).join('')}`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`tessera: unexpected error (a bug; please report it):\n${detail}\n`);
  return EXIT.internal;
}

/** `tessera get NAME …` → `get `; the top-level usage → ``. */
function commandOf(usage: string): string {
  const word = usage.split(' ')[1] ?? '';
  return COMMANDS.some((c) => c.name === word) ? `${word} ` : '';
}

/** `unknown command "polcy" (did you mean "policy"?)`. */
function unknownCommand(name: string): string {
  return unknownName(
    'command',
    name,
    COMMANDS.map((command) => command.name),
  );
}
