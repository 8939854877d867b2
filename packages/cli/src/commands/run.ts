/**
 * `tessera run --env NAME=SECRET[#KEY] … --file PATH=SECRET … -- COMMAND …`: runs a program with secrets
 * in its environment or in files, never in its arguments. The child inherits stdio, gets forwarded
 * signals, and its exit status becomes this command's. A `SecretCache` keeps watching the referenced
 * stages; when one moves (a rotation), files are rewritten and the child is restarted or signalled.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { constants } from 'node:os';
import type { RefreshEvent } from '@tessera/sdk';
import { SecretCache } from '@tessera/sdk';
import {
  CONNECTION_OPTIONS,
  HELP_OPTION,
  booleanValue,
  connectionFlags,
  parse,
  stringValue,
  stringValues,
} from '../args.js';
import { connect, describeFailure } from '../client.js';
import type { Command } from '../command.js';
import { CONNECTION_HELP } from '../command.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { SecretRef } from '../secret-refs.js';
import { REF_SYNTAX, parseDuration, parseRef, readRef, writePrivateFile } from '../secret-refs.js';
import { ENV } from '../settings.js';

const USAGE =
  'tessera run (--env NAME=REF | --file PATH=REF)... [--restart-on-rotation | --signal-on-rotation SIGNAL] [--refresh-interval 60s] -- COMMAND [ARG ...]';

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  env: { type: 'string', multiple: true },
  file: { type: 'string', multiple: true },
  'restart-on-rotation': { type: 'boolean' },
  'signal-on-rotation': { type: 'string' },
  'refresh-interval': { type: 'string' },
} as const;

/** How long a restart waits after SIGTERM before SIGKILL. */
const RESTART_KILL_AFTER_MS = 10_000;

/** Signals passed on to the child while it runs. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

interface Target {
  readonly kind: 'env' | 'file';
  /** The variable's name or the file's path. */
  readonly name: string;
  readonly ref: SecretRef;
}

