/**
 * Tags on keys and secrets (API spec §3.5): the single-resource TagResource / UntagResource /
 * ListResourceTags, and the batch TagResources / UntagResources / ListTagResources with their
 * repeat-list parameters (`ResourceId.N`, `Tag.N.Key`, `TagKey.N`).
 *
 * Key-state and deletion-window rules stay in the services: a key pending deletion answers
 * `Rejected.PendingDeletion`, a secret pending deletion `Rejected.ResourceInDeleteWindow`. A batch
 * changes all its resources in one transaction, so a refused batch changes none of them.
 */
import { createHash } from 'node:crypto';
import { DomainError, isDomainError } from '../../../domain/errors.js';
import type { Tag } from '../../../domain/validation.js';
import type { Services } from '../../../services/services.js';
import type { RequestAccess } from '../access.js';
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { secretNameFrom, secretNameOf, tagsFromJson, wrapped } from '../codec.js';
import { invalidParameter, missingParameter, ProtocolError } from '../errors.js';
import type { Params } from '../params.js';
import { shapes } from '../params.js';

/** At most this many resources per batch call, and tags per call (API spec §4). */
const MAX_RESOURCE_IDS = 50;
const MAX_TAGS_PER_CALL = 20;
/** ListTagResources answers this many rows per page (the API's documented default). */
const PAGE_ROWS = 200;
/** Resources read per storage query while filling a ListTagResources page. */
const SCAN_BATCH = 100;
const TAG_KEY_MAX_LENGTH = 128;

const RESOURCE_TYPES = ['key', 'secret'] as const;
type ResourceType = (typeof RESOURCE_TYPES)[number];

interface Target {
  readonly type: ResourceType;
  readonly id: string;
}

/** A resource with its tags, as ListTagResources reports it. */
interface TaggedResource {
  readonly id: string;
  readonly tags: readonly Tag[];
}

// ---------------------------------------------------------------------------------------------------
// Single resource

/** The named secret or key must exist and the caller be allowed on it (a refused one answers as missing). */
async function requireTarget(access: RequestAccess, target: Target): Promise<void> {
  if (target.type === 'key') await access.requireKey(target.id);
  else await access.requireSecret(target.id);
}

/** Exactly one of KeyId, SecretName, CertificateId; certificates are not something Tessera stores. */
function singleTarget(params: Params): Target {
  const given = ['KeyId', 'SecretName', 'CertificateId'].filter(
    (name) => params.optional(name) !== undefined,
  );
  if (given.length === 0) {
    throw new ProtocolError(
      400,
      'MissingParameter',
      'The parameter "KeyId", "SecretName" or "CertificateId" is needed but not provided.',
    );
  }
  if (given.length > 1) {
    throw invalidParameter(given.join(', '), 'Give exactly one of KeyId, SecretName and CertificateId.');
  }
  if (given[0] === 'CertificateId') {
    // The domain's "not supported for this resource type", which the error map sends as 400
    // Rejected.UnsupportedOperation.
    throw new DomainError(
      'unsupported_operation',
      'Certificates are not supported by this server; tag a key (KeyId) or a secret (SecretName).',
    );
  }
  return given[0] === 'KeyId'
    ? { type: 'key', id: params.required('KeyId') }
    : { type: 'secret', id: secretNameOf(params) };
}

