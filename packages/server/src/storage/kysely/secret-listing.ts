/**
 * `SecretRepository.list` over Kysely: keyset paging inside, positions outside. A page is read by a
 * seek on the name index (`name >= first ... ORDER BY name LIMIT n`), never by an OFFSET over the
 * full rows before it. The page's first name comes from a skip that reads names only (the name index
 * covers it), from the nearest position a kept listing knows (page-boundaries.ts) or from the start;
 * the kept listing then learns it, and holds the total, so that later pages of an unchanged listing
 * cost what the first one does.
 */
import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';

import { SECRET_TYPES } from '../../domain/secret.js';
import type { Database, SecretsTable } from '../schema.js';
import type { Page, SecretListQuery, SecretSummary } from '../store.js';
import type {
  KeptListing,
  KnownPosition,
  ListingFacts,
  ListingTicket,
  PageBoundaryCache,
} from './page-boundaries.js';
import { groupTags, oneOf, toCount } from './rows.js';
import type { Db, Scope } from './scope.js';

type Filter = (eb: ExpressionBuilder<Database, 'secrets'>) => Expression<SqlBool>;

/** Positions a page may lie past a known one and still be read with a plain OFFSET over full rows. */
const SHORT_SKIP = 100;

/** One page of the listing, in the snapshot of one read transaction. */
export async function listSecrets(
  scope: Scope,
  cache: PageBoundaryCache,
  query: SecretListQuery,
): Promise<Page<SecretSummary>> {
  const filter: Filter = (eb) => eb.and(listConditions(eb, query));
  const shape = listingShape(query);
  // Before the snapshot begins: a write that starts later makes `unchangedSince` false.
  const ticket = cache.ticket();
  return scope.snapshot(async (db) => {
    const kept = cache.lookup(shape, query.existingAt, ticket);
    if (kept !== undefined) {
      const rows = await pageRows(db, query, filter, kept, { cache, entry: kept, ticket });
      // A write begun since the ticket may show in this snapshot, and then the kept entry is not its.
      if (cache.unchangedSince(ticket)) return { items: await summaries(db, rows), total: kept.total };
    }
    const keep = cache.enabled && cache.unchangedSince(ticket);
    const facts = await readFacts(db, query, filter, keep);
    const entry = keep ? cache.remember(shape, facts, ticket) : undefined;
    const rows = await pageRows(db, query, filter, facts, entry && { cache, entry, ticket });
    return { items: await summaries(db, rows), total: facts.total };
  });
}

/** What a listing's entry depends on: every filter, and whether a time filter applies (not its time). */
function listingShape(query: SecretListQuery): string {
  const list = (values: readonly string[] | undefined) =>
    values === undefined || values.length === 0 ? null : values;
  return JSON.stringify([
    list(query.namePrefixes),
    list(query.descriptions),
    list(query.tagKeys),
    list(query.tagValues),
    // An empty list of types matches nothing, unlike no list.
    query.secretTypes ?? null,
    query.excludePendingDeletion === true,
    query.existingAt !== undefined,
  ]);
}

/** The total, and (when the facts are to be kept) the earliest deletion date among the listed secrets. */
async function readFacts(
  db: Db,
  query: SecretListQuery,
  filter: Filter,
  withExpiry: boolean,
): Promise<ListingFacts> {
  const total = await countListed(db, query, filter);
  const { existingAt } = query;
  let nextExpiry: number | undefined;
  if (withExpiry && existingAt !== undefined && total > 0 && query.excludePendingDeletion !== true) {
    // Walks the deletion-date index from `existingAt` up to the first listed secret.
    const first = await db
      .selectFrom('secrets')
      .select('secrets.planned_delete_at')
      .where(filter)
      .where('secrets.planned_delete_at', '>', existingAt)
      .orderBy('secrets.planned_delete_at')
      .limit(1)
      .executeTakeFirst();
    nextExpiry = first?.planned_delete_at ?? undefined;
  }
  return { total, builtAt: existingAt, nextExpiry };
}

/** Where a page read may record the position it found. */
interface Learning {
  readonly cache: PageBoundaryCache;
  readonly entry: KeptListing;
  readonly ticket: ListingTicket;
}

/**
 * The page's rows. After a name: a seek. At a position: from the nearest known position, a plain
 * OFFSET when the page is a short way past it, else a skip over names only to the page's first name
 * (learnt for next time), then a seek.
 */
async function pageRows(
  db: Db,
  query: SecretListQuery,
  filter: Filter,
  listing: ListingFacts & { nearest?: (position: number) => KnownPosition },
  learning: Learning | undefined,
): Promise<Selectable<SecretsTable>[]> {
  if (query.limit <= 0) return [];
  const rows = (from: { readonly op: '>' | '>='; readonly name: string } | undefined, offset: number) => {
    let select = db.selectFrom('secrets').selectAll().where(filter);
    if (from !== undefined) select = select.where('secrets.name', from.op, from.name);
    select = select.orderBy('secrets.name').limit(query.limit);
    return (offset > 0 ? select.offset(offset) : select).execute();
  };
  if (query.after !== undefined) return rows({ op: '>', name: query.after }, query.offset);
  if (query.offset >= listing.total) return [];
  const near = listing.nearest?.(query.offset) ?? { position: 0, name: undefined };
  const from = near.name === undefined ? undefined : ({ op: '>=', name: near.name } as const);
  const gap = query.offset - near.position;
  if (gap < SHORT_SKIP) return rows(from, gap);
  let names = db.selectFrom('secrets').select('secrets.name').where(filter);
  if (from !== undefined) names = names.where('secrets.name', from.op, from.name);
  const first = await names.orderBy('secrets.name').limit(1).offset(gap).executeTakeFirst();
  if (first === undefined) return [];
  if (learning) learning.cache.learn(learning.entry, query.offset, first.name, learning.ticket);
  return rows({ op: '>=', name: first.name }, 0);
}

