/**
 * One signed API call over HTTP: resolve settings, sign each attempt afresh (new date and nonce), bound
 * each attempt by a timeout, turn answers into values or typed errors, and retry transient failures with
 * full-jitter exponential backoff.
 */
import { randomUUID } from 'node:crypto';
import type { RequestOptions } from './api/common.js';
import {
  isRetryableError,
  TesseraApiError,
  TesseraConfigError,
  TesseraError,
  TesseraNetworkError,
  TesseraResponseError,
  TesseraTimeoutError,
} from './errors.js';
import { acsDate, authorization, canonicalQuery, EMPTY_PAYLOAD_HASH } from './signer.js';
import { SDK_VERSION } from './version.js';
import type { WireParams } from './wire.js';

/** The API version every call names (`x-acs-version`) unless it says otherwise: KMS. */
export const API_VERSION = '2016-01-20';
/** The version of the ActionTrail-style audit actions (LookupEvents, VerifyEvents). */
export const ACTIONTRAIL_API_VERSION = '2020-07-06';

/** Environment variables the client reads when an option is not given. */
export const ENV = {
  endpoint: 'TESSERA_ENDPOINT',
  accessKeyId: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
  accessKeySecret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
} as const;

export interface TesseraClientOptions {
  /** The server's origin, e.g. `http://127.0.0.1:8080`. Default: `TESSERA_ENDPOINT`. */
  readonly endpoint?: string | undefined;
  /** Default: `ALIBABA_CLOUD_ACCESS_KEY_ID`. */
  readonly accessKeyId?: string | undefined;
  /** Default: `ALIBABA_CLOUD_ACCESS_KEY_SECRET`. */
  readonly accessKeySecret?: string | undefined;
  /** Sent as `RegionId` where the API requires one (the batch tag actions). Default `cn-hangzhou`. */
  readonly regionId?: string | undefined;
  /** Time allowed for each attempt (request and answer), in milliseconds. Default 10,000. */
  readonly timeoutMs?: number | undefined;
  /** Retries after the first attempt, for transient failures only. Default 3. */
  readonly maxRetries?: number | undefined;
  /** Backoff before retry n (0-based) is uniform in [0, min(max, base × 2ⁿ)). Default 100 ms. */
  readonly retryBaseDelayMs?: number | undefined;
  /**
   * Cap of the backoff, in milliseconds. Default 5,000. When the server asks for a longer wait
   * (`x-acs-retry-after`), the client gives up at once instead of retrying early.
   */
  readonly retryMaxDelayMs?: number | undefined;
  /** The `fetch` to use (proxies, instrumentation, tests). Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** Told about each retry before its wait: for logs and metrics. */
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
}

export interface RetryEvent {
  readonly action: string;
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly delayMs: number;
  /** The failure that caused the retry. */
  readonly error: TesseraError;
}

/** Parameter values for `call`: numbers and booleans are sent as text, undefined is left out. */
export type CallParams = Readonly<Record<string, string | number | boolean | undefined>>;

const DEFAULTS = {
  regionId: 'cn-hangzhou',
  timeoutMs: 10_000,
  maxRetries: 3,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 5_000,
};

/** Statuses a proxy answers with, without an API body, when it cannot reach the server. */
const GATEWAY_STATUSES = new Set([502, 503, 504]);

export class Transport {
  readonly origin: string;
  readonly regionId: string;
  readonly #host: string;
  readonly #accessKeyId: string;
  readonly #accessKeySecret: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #fetch: typeof globalThis.fetch;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;
  readonly #userAgent = `tessera-sdk/${SDK_VERSION} node/${process.versions.node}`;

