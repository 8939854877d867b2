import type { Kysely } from 'kysely';

/**
 * Listings walk secrets in name order and filter on the deletion date. With both in one index, the
 * rows a page skips (OFFSET) are stepped over in the index alone, and only the page's rows are read.
 */
export async function secretListingIndex(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('secrets_name_listing_idx')
    .on('secrets')
    .columns(['name', 'planned_delete_at'])
    .execute();
}
