/**
 * AWS wire names ⇄ the model: built-in stage labels, timestamps (epoch seconds with fractions, as
 * the SDKs parse them), ARNs of secrets, users and keys, tags, and how a `SecretId` names a secret
 * (its name, its full ARN, or its ARN without the random suffix). Pure functions; docs/aws.md.
 */
import { STAGE_CURRENT, STAGE_PREVIOUS } from '../../domain/secret.js';
import type { EpochMs } from '../../domain/secret.js';
import type { Tag } from '../../domain/validation.js';
import { invalidParameter } from './errors.js';

/**
 * The neutral built-in pending stage. TODO(pipeline): replace with the domain's `STAGE_PENDING`
 * (`domain/secret-versions.ts`) once the core defines `$pending` beside `$current` and `$previous`.
 */
export const STAGE_PENDING_BUILTIN = '$pending';

export const AWS_CURRENT = 'AWSCURRENT';
export const AWS_PREVIOUS = 'AWSPREVIOUS';
export const AWS_PENDING = 'AWSPENDING';

const TO_WIRE: ReadonlyMap<string, string> = new Map([
  [STAGE_CURRENT, AWS_CURRENT],
  [STAGE_PREVIOUS, AWS_PREVIOUS],
  [STAGE_PENDING_BUILTIN, AWS_PENDING],
]);
const FROM_WIRE: ReadonlyMap<string, string> = new Map(
  [...TO_WIRE].map(([neutral, wire]) => [wire, neutral]),
);
/**
 * The Alibaba API's spelling of the built-in stages: on this wire they would be custom labels that the
 * Alibaba API could never name (it reads them as the built-ins), so they are refused.
 */
const OTHER_WIRE_BUILTINS: ReadonlySet<string> = new Set(['ACSCurrent', 'ACSPrevious', 'ACSPending']);

/** A stage label as the model spells it; custom labels pass through. */
export function stageFromWire(label: string, member = 'VersionStage'): string {
  const builtin = FROM_WIRE.get(label);
  if (builtin !== undefined) return builtin;
  if (OTHER_WIRE_BUILTINS.has(label))
    throw invalidParameter(
      `${member} "${label}" is reserved: on this API the built-in stages are AWSCURRENT, AWSPREVIOUS and AWSPENDING.`,
    );
  return label;
}

/** A stage label as this wire spells it. */
export function stageToWire(label: string): string {
  return TO_WIRE.get(label) ?? label;
}

/** Timestamps go out as epoch seconds with fractions (`1700000000.123`). */
export function epochSeconds(time: EpochMs): number {
  return time / 1000;
}

export interface HomeIdentity {
  readonly region: string;
  readonly accountId: string;
}

/**
 * `arn:aws:secretsmanager:<home region>:<account>:secret:<name>-<suffix>`. TODO(pipeline): the core's
 * per-protocol namer (`awsNamer` in `domain/resource-names.ts`) builds ARNs; use it and drop this.
 */
export function secretArn(home: HomeIdentity, name: string, suffix: string): string {
  return `arn:aws:secretsmanager:${home.region}:${home.accountId}:secret:${name}-${suffix}`;
}

/** The ARN GetCallerIdentity answers for a Tessera user. */
export function userArn(home: HomeIdentity, userName: string): string {
  return `arn:aws:iam::${home.accountId}:user/${userName}`;
}

/** `arn:aws:kms:<home region>:<account>:key/<id>`. TODO(pipeline): `awsNamer(…).key` replaces it. */
export function keyArn(home: HomeIdentity, keyId: string): string {
  return `arn:aws:kms:${home.region}:${home.accountId}:key/${keyId}`;
}

/** One way a `SecretId` may name a secret: its name, and the suffix it must have when the ARN gave one. */
export interface SecretCandidate {
  readonly name: string;
  readonly arnSuffix?: string;
}

const SECRET_ARN = /^arn:([^:]*):secretsmanager:([^:]*):([^:]*):secret:(.+)$/;
const SUFFIX = /^(.+)-([A-Za-z0-9]{6})$/;

