/**
 * Authenticates an RPC request: ACS3-HMAC-SHA256 when an `Authorization: ACS3-…` header is present,
 * otherwise signature v1 from the `Signature` parameter (spec §2). Checks, in order: the request's
 * shape, the access key, the ±15-minute timestamp window, the signature (constant-time), the key's
 * status, then nonce replay — the nonce is remembered only once the signature is valid, so forged
 * requests cannot fill the cache. The replay rule itself is protocol-neutral: `services/replay-guard.ts`
 * (which also persists accepted nonces, so a restart does not forget them).
 */
import type { Clock } from '../../services/clock.js';
import type { AccessKeyService } from '../../services/access-key-service.js';
import type { Principal } from './action.js';
import { missingParameter, ProtocolError } from './errors.js';
import type { NonceVerdict } from '../../services/nonce-cache.js';
import { NonceCache, TIMESTAMP_WINDOW_MS } from '../../services/nonce-cache.js';
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

export { TIMESTAMP_WINDOW_MS };
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

/** Decides whether a verified request's nonce is fresh, and remembers it (`ReplayGuard`). */
export interface NonceAdmission {
  admit(accessKeyId: string, nonce: string, timestamp: number): NonceVerdict;
}

export class Authenticator {
  readonly #accessKeys: Pick<AccessKeyService, 'resolve'>;
  readonly #clock: Clock;
  readonly #nonces: NonceAdmission;

  constructor(options: {
    accessKeys: Pick<AccessKeyService, 'resolve'>;
    clock: Clock;
    /** The server's replay guard; without one, nonces are kept in memory only (tests). */
    replay?: NonceAdmission | undefined;
    maxNonces?: number;
  }) {
    this.#accessKeys = options.accessKeys;
    this.#clock = options.clock;
    if (options.replay) {
      this.#nonces = options.replay;
    } else {
      const cache = new NonceCache(options.clock, options.maxNonces);
      this.#nonces = { admit: (keyId, nonce, timestamp) => cache.remember(keyId, nonce, timestamp) };
    }
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
    const stringToSign = v1StringToSign(request.method, params.entries());
    const expected = v1Signature(stringToSign, key.secret);
    // As the real service does, the message ends with the server's string to sign: SDK users debug
    // with it, and it holds only what the caller sent (no secret, no signature).
    if (!signaturesMatch(expected, signature))
      throw new ProtocolError(
        400,
        'SignatureDoesNotMatch',
        `${SIGNATURE_MISMATCH} server string to sign is:${stringToSign}`,
      );
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
    const verdict = this.#nonces.admit(key.id, nonce, timestamp);
    if (verdict === 'replayed') {
      throw new ProtocolError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    }
    if (verdict === 'too-old') {
      // The nonce cache is full and had to forget nonces of this key up to this request's timestamp.
      throw new ProtocolError(
        429,
        'Rejected.Throttling',
        'Too many recent requests to check this one for a replay; sign it again with the current time and retry.',
        1,
      );
    }
  }
}

/** The access key id a request names, whether or not it exists (for counting failed attempts). */
export function claimedAccessKeyId(request: Pick<SignedRequest, 'headers' | 'params'>): string | undefined {
  const authorization = header(request.headers, 'authorization');
  const claimed = authorization?.startsWith('ACS3-')
    ? parseAcs3Authorization(authorization)?.accessKeyId
    : request.params.optional('AccessKeyId');
  // Caller-chosen text used as a map key: keep it short.
  return claimed === undefined || claimed.length > 128 ? undefined : claimed;
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
