/**
 * Authenticates an RPC request: ACS3-HMAC-SHA256 when an `Authorization: ACS3-…` header is present,
 * otherwise signature v1 from the `Signature` parameter (spec §2). Checks, in order: the request's
 * shape, the access key, the ±15-minute timestamp window, the signature (constant-time), the key's
 * status, then nonce replay — the nonce is remembered only once the signature is valid, so forged
 * requests cannot fill the cache.
 */
import type { Clock } from '../../services/clock.js';
import type { AccessKeyService } from '../../services/access-key-service.js';
import type { Principal } from './action.js';
import { missingParameter, ProtocolError } from './errors.js';
import type { Params } from './params.js';
import {
  acs3CanonicalRequest,
  acs3Signature,
  parseAcs3Authorization,
  sha256Hex,
  signaturesMatch,
  v1Signature,
  v1StringToSign,
} from './signature.js';

export const TIMESTAMP_WINDOW_MS = 15 * 60_000;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

export interface SignedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Query and form body parameters, merged. */
  readonly params: Params;
  /** Query parameters alone (ACS3 signs the query; the body is covered by its hash). */
  readonly query: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

export interface Authenticated {
  readonly principal: Principal;
  readonly scheme: 'v1' | 'acs3';
  /** Action and version as the signed request names them. */
  readonly action: string | undefined;
  readonly version: string | undefined;
}

const SIGNATURE_MISMATCH = 'Specified signature is not matched with our calculation.';

export class Authenticator {
  readonly #accessKeys: Pick<AccessKeyService, 'resolve'>;
  readonly #clock: Clock;
  readonly #nonces: NonceCache;

  constructor(options: { accessKeys: Pick<AccessKeyService, 'resolve'>; clock: Clock }) {
    this.#accessKeys = options.accessKeys;
    this.#clock = options.clock;
    this.#nonces = new NonceCache(options.clock);
  }

  async authenticate(request: SignedRequest): Promise<Authenticated> {
    const authorization = header(request.headers, 'authorization');
    if (authorization?.startsWith('ACS3-')) return this.#acs3(request, authorization);
    return this.#v1(request);
  }

