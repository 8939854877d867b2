/**
 * `tessera configure`: saves an endpoint and an access key as a named profile. On a terminal it asks
 * (the secret without echo); otherwise it takes flags, and reads the values not given as flags from
 * stdin, one per line, so scripts need not put the secret on a command line.
 */
import { HELP_OPTION, parse, positionals, stringValue } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_HELP } from '../command.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { readAll } from '../io.js';
import { Prompter } from '../prompt.js';
import type { Profile } from '../settings.js';
import {
  DEFAULT_ENDPOINT,
  DEFAULT_PROFILE,
  ENV,
  configFilePath,
  readProfiles,
  validateProfileName,
  writeProfile,
} from '../settings.js';

const USAGE =
  'tessera configure [--profile NAME] [--endpoint URL] [--access-key-id ID] [--access-key-secret SECRET]';

const OPTIONS = {
  ...HELP_OPTION,
  profile: { type: 'string' },
  endpoint: { type: 'string' },
  'access-key-id': { type: 'string' },
  'access-key-secret': { type: 'string' },
} as const;

type Field = 'endpoint' | 'accessKeyId' | 'accessKeySecret';
const FIELDS: readonly Field[] = ['endpoint', 'accessKeyId', 'accessKeySecret'];
const FLAGS: Readonly<Record<Field, string>> = {
  endpoint: 'endpoint',
  accessKeyId: 'access-key-id',
  accessKeySecret: 'access-key-secret',
};

export const configure: Command = {
  name: 'configure',
  summary: 'save an endpoint and access key as a profile (~/.tessera/config.json, mode 0600)',
  usage: USAGE,
  help: `Usage: ${USAGE}

Saves the server's endpoint and an access key under a profile name (default "default", or
$TESSERA_PROFILE) in ~/.tessera/config.json, or in $TESSERA_CONFIG_FILE. The folder is created with
mode 0700 and the file is written with mode 0600. Other profiles in the file are kept.

On a terminal it asks for each value not given as a flag; Enter keeps the current value (the
endpoint defaults to ${DEFAULT_ENDPOINT}), and the secret is not echoed.

Without a terminal, values not given as flags are read from stdin, one per line, in the order
endpoint, access key id, access key secret; an empty line keeps the current value:

  printf '%s\\n' "$SECRET" | tessera configure --endpoint http://127.0.0.1:8080 --access-key-id "$ID"

Every command then uses the profile unless flags or the environment say otherwise
(--profile NAME on a command outranks the environment).

${EXIT_HELP}`,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, OPTIONS, USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${configure.help}\n`);
      return;
    }
    positionals(parsed, [], USAGE);
    const profileFlag = stringValue(parsed, 'profile');
    const envProfile = io.env[ENV.profile];
    const name = validateProfileName(
      profileFlag ?? (envProfile === undefined || envProfile === '' ? DEFAULT_PROFILE : envProfile),
      profileFlag === undefined ? ENV.profile : '--profile',
    );
    const path = configFilePath(io.env);
    const current = readProfiles(path)[name] ?? {};
    const given: Partial<Record<Field, string>> = {};
    for (const field of FIELDS) {
      const value = stringValue(parsed, FLAGS[field]);
      if (value !== undefined) given[field] = value.trim();
    }
    const missing = FIELDS.filter((field) => given[field] === undefined);
    if (missing.length > 0) {
      const answers =
        io.stdin.isTTY === true ? await ask(io, name, missing, current) : await readLines(io, missing.length);
      missing.forEach((field, index) => {
        const answer = answers[index];
        if (answer !== undefined && answer !== '') given[field] = answer;
      });
    }
    const profile: Profile = {
      endpoint: checkEndpoint(given.endpoint ?? current.endpoint ?? DEFAULT_ENDPOINT),
    };
    const accessKeyId = given.accessKeyId ?? current.accessKeyId;
    const accessKeySecret = given.accessKeySecret ?? current.accessKeySecret;
    if (accessKeyId === undefined || accessKeyId === '' || /\s/.test(accessKeyId)) {
      throw new UsageError('an access key id is needed (--access-key-id, or a line on stdin)', USAGE);
    }
    if (accessKeySecret === undefined || accessKeySecret === '') {
      throw new UsageError('an access key secret is needed (a line on stdin, or --access-key-secret)', USAGE);
    }
    profile.accessKeyId = accessKeyId;
    profile.accessKeySecret = accessKeySecret;
    writeProfile(path, name, profile);
    io.stdout.write(
      `Saved profile "${name}" (endpoint ${profile.endpoint}, access key id ${accessKeyId}) to ${path}\n`,
    );
  },
};

async function ask(io: Io, name: string, fields: readonly Field[], current: Profile): Promise<string[]> {
  const prompter = new Prompter(io);
  try {
    io.stderr.write(`Configuring profile "${name}" (Enter keeps the value in brackets).\n`);
    const answers: string[] = [];
    for (const field of fields) {
      switch (field) {
        case 'endpoint':
          answers.push(await prompter.ask(`Endpoint [${current.endpoint ?? DEFAULT_ENDPOINT}]: `));
          break;
        case 'accessKeyId':
          answers.push(await prompter.ask(`Access key id [${current.accessKeyId ?? 'none'}]: `));
          break;
        case 'accessKeySecret':
          answers.push(
            await prompter.ask(
              `Access key secret [${current.accessKeySecret === undefined ? 'none' : 'unchanged'}]: `,
              { hidden: true },
            ),
          );
          break;
      }
    }
    return answers;
  } finally {
    prompter.close();
  }
}

async function readLines(io: Io, count: number): Promise<string[]> {
  const bytes = await readAll(io.stdin, 64 * 1024);
  if (bytes === undefined) throw new UsageError('stdin is too long for a few settings', USAGE);
  return bytes
    .toString('utf8')
    .split('\n')
    .slice(0, count)
    .map((line) => line.trim());
}

/** The origin of an http(s) URL, the only form the API lives at. */
function checkEndpoint(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new UsageError(`"${value}" is not a server origin (e.g. ${DEFAULT_ENDPOINT})`, USAGE);
  }
  return url.origin;
}
