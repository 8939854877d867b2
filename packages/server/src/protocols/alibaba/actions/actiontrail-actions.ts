/**
 * The audit trail through an ActionTrail-style API (product version 2020-07-06) on the same endpoint:
 * `LookupEvents` as ActionTrail shapes it (StartTime, EndTime, LookupAttribute.N.Key/Value,
 * MaxResults, NextToken), and `VerifyEvents`, Tessera's own action that checks the hash chain.
 * Who may call them is decided by policies like every other action (`actiontrail:LookupEvents`,
 * `actiontrail:VerifyEvents` on the account; docs/permissions.md); the administrator always may.
 */
import type { AuditRecord } from '../../../domain/audit.js';
import { AUDIT_SUCCESS } from '../../../domain/audit.js';
import type { AuditLookup } from '../../../services/audit-service.js';
import type { ActionTrailOperationName } from '../../../domain/operations.js';
import type { ActionContext, ActionHandler } from '../action.js';
import type { WireBody, WireValue } from '../codec.js';
import { stageToWire, timestamp } from '../codec.js';
import { invalidParameter } from '../errors.js';
import type { Params } from '../params.js';

export const ACTIONTRAIL_API_VERSION = '2020-07-06';

const DEFAULT_MAX_RESULTS = 20;
const MAX_RESULTS = 50;
/** `LookupAttribute.N` entries one call may give. */
const MAX_ATTRIBUTES = 10;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** LookupAttribute keys and the lookup field each one filters. */
const ATTRIBUTE_KEYS = {
  EventName: 'action',
  User: 'principal',
  ResourceName: 'resource',
  EventAccessKeyId: 'accessKeyId',
  RequestId: 'requestId',
} as const satisfies Record<string, keyof AuditLookup>;

type AttributeKey = keyof typeof ATTRIBUTE_KEYS;

function time(params: Params, name: string): number | undefined {
  const value = params.optional(name);
  if (value === undefined) return undefined;
  const parsed = TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(parsed)) throw invalidParameter(name, 'Use UTC ISO 8601: YYYY-MM-DDThh:mm:ssZ.');
  return parsed;
}

/** The seq to continue below, sealed for this caller (services/paging-tokens.ts). */
function nextToken(context: ActionContext, seq: number): string {
  return context.services.pagingTokens.issue(pagingScope(context), String(seq));
}

function parseNextToken(context: ActionContext): number | undefined {
  const token = context.params.optional('NextToken');
  if (token === undefined) return undefined;
  const position = context.services.pagingTokens.open(pagingScope(context), token) ?? '';
  if (!/^\d{1,15}$/.test(position))
    throw invalidParameter('NextToken', 'Pass the NextToken of the previous page.');
  return Number(position);
}

/** A seek position fits any filters, so the token is bound to the caller alone. */
function pagingScope(context: ActionContext) {
  return { listing: 'LookupEvents', caller: context.principal.accessKeyId };
}

function attributes(params: Params): Partial<Record<AttributeKey, string>> {
  const keys = params.repeated('LookupAttribute', 'Key');
  const values = params.repeated('LookupAttribute', 'Value');
  if (keys.length > MAX_ATTRIBUTES) {
    throw invalidParameter('LookupAttribute', `Give at most ${MAX_ATTRIBUTES} lookup attributes.`);
  }
  const filters: Partial<Record<AttributeKey, string>> = {};
  keys.forEach((key, index) => {
    const name = `LookupAttribute.${index + 1}`;
    if (!Object.hasOwn(ATTRIBUTE_KEYS, key)) {
      throw invalidParameter(`${name}.Key`, `Use one of: ${Object.keys(ATTRIBUTE_KEYS).join(', ')}.`);
    }
    const attribute = key as AttributeKey;
    const value = values[index];
    if (value === undefined || value === '') throw invalidParameter(`${name}.Value`, 'It is empty.');
    if (filters[attribute] !== undefined) {
      throw invalidParameter(`${name}.Key`, `The key "${key}" is given more than once.`);
    }
    filters[attribute] = value;
  });
  return filters;
}

/** An event as LookupEvents answers it: ActionTrail's camelCase event fields, nulls left out. */
function eventToWire(record: AuditRecord): WireValue {
  const optional = (value: string | number | null): string | number | undefined => value ?? undefined;
  return {
    eventId: String(record.seq),
    eventSeq: record.seq,
    eventTime: timestamp(record.time),
    eventTimeMs: record.time,
    eventName: optional(record.action),
    eventPhase: record.phase,
    eventType: 'ApiCall',
    // Which way the request came in: `alibaba`, `aws` or `console` (absent on events from before it was recorded).
    eventSource: record.protocol,
    requestId: record.requestId,
    sourceIpAddress: optional(record.sourceIp),
    userIdentity: {
      userName: optional(record.principal),
      accessKeyId: optional(record.accessKeyId),
    },
    resourceName: optional(record.resource ?? record.secretName ?? record.keyId),
    secretName: optional(record.secretName),
    versionId: optional(record.versionId),
    // The core records built-in stages in its own spelling (rotation events); callers' labels as sent.
    versionStage: optional(record.versionStage === null ? null : stageToWire(record.versionStage)),
    keyId: optional(record.keyId),
    resultCode: optional(record.resultCode),
    errorCode:
      record.resultCode === null || record.resultCode === AUDIT_SUCCESS ? undefined : record.resultCode,
    httpStatus: optional(record.httpStatus),
    prevHash: record.prevHash,
    hash: record.hash,
  };
}

async function lookupEvents(context: ActionContext): Promise<WireBody> {
  const { params, services } = context;
  const startTime = time(params, 'StartTime');
  const endTime = time(params, 'EndTime');
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    throw invalidParameter('EndTime', 'It is before StartTime.');
  }
  const filters = attributes(params);
  const limit = params.integer('MaxResults', { min: 1, max: MAX_RESULTS, fallback: DEFAULT_MAX_RESULTS });
  const page = await services.audit.lookup({
    startTime,
    endTime,
    action: filters.EventName,
    principal: filters.User,
    resource: filters.ResourceName,
    accessKeyId: filters.EventAccessKeyId,
    requestId: filters.RequestId,
    after: parseNextToken(context),
    limit,
  });
  return {
    Events: page.events.map(eventToWire),
    NextToken: page.next === undefined ? undefined : nextToken(context, page.next),
    StartTime: startTime === undefined ? undefined : timestamp(startTime),
    EndTime: endTime === undefined ? undefined : timestamp(endTime),
  };
}

async function verifyEvents(context: ActionContext): Promise<WireBody> {
  const report = await context.services.audit.verify();
  const broken = report.broken;
  return {
    Valid: broken === undefined,
    CheckedEvents: report.checked,
    LastSeq: report.head.seq,
    LastHash: report.head.hash,
    BrokenEvent:
      broken === undefined
        ? undefined
        : { Seq: broken.seq, RequestId: broken.requestId, Reason: broken.reason },
  };
}

/** Typed by the operation catalog. */
export const ACTIONTRAIL_ACTIONS: { readonly [N in ActionTrailOperationName]: ActionHandler } = {
  LookupEvents: lookupEvents,
  VerifyEvents: verifyEvents,
};
