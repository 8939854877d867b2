/**
 * The one place driver errors become domain errors. Drivers are recognised structurally by the `code`
 * they put on their errors (better-sqlite3's extended result codes, PostgreSQL's SQLSTATE), so this
 * module imports no driver. The driver's error rides along as `cause` for the logs; it never reaches
 * the message, which is what adapters may show to callers.
 */
import { DomainError } from '../../domain/errors.js';

/** What a constraint violation means for the operation that hit it. */
export interface ExpectedViolations {
  /** A unique or primary key clash, e.g. `secret_already_exists`. Without it a clash is `internal`. */
  readonly unique?: () => DomainError;
  /** A row pointing at a missing row, e.g. an alias naming an unknown key. Without it: `internal`. */
  readonly foreignKey?: () => DomainError;
}

type Failure = 'unique' | 'foreign_key' | 'busy' | 'other';

const SQLITE_UNIQUE = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const PG_UNIQUE = '23505';
const PG_FOREIGN_KEY = '23503';
/**
 * SQLSTATEs worth retrying: serialization failure, deadlock, lock not available, too many
 * connections, server shutting down or starting. Class 08 (connection exceptions) is matched apart.
 */
const PG_TRANSIENT = new Set(['40001', '40P01', '55P03', '53300', '57P01', '57P02', '57P03']);
const NODE_TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);
/** How far down a `cause` chain to look; wrappers (pools, Kysely plugins) rarely nest deeper. */
const MAX_CAUSE_DEPTH = 5;

/**
 * Turns anything a storage call threw into a `DomainError`. Domain errors pass through unchanged;
 * unique and foreign-key violations become what `expected` says (else `internal`); busy, locked and
 * serialization failures become `unavailable` so callers may retry; everything else is `internal`.
 */
export function translateStorageError(error: unknown, expected: ExpectedViolations = {}): DomainError {
  if (error instanceof DomainError) return error;
  const failure = classify(error);
  switch (failure) {
    case 'unique':
      return expected.unique?.() ?? internal(error);
    case 'foreign_key':
      return expected.foreignKey?.() ?? internal(error);
    case 'busy':
      return new DomainError('unavailable', 'The database is busy. Retry the request.', {}, { cause: error });
    case 'other':
      return internal(error);
  }
}

function internal(cause: unknown): DomainError {
  return new DomainError('internal', undefined, {}, { cause });
}

function classify(error: unknown): Failure {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const code = 'code' in current && typeof current.code === 'string' ? current.code : undefined;
    if (code !== undefined) {
      const failure = classifyCode(code);
      if (failure !== 'other') return failure;
    }
    current = 'cause' in current ? current.cause : undefined;
  }
  return 'other';
}

function classifyCode(code: string): Failure {
  if (SQLITE_UNIQUE.has(code) || code === PG_UNIQUE) return 'unique';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === PG_FOREIGN_KEY) return 'foreign_key';
  // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_TIMEOUT, SQLITE_LOCKED, SQLITE_LOCKED_SHAREDCACHE, …
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (PG_TRANSIENT.has(code) || /^08[0-9A-Z]{3}$/.test(code) || NODE_TRANSIENT.has(code)) return 'busy';
  return 'other';
}
