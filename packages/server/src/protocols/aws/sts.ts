/**
 * STS `GetCallerIdentity` on Tessera's endpoint (the Secrets Manager Agent and chamber call it first):
 * the AWS Query request (`Action=GetCallerIdentity&Version=2011-06-15`, form body or query string,
 * SigV4 service `sts`) and its XML answer, errors in STS's XML shape. docs/aws.md.
 */
import type { AwsAnswer } from './render.js';

export const STS_VERSION = '2011-06-15';
const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface StsRequest {
  readonly action: string | undefined;
  readonly version: string | undefined;
}

/** Whether a request is meant for STS: its parameters name STS's API version. */
export function isStsRequest(params: URLSearchParams): boolean {
  return params.get('Version') === STS_VERSION && params.has('Action');
}

/** Form body parameters (when the content type is a form) merged over the query's. */
export function stsParams(query: string, body: Buffer, contentType: string | undefined): URLSearchParams {
  const params = new URLSearchParams(query);
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params.set(name, value);
  }
  return params;
}

export function stsRequestOf(params: URLSearchParams): StsRequest {
  return { action: params.get('Action') ?? undefined, version: params.get('Version') ?? undefined };
}

export interface CallerIdentity {
  readonly account: string;
  /** `arn:aws:iam::<account>:user/<name>` (codec.ts `userArn`). */
  readonly arn: string;
  readonly userId: string;
}

export const STS_CONTENT_TYPE = 'text/xml';

export function renderCallerIdentity(identity: CallerIdentity, requestId: string): AwsAnswer {
  return xmlAnswer(
    200,
    requestId,
    `<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}">` +
      '<GetCallerIdentityResult>' +
      `<Arn>${escapeXml(identity.arn)}</Arn>` +
      `<UserId>${escapeXml(identity.userId)}</UserId>` +
      `<Account>${escapeXml(identity.account)}</Account>` +
      '</GetCallerIdentityResult>' +
      `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
      '</GetCallerIdentityResponse>',
  );
}

/** The SDKs read the request id from `x-amzn-requestid` (the XML's RequestId is for people). */
function xmlAnswer(status: number, requestId: string, body: string): AwsAnswer {
  return { status, headers: { 'content-type': STS_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body };
}

/** STS names signature failures differently from Secrets Manager, and sends them with 403. */
const STS_CODES: Readonly<Record<string, { code: string; status: number }>> = {
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  IncompleteSignature: { code: 'IncompleteSignature', status: 403 },
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403 },
};

/** A failure as STS answers it: any `AwsError`, or an STS-only code. */
export interface StsFailure {
  readonly code: string;
  readonly message: string;
  readonly status: number;
}

export function renderStsError(error: StsFailure, requestId: string): AwsAnswer {
  const mapped = STS_CODES[error.code] ?? { code: error.code, status: error.status };
  const type = mapped.status >= 500 ? 'Receiver' : 'Sender';
  return xmlAnswer(
    mapped.status,
    requestId,
    `<ErrorResponse xmlns="${STS_NAMESPACE}">` +
      `<Error><Type>${type}</Type><Code>${escapeXml(mapped.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
      `<RequestId>${escapeXml(requestId)}</RequestId>` +
      '</ErrorResponse>',
  );
}

/** Errors for STS requests that are not GetCallerIdentity, in STS's words. */
export function unsupportedStsAction(action: string | undefined): StsFailure {
  return {
    code: 'InvalidAction',
    status: 400,
    message: `Could not find operation ${action ?? ''} for version ${STS_VERSION}; Tessera serves GetCallerIdentity only.`,
  };
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}
