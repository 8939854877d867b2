/**
 * Command-line parsing on top of `node:util` `parseArgs`: every command's own options plus the
 * connection options, with parse failures turned into usage errors that name the command.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { unknownName } from './suggest.js';

type OptionSpec =
  { type: 'string'; multiple?: boolean; short?: string } | { type: 'boolean'; short?: string };
export type Options = Readonly<Record<string, OptionSpec>>;

/** Where to reach the server and as whom; accepted by every command that calls the API. */
export const CONNECTION_OPTIONS = {
  endpoint: { type: 'string' },
  'access-key-id': { type: 'string' },
  'access-key-secret': { type: 'string' },
  profile: { type: 'string' },
} as const satisfies Options;

export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const satisfies Options;

/** The connection settings given on the command line. */
export interface ConnectionFlags {
  readonly endpoint?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly accessKeySecret?: string | undefined;
  readonly profile?: string | undefined;
}

export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** Parses strictly: an unknown option or a missing value is a usage error for `usage`. */
export function parse(argv: readonly string[], options: Options, usage: string): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...options },
      strict: true,
      allowPositionals: true,
    });
    return { values, positionals };
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(parseFailure(error.message, options), usage);
    }
    throw error;
  }
}

/**
 * Node's messages, in the CLI's own style (lower case, the name in double quotes, the nearest valid
 * option suggested): `unknown option "--fil" (did you mean "--file"?)`, `--file needs a value`.
 */
function parseFailure(message: string, options: Options): string {
  const name = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? '';
  if (message.startsWith('Unknown option')) {
    return unknownName(
      'option',
      name,
      Object.keys(options).map((option) => `--${option}`),
    );
  }
  if (message.includes('argument missing')) return `${name} needs a value`;
  if (message.includes('does not take an argument')) return `${name} takes no value`;
  const end = message.search(/\.\s/);
  return end === -1 ? message : message.slice(0, end + 1);
}

export function stringValue(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function booleanValue(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

export function stringValues(parsed: Parsed, name: string): string[] {
  const value = parsed.values[name];
  return Array.isArray(value) ? value : [];
}

export function connectionFlags(parsed: Parsed): ConnectionFlags {
  return {
    endpoint: stringValue(parsed, 'endpoint'),
    accessKeyId: stringValue(parsed, 'access-key-id'),
    accessKeySecret: stringValue(parsed, 'access-key-secret'),
    profile: stringValue(parsed, 'profile'),
  };
}

/** Exactly `count` positional arguments, named in the message when missing or extra. */
export function positionals(parsed: Parsed, names: readonly string[], usage: string): string[] {
  const given = parsed.positionals;
  if (given.length < names.length)
    throw new UsageError(`missing ${names[given.length] ?? 'argument'}`, usage);
  if (given.length > names.length) {
    throw new UsageError(`unexpected argument "${given[names.length] ?? ''}"`, usage);
  }
  return [...given];
}
