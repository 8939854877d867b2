/**
 * Where the CLI finds the server and its credentials. Each setting comes from the first place that has
 * it: command-line flags, then the environment, then the profile file, then the default endpoint.
 * Choosing a profile with `--profile` is itself a flag: it outranks the environment's credentials, so
 * `tessera --profile prod …` never quietly signs with a development key left in the shell.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ConnectionFlags } from './args.js';
import { ConfigError } from './errors.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';
export const DEFAULT_PROFILE = 'default';

/** Environment variables the CLI reads (the first three are the SDK's own). */
export const ENV = {
  endpoint: 'TESSERA_ENDPOINT',
  accessKeyId: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
  accessKeySecret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  profile: 'TESSERA_PROFILE',
  configFile: 'TESSERA_CONFIG_FILE',
} as const;

const PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export interface Profile {
  endpoint?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
}

/** The profile file: `{"profiles": {"default": {"endpoint", "accessKeyId", "accessKeySecret"}}}`. */
interface ConfigDocument {
  profiles: Record<string, Profile>;
  [other: string]: unknown;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** `$TESSERA_CONFIG_FILE`, else `~/.tessera/config.json`. */
export function configFilePath(env: Env): string {
  const fromEnv = nonEmpty(env[ENV.configFile]);
  return fromEnv ?? join(homedir(), '.tessera', 'config.json');
}

export function validateProfileName(name: string, source: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new ConfigError(`invalid profile name "${name}" (${source}): use 1 to 64 letters, digits, _ . -`);
  }
  return name;
}

/** The profiles in the file; an absent file has none. */
export function readProfiles(path: string): Record<string, Profile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return {};
    throw new ConfigError(`cannot read the profile file ${path}: ${errorMessage(error)}`);
  }
  return parseDocument(text, path).profiles;
}

function parseDocument(text: string, path: string): ConfigDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(`the profile file ${path} is not valid JSON`, [
      'fix it, or delete it and run `tessera configure` again',
    ]);
  }
  if (!isRecord(value) || (value.profiles !== undefined && !isRecord(value.profiles))) {
    throw new ConfigError(`the profile file ${path} does not hold {"profiles": {...}}`);
  }
  const profiles: Record<string, Profile> = {};
  for (const [name, raw] of Object.entries(value.profiles ?? {})) {
    if (!isRecord(raw)) throw new ConfigError(`profile "${name}" in ${path} is not an object`);
    const profile: Profile = {};
    for (const field of ['endpoint', 'accessKeyId', 'accessKeySecret'] as const) {
      const fieldValue = raw[field];
      if (fieldValue === undefined) continue;
      if (typeof fieldValue !== 'string') {
        throw new ConfigError(`"${field}" of profile "${name}" in ${path} is not a string`);
      }
      profile[field] = fieldValue;
    }
    profiles[name] = profile;
  }
  return { ...value, profiles };
}

/**
 * Saves one profile, keeping the others. The folder is created with mode 0700 and the file is
 * replaced atomically by one written with mode 0600, whatever mode the old file had.
 */
export function writeProfile(path: string, name: string, profile: Profile): void {
  let document: ConfigDocument = { profiles: {} };
  try {
    document = parseDocument(readFileSync(path, 'utf8'), path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
  document.profiles[name] = profile;
  const folder = dirname(path);
  try {
    // Only folders created here are restricted; an existing one (say /tmp) keeps its mode.
    if (mkdirSync(folder, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(folder, 0o700);
  } catch (error) {
    throw new ConfigError(`cannot create the folder ${folder}: ${errorMessage(error)}`);
  }
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, JSON.stringify(document, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600); // the umask may have taken bits away, never added them; be exact anyway
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new ConfigError(`cannot write the profile file ${path}: ${errorMessage(error)}`);
  }
}

/** Where a resolved setting came from, for messages ("ALIBABA_CLOUD_ACCESS_KEY_ID", "profile \"prod\""). */
export interface Resolved {
  readonly endpoint: string;
  readonly endpointSource: string;
  readonly accessKeyId: string | undefined;
  readonly accessKeyIdSource: string | undefined;
  readonly accessKeySecret: string | undefined;
  readonly accessKeySecretSource: string | undefined;
  readonly profile: string;
  readonly configFile: string;
}

type Field = 'endpoint' | 'accessKeyId' | 'accessKeySecret';

const FLAG_NAMES: Readonly<Record<Field, string>> = {
  endpoint: '--endpoint',
  accessKeyId: '--access-key-id',
  accessKeySecret: '--access-key-secret',
};

/** Resolves the connection settings; never throws for missing credentials (the caller decides). */
export function resolveSettings(flags: ConnectionFlags, env: Env): Resolved {
  const configFile = configFilePath(env);
  const explicitProfile = nonEmpty(flags.profile);
  const envProfile = nonEmpty(env[ENV.profile]);
  const profileName = validateProfileName(
    explicitProfile ?? envProfile ?? DEFAULT_PROFILE,
    explicitProfile !== undefined ? '--profile' : envProfile !== undefined ? ENV.profile : 'default',
  );
  const profiles = readProfiles(configFile);
  const profile = profiles[profileName];
  if (profile === undefined && profileName !== DEFAULT_PROFILE) {
    const known = Object.keys(profiles);
    throw new ConfigError(`profile "${profileName}" is not in ${configFile}`, [
      known.length === 0 ? 'the file has no profiles' : `profiles there: ${known.join(', ')}`,
      `create it with: tessera configure --profile ${profileName}`,
    ]);
  }
  const profileLabel = `profile "${profileName}" in ${configFile}`;

  const pick = (field: Field): { value: string; source: string } | undefined => {
    const fromFlag = nonEmpty(flags[field]);
    if (fromFlag !== undefined) return { value: fromFlag, source: FLAG_NAMES[field] };
    const fromProfile = nonEmpty(profile?.[field]);
    if (explicitProfile !== undefined && fromProfile !== undefined) {
      return { value: fromProfile, source: profileLabel };
    }
    const fromEnv = nonEmpty(env[ENV[field]]);
    if (fromEnv !== undefined) return { value: fromEnv, source: ENV[field] };
    if (fromProfile !== undefined) return { value: fromProfile, source: profileLabel };
    return undefined;
  };

  const endpoint = pick('endpoint');
  const accessKeyId = pick('accessKeyId');
  const accessKeySecret = pick('accessKeySecret');
  return {
    endpoint: endpoint?.value ?? DEFAULT_ENDPOINT,
    endpointSource: endpoint?.source ?? 'the default',
    accessKeyId: accessKeyId?.value,
    accessKeyIdSource: accessKeyId?.source,
    accessKeySecret: accessKeySecret?.value,
    accessKeySecretSource: accessKeySecret?.source,
    profile: profileName,
    configFile,
  };
}

/** Whether a file can be read by anyone but its owner (mode bits beyond 0600). */
export function isExposed(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
