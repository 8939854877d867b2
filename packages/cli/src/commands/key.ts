/**
 * `tessera key`: customer master key hygiene (the server's docs/crypto.md). `status` shows a key's
 * versions and automatic rotation, `rotate` makes a new key version now, `rotation` turns automatic
 * rotation on or off, and `rewrap` moves every stored secret version's data key to its key's newest
 * version (RewrapDataKeys), after which older key versions protect nothing stored.
 */
import type { TesseraClient } from '@tessera/sdk';
import {
  CONNECTION_OPTIONS,
  HELP_OPTION,
  booleanValue,
  connectionFlags,
  parse,
  stringValue,
} from '../args.js';
import { connect, describeFailure } from '../client.js';
import type { Command } from '../command.js';
import { CONNECTION_HELP, EXIT_HELP } from '../command.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { unknownName } from '../suggest.js';
import { table } from '../table.js';

const USAGE = `tessera key status KEY
       tessera key rotate KEY
       tessera key rotation KEY (--interval 365d | --disable)
       tessera key rewrap [--json]
       [connection options]`;

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  json: { type: 'boolean' },
  interval: { type: 'string' },
  disable: { type: 'boolean' },
} as const;

export const key: Command = {
  name: 'key',
  summary: "a key's rotation (now or automatic) and re-wrapping stored data keys",
  usage: USAGE,
  help: `Usage: ${USAGE}

  status KEY                   the key's state, automatic rotation and versions (KEY: id, alias or ARN)
  rotate KEY                   a new key version now; it encrypts from now on, older ones still decrypt
  rotation KEY --interval 365d rotate automatically every interval (7d to 365d: d, h, m or s)
  rotation KEY --disable       stop rotating automatically
  rewrap                       re-wrap every stored secret version's data key under its key's newest
                               version and print the counts; keys disabled or pending deletion are skipped

${CONNECTION_HELP}

${EXIT_HELP}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, OPTIONS, USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${key.help}\n`);
      return;
    }
    const [sub, ...rest] = parsed.positionals;
    if (sub === 'rewrap') {
      if (rest.length > 0) throw new UsageError('rewrap takes no key: it covers every secret', USAGE);
      const { client, settings } = connect(connectionFlags(parsed), io);
      try {
        await rewrap(client, booleanValue(parsed, 'json'), io);
      } catch (error) {
        throw describeFailure(error, 'key rewrap', settings);
      }
      return;
    }
    const [keyId] = rest;
    if (sub === undefined || keyId === undefined || rest.length > 1) {
      throw new UsageError('name a subcommand and one key', USAGE);
    }
    if (sub !== 'status' && sub !== 'rotate' && sub !== 'rotation') {
      throw new UsageError(unknownName('subcommand', sub, ['status', 'rotate', 'rotation', 'rewrap']), USAGE);
    }
    const interval = stringValue(parsed, 'interval');
    const disable = booleanValue(parsed, 'disable');
    if (sub === 'rotation' && (interval === undefined) === !disable) {
      throw new UsageError('give either --interval (e.g. 365d) or --disable', USAGE);
    }
    const { client, settings } = connect(connectionFlags(parsed), io);
    try {
      if (sub === 'rotate') {
        const { keyVersion } = await client.createKeyVersion({ keyId });
        io.stdout.write(`new version ${keyVersion.keyVersionId} of ${keyVersion.keyId} is primary\n`);
      } else if (sub === 'rotation') {
        await client.updateRotationPolicy({
          keyId,
          enableAutomaticRotation: !disable,
          rotationInterval: interval,
        });
      }
      if (sub !== 'rotate') await status(client, keyId, io);
    } catch (error) {
      throw describeFailure(error, `key ${sub} "${keyId}"`, settings);
    }
  },
};

async function status(client: TesseraClient, keyId: string, io: Io): Promise<void> {
  const { keyMetadata: m } = await client.describeKey({ keyId });
  const { keyVersions } = await client.listKeyVersions({ keyId, pageSize: 100 });
  const rows: [string, string][] = [
    ['Key', m.keyId],
    ['State', m.keyState],
    ['Automatic rotation', m.automaticRotation ?? 'Disabled'],
  ];
  if (m.rotationInterval !== undefined) rows.push(['Interval', m.rotationInterval]);
  if (m.nextRotationDate !== undefined) rows.push(['Next rotation', m.nextRotationDate]);
  if (m.lastRotationDate !== undefined) rows.push(['Last rotation', m.lastRotationDate]);
  for (const version of keyVersions) {
    const primary = version.keyVersionId === m.primaryKeyVersion ? ' (primary)' : '';
    rows.push(['Version', `${version.keyVersionId} ${version.creationDate}${primary}`]);
  }
  io.stdout.write(table(['FIELD', 'VALUE'], rows));
}

async function rewrap(client: TesseraClient, json: boolean, io: Io): Promise<void> {
  const report = await client.rewrapDataKeys();
  const counts = {
    examined: report.examined,
    rewrapped: report.rewrapped,
    current: report.current,
    skipped: report.skipped,
    failed: report.failed,
  };
  if (json) {
    io.stdout.write(`${JSON.stringify(counts)}\n`);
    return;
  }
  io.stdout.write(
    `re-wrapped ${counts.rewrapped} of ${counts.examined} data keys (${counts.current} already current, ${counts.skipped} under a disabled or deleted key, ${counts.failed} failed)\n`,
  );
}
