/**
 * The audit trail through the ActionTrail-style API (version 2020-07-06): LookupEvents and Tessera's
 * VerifyEvents. They need `actiontrail:LookupEvents` / `actiontrail:VerifyEvents` (the administrator has both).
 */
import type { WireParams } from '../wire.js';
import { params } from '../wire.js';
import type { ApiResponse } from './common.js';

export interface LookupEventsRequest {
  /** Events at or after this time (a `Date`, or UTC ISO 8601 text). */
  startTime?: Date | string | undefined;
  /** Events at or before this time. */
  endTime?: Date | string | undefined;
  /** The action, e.g. `GetSecretValue` (ActionTrail's `EventName`). */
  eventName?: string | undefined;
  /** The user name (ActionTrail's `User`). */
  user?: string | undefined;
  /** A secret name, key id or alias the event is about. */
  resourceName?: string | undefined;
  /** The access key that signed (or claimed to sign) the request. */
  accessKeyId?: string | undefined;
  requestId?: string | undefined;
  /** 1 to 50; default 20. */
  maxResults?: number | undefined;
  /** The `nextToken` of the previous page. */
  nextToken?: string | undefined;
}

/** One audit event (docs/audit.md); fields the request did not have are absent. */
export interface AuditEvent {
  /** The event's place in the chain, as text. */
  eventId: string;
  eventSeq: number;
  /** UTC ISO 8601, whole seconds. */
  eventTime: string;
  eventTimeMs: number;
  eventName?: string;
  /** `attempt` before a state-changing action runs, `outcome` once every request is answered. */
  eventPhase: 'attempt' | 'outcome';
  eventType: string;
  requestId: string;
  sourceIpAddress?: string;
  userIdentity: { userName?: string; accessKeyId?: string };
  resourceName?: string;
  secretName?: string;
  versionId?: string;
  versionStage?: string;
  keyId?: string;
  /** `Success` or the error code answered; absent on an attempt. */
  resultCode?: string;
  errorCode?: string;
  httpStatus?: number;
  prevHash: string;
  hash: string;
}

export interface LookupEventsResponse extends ApiResponse {
  /** Newest first. */
  events: AuditEvent[];
  /** Absent on the last page. */
  nextToken?: string;
  startTime?: string;
  endTime?: string;
}

export interface VerifyEventsResponse extends ApiResponse {
  /** True when every event matches its hash and follows the one before it. */
  valid: boolean;
  checkedEvents: number;
  /** The last intact event's seq and hash: record them elsewhere to detect a cut-off tail later. */
  lastSeq: number;
  lastHash: string;
  /** The first event that breaks the chain. */
  brokenEvent?: {
    seq: number;
    requestId: string;
    /**
     * `edited`, `missing_before` (an event before it was removed), `broken_link`, or `truncated` (events
     * removed from the end: the trail no longer holds the server's sealed head or the JSONL copy's last event).
     */
    reason: string;
  };
}

function isoTime(value: Date | string | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const auditParams = {
  lookupEvents(request: LookupEventsRequest): WireParams {
    const attributes: [string, string | undefined][] = [
      ['EventName', request.eventName],
      ['User', request.user],
      ['ResourceName', request.resourceName],
      ['EventAccessKeyId', request.accessKeyId],
      ['RequestId', request.requestId],
    ];
    const lookup: WireParams = {};
    let index = 0;
    for (const [key, value] of attributes) {
      if (value === undefined) continue;
      index += 1;
      lookup[`LookupAttribute.${index}.Key`] = key;
      lookup[`LookupAttribute.${index}.Value`] = value;
    }
    return {
      ...params({
        StartTime: isoTime(request.startTime),
        EndTime: isoTime(request.endTime),
        MaxResults: request.maxResults,
        NextToken: request.nextToken,
      }),
      ...lookup,
    };
  },
};
