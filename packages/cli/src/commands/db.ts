/**
 * `tessera db`: the database instances managed database secrets (`SecretType=Rds`) rotate against.
 * `register` names the instance's engine, address, TLS and the secret holding its administrator
 * credentials; `list`, `describe` and `deregister` do what they say.
 */
import type { DatabaseEngine, DatabaseInstance, DatabaseTlsMode, TesseraClient } from '@tessera/sdk';
import { readFileSync } from 'node:fs';
import {
  CONNECTION_OPTIONS,
  HELP_OPTION,
  booleanValue,
  connectionFlags,
  parse,
  stringValue,
} from '../args.js';
import type { Parsed } from '../args.js';
import { connect, describeFailure } from '../client.js';
import type { Command } from '../command.js';
import { CONNECTION_HELP, EXIT_HELP } from '../command.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { unknownName } from '../suggest.js';
import { table } from '../table.js';

const USAGE =
  'tessera db register|list|describe|deregister [ID] [--engine E --host H --admin-secret NAME ...] [--json] [connection options]';

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  engine: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  database: { type: 'string' },
  tls: { type: 'string' },
  'ca-file': { type: 'string' },
  'admin-secret': { type: 'string' },
  description: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const ENGINES: readonly DatabaseEngine[] = ['postgresql', 'mysql', 'mariadb'];
const TLS_MODES: readonly DatabaseTlsMode[] = ['disable', 'require', 'verify-full'];
const REGISTER_ONLY = ['engine', 'host', 'port', 'database', 'tls', 'ca-file', 'admin-secret', 'description'];
/** The most instances `list` reads (the API's largest page, many times over). */
const MAX_PAGES = 100;

function missing(name: string): never {
  throw new UsageError(`db register needs --${name}`, USAGE);
}

function required(parsed: Parsed, name: string): string {
  return stringValue(parsed, name) ?? missing(name);
}

function oneOf<T extends string>(parsed: Parsed, name: string, allowed: readonly T[]): T | undefined {
  const value = stringValue(parsed, name);
  if (value === undefined) return undefined;
  const match = allowed.find((candidate) => candidate === value.toLowerCase());
  if (match === undefined) throw new UsageError(`--${name} is one of ${allowed.join(', ')}`, USAGE);
  return match;
}

function portOf(parsed: Parsed): number | undefined {
  const text = stringValue(parsed, 'port');
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65_535) {
    throw new UsageError('--port is a whole number from 1 to 65535', USAGE);
  }
  return port;
}

