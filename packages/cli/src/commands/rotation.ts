/**
 * `tessera rotation`: a secret's rotation (docs/rotation.md). `status` shows the policy and the last
 * run (with its error), `rotate` starts a run, `policy` turns automatic rotation on or off, and
 * `webhook create|list|delete` manages the webhooks Generic secrets are rotated through.
 */
import { randomUUID } from 'node:crypto';
import type { DescribeSecretResponse, TesseraClient } from '@tessera/sdk';
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

const USAGE = `tessera rotation status NAME [--json]
       tessera rotation rotate NAME [--version-id ID]
       tessera rotation policy NAME (--interval 30d | --disable)
       tessera rotation webhook create WEBHOOK --url URL [--timeout SECONDS]
       tessera rotation webhook list
       tessera rotation webhook delete WEBHOOK
       [connection options]`;

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  json: { type: 'boolean' },
  'version-id': { type: 'string' },
  interval: { type: 'string' },
  disable: { type: 'boolean' },
  url: { type: 'string' },
  timeout: { type: 'string' },
} as const;

const STATUS_FIELDS: readonly (readonly [keyof DescribeSecretResponse, string])[] = [
  ['automaticRotation', 'Automatic rotation'],
  ['rotationInterval', 'Interval'],
  ['nextRotationDate', 'Next rotation'],
  ['lastRotationDate', 'Last rotation'],
  ['rotationStatus', 'Last run'],
  ['rotationStep', 'Step'],
  ['rotationAttempts', 'Failed attempts'],
  ['rotationVersionId', 'Version'],
  ['rotationStartDate', 'Started'],
  ['rotationEndDate', 'Ended'],
  ['nextRotationAttemptDate', 'Next attempt'],
  ['lastRotationErrorStep', 'Error at step'],
  ['lastRotationError', 'Error'],
];

export const rotation: Command = {
  name: 'rotation',
  summary: "show, start and schedule a secret's rotation; manage rotation webhooks",
  usage: USAGE,
  help: `Usage: ${USAGE}

  status NAME                 the rotation policy and the last run: status, step, attempts, error
  rotate NAME                 start a rotation now (--version-id names the new version and makes a
                              retried command start no second run; default: a new id)
  policy NAME --interval 30d  rotate automatically every interval (6h to 8760h: d, h, m or s)
  policy NAME --disable       stop rotating automatically
  webhook create WEBHOOK --url URL [--timeout SECONDS]
                              register a rotation webhook; prints its signing key ONCE
  webhook list | webhook delete WEBHOOK

Bind a Generic secret to a webhook with ExtendedConfig {"RotationWebhook":"WEBHOOK"}.

${CONNECTION_HELP}

${EXIT_HELP}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, OPTIONS, USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${rotation.help}\n`);
      return;
    }
    const [sub, ...rest] = parsed.positionals;
    if (sub === 'webhook') {
      const [action, name] = rest;
      await runWebhook(action, name, parsed, io);
      return;
    }
    const [name] = rest;
    if (sub === undefined || name === undefined || rest.length > 1) {
      throw new UsageError('name a subcommand and one secret', USAGE);
    }
    const { client, settings } = connect(connectionFlags(parsed), io);
    try {
      if (sub === 'status') await status(client, name, booleanValue(parsed, 'json'), io);
      else if (sub === 'rotate') await rotate(client, name, stringValue(parsed, 'version-id'), io);
      else if (sub === 'policy') await policy(client, name, parsed, io);
      else
        throw new UsageError(
          unknownName('subcommand', sub, ['status', 'rotate', 'policy', 'webhook']),
          USAGE,
        );
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw describeFailure(error, `rotation ${sub} "${name}"`, settings);
    }
  },
};

