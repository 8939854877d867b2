/**
 * The two request-signing schemes of the API (spec §2), as pure functions over decoded parameters
 * and headers. Signatures are always computed over values decoded and re-encoded canonically, never
 * over the raw query string (the Node clients leave `! ' ( ) *` unescaped on the wire but escape them
 * when signing).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding over UTF-8 with upper-case hex; space is `%20`, `~` stays. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function byName(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** v1 (HMAC-SHA1): the string to sign over every parameter except `Signature`. */
export function v1StringToSign(method: string, params: readonly (readonly [string, string])[]): string {
  const canonical = params
    .filter(([name]) => name !== 'Signature')
    .slice()
    .sort(byName)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
  return `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function v1Signature(stringToSign: string, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface Acs3Authorization {
  readonly algorithm: string;
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`; undefined when malformed. */
export function parseAcs3Authorization(header: string): Acs3Authorization | undefined {
  const match = /^(ACS3-[A-Z0-9-]+) (.*)$/.exec(header.trim());
  if (!match) return undefined;
  const fields = new Map<string, string>();
  for (const part of (match[2] ?? '').split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) return undefined;
    fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature || !match[1]) return undefined;
  return {
    algorithm: match[1],
    accessKeyId,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature,
  };
}

export interface Acs3Request {
  readonly method: string;
  readonly path: string;
  readonly query: readonly (readonly [string, string])[];
  /** Lower-cased header names; repeated headers already joined or as arrays. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly signedHeaders: readonly string[];
  readonly payloadHash: string;
}

/** The canonical request of ACS3 (spec §2.3 step 6). */
export function acs3CanonicalRequest(request: Acs3Request): string {
  const query = request.query
    .slice()
    .sort(byName)
    .map(([name, value]) => `${name}=${percentEncode(value)}`)
    .join('&');
  const headers = request.signedHeaders
    .map((name) => {
      // The names come from the caller's SignedHeaders: `constructor` or `__proto__` must read as an
      // absent header, not as a member every object inherits.
      const raw = Object.hasOwn(request.headers, name) ? request.headers[name] : undefined;
      const values = raw === undefined ? [] : typeof raw === 'string' ? [raw] : [...raw];
      return `${name}:${values
        .map((v) => v.trim())
        .sort()
        .join(',')}\n`;
    })
    .join('');
  const path = request.path.split('/').map(percentEncode).join('/');
  return [request.method, path, query, headers, request.signedHeaders.join(';'), request.payloadHash].join(
    '\n',
  );
}

export function acs3Signature(canonicalRequest: string, accessKeySecret: string): string {
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  return createHmac('sha256', accessKeySecret).update(stringToSign, 'utf8').digest('hex');
}

/** Compares two signatures without leaking where they differ. */
export function signaturesMatch(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
