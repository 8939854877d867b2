/**
 * AWS Signature Version 4, the pure part: parsing the `Authorization` header, the canonical request,
 * the string to sign and the signature, exactly as AWS's "Create a signed AWS API request" guide
 * defines them for services other than S3 (paths normalised and each segment encoded a second time).
 * `auth.ts` decides what a request must carry and which errors it gets.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const SCOPE_TERMINATOR = 'aws4_request';

export interface CredentialScope {
  readonly accessKeyId: string;
  /** `YYYYMMDD`. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
}

export interface ParsedAuthorization {
  readonly algorithm: string;
  /** Absent components are undefined: the caller words the error. */
  readonly credential: string | undefined;
  readonly signedHeaders: string | undefined;
  readonly signature: string | undefined;
}

/**
 * `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. Returns undefined when the value is
 * not of that shape at all (no space after the algorithm, or a component without `=`).
 */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const space = header.indexOf(' ');
  if (space <= 0) return undefined;
  const algorithm = header.slice(0, space);
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const equals = trimmed.indexOf('=');
    if (equals <= 0) return undefined;
    fields.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
  }
  return {
    algorithm,
    credential: fields.get('Credential'),
    signedHeaders: fields.get('SignedHeaders'),
    signature: fields.get('Signature'),
  };
}

/** `AKID/20150830/us-east-1/iam/aws4_request`; undefined unless it has exactly five parts. */
export function parseCredential(credential: string): CredentialScope | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminator };
}

export function scopeString(scope: Omit<CredentialScope, 'accessKeyId'>): string {
  return `${scope.date}/${scope.region}/${scope.service}/${scope.terminator}`;
}

/** RFC 3986 encoding: everything but unreserved characters, upper-case hex. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The canonical URI of a path as it arrived on the wire (already percent-encoded once): dot segments
 * removed, empty segments collapsed, each segment encoded again, a trailing slash kept.
 */
export function canonicalPath(rawPath: string): string {
  if (rawPath === '' || rawPath === '/') return '/';
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(uriEncode(segment));
  }
  const trailing = rawPath.endsWith('/') && segments.length > 0 ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}

/** Decoded query pairs, encoded and sorted by name then value; `X-Amz-Signature` left out. */
export function canonicalQuery(query: readonly (readonly [string, string])[]): string {
  return query
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A header's value as signed: repeated headers joined by commas, spaces trimmed and collapsed. */
export function canonicalHeaderValue(value: string | readonly string[]): string {
  const values = typeof value === 'string' ? [value] : value;
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

/** `name:value\n` for each signed header, in the order given (already sorted and lower-case). */
export function canonicalHeaders(headers: HeaderMap, signedHeaders: readonly string[]): string {
  return signedHeaders
    .map((name) => {
      const value = headers[name];
      return `${name}:${value === undefined ? '' : canonicalHeaderValue(value)}\n`;
    })
    .join('');
}

export interface CanonicalRequestInput {
  readonly method: string;
  readonly rawPath: string;
  readonly query: readonly (readonly [string, string])[];
  /** Lower-case names, as Node gives them. */
  readonly headers: HeaderMap;
  readonly signedHeaders: readonly string[];
  /** Lower-case hex SHA-256 of the body, or the `x-amz-content-sha256` value as sent. */
  readonly payloadHash: string;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  return [
    input.method,
    canonicalPath(input.rawPath),
    canonicalQuery(input.query),
    canonicalHeaders(input.headers, input.signedHeaders),
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `AWS4-HMAC-SHA256\n<amz date>\n<scope>\n<hash of the canonical request>`. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The signing key: HMAC chain from `AWS4<secret>` through date, region, service and terminator. */
export function signingKey(secret: string, scope: Omit<CredentialScope, 'accessKeyId'>): Buffer {
  const dateKey = hmac(`AWS4${secret}`, scope.date);
  return hmac(hmac(hmac(dateKey, scope.region), scope.service), scope.terminator);
}

export function signature(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

/** Whether two hex signatures are equal, in time that depends only on their lengths. */
export function signaturesMatch(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `YYYYMMDDTHHMMSSZ` → epoch milliseconds, or NaN when it is not such a time. */
export function parseAmzDate(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return NaN;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const time = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(time);
  // Date.UTC rolls 2024-02-31 over into March: refuse dates that do not exist.
  return back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? time : NaN;
}

/** Epoch milliseconds → `YYYYMMDDTHHMMSSZ`. */
export function formatAmzDate(time: number): string {
  return new Date(time)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