function caOf(parsed: Parsed): string | undefined {
  const file = stringValue(parsed, 'ca-file');
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --ca-file ${file}: ${(error as Error).message}`, USAGE);
  }
}

function describeLines(instance: DatabaseInstance): string {
  const rows: [string, string][] = [
    ['ID', instance.dbInstanceId],
    ['Engine', instance.engine],
    ['Address', `${instance.host}:${instance.port}`],
    ['Database', instance.database ?? '-'],
    ['TLS', instance.tlsMode + (instance.caCertificate === undefined ? '' : ' (own CA)')],
    ['Admin secret', instance.adminSecretName],
    ['Description', instance.description === '' ? '-' : instance.description],
    ['Registered', instance.createTime],
    ['Updated', instance.updateTime],
  ];
  return rows.map(([name, value]) => `${`${name}:`.padEnd(14)}${value}\n`).join('');
}

async function listAll(client: TesseraClient): Promise<DatabaseInstance[]> {
  const instances: DatabaseInstance[] = [];
  for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
    const page = await client.listDatabaseInstances({ pageNumber, pageSize: 100 });
    instances.push(...page.dbInstances);
    if (instances.length >= page.totalCount || page.dbInstances.length === 0) break;
  }
  return instances;
}

function print(io: Io, parsed: Parsed, instance: DatabaseInstance): void {
  io.stdout.write(booleanValue(parsed, 'json') ? `${JSON.stringify(instance)}\n` : describeLines(instance));
}

export const db: Command = {
  name: 'db',
  summary: 'register and list the database instances managed database secrets rotate against',
  usage: USAGE,
  help: `Usage: ${USAGE}

  tessera db register ID --engine postgresql|mysql|mariadb --host HOST --admin-secret NAME
                         [--port N] [--database NAME] [--tls disable|require|verify-full]
                         [--ca-file FILE.pem] [--description TEXT]
      Registers an instance. NAME is a secret holding the administrator's credentials as
      {"AccountName":"…","AccountPassword":"…"}; create it first (tessera put NAME --create).
  tessera db list              every registered instance, as a table
  tessera db describe ID       one instance's settings
  tessera db deregister ID     removes it; refused while Rds secrets name it
  --json                       print JSON instead (one object per line for list)

Then create a managed database secret on it, e.g.:
  tessera kms CreateSecret --SecretName app/db --VersionId v1 --SecretType Rds \\
    --ExtendedConfig '{"SecretSubType":"SingleUser","DBInstanceId":"ID"}' \\
    --SecretData '{"Accounts":[{"AccountName":"app","AccountPassword":"…"}]}'

${CONNECTION_HELP}

${EXIT_HELP}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, OPTIONS, USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${db.help}\n`);
      return;
    }
    const [subcommand, id, ...extra] = parsed.positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] ?? ''}"`, USAGE);
    if (subcommand === undefined) {
      throw new UsageError('missing the subcommand (register, list, describe, deregister)', USAGE);
    }
    if (!['register', 'list', 'describe', 'deregister'].includes(subcommand)) {
      throw new UsageError(
        unknownName('subcommand', subcommand, ['register', 'list', 'describe', 'deregister']),
        USAGE,
      );
    }
    if (subcommand === 'list' ? id !== undefined : id === undefined) {
      throw new UsageError(
        subcommand === 'list' ? 'db list takes no id' : `db ${subcommand} needs the instance id`,
        USAGE,
      );
    }
    if (subcommand !== 'register') {
      const given = REGISTER_ONLY.find((name) => parsed.values[name] !== undefined);
      if (given !== undefined) throw new UsageError(`--${given} is for db register`, USAGE);
    }
    const request =
      subcommand === 'register'
        ? {
            dbInstanceId: id ?? '',
            engine: oneOf(parsed, 'engine', ENGINES) ?? missing('engine'),
            host: required(parsed, 'host'),
            adminSecretName: required(parsed, 'admin-secret'),
            port: portOf(parsed),
            database: stringValue(parsed, 'database'),
            tlsMode: oneOf(parsed, 'tls', TLS_MODES),
            caCertificate: caOf(parsed),
            description: stringValue(parsed, 'description'),
          }
        : undefined;

    const { client, settings } = connect(connectionFlags(parsed), io);
    try {
      switch (subcommand) {
        case 'register':
          if (request) print(io, parsed, await client.registerDatabaseInstance(request));
          return;
        case 'describe':
          print(io, parsed, await client.describeDatabaseInstance(id ?? ''));
          return;
        case 'deregister':
          await client.deregisterDatabaseInstance(id ?? '');
          io.stdout.write(`deregistered ${id ?? ''}\n`);
          return;
        default: {
          const instances = await listAll(client);
          if (booleanValue(parsed, 'json')) {
            io.stdout.write(instances.map((instance) => `${JSON.stringify(instance)}\n`).join(''));
            return;
          }
          io.stdout.write(
            table(
              ['ID', 'ENGINE', 'ADDRESS', 'TLS', 'ADMIN SECRET'],
              instances.map((i) => [
                i.dbInstanceId,
                i.engine,
                `${i.host}:${i.port}`,
                i.tlsMode,
                i.adminSecretName,
              ]),
            ),
          );
        }
      }
    } catch (error) {
      throw describeFailure(error, `db ${subcommand}`, settings);
    }
  },
};