  async #v1(request: SignedRequest): Promise<Authenticated> {
    const { params } = request;
    const signature = params.required('Signature');
    const accessKeyId = params.required('AccessKeyId');
    const method = params.optional('SignatureMethod') ?? 'HMAC-SHA1';
    if (method !== 'HMAC-SHA1') {
      throw new ProtocolError(
        400,
        'IncompleteSignature',
        `The signature method "${method}" is not supported; use HMAC-SHA1.`,
      );
    }
    const version = params.optional('SignatureVersion');
    if (version !== undefined && version !== '1.0') {
      throw new ProtocolError(400, 'IncompleteSignature', 'The signature version must be 1.0.');
    }
    const nonce = params.required('SignatureNonce');
    const timestamp = this.#checkTimestamp(params.required('Timestamp'));
    const key = await this.#key(accessKeyId);
    const expected = v1Signature(v1StringToSign(request.method, params.entries()), key.secret);
    if (!signaturesMatch(expected, signature))
      throw new ProtocolError(400, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH);
    this.#admit(key, nonce, timestamp);
    return {
      principal: { accessKeyId: key.id, userName: key.userName },
      scheme: 'v1',
      action: params.optional('Action'),
      version: params.optional('Version'),
    };
  }

  async #acs3(request: SignedRequest, authorization: string): Promise<Authenticated> {
    const parsed = parseAcs3Authorization(authorization);
    if (!parsed)
      throw new ProtocolError(400, 'IncompleteSignature', 'The Authorization header is malformed.');
    if (parsed.algorithm !== 'ACS3-HMAC-SHA256') {
      throw new ProtocolError(
        400,
        'IncompleteSignature',
        `The signature algorithm "${parsed.algorithm}" is not supported.`,
      );
    }
    const signed = new Set(parsed.signedHeaders);
    // Every x-acs-* header and the host must be signed, or a captured request could be replayed with
    // another action, date or nonce; so must the content type of a body, which decides whether the
    // body's parameters count at all.
    const mustSign = (name: string) =>
      name.startsWith('x-acs-') || name === 'host' || (name === 'content-type' && request.body.length > 0);
    const unsigned = Object.keys(request.headers).filter((name) => mustSign(name) && !signed.has(name));
    if (unsigned.length > 0) {
      throw new ProtocolError(
        400,
        'IncompleteSignature',
        `These headers must be signed: ${unsigned.sort().join(', ')}.`,
      );
    }
    const date = header(request.headers, 'x-acs-date');
    const nonce = header(request.headers, 'x-acs-signature-nonce');
    if (date === undefined) throw missingParameter('x-acs-date');
    if (nonce === undefined) throw missingParameter('x-acs-signature-nonce');
    const timestamp = this.#checkTimestamp(date);
    const payloadHash = sha256Hex(request.body);
    const claimedHash = header(request.headers, 'x-acs-content-sha256');
    if (claimedHash !== undefined && claimedHash.toLowerCase() !== payloadHash) {
      throw new ProtocolError(
        400,
        'SignatureDoesNotMatch',
        'The x-acs-content-sha256 header does not match the body.',
      );
    }
    const key = await this.#key(parsed.accessKeyId);
    const canonical = acs3CanonicalRequest({
      method: request.method,
      path: request.path,
      query: request.query,
      headers: request.headers,
      signedHeaders: parsed.signedHeaders,
      payloadHash,
    });
    if (!signaturesMatch(acs3Signature(canonical, key.secret), parsed.signature.toLowerCase())) {
      throw new ProtocolError(400, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH);
    }
    this.#admit(key, nonce, timestamp);
    return {
      principal: { accessKeyId: key.id, userName: key.userName },
      scheme: 'acs3',
      action: header(request.headers, 'x-acs-action'),
      version: header(request.headers, 'x-acs-version'),
    };
  }

  #checkTimestamp(value: string): number {
    const time = TIMESTAMP.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(time)) {
      throw new ProtocolError(
        400,
        'IllegalTimestamp',
        `The timestamp "${value}" is not UTC ISO 8601 (YYYY-MM-DDThh:mm:ssZ).`,
      );
    }
    if (Math.abs(this.#clock.now() - time) > TIMESTAMP_WINDOW_MS) {
      throw new ProtocolError(
        400,
        'InvalidTimeStamp.Expired',
        'Specified time stamp or date value is expired.',
      );
    }
    return time;
  }

  async #key(accessKeyId: string) {
    const key = await this.#accessKeys.resolve(accessKeyId);
    if (!key)
      throw new ProtocolError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    return key;
  }

  #admit(key: { id: string; status: string }, nonce: string, timestamp: number): void {
    if (key.status !== 'active')
      throw new ProtocolError(403, 'Forbidden.AccessKey', 'The AccessKey is not enabled.');
    if (!this.#nonces.remember(key.id, nonce, timestamp)) {
      throw new ProtocolError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    }
  }
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Nonces seen per access key, each kept until its request's timestamp leaves the window (after that
 * the timestamp check refuses a replay anyway). In memory: a server restart or a second node forgets
 * them, which the window bounds to 15 minutes.
 */
export class NonceCache {
  readonly #clock: Clock;
  readonly #expiries = new Map<string, number>();
  #lastSweep = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Returns false when the nonce was already used with this key. */
  remember(accessKeyId: string, nonce: string, timestamp: number): boolean {
    const now = this.#clock.now();
    if (now - this.#lastSweep > 60_000) this.#sweep(now);
    const entry = `${accessKeyId}\u0000${nonce}`;
    const expiry = this.#expiries.get(entry);
    if (expiry !== undefined && expiry > now) return false;
    this.#expiries.set(entry, Math.max(timestamp, now) + TIMESTAMP_WINDOW_MS);
    return true;
  }

  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [entry, expiry] of this.#expiries) if (expiry <= now) this.#expiries.delete(entry);
  }
}
