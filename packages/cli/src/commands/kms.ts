/**
 * `tessera kms <Action> --Name value …`: any API action, shaped like the cloud CLI's `aliyun kms`, so its
 * commands run with only the program name changed. Every `--Name value` (PascalCase) is a request
 * parameter sent exactly as given; JSON values such as `--VersionStages '["X"]'` stay text.
 */
import type { ConnectionFlags } from '../args.js';
import { connect, describeFailure } from '../client.js';
import type { Command } from '../command.js';
import { CONNECTION_HELP, EXIT_HELP } from '../command.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { KMS_ACTIONS, acceptsParameter, actionsHelp, parameterNames } from '../kms-catalog.js';
import { unknownName } from '../suggest.js';

const USAGE = 'tessera kms <Action> [--ParamName value ...] [connection options]';

const ACTION = /^[A-Z][A-Za-z0-9]*$/;
const PARAMETER = /^[A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*$/;

export interface KmsArgs {
  readonly help: boolean;
  readonly action: string | undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly connection: ConnectionFlags;
}

const CONNECTION_FLAGS: Readonly<Record<string, keyof ConnectionFlags>> = {
  endpoint: 'endpoint',
  'access-key-id': 'accessKeyId',
  'access-key-secret': 'accessKeySecret',
  profile: 'profile',
};

/**
 * Hand-parsed rather than with `parseArgs`, whose options must be known in advance: a capitalised
 * `--Name` is an API parameter and takes the next argument as its value whatever it looks like;
 * lower-case options are the CLI's own. `--Name=value` works too.
 */
export function parseKmsArgs(argv: readonly string[]): KmsArgs {
  const params: Record<string, string> = {};
  const connection: Record<string, string> = {};
  let action: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (token === '--help' || token === '-h') {
      help = true;
      continue;
    }
    if (!token.startsWith('-') || token === '-') {
      if (action !== undefined) throw new UsageError(`unexpected argument "${token}"`, USAGE);
      if (!ACTION.test(token)) {
        throw new UsageError(`"${token}" is not an action name (e.g. GetSecretValue)`, USAGE);
      }
      action = token;
      continue;
    }
    if (!token.startsWith('--')) throw new UsageError(`unknown option "${token}"`, USAGE);
    const equals = token.indexOf('=');
    const name = token.slice(2, equals === -1 ? undefined : equals);
    let value: string | undefined;
    if (equals !== -1) value = token.slice(equals + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    if (/^[A-Z]/.test(name)) {
      if (!PARAMETER.test(name)) throw new UsageError(`"--${name}" is not a parameter name`, USAGE);
      if (value === undefined) throw new UsageError(`--${name} needs a value`, USAGE);
      if (Object.hasOwn(params, name)) throw new UsageError(`--${name} is given twice`, USAGE);
      params[name] = value;
      continue;
    }
    const field = CONNECTION_FLAGS[name];
    if (field === undefined) {
      throw new UsageError(
        `${unknownName(
          'option',
          `--${name}`,
          Object.keys(CONNECTION_FLAGS).map((f) => `--${f}`),
        )}; API parameters are capitalised: --SecretName`,
        USAGE,
      );
    }
    if (value === undefined) throw new UsageError(`--${name} needs a value`, USAGE);
    connection[field] = value;
  }
  return { help, action, params, connection };
}

export const kms: Command = {
  name: 'kms',
  summary: 'call any API action, cloud-CLI style: tessera kms GetSecretValue --SecretName db',
  usage: USAGE,
  help: `Usage: ${USAGE}

Calls one API action and prints its JSON answer. Parameters use the API's own names and the same
shape as the Alibaba Cloud CLI (\`aliyun kms ...\`): every --Name value pair is sent as given, JSON
values included.

  tessera kms CreateSecret --SecretName db_cred --VersionId v1 --SecretData s3cret
  tessera kms PutSecretValue --SecretName db_cred --SecretData "{\\"pwd\\": \\"n3w\\"}" \\
      --VersionId v2 --VersionStages "[\\"MyPendingLabel\\"]"
  tessera kms UpdateSecretVersionStage --SecretName db_cred --VersionStage ACSCurrent --MoveToVersion v2
  tessera kms GetRandomPassword --ExcludePunctuation true

On an API error the code, message and request id go to stderr.

${actionsHelp()}

${CONNECTION_HELP}

${EXIT_HELP}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const args = parseKmsArgs(argv);
    if (args.help) {
      io.stdout.write(`${kms.help}\n`);
      return;
    }
    if (args.action === undefined) throw new UsageError('missing the action name', USAGE);
    checkAgainstCatalog(args.action, args.params);
    const format = args.params.Format;
    if (format !== undefined && format.toUpperCase() !== 'JSON') {
      throw new UsageError(`kms reads and prints JSON only; leave out --Format ${format}`, USAGE);
    }
    const { client, settings } = connect(args.connection, io);
    let answer: Record<string, unknown>;
    try {
      answer = await client.call(args.action, args.params);
    } catch (error) {
      throw describeFailure(error, args.action, settings);
    }
    io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  },
};

/**
 * Refuses, before anything is sent, an action the server does not answer or a parameter the action
 * does not read: the server would answer the first with InvalidAction.NotFound and silently ignore
 * the second.
 */
function checkAgainstCatalog(action: string, params: Readonly<Record<string, string>>): void {
  if (!KMS_ACTIONS.has(action)) {
    throw new UsageError(
      `${unknownName('action', action, KMS_ACTIONS.keys())}; see tessera kms --help`,
      USAGE,
    );
  }
  for (const name of Object.keys(params)) {
    if (!acceptsParameter(action, name)) {
      const known = parameterNames(action);
      throw new UsageError(
        `${unknownName(
          `${action} parameter`,
          `--${name}`,
          known.map((p) => `--${p}`),
        )}; ${action} takes ${known.length === 0 ? 'no parameters' : known.map((p) => `--${p}`).join(' ')}`,
        USAGE,
      );
    }
  }
}
