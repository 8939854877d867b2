/**
 * What `tessera run` and `tessera agent` share: secret references (`app/db#password?stage=ACSPrevious`),
 * reading them through the SDK's `SecretCache`, picking one field of a JSON secret, and durations
 * (`500ms`, `30s`, `5m`, `1h`).
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SecretCache } from '@tessera/sdk';
import { CliError, UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';

/** One secret a command reads: which secret, which stage, and optionally one field of its JSON value. */
export interface SecretRef {
  /** As written, for messages (never carries a value). */
  readonly text: string;
  readonly secretName: string;
  readonly versionStage: string;
  readonly key: string | undefined;
}

export const REF_SYNTAX = 'SECRET[#KEY][?stage=STAGE]';

/**
 * `SECRET[#KEY][?stage=STAGE]`. Secret names and ARNs never contain `#` or `?`, so both are safe
 * separators; the stage defaults to ACSCurrent.
 */
export function parseRef(text: string, usage: string): SecretRef {
  const query = text.indexOf('?');
  const head = query === -1 ? text : text.slice(0, query);
  let versionStage = 'ACSCurrent';
  if (query !== -1) {
    const stage = /^stage=([A-Za-z0-9_.-]+)$/.exec(text.slice(query + 1))?.[1];
    if (stage === undefined) {
      throw new UsageError(`"${text}": after "?" only stage=STAGE is allowed (${REF_SYNTAX})`, usage);
    }
    versionStage = stage;
  }
  const hash = head.indexOf('#');
  const secretName = hash === -1 ? head : head.slice(0, hash);
  const key = hash === -1 ? undefined : head.slice(hash + 1);
  if (secretName === '') throw new UsageError(`"${text}" names no secret (${REF_SYNTAX})`, usage);
  if (key === '') throw new UsageError(`"${text}": the key after "#" is empty (${REF_SYNTAX})`, usage);
  return { text, secretName, versionStage, key };
}

/**
 * One field of a JSON object value: a string as is, anything else as JSON text. Errors name the
 * reference, never the value.
 */
export function selectKey(secretData: string, ref: Pick<SecretRef, 'text' | 'key'>): string {
  if (ref.key === undefined) return secretData;
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretData);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(
      EXIT.api,
      `${ref.text}: the secret's value is not a JSON object, so it has no key "${ref.key}"`,
    );
  }
  if (!Object.hasOwn(parsed, ref.key)) {
    const keys = Object.keys(parsed).map((k) => `"${k}"`);
    throw new CliError(
      EXIT.api,
      `${ref.text}: the secret's JSON value has no key "${ref.key}" (its keys: ${keys.join(', ') || 'none'})`,
    );
  }
  const field = (parsed as Record<string, unknown>)[ref.key];
  return typeof field === 'string' ? field : JSON.stringify(field);
}

/** The value a reference names now, read through the cache. */
export async function readRef(cache: SecretCache, ref: SecretRef): Promise<string> {
  const value = await cache.get(ref.secretName, { versionStage: ref.versionStage });
  return selectKey(value.secretData, ref);
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `500ms`, `30s`, `5m`, `1h` → milliseconds (at least 100 ms). */
export function parseDuration(text: string, option: string, usage: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text);
  const ms = match === null ? Number.NaN : Number(match[1]) * (UNITS[match[2] ?? ''] ?? Number.NaN);
  if (!(ms >= 100)) {
    throw new UsageError(
      `${option} takes a duration like 500ms, 30s, 5m or 1h (at least 100ms), not "${text}"`,
      usage,
    );
  }
  return ms;
}

/**
 * Writes a file only its owner may read (mode 0600): beside its final path, then renamed over it, so
 * a reader never sees half a value.
 */
export function writePrivateFile(path: string, value: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, value, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