  constructor(options: TesseraClientOptions = {}) {
    const problems: string[] = [];
    const endpoint = options.endpoint ?? process.env[ENV.endpoint];
    const accessKeyId = options.accessKeyId ?? process.env[ENV.accessKeyId];
    const accessKeySecret = options.accessKeySecret ?? process.env[ENV.accessKeySecret];
    if (!endpoint) problems.push(`no endpoint: pass the endpoint option or set ${ENV.endpoint}`);
    if (!accessKeyId) problems.push(`no access key id: pass accessKeyId or set ${ENV.accessKeyId}`);
    if (!accessKeySecret) {
      problems.push(`no access key secret: pass accessKeySecret or set ${ENV.accessKeySecret}`);
    }
    const url = endpoint ? parseEndpoint(endpoint, problems) : undefined;
    this.#timeoutMs = positive('timeoutMs', options.timeoutMs ?? DEFAULTS.timeoutMs, problems);
    this.#maxRetries = count('maxRetries', options.maxRetries ?? DEFAULTS.maxRetries, problems);
    this.#baseDelayMs = positive(
      'retryBaseDelayMs',
      options.retryBaseDelayMs ?? DEFAULTS.retryBaseDelayMs,
      problems,
    );
    this.#maxDelayMs = positive(
      'retryMaxDelayMs',
      options.retryMaxDelayMs ?? DEFAULTS.retryMaxDelayMs,
      problems,
    );
    if (problems.length > 0 || !url || !accessKeyId || !accessKeySecret) {
      throw new TesseraConfigError(`Tessera client: ${problems.join('; ')}.`);
    }
    this.origin = url.origin;
    this.#host = url.host;
    this.#accessKeyId = accessKeyId;
    this.#accessKeySecret = accessKeySecret;
    this.regionId = options.regionId ?? DEFAULTS.regionId;
    // Looked up per call, so instrumentation that replaces the global fetch later still sees requests.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#onRetry = options.onRetry;
  }

  /** Sends one action, retrying transient failures; resolves to the answer's JSON object. */
  async send(
    action: string,
    params: WireParams,
    options: RequestOptions = {},
    version: string = API_VERSION,
  ): Promise<Record<string, unknown>> {
    const maxRetries = options.maxRetries ?? this.#maxRetries;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    for (let attempt = 0; ; attempt++) {
      options.signal?.throwIfAborted();
      try {
        return await this.#attempt(action, version, params, timeoutMs, options.signal);
      } catch (error) {
        if (attempt >= maxRetries || !(error instanceof TesseraError) || !isRetryableError(error))
          throw error;
        const delayMs = this.#backoff(attempt, error);
        if (delayMs === undefined) throw error;
        this.#onRetry?.({ action, attempt: attempt + 1, delayMs, error });
        await sleep(delayMs, options.signal);
      }
    }
  }

  async #attempt(
    action: string,
    version: string,
    params: WireParams,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Record<string, unknown>> {
    const query = canonicalQuery(params);
    const acsHeaders = {
      'x-acs-action': action,
      'x-acs-version': version,
      'x-acs-date': acsDate(Date.now()),
      'x-acs-signature-nonce': randomUUID(),
      'x-acs-content-sha256': EMPTY_PAYLOAD_HASH,
    };
    // fetch derives `host` from the URL (the same `host[:port]` signed here) and will not take it as a header.
    const headers = { host: this.#host, ...acsHeaders };
    const request = { method: 'POST', path: '/', query, headers, payloadHash: EMPTY_PAYLOAD_HASH };
    const timeout = new AbortController();
    const timer = setTimeout(() => {
      timeout.abort();
    }, timeoutMs);
    try {
      const response = await this.#fetch(query === '' ? `${this.origin}/` : `${this.origin}/?${query}`, {
        method: 'POST',
        headers: {
          ...acsHeaders,
          authorization: authorization(request, this.#accessKeyId, this.#accessKeySecret),
          accept: 'application/json',
          'user-agent': this.#userAgent,
        },
        signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
      });
      return this.#read(action, response, await response.text());
    } catch (error) {
      if (error instanceof TesseraError) throw error;
      if (signal?.aborted) throw signal.reason;
      if (timeout.signal.aborted) throw new TesseraTimeoutError(action, timeoutMs);
      throw new TesseraNetworkError(action, `${action} could not reach ${this.origin}: ${describe(error)}.`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  #read(action: string, response: Response, text: string): Record<string, unknown> {
    const body = parseObject(text);
    if (response.ok) {
      if (body && typeof body.Code !== 'string') return body;
      throw new TesseraResponseError(
        action,
        response.status,
        `${action}: ${this.origin} answered ${response.status} without an API result; is it a Tessera server?`,
      );
    }
    if (body && typeof body.Code === 'string') {
      const retryAfter = Number(response.headers.get('x-acs-retry-after') ?? NaN);
      throw new TesseraApiError({
        code: body.Code,
        status: response.status,
        requestId: stringField(body, 'RequestId') ?? response.headers.get('x-acs-request-id') ?? undefined,
        message: stringField(body, 'Message') ?? body.Code,
        action,
        hostId: stringField(body, 'HostId'),
        recommend: stringField(body, 'Recommend'),
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
      });
    }
    if (GATEWAY_STATUSES.has(response.status)) {
      throw new TesseraNetworkError(
        action,
        `${action}: ${this.origin} answered ${response.status} without an API error; the server behind it is unreachable.`,
      );
    }
    throw new TesseraResponseError(
      action,
      response.status,
      `${action}: ${this.origin} answered ${response.status} without an API error; is it a Tessera server?`,
    );
  }

  /** Full jitter, or exactly the server's `x-acs-retry-after`; undefined when that is longer than the cap. */
  #backoff(attempt: number, error: TesseraError): number | undefined {
    if (error instanceof TesseraApiError && error.retryAfterSeconds !== undefined) {
      const requested = error.retryAfterSeconds * 1000;
      return requested <= this.#maxDelayMs ? requested : undefined;
    }
    return Math.floor(Math.random() * Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** attempt));
  }
}

function parseEndpoint(value: string, problems: string[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`the endpoint "${value}" is not a URL (use e.g. http://127.0.0.1:8080)`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`the endpoint "${value}" must start with http:// or https:// (e.g. http://127.0.0.1:8080)`);
    return undefined;
  }
  if (
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    problems.push(
      `the endpoint "${value}" must be an origin only, without path, query or user (the API lives at /)`,
    );
    return undefined;
  }
  return url;
}

function positive(name: string, value: number, problems: string[]): number {
  if (!Number.isFinite(value) || value <= 0)
    problems.push(`${name} must be a positive number of milliseconds`);
  return value;
}

function count(name: string, value: number, problems: string[]): number {
  if (!Number.isSafeInteger(value) || value < 0) problems.push(`${name} must be a whole number, 0 or more`);
  return value;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

/** `fetch failed` hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, a TLS error, …). */
function describe(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${message} (${code})` : message;
}

/** Waits, unless the signal aborts first (then rejects with its reason). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