/** The rows as summaries, with their tags in saved order. */
async function summaries(db: Db, rows: readonly Selectable<SecretsTable>[]): Promise<SecretSummary[]> {
  const tagRows =
    rows.length === 0
      ? []
      : await db
          .selectFrom('secret_tags')
          .select(['secret_id', 'key', 'value'])
          .where(
            'secret_id',
            'in',
            rows.map((r) => r.id),
          )
          .orderBy('secret_id')
          .orderBy('position')
          .execute();
  const tags = groupTags(tagRows, (t) => t.secret_id);
  return rows.map((row) => toSummary(row, tags.get(row.id) ?? []));
}

export function toSummary(row: Selectable<SecretsTable>, tags: SecretSummary['tags']): SecretSummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    encryptionKeyId: row.encryption_key_id,
    tags,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    plannedDeleteAt: row.planned_delete_at,
    secretType: oneOf(row.secret_type, SECRET_TYPES, 'secret type'),
    extendedConfig: row.extended_config,
    arnSuffix: row.arn_suffix,
    authorizedRotationTarget: row.authorized_rotation_target,
  };
}

/**
 * The total of a listing. Without name, description, type or tag filters (the usual listing) it is every
 * secret less those its deletion-state filter leaves out, so no row is read: SQLite counts a whole
 * table from its smallest index, and the left-out ones come from the `planned_delete_at` index. A
 * filtered count reads every candidate row.
 */
async function countListed(db: Db, query: SecretListQuery, filter: Filter): Promise<number> {
  const { namePrefixes = [], descriptions = [], tagKeys = [], tagValues = [], existingAt } = query;
  const count = async (where?: Filter) => {
    let select = db.selectFrom('secrets').select((eb) => eb.fn.countAll().as('total'));
    if (where) select = select.where(where);
    return toCount((await select.executeTakeFirstOrThrow()).total);
  };
  const filtered =
    namePrefixes.length + descriptions.length + tagKeys.length + tagValues.length > 0 ||
    query.secretTypes !== undefined;
  if (filtered) return count(filter);
  let excluded = 0;
  if (query.excludePendingDeletion === true) {
    excluded = await count((eb) => eb('planned_delete_at', 'is not', null));
  } else if (existingAt !== undefined) {
    excluded = await count((eb) => eb('planned_delete_at', '<=', existingAt));
  }
  return (await count()) - excluded;
}

/** Filters of one kind are OR-ed (`in`, or an OR of prefixes); kinds are AND-ed. Empty lists filter nothing. */
function listConditions(
  eb: ExpressionBuilder<Database, 'secrets'>,
  query: SecretListQuery,
): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  const { namePrefixes = [], descriptions = [], tagKeys = [], tagValues = [], existingAt } = query;
  if (existingAt !== undefined) {
    conditions.push(
      eb.or([eb('secrets.planned_delete_at', 'is', null), eb('secrets.planned_delete_at', '>', existingAt)]),
    );
  }
  if (query.excludePendingDeletion === true) conditions.push(eb('secrets.planned_delete_at', 'is', null));
  if (namePrefixes.length > 0) {
    // substr rather than LIKE: LIKE ignores ASCII case on SQLite and needs escaping of % and _.
    // Lengths count code points, as substr does on every engine.
    conditions.push(
      eb.or(
        namePrefixes.map(
          (prefix) =>
            sql<SqlBool>`substr(${eb.ref('secrets.name')}, 1, ${Array.from(prefix).length}) = ${prefix}`,
        ),
      ),
    );
  }
  if (descriptions.length > 0) conditions.push(eb('secrets.description', 'in', descriptions));
  if (query.secretTypes !== undefined) {
    const types = query.secretTypes;
    conditions.push(types.length === 0 ? sql<SqlBool>`1 = 0` : eb('secrets.secret_type', 'in', types));
  }
  if (tagKeys.length > 0) conditions.push(eb.exists(taggedWith(eb, 'key', tagKeys)));
  if (tagValues.length > 0) conditions.push(eb.exists(taggedWith(eb, 'value', tagValues)));
  return conditions;
}

function taggedWith(
  eb: ExpressionBuilder<Database, 'secrets'>,
  column: 'key' | 'value',
  values: readonly string[],
) {
  return eb
    .selectFrom('secret_tags')
    .select(sql.lit(1).as('found'))
    .whereRef('secret_tags.secret_id', '=', 'secrets.id')
    .where(`secret_tags.${column}`, 'in', values);
}
