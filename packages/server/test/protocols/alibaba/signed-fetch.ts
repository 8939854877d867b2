/**
 * Hand-signed requests for the cases the real SDKs cannot produce: a replayed nonce, a skewed clock, a
 * parameter given twice, split query/body, odd encodings. Signatures come from the server's own
 * `signature.ts` (itself checked against the published vectors in `signature.test.ts`), so a request
 * built here is valid unless a test deliberately breaks one part of it.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import {
  acs3CanonicalRequest,
  acs3Signature,
  percentEncode,
  sha256Hex,
  v1Signature,
  v1StringToSign,
} from '../../../src/protocols/alibaba/signature.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET } from './harness.js';

export const API_VERSION = '2016-01-20';

/** `YYYY-MM-DDThh:mm:ssZ`, optionally shifted. */
export function apiTimestamp(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function encodePairs(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
}

export interface V1Options {
  readonly method?: 'GET' | 'POST';
  readonly accessKeyId?: string;
  readonly secret?: string;
  readonly timestamp?: string;
  readonly nonce?: string;
  readonly format?: string;
  /** Where the parameters travel: all in the query (default), all in a form body, or split. */
  readonly placement?: 'query' | 'body' | 'split';
  /** Common parameters to leave out (e.g. `Signature`, `AccessKeyId`). */
  readonly omit?: readonly string[];
}

/** Every parameter of a v1-signed call, `Signature` included. */
export function signV1(
  action: string | undefined,
  business: Record<string, string>,
  options: V1Options = {},
): [string, string][] {
  const common: Record<string, string> = {
    ...(action === undefined ? {} : { Action: action }),
    Version: API_VERSION,
    Format: options.format ?? 'JSON',
    AccessKeyId: options.accessKeyId ?? ACCESS_KEY_ID,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: options.nonce ?? randomUUID(),
    Timestamp: options.timestamp ?? apiTimestamp(),
  };
  const omit = new Set(options.omit ?? []);
  const pairs = Object.entries({ ...common, ...business }).filter(([name]) => !omit.has(name));
  const signature = v1Signature(
    v1StringToSign(options.method ?? 'POST', pairs),
    options.secret ?? ACCESS_KEY_SECRET,
  );
  return omit.has('Signature') ? pairs : [...pairs, ['Signature', signature]];
}

export interface PreparedRequest {
  readonly url: string;
  readonly init: {
    readonly method: string;
    readonly headers: Record<string, string>;
    readonly body?: string;
  };
}

/** The same request with headers added or replaced (after signing, as a proxy or an attacker would). */
export function withHeaders(request: PreparedRequest, headers: Record<string, string>): PreparedRequest {
  return { ...request, init: { ...request.init, headers: { ...request.init.headers, ...headers } } };
}

/** A v1 request ready for `fetch`; the same object can be sent twice (a replay). */
export function v1Request(
  baseUrl: string,
  action: string | undefined,
  business: Record<string, string>,
  options: V1Options = {},
): PreparedRequest {
  const method = options.method ?? 'POST';
  const pairs = signV1(action, business, options);
  const placement = options.placement ?? 'query';
  const businessNames = new Set(Object.keys(business));
  const inQuery = pairs.filter(([name]) =>
    placement === 'query' ? true : placement === 'body' ? false : !businessNames.has(name),
  );
  const inBody = pairs.filter((pair) => !inQuery.includes(pair));
  const query = encodePairs(inQuery);
  const headers: Record<string, string> = {};
  if (inBody.length > 0) headers['content-type'] = 'application/x-www-form-urlencoded';
  return {
    url: `${baseUrl}/${query === '' ? '' : `?${query}`}`,
    init: { method, headers, ...(inBody.length > 0 ? { body: encodePairs(inBody) } : {}) },
  };
}

export async function send(request: PreparedRequest): Promise<Response> {
  return fetch(request.url, request.init);
}

export interface Acs3Options {
  readonly accessKeyId?: string;
  readonly secret?: string;
  readonly date?: string;
  readonly nonce?: string;
  readonly version?: string;
  /** A form body (business parameters in it instead of the query). */
  readonly body?: Record<string, string>;
  /** Extra headers; signed unless listed in `unsigned`. */
  readonly headers?: Record<string, string>;
  readonly unsigned?: readonly string[];
  /** The `x-acs-content-sha256` to claim instead of the real body hash. */
  readonly claimedHash?: string;
}

/** An ACS3-HMAC-SHA256 request as openapi-client builds it (business parameters in the query). */
export function acs3Request(
  baseUrl: string,
  action: string,
  query: Record<string, string>,
  options: Acs3Options = {},
): PreparedRequest {
  const body = options.body === undefined ? '' : encodePairs(Object.entries(options.body));
  const payloadHash = sha256Hex(body);
  const headers: Record<string, string> = {
    host: new URL(baseUrl).host,
    'x-acs-action': action,
    'x-acs-version': options.version ?? API_VERSION,
    'x-acs-date': options.date ?? apiTimestamp(),
    'x-acs-signature-nonce': options.nonce ?? randomUUID(),
    'x-acs-content-sha256': options.claimedHash ?? payloadHash,
    ...(body === '' ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
    ...options.headers,
  };
  const unsigned = new Set(options.unsigned ?? []);
  const signedHeaders = Object.keys(headers)
    .filter((name) => !unsigned.has(name))
    .sort();
  const queryPairs = Object.entries(query);
  const canonical = acs3CanonicalRequest({
    method: 'POST',
    path: '/',
    query: queryPairs,
    headers,
    signedHeaders,
    payloadHash: options.claimedHash ?? payloadHash,
  });
  const signature = acs3Signature(canonical, options.secret ?? ACCESS_KEY_SECRET);
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${options.accessKeyId ?? ACCESS_KEY_ID},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
  // fetch sets Host itself (to the same value); it must not be passed twice.
  const sent = { ...headers };
  delete sent.host;
  const search = encodePairs(queryPairs);
  return {
    url: `${baseUrl}/${search === '' ? '' : `?${search}`}`,
    init: { method: 'POST', headers: sent, ...(body === '' ? {} : { body }) },
  };
}

/** The JSON body of an answer (throws if it is not JSON). */
export async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  return JSON.parse(await response.text()) as Record<string, unknown>;
}

/** The six keys of every error body (docs/behaviour.md rule 17). */
export const ERROR_KEYS = ['Code', 'HostId', 'HttpStatus', 'Message', 'Recommend', 'RequestId'];

/** Asserts an error answer in the API's JSON shape, status and request-id header; returns the body. */
export async function expectApiError(
  response: Response,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  const body = await jsonOf(response);
  expect(body).toMatchObject({ Code: code, HttpStatus: status });
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(body).sort()).toEqual(ERROR_KEYS);
  expect(response.headers.get('x-acs-request-id')).toBe(body.RequestId);
  return body;
}