/**
 * The secrets a `SecretId` may mean, in the order to try them: a name is itself; a full ARN is the name
 * before its last `-xxxxxx` with that suffix, then (a partial ARN of a name that itself ends so) the
 * whole rest. An ARN of another partition, service, region or account names nothing here: AWS names
 * contain no `:`, so no name can look like an ARN.
 */
export function secretCandidates(secretId: string, home: HomeIdentity): SecretCandidate[] {
  if (!secretId.startsWith('arn:')) return [{ name: secretId }];
  const match = SECRET_ARN.exec(secretId);
  if (!match) return [];
  const [, partition, region, account, rest] = match as unknown as [string, string, string, string, string];
  if (partition !== 'aws' || region !== home.region || account !== home.accountId) return [];
  const full = SUFFIX.exec(rest);
  return full
    ? [{ name: full[1] as string, arnSuffix: full[2] as string }, { name: rest }]
    : [{ name: rest }];
}

/**
 * Resolves a `SecretId` with a lookup by name: the first candidate whose secret exists (and has the
 * suffix the ARN gave). Undefined when none does; the caller answers ResourceNotFoundException.
 */
export async function resolveSecretId<S extends { readonly arnSuffix: string }>(
  secretId: string,
  home: HomeIdentity,
  lookup: (name: string) => Promise<S | undefined>,
): Promise<S | undefined> {
  for (const candidate of secretCandidates(secretId, home)) {
    const found = await lookup(candidate.name);
    if (found && (candidate.arnSuffix === undefined || found.arnSuffix === candidate.arnSuffix)) return found;
  }
  return undefined;
}

export interface WireTag {
  readonly Key: string;
  readonly Value: string;
}

export function tagsToWire(tags: readonly Tag[]): WireTag[] {
  return tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
}

/** AWS tags may omit `Value` (empty) but never `Key`. */
export function tagsFromWire(
  tags: readonly { readonly Key?: string | undefined; readonly Value?: string | undefined }[],
): Tag[] {
  return tags.map((tag, index) => {
    if (tag.Key === undefined) throw invalidParameter(`Tags[${index}] has no Key.`);
    return { key: tag.Key, value: tag.Value ?? '' };
  });
}

/** `{ versionId: [labels…] }` for every version that has labels (DescribeSecret's `VersionIdsToStages`). */
export function versionIdsToStages(stages: ReadonlyMap<string, string>): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [label, versionId] of stages) (result[versionId] ??= []).push(stageToWire(label));
  for (const labels of Object.values(result)) labels.sort();
  return result;
}

/** What a `KmsKeyId` names (docs/aws.md): the installation's default secret key, a key id, or an alias. */
export type KmsKeyReference =
  | { readonly kind: 'default' }
  | { readonly kind: 'key'; readonly keyId: string }
  | { readonly kind: 'alias'; readonly alias: string };

export const DEFAULT_SECRETS_KEY_ALIAS = 'alias/aws/secretsmanager';

/** Key ids, `alias/<name>`, and key or alias ARNs in either vocabulary (`arn:aws:kms:…`, `acs:kms:…`). */
export function kmsKeyReference(text: string): KmsKeyReference {
  if (text === '' || text === DEFAULT_SECRETS_KEY_ALIAS) return { kind: 'default' };
  const arn = /^(?:arn:aws|acs):kms:[^:]*:[^:]*:(key|alias)\/(.+)$/.exec(text);
  if (arn) {
    const [, kind, id] = arn as unknown as [string, string, string];
    if (kind === 'key') return { kind: 'key', keyId: id };
    const alias = `alias/${id}`;
    return alias === DEFAULT_SECRETS_KEY_ALIAS ? { kind: 'default' } : { kind: 'alias', alias };
  }
  if (text.startsWith('alias/')) return { kind: 'alias', alias: text };
  return { kind: 'key', keyId: text };
}
