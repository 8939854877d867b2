/**
 * ACS3-HMAC-SHA256 request signing, as pure functions. The query string sent on the wire
 * is the canonical query itself, so the server's decode-and-re-encode reproduces it byte for byte.
 */
import { createHash, createHmac } from 'node:crypto';

export const SIGNATURE_ALGORITHM = 'ACS3-HMAC-SHA256';

/** SHA-256 of an empty body, lower-case hex. */
export const EMPTY_PAYLOAD_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** RFC 3986 percent-encoding over UTF-8 with upper-case hex: space is `%20`, `~` stays, `!'()*` are escaped. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `name=value` pairs sorted by name (code-unit order), each part percent-encoded, joined with `&`. */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name] ?? '')}`)
    .join('&');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface Acs3Request {
  readonly method: string;
  /** The path as sent, `/` for the RPC API. */
  readonly path: string;
  /** The canonical query (from `canonicalQuery`), also what goes on the wire. */
  readonly query: string;
  /**
   * Headers to sign, lower-case names: `host` and every `x-acs-*` header the request carries (the
   * server refuses a request with an unsigned `x-acs-*` header).
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Lower-case hex SHA-256 of the body. */
  readonly payloadHash: string;
}

/** The canonical request of spec §2.3 step 6. */
export function canonicalRequest(request: Acs3Request): string {
  const names = Object.keys(request.headers)
    .map((name) => name.toLowerCase())
    .sort();
  const lower = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value.trim()]),
  );
  const headers = names.map((name) => `${name}:${lower[name] ?? ''}\n`).join('');
  const path = request.path.split('/').map(percentEncode).join('/');
  return [request.method, path, request.query, headers, names.join(';'), request.payloadHash].join('\n');
}

/** The `Authorization` header value for a request signed with the given credentials. */
export function authorization(request: Acs3Request, accessKeyId: string, accessKeySecret: string): string {
  const stringToSign = `${SIGNATURE_ALGORITHM}\n${sha256Hex(canonicalRequest(request))}`;
  const signature = createHmac('sha256', accessKeySecret).update(stringToSign, 'utf8').digest('hex');
  const signedHeaders = Object.keys(request.headers)
    .map((name) => name.toLowerCase())
    .sort()
    .join(';');
  return `${SIGNATURE_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

/** `YYYY-MM-DDThh:mm:ssZ` in UTC, the format of `x-acs-date`. */
export function acsDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
