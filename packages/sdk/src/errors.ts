/**
 * What can go wrong, as classes a caller can tell apart with `instanceof`:
 *
 * - `TesseraApiError`: the server answered with an API error (`code`, `status`, `requestId`).
 * - `TesseraNetworkError`: no API answer at all (connection refused or reset, DNS, TLS, or a proxy's
 *   502/503/504 page); `TesseraTimeoutError` is the subclass for an attempt that ran out of time.
 * - `TesseraResponseError`: an answer that is not the API's JSON (a misconfigured endpoint).
 * - `TesseraConfigError`: the client or cache was set up wrongly (no endpoint, no credentials).
 *
 * All extend `TesseraError`. A caller's own `AbortSignal` is not wrapped: its reason is thrown as is.
 */

/** Error codes the client retries, the same set the official secrets-manager clients retry on. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'Rejected.Throttling',
  'ServiceUnavailableTemporary',
  'InternalFailure',
]);

/** The base class of every error this package throws. */
export class TesseraError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The client or cache options are unusable; the message says which setting to fix. */
export class TesseraConfigError extends TesseraError {}

export interface ApiErrorDetails {
  /** The API error code, e.g. `Forbidden.ResourceNotFound` or `SignatureDoesNotMatch`. */
  readonly code: string;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The server's request id (body `RequestId`, else the `x-acs-request-id` header), for support. */
  readonly requestId: string | undefined;
  readonly message: string;
  /** The action that failed, e.g. `GetSecretValue`. */
  readonly action: string;
  readonly hostId?: string | undefined;
  readonly recommend?: string | undefined;
  /** Seconds the server asked the client to wait (`x-acs-retry-after`), when it said. */
  readonly retryAfterSeconds?: number | undefined;
}

/** The server answered with an API error. */
export class TesseraApiError extends TesseraError {
  readonly code: string;
  readonly status: number;
  readonly requestId: string | undefined;
  readonly action: string;
  readonly hostId: string | undefined;
  readonly recommend: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(details: ApiErrorDetails) {
    super(details.message);
    this.code = details.code;
    this.status = details.status;
    this.requestId = details.requestId;
    this.action = details.action;
    this.hostId = details.hostId;
    this.recommend = details.recommend;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** Whether the error is transient by its code (throttling, temporary unavailability, internal failure). */
  get retryable(): boolean {
    return RETRYABLE_ERROR_CODES.has(this.code);
  }
}

/** No API answer arrived: the server is unreachable or the connection failed. The cause is attached. */
export class TesseraNetworkError extends TesseraError {
  readonly action: string;

  constructor(action: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.action = action;
  }
}

/** One attempt took longer than the client's `timeoutMs`. */
export class TesseraTimeoutError extends TesseraNetworkError {
  readonly timeoutMs: number;

  constructor(action: string, timeoutMs: number) {
    super(action, `${action} got no answer within ${timeoutMs} ms.`);
    this.timeoutMs = timeoutMs;
  }
}

/** The endpoint answered, but not with the API's JSON (wrong endpoint, or something in between). */
export class TesseraResponseError extends TesseraError {
  readonly action: string;
  readonly status: number;

  constructor(action: string, status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.action = action;
    this.status = status;
  }
}

/**
 * Whether an error is transient: a network failure or timeout, or an API error whose code is in
 * `RETRYABLE_ERROR_CODES`. The client retries exactly these; the cache serves a stale value on exactly these.
 */
export function isRetryableError(error: unknown): boolean {
  return error instanceof TesseraNetworkError || (error instanceof TesseraApiError && error.retryable);
}
