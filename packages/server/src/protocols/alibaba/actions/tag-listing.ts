/**
 * ListTagResources: the tags of many keys or secrets, filtered by tag, one row per tag, paged by an
 * opaque NextToken. Resources the caller may not see are skipped exactly as missing ones are, and the
 * token, sealed and bound to the caller and the query, does not tell how many were.
 */
import { isDomainError } from '../../../domain/errors.js';
import type { Tag } from '../../../domain/validation.js';
import type { PagingScope, PagingTokens } from '../../../services/paging-tokens.js';
import type { Services } from '../../../services/services.js';
import type { OperationAccess } from '../../../services/operations/access.js';
import type { ActionContext } from '../action.js';
import type { WireBody } from '../codec.js';
import { wrapped } from '../codec.js';
import { invalidParameter } from '../errors.js';
import type { ResourceType } from './tag-params.js';
import { describeBatch, resourceIds, resourceType, tagPairs } from './tag-params.js';

/** ListTagResources answers this many rows per page (the API's documented default). */
const PAGE_ROWS = 200;
/** Resources read per storage query while filling a ListTagResources page. */
const SCAN_BATCH = 100;

/** A resource with its tags, as ListTagResources reports it. */
interface TaggedResource {
  readonly id: string;
  readonly tags: readonly Tag[];
}

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

/** The NextToken: the cursor sealed for this caller and this query (services/paging-tokens.ts). */
function encodeToken(tokens: PagingTokens, scope: PagingScope, cursor: Cursor): string {
  return tokens.issue(scope, `${cursor.resource}:${cursor.row}`);
}

function decodeToken(tokens: PagingTokens, scope: PagingScope, token: string | undefined): Cursor {
  if (token === undefined) return { resource: 0, row: 0 };
  const match = /^(\d{1,15}):(\d{1,15})$/.exec(tokens.open(scope, token) ?? '');
  if (!match?.[1] || !match[2]) {
    throw invalidParameter('NextToken', 'Use the NextToken of the previous page of this same query.');
  }
  return { resource: Number(match[1]), row: Number(match[2]) };
}

function queryFingerprint(type: ResourceType, ids: readonly string[], filters: readonly TagFilter[]): string {
  return JSON.stringify([type, ids, filters.map((f) => [f.key, f.value ?? null])]);
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
  access: OperationAccess,
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
  access: OperationAccess,
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

export async function listTagResources({
  params,
  services,
  noteResource,
  access,
  principal,
}: ActionContext): Promise<WireBody> {
  params.required('RegionId');
  const type = resourceType(params);
  const ids = resourceIds(params, type, false);
  noteResource(describeBatch(type, ids));
  const filters: TagFilter[] = tagPairs(params).map((p) => ({
    key: p.key,
    value: p.value === '' ? undefined : p.value,
  }));
  const scope: PagingScope = {
    listing: 'ListTagResources',
    caller: principal.accessKeyId,
    query: queryFingerprint(type, ids, filters),
  };
  const tokens = services.pagingTokens;
  const start = decodeToken(tokens, scope, params.optional('NextToken'));
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
            return page(rows, encodeToken(tokens, scope, { resource: position + index, row }));
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
