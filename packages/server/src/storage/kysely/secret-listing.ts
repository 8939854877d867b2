/**
 * `SecretRepository.list` over Kysely: keyset paging inside, positions outside. A page is read by a
 * seek on the name index (`name >= boundary ... ORDER BY name LIMIT n`), never by an OFFSET over the
 * full rows before it. The boundary comes from the page boundaries kept in memory per query shape
 * (page-boundaries.ts), read once in O(listed secrets) and then reused until a write changes what the
 * listing holds; without them (a write in flight, or the cache off) the store skips the positions
 * before the page in the name index alone and counts the total, both in the reader's snapshot.
 */
import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';

import { SECRET_TYPES } from '../../domain/secret.js';
import type { Database, SecretsTable } from '../schema.js';
import type { Page, SecretListQuery, SecretSummary } from '../store.js';
import type { PageBoundaries, PageBoundaryCache } from './page-boundaries.js';
import { groupTags, oneOf, toCount } from './rows.js';
import type { Db, Scope } from './scope.js';

type Filter = (eb: ExpressionBuilder<Database, 'secrets'>) => Expression<SqlBool>;

/** Positions between two kept boundaries at least: a page seeks to a boundary, then skips fewer than this. */
const MIN_STRIDE = 100;
/** Boundaries kept per query shape at most: longer listings space them wider (memory stays bounded). */
const MAX_BOUNDARIES = 1_000;

/** One page of the listing, in the snapshot of one read transaction. */
export async function listSecrets(
  scope: Scope,
  boundaries: PageBoundaryCache,
  query: SecretListQuery,
): Promise<Page<SecretSummary>> {
  const filter: Filter = (eb) => eb.and(listConditions(eb, query));
  const shape = listingShape(query);
  // Before the snapshot begins: a write that starts later makes `unchangedSince` false.
  const ticket = boundaries.ticket();
  return scope.snapshot(async (db) => {
    const kept = boundaries.lookup(shape, query.existingAt, ticket);
    if (kept !== undefined) {
      const rows = await pageRows(db, query, filter, kept);
      // A write begun since the ticket may show in this snapshot, and then the kept boundaries are not its.
      if (boundaries.unchangedSince(ticket)) return { items: await summaries(db, rows), total: kept.total };
    }
    if (boundaries.enabled && boundaries.unchangedSince(ticket)) {
      // Read in this snapshot, so right for this page whatever happens meanwhile; kept only if nothing did.
      const read = await readBoundaries(db, query, filter);
      boundaries.remember(shape, read, ticket);
      return { items: await summaries(db, await pageRows(db, query, filter, read)), total: read.total };
    }
    const total = await countListed(db, query, filter);
    return { items: await summaries(db, await seekRows(db, query, filter)), total };
  });
}

/** What a listing's boundaries depend on: every filter, and whether a time filter applies (not its time). */
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

/** The total, every `stride`-th listed name, and the earliest deletion date among the listed secrets. */
async function readBoundaries(db: Db, query: SecretListQuery, filter: Filter): Promise<PageBoundaries> {
  const total = await countListed(db, query, filter);
  const stride = Math.max(MIN_STRIDE, Math.ceil(total / MAX_BOUNDARIES));
  const names =
    total === 0
      ? []
      : await db
          .selectFrom(
            db
              .selectFrom('secrets')
              .select((eb) => [
                'secrets.name',
                eb.fn
                  .agg<number | string>('row_number')
                  .over((ob) => ob.orderBy('secrets.name'))
                  .as('position'),
              ])
              .where(filter)
              .as('listed'),
          )
          .select('listed.name')
          .where(sql<SqlBool>`(${sql.ref('listed.position')} - 1) % ${sql.lit(stride)} = 0`)
          .orderBy('listed.name')
          .execute();
  let nextExpiry: number | undefined;
  if (query.existingAt !== undefined && total > 0) {
    const { first } = await db
      .selectFrom('secrets')
      .select((eb) => eb.fn.min<number | string | null>('secrets.planned_delete_at').as('first'))
      .where(filter)
      .where('secrets.planned_delete_at', 'is not', null)
      .executeTakeFirstOrThrow();
    nextExpiry = first === null ? undefined : Number(first);
  }
  return { total, stride, names: names.map((r) => r.name), builtAt: query.existingAt, nextExpiry };
}

/** The page's rows: a seek to the boundary at or before its first position, then a skip of under a stride. */
async function pageRows(
  db: Db,
  query: SecretListQuery,
  filter: Filter,
  kept: PageBoundaries,
): Promise<Selectable<SecretsTable>[]> {
  if (query.after !== undefined) return seekRows(db, query, filter);
  if (query.offset >= kept.total || query.limit <= 0) return [];
  const index = Math.min(Math.floor(query.offset / kept.stride), kept.names.length - 1);
  const from = kept.names[index];
  if (from === undefined) return [];
  return db
    .selectFrom('secrets')
    .selectAll()
    .where(filter)
    .where('secrets.name', '>=', from)
    .orderBy('secrets.name')
    .limit(query.limit)
    .offset(query.offset - index * kept.stride)
    .execute();
}

/**
 * The page's rows without boundaries: after `query.after` by a seek; at a position by finding the
 * page's first name with a skip that reads names only (the name index covers it), then a seek.
 */
async function seekRows(db: Db, query: SecretListQuery, filter: Filter): Promise<Selectable<SecretsTable>[]> {
  if (query.limit <= 0) return [];
  const rows = (from: { readonly op: '>' | '>='; readonly name: string } | undefined, offset: number) => {
    let select = db.selectFrom('secrets').selectAll().where(filter);
    if (from !== undefined) select = select.where('secrets.name', from.op, from.name);
    select = select.orderBy('secrets.name').limit(query.limit);
    return (offset > 0 ? select.offset(offset) : select).execute();
  };
  if (query.after !== undefined) return rows({ op: '>', name: query.after }, query.offset);
  if (query.offset === 0) return rows(undefined, 0);
  const first = await db
    .selectFrom('secrets')
    .select('secrets.name')
    .where(filter)
    .orderBy('secrets.name')
    .limit(1)
    .offset(query.offset)
    .executeTakeFirst();
  return first === undefined ? [] : rows({ op: '>=', name: first.name }, 0);
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
