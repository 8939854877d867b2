/**
 * `tessera audit`: the audit trail. Without a subcommand it looks events up (LookupEvents) and prints
 * them as a table or JSON lines; `tessera audit verify` asks the server to check the hash chain
 * (VerifyEvents) and fails naming the first broken event. Verification runs on the server because the
 * chain is keyed by the root key, which the CLI never holds.
 */
import type { AuditEvent, LookupEventsRequest, TesseraClient } from '@tessera/sdk';
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
import { CliError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { unknownName } from '../suggest.js';
import { table } from '../table.js';

const USAGE =
  'tessera audit [verify] [--since TIME] [--until TIME] [--user NAME] [--action ACTION] [--resource NAME] [--request-id ID] [--limit N] [--json] [connection options]';

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  since: { type: 'string' },
  until: { type: 'string' },
  user: { type: 'string' },
  action: { type: 'string' },
  resource: { type: 'string' },
  'request-id': { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const DEFAULT_LIMIT = 100;
/** The API's largest page. */
const PAGE_SIZE = 50;
const RELATIVE = /^(\d{1,9})([smhd])$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `2h`, `7d` before now, or an ISO 8601 time; sent as UTC `YYYY-MM-DDThh:mm:ssZ`. */
export function parseTime(value: string, option: string, now = Date.now()): string {
  const relative = RELATIVE.exec(value);
  const time = relative
    ? now - Number(relative[1]) * (UNIT_MS[relative[2] ?? ''] ?? 0)
    : /^\d{4}-\d{2}-\d{2}/.test(value)
      ? Date.parse(value)
      : NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(`${option} takes a time like 2025-01-02T09:00:00Z, or 30m, 2h, 7d ago`, USAGE);
  }
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function eventRow(event: AuditEvent): string[] {
  const dash = (value: string | number | undefined) => (value === undefined ? '-' : String(value));
  return [
    dash(event.eventSeq),
    event.eventTime,
    dash(event.userIdentity.userName),
    dash(event.eventName),
    dash(event.resourceName),
    event.eventPhase === 'attempt' ? 'attempt' : dash(event.resultCode),
    dash(event.sourceIpAddress),
    event.requestId,
  ];
}

async function lookup(client: TesseraClient, request: LookupEventsRequest, limit: number) {
  const events: AuditEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.lookupEvents({
      ...request,
      maxResults: Math.min(PAGE_SIZE, limit - events.length),
      nextToken,
    });
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken !== undefined && events.length < limit);
  return events;
}

export const audit: Command = {
  name: 'audit',
  summary:
    'look up the audit trail, or verify its hash chain (needs actiontrail:LookupEvents / VerifyEvents)',
  usage: USAGE,
  help: `Usage: ${USAGE}

Prints audit events, newest first, as a table (or JSON lines with --json):

  SEQ  TIME                  USER           ACTION          RESOURCE  RESULT   SOURCE     REQUEST ID
  42   2025-01-02T09:00:00Z  administrator  GetSecretValue  db/pass   Success  10.0.0.7   5F0C…

  --since TIME       events at or after TIME: 2025-01-02T09:00:00Z, or 30m, 2h, 7d (ago)
  --until TIME       events at or before TIME
  --user NAME        events of this user
  --action ACTION    events of this API action (GetSecretValue, PutSecretValue, …)
  --resource NAME    events about this secret name, key id or alias
  --request-id ID    the events of one request
  --limit N          print at most N events (default ${DEFAULT_LIMIT}); pages are read as needed
  --json             one JSON object per line, every field of the event

A state-changing request has two events: its attempt (written before it runs) and its outcome.

  tessera audit verify

Checks that no event was edited, removed or reordered since it was written. Prints the number of
events checked and the last event's seq and hash (keep them: an event cut off the end is only found
by comparing with them later); exits 1 naming the first broken event.

${CONNECTION_HELP}

${EXIT_HELP}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, OPTIONS, USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${audit.help}\n`);
      return;
    }
    const [subcommand, ...extra] = parsed.positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] ?? ''}"`, USAGE);
    if (subcommand === 'verify') {
      const filters = ['since', 'until', 'user', 'action', 'resource', 'request-id', 'limit', 'json'];
      const given = filters.find((name) => parsed.values[name] !== undefined);
      if (given !== undefined) throw new UsageError(`audit verify takes no --${given}`, USAGE);
      await verify(parsed, io);
      return;
    }
    if (subcommand !== undefined)
      throw new UsageError(unknownName('subcommand', subcommand, ['verify']), USAGE);

    const limitText = stringValue(parsed, 'limit');
    const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new UsageError('--limit must be a whole number, 1 or more', USAGE);
    }
    const since = stringValue(parsed, 'since');
    const until = stringValue(parsed, 'until');
    const request: LookupEventsRequest = {
      startTime: since === undefined ? undefined : parseTime(since, '--since'),
      endTime: until === undefined ? undefined : parseTime(until, '--until'),
      user: stringValue(parsed, 'user'),
      eventName: stringValue(parsed, 'action'),
      resourceName: stringValue(parsed, 'resource'),
      requestId: stringValue(parsed, 'request-id'),
    };
    const { client, settings } = connect(connectionFlags(parsed), io);
    let events: AuditEvent[];
    try {
      events = await lookup(client, request, limit);
    } catch (error) {
      throw describeFailure(error, 'audit', settings);
    }
    if (booleanValue(parsed, 'json')) {
      io.stdout.write(events.map((event) => `${JSON.stringify(event)}\n`).join(''));
      return;
    }
    io.stdout.write(
      table(
        ['SEQ', 'TIME', 'USER', 'ACTION', 'RESOURCE', 'RESULT', 'SOURCE', 'REQUEST ID'],
        events.map(eventRow),
      ),
    );
  },
};

async function verify(parsed: ReturnType<typeof parse>, io: Io): Promise<void> {
  const { client, settings } = connect(connectionFlags(parsed), io);
  let report;
  try {
    report = await client.verifyEvents();
  } catch (error) {
    throw describeFailure(error, 'audit verify', settings);
  }
  const broken = report.brokenEvent;
  if (!report.valid && broken !== undefined) {
    const why: Readonly<Record<string, string>> = {
      edited: 'its content no longer matches its hash (edited)',
      missing_before: `the event before it is missing (removed); the last intact event is seq ${report.lastSeq}`,
      broken_link: 'it does not link to the event before it (reordered or replaced)',
      truncated: `the trail ends before the head recorded outside the database (events removed from the end); the last intact event is seq ${report.lastSeq}`,
    };
    throw new CliError(
      EXIT.api,
      `audit trail verification failed at event seq ${broken.seq} (request id ${broken.requestId})`,
      [
        `Reason:    ${why[broken.reason] ?? broken.reason}`,
        `Checked:   ${report.checkedEvents} intact events before it`,
      ],
    );
  }
  io.stdout.write(
    `audit trail intact: ${report.checkedEvents} events; last seq ${report.lastSeq}, hash ${report.lastHash}\n`,
  );
}
