/**
 * Authenticates an AWS request signed with Signature Version 4 (header form) by a Tessera access key
 * (docs/aws.md). Checks, in order: the header's shape, the credential scope (service as the endpoint
 * expects, any well-formed region, the `aws4_request` terminator, the date matching the request's),
 * the ±15-minute window, session tokens (refused: Tessera issues none), the access key, the payload
 * hash, the signature (constant-time), then the key's status. Errors carry AWS's codes and wording.
 *
 * SigV4 has no nonce and AWS accepts a replay inside the window; so does Tessera. State-changing
 * operations are idempotent by `ClientRequestToken`, and the edge's failure counting and rate limit
 * (http/abuse-limits.ts) apply per access key as for the Alibaba API.
 */
import type { AccessKeyService } from '../../services/access-key-service.js';
import type { Clock } from '../../services/clock.js';
import { AwsError } from './errors.js';
import type { HeaderMap } from './sigv4.js';
import {
  canonicalRequest,
  formatAmzDate,
  parseAmzDate,
  parseAuthorization,
  parseCredential,
  SCOPE_TERMINATOR,
  scopeString,
  sha256Hex,
  signature,
  signaturesMatch,
  SIGV4_ALGORITHM,
  signingKey,
  stringToSign,
} from './sigv4.js';

/** How far a request's time may be from the server's, either way. */
export const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;

export type SigningService = 'secretsmanager' | 'sts';

export interface SigV4Request {
  readonly method: string;
  /** The path as it arrived, still percent-encoded, without the query. */
  readonly rawPath: string;
  /** Decoded query pairs in arrival order. */
  readonly query: readonly (readonly [string, string])[];
  /** Lower-case names, as Node gives them. */
  readonly headers: HeaderMap;
  readonly body: Buffer;
}

/** Who signed the request, and the scope they signed it for. */
export interface AwsCaller {
  readonly accessKeyId: string;
  readonly userName: string;
  /** The region of the credential scope, as sent; answers still name the home region. */
  readonly region: string;
  readonly service: SigningService;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const REGION = /^[a-z0-9-]{1,64}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const PAYLOAD_HASH = /^[0-9a-f]{64}$/;

export class SigV4Authenticator {
  readonly #accessKeys: Pick<AccessKeyService, 'resolve'>;
  readonly #clock: Clock;

  constructor(options: { accessKeys: Pick<AccessKeyService, 'resolve'>; clock: Clock }) {
    this.#accessKeys = options.accessKeys;
    this.#clock = options.clock;
  }

