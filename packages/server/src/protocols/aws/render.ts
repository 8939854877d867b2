/**
 * Answers on the AWS JSON 1.1 wire: a result body, or an error as `{"__type","message"}` with the
 * `x-amzn-requestid` and `x-amzn-errortype` headers (status 400 for client errors, as AWS sends).
 * Bytes (SecretBinary) go out as base64. Unknown failures become `InternalServiceError` with no detail:
 * the cause belongs in the server's log, never on the wire.
 */
import { isDomainError } from '../../domain/errors.js';
import type { AwsErrorCode } from './errors.js';
import { AwsError, awsCodeFor } from './errors.js';

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface AwsAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** JSON with Buffers and Uint8Arrays as base64 and undefined members left out. */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, item: unknown) {
    const original = key === '' ? value : this[key];
    return original instanceof Uint8Array ? Buffer.from(original).toString('base64') : item;
  });
}

export function renderResult(body: object, requestId: string): AwsAnswer {
  return {
    status: 200,
    headers: { 'content-type': AWS_JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: toWireJson(body),
  };
}

export interface RenderedError {
  readonly status: number;
  readonly code: AwsErrorCode;
  readonly message: string;
  readonly retryAfterSeconds: number | undefined;
}

/** The wire form of any failure of an operation (`operation` decides key errors: see `awsCodeFor`). */
export function describeError(error: unknown, operation: string): RenderedError {
  if (error instanceof AwsError)
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  if (isDomainError(error)) {
    const { status, code } = awsCodeFor(error.code, operation);
    // Internal failures never say more than that they happened.
    const message = error.code === 'internal' ? 'An error occurred on the server side.' : error.message;
    return { status, code, message, retryAfterSeconds: error.code === 'unavailable' ? 1 : undefined };
  }
  return {
    status: 500,
    code: 'InternalServiceError',
    message: 'An error occurred on the server side.',
    retryAfterSeconds: undefined,
  };
}

export function renderError(error: unknown, operation: string, requestId: string): AwsAnswer {
  const described = describeError(error, operation);
  return {
    status: described.status,
    headers: {
      'content-type': AWS_JSON_CONTENT_TYPE,
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': described.code,
      ...(described.retryAfterSeconds === undefined
        ? {}
        : { 'retry-after': String(described.retryAfterSeconds) }),
    },
    body: JSON.stringify({ __type: described.code, message: described.message }),
  };
}
