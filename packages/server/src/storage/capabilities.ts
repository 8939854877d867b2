/**
 * What the storage code needs to know about the database engine underneath. One Kysely implementation
 * and one set of migrations serve every engine; where engines differ, they ask one of these flags
 * instead of asking "is this SQLite" (the `supportsX` style of Kysely's `DialectAdapter`).
 *
 * Each engine's wiring module (`sqlite.ts`, later `postgres.ts`) owns its profile.
 */
import type { IsolationLevel } from 'kysely';

export interface StoreCapabilities {
  /**
   * The column type for byte strings (ciphertext, wrapped key material): `blob` on SQLite, `bytea` on
   * PostgreSQL. Drivers of both hand such columns back as a `Buffer`, which is a `Uint8Array`.
   */
  readonly binaryType: 'blob' | 'bytea';
  /**
   * Whether `SELECT ... FOR UPDATE` exists and locks the rows it reads until the transaction ends.
   * When true, `ReadOptions.forUpdate` inside `Store.transaction` takes the lock, so two writers of
   * one aggregate queue up instead of losing an update. False on SQLite: the syntax does not exist,
   * and it needs no lock because a write transaction there already excludes every other writer.
   */
  readonly supportsRowLocks: boolean;
  /**
   * The isolation level under which all statements of one read transaction see the same snapshot,
   * used where the store reads an aggregate with several statements (a secret, its versions, stages
   * and tags). `undefined` means the engine's default already does: a SQLite transaction reads one
   * snapshot from its first read to its end. PostgreSQL needs `repeatable read`, because its default
   * (`read committed`) takes a new snapshot per statement and could mix two commits in one answer.
   */
  readonly snapshotIsolationLevel: IsolationLevel | undefined;
  /**
   * A collation that compares text by code point, put on name columns that listings sort by, so
   * every engine returns pages in the same order (and `B` sorts before `a`). `undefined` means the
   * engine's default already does: SQLite's `BINARY`. PostgreSQL's default follows the database
   * locale, so its profile names `C`.
   */
  readonly codePointCollation: string | undefined;
}
