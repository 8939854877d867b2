/**
 * PostgreSQL password verifiers, computed and checked here as the server does (RFC 5802/7677, the format
 * of `pg_authid.rolpassword`). Setting a password as its SCRAM verifier keeps the plaintext out of the SQL
 * text, the server's logs and `pg_stat_activity`, as `psql`'s `\password` does.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 4096;
const VERIFIER = /^SCRAM-SHA-256\$(\d{1,7}):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

function keys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  // SASLprep leaves printable ASCII as it is; passwords with other characters are normalised (NFKC) as a best effort.
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/** `SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>` for the password, with a fresh random salt. */
export function scramVerifier(password: string): string {
  const salt = randomBytes(16);
  const { storedKey, serverKey } = keys(password, salt, ITERATIONS);
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/**
 * Whether `password` matches a stored verifier (SCRAM-SHA-256, or the older `md5` form bound to the role
 * name). Unknown formats and plaintext never match.
 */
export function verifierMatches(stored: string, roleName: string, password: string): boolean {
  const scram = VERIFIER.exec(stored);
  if (scram) {
    const [, iterations, salt, storedKey, serverKey] = scram;
    const expected = keys(password, Buffer.from(salt ?? '', 'base64'), Number(iterations));
    return (
      same(expected.storedKey, Buffer.from(storedKey ?? '', 'base64')) &&
      same(expected.serverKey, Buffer.from(serverKey ?? '', 'base64'))
    );
  }
  if (/^md5[0-9a-f]{32}$/.test(stored)) {
    const digest = `md5${createHash('md5')
      .update(password + roleName)
      .digest('hex')}`;
    return same(Buffer.from(digest), Buffer.from(stored));
  }
  return false;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
