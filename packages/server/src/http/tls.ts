/**
 * Transport security: the certificate and key for HTTPS, checked at startup so that a wrong file fails
 * the start rather than the first handshake, and whether an address is reachable only from this host.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';

/** TLS 1.0 and 1.1 are refused: both are deprecated (RFC 8996). */
export const TLS_MIN_VERSION = 'TLSv1.2';

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Reads the PEM files and proves that they form a usable pair; throws an Error with a plain message. */
export function loadTlsMaterial(files: { readonly certFile: string; readonly keyFile: string }): TlsMaterial {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`cannot read the TLS ${what} file ${file}: ${(error as Error).message}`);
    }
  };
  const material = { cert: read(files.certFile, 'certificate'), key: read(files.keyFile, 'key') };
  try {
    createSecureContext({ ...material, minVersion: TLS_MIN_VERSION });
  } catch (error) {
    // The message names the problem (bad PEM, key does not match the certificate), never key material.
    throw new Error(
      `the TLS certificate ${files.certFile} and key ${files.keyFile} are not a usable pair: ${(error as Error).message}`,
    );
  }
  return material;
}

/** True for addresses only this host can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) {
    // The URL parser writes an IPv6 address in its one canonical form (`0:0::1` → `[::1]`).
    const canonical = new URL(`http://[${bare}]/`).hostname;
    const mapped = /^\[::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}\]$/.exec(canonical);
    return canonical === '[::1]' || (mapped?.[1] !== undefined && parseInt(mapped[1], 16) >> 8 === 127);
  }
  return false;
}