async function status(client: TesseraClient, name: string, json: boolean, io: Io): Promise<void> {
  const described = await client.describeSecret({ secretName: name });
  const fields = STATUS_FIELDS.filter(([key]) => described[key] !== undefined);
  if (json) {
    const out = Object.fromEntries(fields.map(([key]) => [key, described[key]]));
    io.stdout.write(`${JSON.stringify({ secretName: described.secretName, ...out })}\n`);
    return;
  }
  if (fields.length === 0) {
    io.stdout.write(`${name}: no rotator serves this secret and it was never rotated\n`);
    return;
  }
  io.stdout.write(
    table(
      ['FIELD', 'VALUE'],
      fields.map(([key, label]) => [
        label,
        key === 'rotationInterval' ? readableInterval(text(described[key])) : text(described[key]),
      ]),
    ),
  );
}

function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number'
      ? String(value)
      : JSON.stringify(value);
}

async function rotate(
  client: TesseraClient,
  name: string,
  versionId: string | undefined,
  io: Io,
): Promise<void> {
  const id = versionId ?? `rotation-${randomUUID()}`;
  const answer = await client.rotateSecret({ secretName: name, versionId: id });
  io.stdout.write(
    `rotation of ${answer.secretName} started (version ${answer.versionId}); see: tessera rotation status ${name}\n`,
  );
}

async function policy(
  client: TesseraClient,
  name: string,
  parsed: ReturnType<typeof parse>,
  io: Io,
): Promise<void> {
  const interval = stringValue(parsed, 'interval');
  const disable = booleanValue(parsed, 'disable');
  if ((interval === undefined) === !disable) {
    throw new UsageError('give either --interval (e.g. 30d) or --disable', USAGE);
  }
  await client.updateSecretRotationPolicy({
    secretName: name,
    enableAutomaticRotation: !disable,
    rotationInterval: interval,
  });
  const described = await client.describeSecret({ secretName: name });
  io.stdout.write(
    disable
      ? `automatic rotation of ${name} is off\n`
      : `${name} rotates every ${interval ?? readableInterval(described.rotationInterval ?? '')}; next: ${described.nextRotationDate ?? 'now'}\n`,
  );
}

async function runWebhook(
  action: string | undefined,
  name: string | undefined,
  parsed: ReturnType<typeof parse>,
  io: Io,
): Promise<void> {
  const { client, settings } = connect(connectionFlags(parsed), io);
  try {
    if (action === 'list') {
      const { rotationWebhooks } = await client.listRotationWebhooks();
      io.stdout.write(
        table(
          ['WEBHOOK', 'URL', 'TIMEOUT', 'CREATED'],
          rotationWebhooks.map((w) => [w.webhookName, w.url, `${w.timeoutSeconds}s`, w.createTime]),
        ),
      );
      return;
    }
    if (name === undefined) throw new UsageError('name the webhook', USAGE);
    if (action === 'create') {
      const url = stringValue(parsed, 'url');
      if (url === undefined) throw new UsageError('webhook create needs --url', USAGE);
      const timeoutText = stringValue(parsed, 'timeout');
      const timeoutSeconds = timeoutText === undefined ? undefined : Number(timeoutText);
      if (timeoutSeconds !== undefined && !Number.isInteger(timeoutSeconds)) {
        throw new UsageError('--timeout takes whole seconds, 1 to 60', USAGE);
      }
      const created = await client.createRotationWebhook({ webhookName: name, url, timeoutSeconds });
      io.stdout.write(`${created.signingKey}\n`);
      io.stderr.write(
        `registered rotation webhook ${created.webhookName}; the line above is its signing key (base64), shown only now: give it to the receiver to verify the Tessera-Signature header\n`,
      );
      return;
    }
    if (action === 'delete') {
      await client.deleteRotationWebhook({ webhookName: name });
      io.stdout.write(`deleted rotation webhook ${name}\n`);
      return;
    }
    throw new UsageError(
      unknownName('webhook subcommand', action ?? '', ['create', 'list', 'delete']),
      USAGE,
    );
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw describeFailure(error, `rotation webhook ${action ?? ''} "${name ?? ''}"`, settings);
  }
}

/** The server's `2592000s` in the largest unit that divides it exactly (`30d`), as users write it. */
export function readableInterval(interval: string): string {
  const seconds = /^(\d+)s$/.exec(interval)?.[1];
  if (seconds === undefined) return interval;
  const total = Number(seconds);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (total > 0 && total % size === 0) return `${total / size}${unit}`;
  }
  return interval;
}
