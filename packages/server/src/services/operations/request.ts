/**
 * What every entry point hands the operation pipeline (pipeline.ts): a protocol-neutral request. The
 * protocol adapter fills it in from its own wire after authenticating the caller; nothing in it is
 * shaped by a wire protocol.
 */
import type { OperationName } from '../../domain/operations.js';

/** The entry points Tessera serves; the audit trail and the logs say which one a request came through. */
export type ProtocolName = 'alibaba' | 'aws' | 'console';

/** Who signed the request (an access key of a user; the administrator is the account root). */
export interface Principal {
  readonly accessKeyId: string;
  readonly userName: string;
}

/** What conditions see of the connection: the TCP peer (never a forwarded header), TLS. */
export interface ConnectionFacts {
  readonly sourceIp?: string | undefined;
  readonly secureTransport: boolean;
}

/**
 * Identifiers the request named, for the audit event; never a value, plaintext or signature. Read from
 * the request by the adapter before authentication, so a refused request records them too.
 */
export interface RequestSubject {
  /** The access key the request claimed, when its signature was not (yet) accepted. */
  readonly claimedAccessKeyId?: string | null;
  readonly sourceIp?: string | null;
  readonly secretName?: string | null;
  readonly versionId?: string | null;
  readonly versionStage?: string | null;
  readonly keyId?: string | null;
}

/** How the adapter answers an error: the code and status the audit trail records as the outcome. */
export type OutcomeOf = (error: unknown) => { readonly code: string; readonly status: number };

export interface OperationRequest {
  readonly operation: OperationName;
  readonly principal: Principal;
  readonly connection: ConnectionFacts;
  readonly protocol: ProtocolName;
  readonly requestId: string;
  readonly subject: RequestSubject;
  /**
   * Identities an operation on RAM users and policies is about (UserName, PolicyName), read from the
   * input by the adapter; the pipeline decides those operations before they run.
   */
  readonly identities?: { readonly userName?: string; readonly policyName?: string };
  /** The adapter's rendering of an error, for the outcome the trail records. */
  readonly outcomeOf: OutcomeOf;
}
