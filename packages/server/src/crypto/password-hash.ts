/**
 * Console passwords, hashed with scrypt (node:crypto) under a random salt. The stored form names its
 * parameters, `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url), so they can be raised later while
 * old hashes still verify. scrypt runs on libuv's thread pool: hashing never blocks the event loop.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** N = 2^15, r = 8, p = 1: 32 MiB and ~50–100 ms per hash, OWASP's current floor for scrypt. */
const DEFAULT_PARAMS = { logN: 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const FORMAT = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{32,128})$/;

function derive(
  password: string,
  salt: Buffer,
  logN: number,
  r: number,
  p: number,
  length: number,
): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      length,
      { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
      (error, key) => {
        if (error) reject(error);
        else resolve(key);
      },
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const { logN, r, p } = DEFAULT_PARAMS;
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, logN, r, p, HASH_BYTES);
  return `scrypt$${logN}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Whether `password` matches `stored`; a malformed stored hash matches nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = FORMAT.exec(stored);
  if (!match) return false;
  const [logN, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(match[4] ?? '', 'base64url');
  const expected = Buffer.from(match[5] ?? '', 'base64url');
  const actual = await derive(password, salt, logN, r, p, expected.length);
  return timingSafeEqual(actual, expected);
}

/**
 * A hash to verify against when the user does not exist, so that an unknown user name takes as long
 * as a wrong password (made once, lazily).
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(18).toString('base64url'));
  return decoy;
}