export const run: Command = {
  name: 'run',
  summary: 'run a program with secrets in its environment or files; restart it when they rotate',
  usage: USAGE,
  help: `Usage: ${USAGE}

Reads the secrets, then runs COMMAND with them: as environment variables (--env) or as files written
with mode 0600 (--file), never as arguments. COMMAND inherits stdin, stdout and stderr; SIGINT,
SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are passed on to it; its exit status becomes this
command's (128 + the signal's number when a signal ended it).

  tessera run --env DB_PASSWORD=app/db#password --env API_KEY=app/api -- ./server
  tessera run --file /run/secrets/db.json=app/db --restart-on-rotation -- node app.js
  tessera run --env OLD=app/db#password?stage=ACSPrevious -- ./check-both

A reference is ${REF_SYNTAX}: #KEY takes one field of a JSON object value (a string as is, anything
else as JSON text); ?stage= reads another stage than ACSCurrent.

Options:
  --env NAME=REF              set variable NAME to the value (repeatable)
  --file PATH=REF             write the value to PATH, mode 0600, replaced atomically on rotation and
                              removed when COMMAND ends (repeatable)
  --restart-on-rotation       when a referenced stage moves (a rotation), stop COMMAND with SIGTERM
                              (SIGKILL after 10 s) and start it again with the new values
  --signal-on-rotation SIGNAL instead, send SIGNAL (e.g. SIGHUP) so COMMAND re-reads its --file files
  --refresh-interval 60s      how often the labels are checked (ms, s, m or h; default 60s)

Without either option the files still follow rotation; the environment of a running process cannot.
COMMAND does not inherit the access key variables (${ENV.accessKeyId}, ${ENV.accessKeySecret}):
it gets its secrets, not the credentials that read them. The caller needs kms:GetSecretValue and,
to follow rotation without re-reading values, kms:ListSecretVersionIds (AliyunKMSSecretUserAccess).

${CONNECTION_HELP}

Exit status: COMMAND's; before it starts: 1 API error, 2 usage error, 3 server unreachable,
4 configuration error, 127 COMMAND not found.`,
  detaches: true,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const split = argv.indexOf('--');
    const own = split === -1 ? argv : argv.slice(0, split);
    const command = split === -1 ? [] : argv.slice(split + 1);
    const parsed = parse(own, OPTIONS, USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${run.help}\n`);
      return;
    }
    if (parsed.positionals.length > 0) {
      throw new UsageError(
        `put the command after "--": tessera run … -- ${parsed.positionals.join(' ')}`,
        USAGE,
      );
    }
    const [program, ...args] = command;
    if (program === undefined) throw new UsageError('missing the command to run, after "--"', USAGE);
    const targets = [
      ...stringValues(parsed, 'env').map((text) => target('env', text)),
      ...stringValues(parsed, 'file').map((text) => target('file', text)),
    ];
    if (targets.length === 0)
      throw new UsageError('give at least one --env NAME=REF or --file PATH=REF', USAGE);
    const restart = booleanValue(parsed, 'restart-on-rotation');
    const signal = signalOf(stringValue(parsed, 'signal-on-rotation'));
    if (restart && signal !== undefined) {
      throw new UsageError('give --restart-on-rotation or --signal-on-rotation, not both', USAGE);
    }
    const interval = parseDuration(
      stringValue(parsed, 'refresh-interval') ?? '60s',
      '--refresh-interval',
      USAGE,
    );

    const { client, settings } = connect(connectionFlags(parsed), io);
    const rotations: RefreshEvent[] = [];
    let onRotation: (() => void) | undefined;
    const cache = new SecretCache({
      client,
      refreshIntervalMs: interval,
      onWarning: (message) => io.stderr.write(`tessera run: warning: ${message}\n`),
      onRefresh: (event) => {
        if (event.type !== 'refreshed') return;
        const moved = targets.some(
          ({ ref }) => ref.secretName === event.secretName && event.changedStages.includes(ref.versionStage),
        );
        if (moved) {
          rotations.push(event);
          onRotation?.();
        }
      },
    });
    const values = async (): Promise<string[]> => {
      const read: string[] = [];
      for (const { ref } of targets) {
        try {
          read.push(await readRef(cache, ref));
        } catch (error) {
          throw describeFailure(error, `run: reading "${ref.text}"`, settings);
        }
      }
      return read;
    };
    let current: string[];
    try {
      current = await values();
    } catch (error) {
      cache.close();
      throw error;
    }
    const childEnv = (read: readonly string[]): Record<string, string> => {
      const env: Record<string, string> = {};
      for (const [name, value] of Object.entries(io.env)) {
        if (value !== undefined && name !== ENV.accessKeyId && name !== ENV.accessKeySecret)
          env[name] = value;
      }
      targets.forEach((t, i) => {
        if (t.kind === 'env') env[t.name] = read[i] ?? '';
      });
      return env;
    };
    const writeFiles = (read: readonly string[]): void => {
      targets.forEach((t, i) => {
        if (t.kind !== 'file') return;
        try {
          writePrivateFile(t.name, read[i] ?? '');
        } catch (error) {
          throw new UsageError(
            `--file ${t.name}: cannot write it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
            USAGE,
          );
        }
      });
    };
    writeFiles(current);

    let child: ChildProcess | undefined;
    let stopping = false;
    let restarting = false;
    const forward = (sig: NodeJS.Signals) => {
      if (sig === 'SIGINT' || sig === 'SIGTERM') stopping = true;
      child?.kill(sig);
    };
    for (const sig of FORWARDED) process.on(sig, forward);

    const status = await new Promise<number>((resolve) => {
      const start = (read: readonly string[]) => {
        const started = spawn(program, args, { stdio: 'inherit', env: childEnv(read) });
        child = started;
        started.on('error', (error: NodeJS.ErrnoException) => {
          io.stderr.write(`tessera run: cannot run "${program}": ${error.code ?? error.message}\n`);
          resolve(127);
        });
        started.on('exit', (code, sig) => {
          if (child !== started) return;
          if (restarting && !stopping) {
            restarting = false;
            start(current);
            return;
          }
          resolve(code ?? 128 + (sig === null ? 0 : constants.signals[sig]));
        });
      };
      let chain = Promise.resolve();
      onRotation = () => {
        chain = chain
          .then(async () => {
            if (rotations.length === 0 || stopping) return;
            const names = [...new Set(rotations.splice(0).map((event) => event.secretName))];
            let next: string[];
            try {
              next = await values();
            } catch (error) {
              const message = error instanceof Error ? error.message : String(error);
              io.stderr.write(
                `tessera run: ${names.join(', ')} rotated, but reading it failed: ${message}\n`,
              );
              return;
            }
            if (next.every((value, i) => value === current[i])) return;
            current = next;
            writeFiles(current);
            const what = names.join(', ');
            if (restart) {
              io.stderr.write(`tessera run: ${what} rotated; restarting ${program}\n`);
              restarting = true;
              const old = child;
              old?.kill('SIGTERM');
              // A program that ignores SIGTERM would otherwise keep the old secret for good.
              setTimeout(() => {
                if (old !== undefined && old.exitCode === null && old.signalCode === null) {
                  old.kill('SIGKILL');
                }
              }, RESTART_KILL_AFTER_MS).unref();
            } else if (signal !== undefined) {
              io.stderr.write(`tessera run: ${what} rotated; sending ${signal} to ${program}\n`);
              child?.kill(signal);
            } else {
              io.stderr.write(
                `tessera run: ${what} rotated${targets.some((t) => t.kind === 'file') ? '; files rewritten' : ''}\n`,
              );
            }
          })
          .catch((error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            io.stderr.write(`tessera run: following a rotation failed: ${message}\n`);
          });
      };
      start(current);
    });

    for (const sig of FORWARDED) process.off(sig, forward);
    cache.close();
    for (const t of targets) if (t.kind === 'file') rmSync(t.name, { force: true });
    process.exitCode = status;
  },
};

function target(kind: 'env' | 'file', text: string): Target {
  const equals = text.indexOf('=');
  const option = kind === 'env' ? '--env NAME=REF' : '--file PATH=REF';
  if (equals <= 0) throw new UsageError(`${option}: "${text}" has no "="`, USAGE);
  const name = text.slice(0, equals);
  if (kind === 'env' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(`--env: "${name}" is not a variable name`, USAGE);
  }
  return { kind, name, ref: parseRef(text.slice(equals + 1), USAGE) };
}

function signalOf(text: string | undefined): NodeJS.Signals | undefined {
  if (text === undefined) return undefined;
  const name = (
    text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`
  ) as NodeJS.Signals;
  if (!(name in constants.signals)) {
    throw new UsageError(`--signal-on-rotation: "${text}" is not a signal (e.g. SIGHUP)`, USAGE);
  }
  return name;
}
