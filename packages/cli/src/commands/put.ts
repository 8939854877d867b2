/**
 * `tessera put NAME`: stores a new version. The value comes from --data, --file or stdin, so it can stay
 * out of shell history; the version id is fresh unless given.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SecretDataType } from '@tessera/sdk';
import { TesseraApiError } from '@tessera/sdk';
import {
  CONNECTION_OPTIONS,
  HELP_OPTION,
  booleanValue,
  connectionFlags,
  parse,
  positionals,
  stringValue,
  stringValues,
} from '../args.js';
import { connect, describeFailure } from '../client.js';
import type { Command } from '../command.js';
import { CONNECTION_HELP, EXIT_HELP } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { readAll } from '../io.js';

const USAGE =
  'tessera put NAME [--data VALUE | --file PATH | < stdin] [--version-id ID] [--stage STAGE ... | --stages JSON] [--binary] [--create]';

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  data: { type: 'string' },
  file: { type: 'string' },
  'version-id': { type: 'string' },
  stage: { type: 'string', multiple: true },
  stages: { type: 'string' },
  binary: { type: 'boolean' },
  create: { type: 'boolean' },
} as const;

/** The API's limit on SecretData (bytes of UTF-8, or of the base64 text for binary values). */
export const MAX_SECRET_DATA_BYTES = 30_720;
/** Input read before giving up: room for base64 line breaks, far from unbounded. */
const READ_LIMIT = 64 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A fresh, unique, sortable version id: UTC time to the second plus 32 random bits. */
export function newVersionId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

export const put: Command = {
  name: 'put',
  summary: 'store a new version of a secret (value from --data, --file or stdin)',
  usage: USAGE,
  help: `Usage: ${USAGE}

Stores a new version of an existing secret and prints its version id. By default the new version
becomes ACSCurrent and the old current one ACSPrevious.

The value comes from exactly one of:
  --data VALUE        the value itself (it lands in shell history and ps: prefer the others)
  --file PATH         a file's bytes, exactly (trailing newline included); "-" means stdin
  stdin               when neither is given and stdin is not a terminal:
                        tessera password | tessera put db/password
                        tessera put db/password < password.txt

Options:
  --version-id ID     the new version's id (default: a fresh UTC time + random suffix,
                      e.g. 20250101T120000Z-9f86d081)
  --stage STAGE       a stage label for the new version (repeatable; default ACSCurrent)
  --stages JSON       the labels as a JSON list, e.g. '["MyPendingLabel"]'
  --binary            SecretDataType=binary: the value is base64 text (line breaks are dropped),
                        base64 -w0 key.der | tessera put tls/key --binary
  --create            create the secret when it does not exist (its first version is ACSCurrent;
                      not with --stage/--stages)

Text values must be UTF-8; empty values are refused. The API stores at most 30,720 bytes.

${CONNECTION_HELP}

${EXIT_HELP}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, OPTIONS, USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${put.help}\n`);
      return;
    }
    const [name = ''] = positionals(parsed, ['NAME'], USAGE);
    const binary = booleanValue(parsed, 'binary');
    const create = booleanValue(parsed, 'create');
    const versionStages = stagesOf(parsed.values.stages, stringValues(parsed, 'stage'));
    if (create && versionStages !== undefined) {
      throw new UsageError(
        "--create cannot take --stage/--stages: a new secret's first version is ACSCurrent",
        USAGE,
      );
    }
    const versionId = stringValue(parsed, 'version-id') ?? newVersionId();
    const secretDataType: SecretDataType = binary ? 'binary' : 'text';
    const secretData = checkValue(await readValue(parsed.values, io), binary);
    const { client, settings } = connect(connectionFlags(parsed), io);
    try {
      try {
        await client.putSecretValue({
          secretName: name,
          versionId,
          secretData,
          secretDataType,
          versionStages,
        });
      } catch (error) {
        if (!(create && error instanceof TesseraApiError && error.code === 'Forbidden.ResourceNotFound')) {
          throw error;
        }
        await client.createSecret({ secretName: name, versionId, secretData, secretDataType });
      }
    } catch (error) {
      const failure = describeFailure(error, `put "${name}"`, settings);
      if (
        !create &&
        failure instanceof CliError &&
        error instanceof TesseraApiError &&
        error.code === 'Forbidden.ResourceNotFound'
      ) {
        throw new CliError(failure.exitCode, failure.message, [
          ...failure.details,
          `Hint:      to create the secret with this value as its first version, add --create:`,
          `           tessera put ${name} --create …`,
        ]);
      }
      throw failure;
    }
    io.stdout.write(`${versionId}\n`);
  },
};

function stagesOf(json: unknown, stages: string[]): string[] | undefined {
  if (typeof json === 'string') {
    if (stages.length > 0) throw new UsageError('give --stage or --stages, not both', USAGE);
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      value = undefined;
    }
    if (!isLabelList(value)) {
      throw new UsageError(`--stages must be a JSON list of labels, e.g. '["MyPendingLabel"]'`, USAGE);
    }
    return value;
  }
  return stages.length > 0 ? stages : undefined;
}

function isLabelList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');
}

type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

async function readValue(values: Values, io: Io): Promise<Buffer> {
  const data = values.data;
  const file = values.file;
  if (typeof data === 'string' && typeof file === 'string') {
    throw new UsageError('give the value with --data or --file, not both', USAGE);
  }
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (typeof file === 'string' && file !== '-') {
    try {
      return readFileSync(file);
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
      throw new UsageError(`cannot read --file ${file} (${reason})`, USAGE);
    }
  }
  if (file === undefined && io.stdin.isTTY === true) {
    throw new UsageError(
      'no value given: use --data VALUE, --file PATH, or pipe it in (tessera put NAME < file); not waiting for typing on a terminal',
      USAGE,
    );
  }
  const bytes = await readAll(io.stdin, READ_LIMIT);
  if (bytes === undefined) throw tooLarge(`more than ${READ_LIMIT} bytes`);
  return bytes;
}

function checkValue(bytes: Buffer, binary: boolean): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UsageError(
      binary
        ? 'with --binary the value must be base64 text'
        : 'the value is not UTF-8 text; store binary data as base64 with --binary (base64 -w0 FILE | tessera put NAME --binary)',
      USAGE,
    );
  }
  if (binary) {
    // Line breaks from `base64` and surrounding whitespace carry no data; the API wants plain base64.
    text = text.replace(/[\s]+/g, '');
    if (!BASE64.test(text)) {
      throw new UsageError(
        'with --binary the value must be base64 text (e.g. base64 -w0 FILE | tessera put NAME --binary)',
        USAGE,
      );
    }
  }
  if (text === '') throw new UsageError('the value is empty; refusing to store an empty version', USAGE);
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_SECRET_DATA_BYTES) throw tooLarge(`${size} bytes`);
  return text;
}

function tooLarge(size: string): UsageError {
  return new UsageError(
    `the value is ${size}; a secret version holds at most ${MAX_SECRET_DATA_BYTES} bytes`,
    USAGE,
  );
}
