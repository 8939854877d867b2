/** `tessera versions NAME`: a secret's versions and their stage labels, as a table. */
import type { SecretVersionSummary } from '@tessera/sdk';
import {
  CONNECTION_OPTIONS,
  HELP_OPTION,
  booleanValue,
  connectionFlags,
  parse,
  positionals,
  stringValue,
} from '../args.js';
import { connect, describeFailure } from '../client.js';
import type { Command } from '../command.js';
import { CONNECTION_HELP, EXIT_HELP } from '../command.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { table } from '../table.js';

const USAGE = 'tessera versions NAME [--all] [--page-size N] [connection options]';

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  all: { type: 'boolean' },
  'page-size': { type: 'string' },
} as const;

/** The API's largest page. */
const MAX_PAGE_SIZE = 100;
/** A bound on the loop, should a server keep answering full pages. */
const MAX_PAGES = 10_000;

export const versions: Command = {
  name: 'versions',
  summary: "list a secret's versions and their stage labels",
  usage: USAGE,
  help: `Usage: ${USAGE}

Prints the secret's versions, newest first, with their creation time (UTC) and stage labels:

  VERSION ID                 CREATED               STAGES
  20250102T090000Z-9f86d081  2025-01-02T09:00:00Z  ACSCurrent
  20250101T090000Z-1a2b3c4d  2025-01-01T09:00:00Z  ACSPrevious

  --all           also list versions without any label (IncludeDeprecated)
  --page-size N   versions per request, 1 to 100 (default 100); every page is read

${CONNECTION_HELP}

${EXIT_HELP}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, OPTIONS, USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${versions.help}\n`);
      return;
    }
    const [name = ''] = positionals(parsed, ['NAME'], USAGE);
    const pageSizeText = stringValue(parsed, 'page-size');
    const pageSize = pageSizeText === undefined ? MAX_PAGE_SIZE : Number(pageSizeText);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new UsageError(`--page-size must be a whole number from 1 to ${MAX_PAGE_SIZE}`, USAGE);
    }
    const includeDeprecated = booleanValue(parsed, 'all') ? true : undefined;
    const { client, settings } = connect(connectionFlags(parsed), io);
    const all: SecretVersionSummary[] = [];
    try {
      for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
        const page = await client.listSecretVersionIds({
          secretName: name,
          includeDeprecated,
          pageNumber,
          pageSize,
        });
        all.push(...page.versionIds);
        if (page.versionIds.length < pageSize || all.length >= page.totalCount) break;
      }
    } catch (error) {
      throw describeFailure(error, `versions "${name}"`, settings);
    }
    io.stdout.write(
      table(
        ['VERSION ID', 'CREATED', 'STAGES'],
        all.map((v) => [v.versionId, v.createTime, v.versionStages.join(', ') || '-']),
      ),
    );
  },
};
