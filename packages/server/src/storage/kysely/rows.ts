/** Small helpers the repositories share for turning rows into domain values. */
import { DomainError } from '../../domain/errors.js';
import type { Tag } from '../../domain/validation.js';

/**
 * Narrows a text column to one of its allowed values. A stored value outside the set means the
 * database was edited by hand or written by a newer build; that is an internal failure, not input.
 */
export function oneOf<T extends string>(value: string, allowed: readonly T[], column: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw internalError(`Unexpected stored ${column}.`);
  return found;
}

/**
 * An `internal` error whose reason stays in `cause` (for the logs): stored data the code does not
 * understand, or a call that breaks a repository's contract (a bug in the caller, not bad input).
 */
export function internalError(reason: string): DomainError {
  return new DomainError('internal', undefined, {}, { cause: new Error(reason) });
}

/** Counts come back as number, bigint or string depending on the driver. */
export function toCount(value: string | number | bigint): number {
  return Number(value);
}

/** Groups tag rows (already sorted by position) by their owner id. */
export function groupTags<Row extends { key: string; value: string }>(
  rows: readonly Row[],
  ownerOf: (row: Row) => string,
): Map<string, Tag[]> {
  const byOwner = new Map<string, Tag[]>();
  for (const row of rows) {
    const owner = ownerOf(row);
    const tags = byOwner.get(owner) ?? [];
    tags.push({ key: row.key, value: row.value });
    byOwner.set(owner, tags);
  }
  return byOwner;
}