async function tagResource({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const target = singleTarget(params);
  noteResource(target.id);
  const tags = tagsFromJson(params);
  if (tags === undefined) throw missingParameter('Tags');
  if (tags.length === 0) throw invalidParameter('Tags', 'Give at least one tag.');
  await requireTarget(access, target);
  if (target.type === 'key') await services.keys.tagKey(target.id, tags);
  else await services.secrets.tagSecret(target.id, tags);
  return {};
}

async function untagResource({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const target = singleTarget(params);
  noteResource(target.id);
  const tagKeys = params.json('TagKeys', (value) => shapes.stringArray(value));
  if (tagKeys === undefined) throw missingParameter('TagKeys');
  if (tagKeys.length === 0) throw invalidParameter('TagKeys', 'Give at least one tag key.');
  checkTagKeys('TagKeys', tagKeys);
  await requireTarget(access, target);
  if (target.type === 'key') await services.keys.untagKey(target.id, tagKeys);
  else await services.secrets.untagSecret(target.id, tagKeys);
  return {};
}

/** Keys only (the API has no secret variant); works in every key state. */
async function listResourceTags({ params, noteResource, access }: ActionContext): Promise<WireBody> {
  const reference = params.required('KeyId');
  noteResource(reference);
  const key = await access.requireKey(reference);
  return {
    Tags: wrapped(
      'Tag',
      key.tags.map((t) => ({ KeyId: key.id, TagKey: t.key, TagValue: t.value })),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------
// Batch

function resourceType(params: Params): ResourceType {
  const value = params.required('ResourceType');
  // The documented values are lower-case; other Alibaba tag APIs take them case-insensitively.
  const type = RESOURCE_TYPES.find((candidate) => candidate === value.toLowerCase());
  if (type === undefined) throw invalidParameter('ResourceType', 'Use key or secret.');
  return type;
}

/** `ResourceId.N`: distinct, in the order given; secrets by name or ARN. */
function resourceIds(params: Params, type: ResourceType, required: boolean): string[] {
  const raw = params.repeated('ResourceId');
  if (raw.length > MAX_RESOURCE_IDS) {
    throw invalidParameter('ResourceId.N', `Give at most ${MAX_RESOURCE_IDS} resource ids.`);
  }
  if (required && raw.length === 0) throw missingParameter('ResourceId.1');
  const ids = raw.map((id, index) => {
    if (id === '') throw invalidParameter(`ResourceId.${index + 1}`, 'A resource id cannot be empty.');
    return type === 'secret' ? secretNameFrom(id, `ResourceId.${index + 1}`) : id;
  });
  return [...new Set(ids)];
}

/** `Tag.N.Key` / `Tag.N.Value` pairs, 1-based without gaps; a value without its key is refused. */
function tagPairs(params: Params): { key: string; value: string | undefined }[] {
  const pairs: { key: string; value: string | undefined }[] = [];
  for (let index = 1; ; index++) {
    const key = params.raw(`Tag.${index}.Key`);
    const value = params.raw(`Tag.${index}.Value`);
    if (key === undefined && value === undefined) break;
    if (index > MAX_TAGS_PER_CALL) {
      throw invalidParameter('Tag.N', `Give at most ${MAX_TAGS_PER_CALL} tags.`);
    }
    if (key === undefined || key === '') throw missingParameter(`Tag.${index}.Key`);
    pairs.push({ key, value });
  }
  return pairs;
}

/** `TagKey.N`, 1-based without gaps. */
function tagKeyList(params: Params): string[] {
  const keys = params.repeated('TagKey');
  if (keys.length > MAX_TAGS_PER_CALL) {
    throw invalidParameter('TagKey.N', `Give at most ${MAX_TAGS_PER_CALL} tag keys.`);
  }
  checkTagKeys('TagKey.N', keys);
  return keys;
}

function checkTagKeys(parameter: string, keys: readonly string[]): void {
  for (const key of keys) {
    if (key.length < 1 || key.length > TAG_KEY_MAX_LENGTH) {
      throw invalidParameter(parameter, `Tag keys are 1 to ${TAG_KEY_MAX_LENGTH} characters.`);
    }
  }
}

/** For the request log: the resources a batch call names, shortened when there are many. */
function describeBatch(type: ResourceType, ids: readonly string[]): string {
  if (ids.length === 0) return type;
  const shown = ids.slice(0, 5).join(',');
  return ids.length > 5 ? `${shown},+${ids.length - 5} more` : shown;
}

async function tagResources({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  params.required('RegionId');
  const type = resourceType(params);
  const ids = resourceIds(params, type, true);
  noteResource(describeBatch(type, ids));
  const pairs = tagPairs(params);
  if (pairs.length === 0) throw missingParameter('Tag.1.Key');
  const tags = pairs.map((p) => ({ key: p.key, value: p.value ?? '' }));
  // Every resource, in order; the first missing or refused one answers as missing, and nothing changes.
  for (const id of ids) await requireTarget(access, { type, id });
  if (type === 'key') await services.keys.tagKeys(ids, tags);
  else await services.secrets.tagSecrets(ids, tags);
  return {};
}

async function untagResources({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  params.required('RegionId');
  const type = resourceType(params);
  const ids = resourceIds(params, type, true);
  noteResource(describeBatch(type, ids));
  const keys = tagKeyList(params);
  const all = params.boolean('All', false);
  if (all && keys.length > 0) {
    throw invalidParameter('All', 'All=true removes every tag; give no TagKey.N with it.');
  }
  if (!all && keys.length === 0) throw missingParameter('TagKey.1');
  // Every resource, in order; the first missing or refused one answers as missing, and nothing changes.
  for (const id of ids) await requireTarget(access, { type, id });
  // Undefined: every tag each resource carries.
  const drop = all ? undefined : keys;
  if (type === 'key') await services.keys.untagKeys(ids, drop);
  else await services.secrets.untagSecrets(ids, drop);
  return {};
}

// ---------------------------------------------------------------------------------------------------
// ListTagResources

interface TagFilter {
  readonly key: string;
  /** Undefined: any value. */
  readonly value: string | undefined;
}

/**
 * Where the next page starts: the position of a resource in the (deterministic) scan, and how many of
 * its rows were already returned. Positions are offsets, so a resource created or destroyed between two
 * pages can shift the listing by one resource (as with PageNumber paging elsewhere in the API).
 */
interface Cursor {
  readonly resource: number;
  readonly row: number;
}

/** The token's content; `q` fingerprints the query, so a token is refused with any other listing. */
interface TokenBody {
  readonly v: 1;
  readonly r: number;
  readonly t: number;
  readonly q: string;
}

function encodeToken(cursor: Cursor, query: string): string {
  const body: TokenBody = { v: 1, r: cursor.resource, t: cursor.row, q: query };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function decodeToken(token: string | undefined, query: string): Cursor {
  if (token === undefined) return { resource: 0, row: 0 };
  const refuse = () =>
    invalidParameter('NextToken', 'Use the NextToken of the previous page of this same query.');
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(token)) throw refuse();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (typeof body !== 'object' || body === null) throw refuse();
  const { v, r, t, q } = body as Partial<Record<keyof TokenBody, unknown>>;
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (v !== 1 || !count(r) || !count(t) || q !== query) throw refuse();
  return { resource: r, row: t };
}

function queryFingerprint(type: ResourceType, ids: readonly string[], filters: readonly TagFilter[]): string {
  return createHash('sha256')
    .update(JSON.stringify([type, ids, filters.map((f) => [f.key, f.value ?? null])]))
    .digest('base64url')
    .slice(0, 22);
}

/** A resource matches when it carries every filter's key (and that value, when the filter gives one). */
function matches(resource: TaggedResource, filters: readonly TagFilter[]): boolean {
  return filters.every((filter) =>
    resource.tags.some(
      (t) => t.key === filter.key && (filter.value === undefined || t.value === filter.value),
    ),
  );
}

/** Resources at positions `[offset, offset + limit)` of the scan; fewer than `limit` means the end. */
type ResourceScan = (offset: number, limit: number) => Promise<(TaggedResource | undefined)[]>;

/**
 * The resources to list, each checked for the caller: one it may not list tags of is skipped exactly as
 * a missing one is, so the listing shows nothing about it (docs/permissions.md).
 */
function scanOf(
  services: Services,
  access: RequestAccess,
  type: ResourceType,
  ids: readonly string[],
  filters: readonly TagFilter[],
): ResourceScan {
  if (ids.length > 0) {
    // Named resources, in the order given; ones that do not exist are skipped, not an error.
    return async (offset, limit) =>
      Promise.all(ids.slice(offset, offset + limit).map((id) => describeOrSkip(services, access, type, id)));
  }
  if (type === 'secret') {
    // Storage narrows by tag key (any of them); `matches` then applies the exact filter.
    const tagKeys = filters.length > 0 ? [...new Set(filters.map((f) => f.key))] : undefined;
    return async (offset, limit) => {
      const { items } = await services.secrets.listSecrets({ tagKeys, offset, limit });
      // Positions stay those of the scan (a skipped resource is `undefined`), so NextToken still works.
      return Promise.all(
        items.map(async (s) => ((await access.allowsSecret(s)) ? { id: s.name, tags: s.tags } : undefined)),
      );
    };
  }
  return async (offset, limit) => {
    const { items } = await services.keys.listKeys({ offset, limit });
    return Promise.all(items.map(async (key) => ((await access.allowsKey(key)) ? key : undefined)));
  };
}

async function describeOrSkip(
  services: Services,
  access: RequestAccess,
  type: ResourceType,
  id: string,
): Promise<TaggedResource | undefined> {
  try {
    if (type === 'key') {
      const key = await services.keys.describeKey(id);
      return (await access.allowsKey(key)) ? key : undefined;
    }
    const secret = await services.secrets.describeSecret(id);
    return (await access.allowsSecret(secret)) ? { id: secret.name, tags: secret.tags } : undefined;
  } catch (error) {
    if (
      isDomainError(error, 'key_not_found') ||
      isDomainError(error, 'alias_not_found') ||
      isDomainError(error, 'secret_not_found')
    ) {
      return undefined;
    }
    throw error;
  }
}

async function listTagResources({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  params.required('RegionId');
  const type = resourceType(params);
  const ids = resourceIds(params, type, false);
  noteResource(describeBatch(type, ids));
  const filters: TagFilter[] = tagPairs(params).map((p) => ({
    key: p.key,
    value: p.value === '' ? undefined : p.value,
  }));
  const fingerprint = queryFingerprint(type, ids, filters);
  const start = decodeToken(params.optional('NextToken'), fingerprint);
  const scan = scanOf(services, access, type, ids, filters);
  // Settled even when nothing is scanned: every resource listed is checked on its own.
  access.markFiltered();

  const rows: WireBody[] = [];
  let position = start.resource;
  let skip = start.row;
  for (;;) {
    const batch = await scan(position, SCAN_BATCH);
    for (const [index, resource] of batch.entries()) {
      if (resource !== undefined && matches(resource, filters)) {
        for (let row = skip; row < resource.tags.length; row++) {
          if (rows.length === PAGE_ROWS) {
            return page(rows, encodeToken({ resource: position + index, row }, fingerprint));
          }
          const tag = resource.tags[row];
          if (tag)
            rows.push({ ResourceId: resource.id, ResourceType: type, TagKey: tag.key, TagValue: tag.value });
        }
      }
      skip = 0;
    }
    if (batch.length < SCAN_BATCH) return page(rows, '');
    position += batch.length;
  }
}

function page(rows: WireBody[], nextToken: string): WireBody {
  return { NextToken: nextToken, TagResources: wrapped('TagResource', rows) };
}

export const TAG_ACTIONS: ActionTable = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListResourceTags: listResourceTags,
  TagResources: tagResources,
  UntagResources: untagResources,
  ListTagResources: listTagResources,
};
