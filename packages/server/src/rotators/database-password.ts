/**
 * Passwords for database accounts: uniform random choices from `node:crypto` (through
 * `crypto/random-password.ts`), over letters, digits and a few punctuation marks that need no quoting
 * in SQL literals, connection URLs, shells or configuration files.
 */
import { PASSWORD_CLASSES, randomPassword } from '../crypto/random-password.js';

/** The punctuation a database password may contain; every other mark is left out. */
const SAFE_PUNCTUATION = '-_.~+=';
const UNSAFE_PUNCTUATION = Array.from(PASSWORD_CLASSES.punctuation)
  .filter((c) => !SAFE_PUNCTUATION.includes(c))
  .join('');
const SAFE = /^[A-Za-z0-9._~+=-]+$/;

export function generateDatabasePassword(length: number): string {
  const password = randomPassword({
    length,
    exclude: new Set(),
    excludeCharacters: UNSAFE_PUNCTUATION,
    requireEachIncludedType: true,
  });
  // Unreachable: four non-empty classes and a length of at least 16.
  if (password === undefined) throw new Error('No password fits the database alphabet.');
  return password;
}

/** Whether a password uses only the database-safe alphabet (so a SQL literal of it needs no escaping at all). */
export function isDatabaseSafe(password: string): boolean {
  return SAFE.test(password);
}
