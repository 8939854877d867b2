/** `tessera get NAME`: the raw value of one version, for `$(...)` in scripts. */
import {
  CONNECTION_OPTIONS,
  HELP_OPTION,
  connectionFlags,
  parse,
  positionals,
  stringValue,
} from '../args.js';
import { connect, describeFailure } from '../client.js';
import type { Command } from '../command.js';
import { CONNECTION_HELP, EXIT_HELP } from '../command.js';
import type { Io } from '../io.js';

const USAGE = 'tessera get NAME [--stage STAGE] [--version VERSION_ID] [connection options]';

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  stage: { type: 'string' },
  version: { type: 'string' },
} as const;

export const get: Command = {
  name: 'get',
  summary: "print a secret's value (ACSCurrent, or another stage or version)",
  usage: USAGE,
  help: `Usage: ${USAGE}

Prints the value of the version labelled ACSCurrent, or of the version carrying --stage, or of
--version. With both, the version must carry the stage. NAME may also be the secret's ARN.

The value is printed exactly as stored (a binary secret's value is its base64 text). A newline is
added only when the output is a terminal, so files and pipes receive the exact value:

  export DB_PASSWORD="$(tessera get db/password)"
  tessera get db/password --stage ACSPrevious
  tessera get tls/key --version 20250101T000000Z-1a2b3c4d > key.b64

${CONNECTION_HELP}

${EXIT_HELP}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, OPTIONS, USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${get.help}\n`);
      return;
    }
    const [name = ''] = positionals(parsed, ['NAME'], USAGE);
    const { client, settings } = connect(connectionFlags(parsed), io);
    const versionStage = stringValue(parsed, 'stage');
    const versionId = stringValue(parsed, 'version');
    let secretData: string;
    try {
      ({ secretData } = await client.getSecretValue({ secretName: name, versionStage, versionId }));
    } catch (error) {
      throw describeFailure(error, `get "${name}"`, settings);
    }
    io.stdout.write(io.stdout.isTTY === true ? `${secretData}\n` : secretData);
  },
};