  async authenticate(request: SigV4Request, service: SigningService): Promise<AwsCaller> {
    const authorization = header(request.headers, 'authorization');
    if (authorization === undefined)
      throw new AwsError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    const parsed = parseAuthorization(authorization);
    if (parsed?.algorithm !== SIGV4_ALGORITHM) {
      throw new AwsError(
        400,
        'IncompleteSignature',
        `Unsupported AWS 'algorithm': '${parsed?.algorithm ?? authorization.split(' ')[0] ?? ''}'. Only ${SIGV4_ALGORITHM} is accepted.`,
      );
    }
    const amzDateHeader = header(request.headers, 'x-amz-date');
    const dateHeader = header(request.headers, 'date');
    const missing = [
      parsed.credential === undefined ? "Authorization header requires 'Credential' parameter." : '',
      parsed.signature === undefined ? "Authorization header requires 'Signature' parameter." : '',
      parsed.signedHeaders === undefined ? "Authorization header requires 'SignedHeaders' parameter." : '',
      amzDateHeader === undefined && dateHeader === undefined
        ? "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        : '',
    ].filter((m) => m !== '');
    if (missing.length > 0 || !parsed.credential || !parsed.signedHeaders || !parsed.signature)
      throw new AwsError(400, 'IncompleteSignature', `${missing.join(' ')} Authorization=${authorization}`);

    const scope = parseCredential(parsed.credential);
    if (!scope) {
      throw new AwsError(
        400,
        'IncompleteSignature',
        `Authorization header's Credential is malformed: expected <access key id>/<YYYYMMDD>/<region>/<service>/${SCOPE_TERMINATOR}.`,
      );
    }
    if (scope.service !== service) {
      throw new AwsError(
        400,
        'InvalidSignatureException',
        `Credential should be scoped to correct service: '${service}'. `,
      );
    }
    if (!REGION.test(scope.region))
      throw new AwsError(400, 'InvalidSignatureException', 'Credential should be scoped to a valid region. ');
    if (scope.terminator !== SCOPE_TERMINATOR) {
      throw new AwsError(
        400,
        'InvalidSignatureException',
        `Credential should be scoped with a valid terminator: '${SCOPE_TERMINATOR}', not '${scope.terminator}'. `,
      );
    }

    const signedHeaders = parsed.signedHeaders.split(';');
    const unsigned = requiredSignedHeaders(request.headers).filter((name) => !signedHeaders.includes(name));
    if (unsigned.includes('host')) {
      throw new AwsError(
        400,
        'IncompleteSignature',
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
      );
    }
    if (unsigned.length > 0) {
      throw new AwsError(
        400,
        'IncompleteSignature',
        `These headers must be signed: ${unsigned.sort().join(', ')}.`,
      );
    }

    const time = amzDateHeader !== undefined ? parseAmzDate(amzDateHeader) : Date.parse(dateHeader ?? '');
    if (Number.isNaN(time)) {
      throw new AwsError(
        400,
        'IncompleteSignature',
        `Date must be in ISO-8601 'basic format'. Got '${amzDateHeader ?? dateHeader ?? ''}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      );
    }
    const amzDate = amzDateHeader ?? formatAmzDate(time);
    if (scope.date !== amzDate.slice(0, 8)) {
      throw new AwsError(
        400,
        'InvalidSignatureException',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      );
    }
    this.#checkWindow(time, amzDate);

    if (header(request.headers, 'x-amz-security-token') !== undefined) {
      throw new AwsError(
        400,
        'UnrecognizedClientException',
        `${INVALID_TOKEN} Tessera issues no temporary credentials: sign with an access key and send no X-Amz-Security-Token.`,
      );
    }

    const key = await this.#accessKeys.resolve(scope.accessKeyId);
    if (!key) throw new AwsError(400, 'UnrecognizedClientException', INVALID_TOKEN);

    const payloadHash = sha256Hex(request.body);
    const claimedHash = header(request.headers, 'x-amz-content-sha256');
    if (claimedHash !== undefined && (!PAYLOAD_HASH.test(claimedHash) || claimedHash !== payloadHash)) {
      throw new AwsError(
        400,
        'InvalidSignatureException',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    const canonical = canonicalRequest({
      method: request.method,
      rawPath: request.rawPath,
      query: request.query,
      headers: request.headers,
      signedHeaders,
      payloadHash,
    });
    const expected = signature(
      signingKey(key.secret, scope),
      stringToSign(amzDate, scopeString(scope), canonical),
    );
    const given = parsed.signature.toLowerCase();
    if (!SIGNATURE.test(given) || !signaturesMatch(expected, given))
      throw new AwsError(400, 'InvalidSignatureException', SIGNATURE_MISMATCH);
    if (key.status !== 'active') throw new AwsError(400, 'UnrecognizedClientException', INVALID_TOKEN);
    return { accessKeyId: key.id, userName: key.userName, region: scope.region, service };
  }

  #checkWindow(time: number, amzDate: string): void {
    const now = this.#clock.now();
    const nowText = formatAmzDate(now);
    if (time < now - SIGNATURE_WINDOW_MS) {
      throw new AwsError(
        400,
        'InvalidSignatureException',
        `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - SIGNATURE_WINDOW_MS)} (${nowText} - 15 min.)`,
      );
    }
    if (time > now + SIGNATURE_WINDOW_MS) {
      throw new AwsError(
        400,
        'InvalidSignatureException',
        `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + SIGNATURE_WINDOW_MS)} (${nowText} + 15 min.)`,
      );
    }
  }
}

/**
 * Headers whose change would change the request's meaning: the host, the operation (`x-amz-target`),
 * the time and the claimed payload hash. An unsigned one would let a captured request be replayed as
 * another operation. Every AWS SDK and the CLI sign them all.
 */
function requiredSignedHeaders(headers: HeaderMap): string[] {
  return ['host', 'x-amz-date', 'x-amz-target', 'x-amz-content-sha256'].filter(
    (name) => name === 'host' || headers[name] !== undefined,
  );
}

/** The access key id a request names, whether or not it exists (for counting failed attempts). */
export function claimedAwsAccessKeyId(headers: HeaderMap): string | undefined {
  const authorization = header(headers, 'authorization');
  const credential = authorization === undefined ? undefined : parseAuthorization(authorization)?.credential;
  const claimed = credential?.split('/')[0];
  // Caller-chosen text used as a map key: keep it short.
  return claimed === undefined || claimed === '' || claimed.length > 128 ? undefined : claimed;
}

function header(headers: HeaderMap, name: string): string | undefined {
  const value = headers[name];
  return value === undefined ? undefined : typeof value === 'string' ? value : value.join(',');
}
