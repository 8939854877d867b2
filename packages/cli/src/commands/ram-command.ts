/**
 * What `tessera user`, `tessera access-key` and `tessera policy` share: a subcommand table on one
 * command, connecting, turning SDK failures into CLI errors, and printing records as `key: value`
 * lines, tables or JSON.
 */
import type { TesseraClient } from '@tessera/sdk';
import type { Options, Parsed } from '../args.js';
import { booleanValue, connectionFlags, parse } from '../args.js';
import { connect, describeFailure } from '../client.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { unknownName } from '../suggest.js';
import { table } from '../table.js';

export interface Subcommand {
  /** `NAME`, `[--user NAME]`, … after the subcommand's name, for the usage line. */
  readonly synopsis: string;
  /** Run with the subcommand's positionals (its name removed). */
  run(context: SubcommandContext): Promise<void>;
}

export interface SubcommandContext {
  readonly parsed: Parsed;
  readonly args: readonly string[];
  readonly io: Io;
  readonly json: boolean;
  /** Calls the API; failures become the CLI's errors naming `what`. */
  call<T>(what: string, work: (client: TesseraClient) => Promise<T>): Promise<T>;
  usage(message: string): UsageError;
}

/** A command made of subcommands: `tessera <name> <subcommand> …`. */
export function ramCommand(spec: {
  readonly name: string;
  readonly summary: string;
  readonly options: Options;
  readonly subcommands: Readonly<Record<string, Subcommand>>;
  /** Option descriptions and examples, between the usage lines and the connection help. */
  readonly details: string;
  readonly footer: string;
}): Command {
  const usageLines = Object.entries(spec.subcommands).map(
    ([sub, { synopsis }]) => `tessera ${spec.name} ${sub}${synopsis === '' ? '' : ` ${synopsis}`}`,
  );
  const usage = `tessera ${spec.name} ${Object.keys(spec.subcommands).join('|')} … [--json] [connection options]`;
  const command: Command = {
    name: spec.name,
    summary: spec.summary,
    usage,
    help: `Usage:
${usageLines.map((line) => `  ${line}`).join('\n')}

${spec.details}

${spec.footer}`,
    async run(argv, io) {
      const parsed = parse(argv, spec.options, usage);
      if (parsed.values.help === true) {
        io.stdout.write(`${command.help}\n`);
        return;
      }
      const [name, ...args] = parsed.positionals;
      if (name === undefined)
        throw new UsageError(`missing the subcommand (${Object.keys(spec.subcommands).join(', ')})`, usage);
      const subcommand = Object.hasOwn(spec.subcommands, name) ? spec.subcommands[name] : undefined;
      if (subcommand === undefined)
        throw new UsageError(unknownName('subcommand', name, Object.keys(spec.subcommands)), usage);
      const subUsage = `tessera ${spec.name} ${name} ${subcommand.synopsis}`.trimEnd();
      let connection: ReturnType<typeof connect> | undefined;
      await subcommand.run({
        parsed,
        args,
        io,
        json: booleanValue(parsed, 'json'),
        usage: (message) => new UsageError(message, subUsage),
        async call(what, work) {
          connection ??= connect(connectionFlags(parsed), io);
          try {
            return await work(connection.client);
          } catch (error) {
            throw describeFailure(error, what, connection.settings);
          }
        },
      });
    },
  };
  return command;
}

/** Exactly these positionals, or a usage error naming the missing or extra one. */
export function expectArgs(context: SubcommandContext, names: readonly string[]): string[] {
  const { args } = context;
  if (args.length < names.length) throw context.usage(`missing ${names[args.length] ?? 'argument'}`);
  if (args.length > names.length) throw context.usage(`unexpected argument "${args[names.length] ?? ''}"`);
  return [...args];
}

/** One record as aligned `Label: value` lines; absent values are left out. */
export function record(
  fields: readonly (readonly [string, string | number | boolean | undefined])[],
): string {
  const shown = fields.filter(([, value]) => value !== undefined && value !== '');
  const width = Math.max(...shown.map(([label]) => label.length)) + 1;
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width)} ${String(value)}\n`).join('');
}

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(io: Io, header: readonly string[], rows: readonly (readonly string[])[]): void {
  io.stdout.write(table(header, rows));
}
