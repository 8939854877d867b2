import { sql } from 'kysely';
import type { ColumnDefinitionBuilder } from 'kysely';

import type { StoreCapabilities } from '../capabilities.js';

/**
 * Marks a column that listings sort by to compare by code point on every engine (see the capability):
 * `collate <name>` where the engine needs one, the column unchanged where its default already does.
 */
export function codePointOrdered(
  capabilities: StoreCapabilities,
): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  const { codePointCollation } = capabilities;
  return (column) =>
    codePointCollation === undefined
      ? column
      : column.modifyFront(sql`collate ${sql.id(codePointCollation)}`);
}
