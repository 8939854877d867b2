/**
 * The audit trail's model: what one event records, its canonical encoding (the bytes the chain hashes),
 * and the walk that checks a chain. Pure: the keyed hash is passed in by the service (`crypto/` owns it).
 *
 * The event schema is a public contract (docs/audit.md): fields are only ever added, under a new
 * encoding version, never renamed or reinterpreted. An event holds identifiers only — never a secret
 * value, plaintext, data key or access key secret.
 */
import type { EpochMs } from './secret.js';

/**
 * `attempt`: written before a state-changing action runs (no audit, no action); `outcome`: written after
 * every request, allowed or refused, with its result. A request has exactly one outcome.
 */
export const AUDIT_PHASES = ['attempt', 'outcome'] as const;
export type AuditPhase = (typeof AUDIT_PHASES)[number];

/** The result code of a successful call; refusals carry the wire error code instead. */
export const AUDIT_SUCCESS = 'Success';

/** Longest caller-chosen text an event keeps, in code points; longer text is cut and ends with `…`. */
export const MAX_AUDIT_TEXT = 256;

/** The `prevHash` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The version tag at the head of the canonical encoding; a new field means a new version. */
export const AUDIT_ENCODING_VERSION = 'tessera.audit.v1';
/** v2 adds `protocol`; records without one keep the v1 encoding, so older chains verify unchanged. */
export const AUDIT_ENCODING_VERSION_2 = 'tessera.audit.v2';

/** What the request pipeline knows about a call; every text field is capped by `newAuditEvent`. */
export interface AuditEvent {
  readonly time: EpochMs;
  readonly requestId: string;
  readonly phase: AuditPhase;
  /** The authenticated user name; null when authentication did not succeed. */
  readonly principal: string | null;
  /** The access key that signed the request, or the one it claimed when the signature was refused. */
  readonly accessKeyId: string | null;
  readonly sourceIp: string | null;
  /** The API action (`GetSecretValue`); null when the request named none or an unreadable one. */
  readonly action: string | null;
  /** What the action said the call was about (a secret name, key id, alias, or a batch of them). */
  readonly resource: string | null;
  readonly secretName: string | null;
  readonly versionId: string | null;
  readonly versionStage: string | null;
  readonly keyId: string | null;
  /** `Success` or the wire error code; null on an attempt. */
  readonly resultCode: string | null;
  /** The HTTP status answered; null on an attempt. */
  readonly httpStatus: number | null;
  /**
   * The entry point the request came through (`alibaba`, `aws`, `console`); absent on the core's own
   * events (rotation steps) and on events recorded before it was kept.
   */
  readonly protocol?: string | undefined;
}

/** An event as the chain stores it. */
export interface AuditRecord extends AuditEvent {
  /** 1, 2, 3, … without gaps. */
  readonly seq: number;
  /** The `hash` of the record before it (`GENESIS_HASH` for seq 1). */
  readonly prevHash: string;
  /** The keyed hash of this record's canonical encoding, which includes `prevHash`. */
  readonly hash: string;
}

/** The fields of an event, each caller-chosen text capped and stripped of control characters. */
export function newAuditEvent(fields: AuditEvent): AuditEvent {
  return {
    time: fields.time,
    requestId: capAuditText(fields.requestId) ?? '',
    phase: fields.phase,
    principal: capAuditText(fields.principal),
    accessKeyId: capAuditText(fields.accessKeyId),
    sourceIp: capAuditText(fields.sourceIp),
    action: capAuditText(fields.action),
    resource: capAuditText(fields.resource),
    secretName: capAuditText(fields.secretName),
    versionId: capAuditText(fields.versionId),
    versionStage: capAuditText(fields.versionStage),
    keyId: capAuditText(fields.keyId),
    resultCode: capAuditText(fields.resultCode),
    httpStatus: fields.httpStatus,
    ...(fields.protocol === undefined ? {} : { protocol: capAuditText(fields.protocol) ?? '' }),
  };
}

/**
 * Text fit for an event: control characters become U+FFFD (no log or terminal injection), and text
 * over `MAX_AUDIT_TEXT` code points is cut, ending with `…`.
 */
export function capAuditText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
  // UTF-16 units are never fewer than code points: short text needs no split (every request's path).
  if (clean.length <= MAX_AUDIT_TEXT) return clean;
  const points = Array.from(clean);
  return points.length > MAX_AUDIT_TEXT ? `${points.slice(0, MAX_AUDIT_TEXT).join('')}…` : clean;
}

/**
 * The canonical encoding of a record: a JSON array of the version tag and every field in a fixed
 * order, `prevHash` last (v2, for records with a `protocol`, puts it just before `prevHash`). JSON text of strings, numbers and null is deterministic, so the same record
 * always gives the same bytes.
 */
export function canonicalAuditEncoding(record: Omit<AuditRecord, 'hash'>): string {
  const v2 = record.protocol !== undefined;
  return JSON.stringify([
    v2 ? AUDIT_ENCODING_VERSION_2 : AUDIT_ENCODING_VERSION,
    record.seq,
    record.time,
    record.requestId,
    record.phase,
    record.principal,
    record.accessKeyId,
    record.sourceIp,
    record.action,
    record.resource,
    record.secretName,
    record.versionId,
    record.versionStage,
    record.keyId,
    record.resultCode,
    record.httpStatus,
    ...(v2 ? [record.protocol] : []),
    record.prevHash,
  ]);
}

/** Why a record breaks the chain. */
export type ChainBreakReason =
  /** The record's content does not match its hash: it was edited. */
  | 'edited'
  /** The record does not follow the one before it: a record between them was removed. */
  | 'missing_before'
  /** The record's link names another predecessor: records were reordered or replaced. */
  | 'broken_link'
  /**
   * The trail ends before a head recorded outside the database (the sealed head, the JSON-lines copy's
   * last event), or holds another event at its seq: events were removed from the end (docs/audit.md).
   */
  | 'truncated';

export interface ChainBreak {
  readonly seq: number;
  readonly requestId: string;
  readonly reason: ChainBreakReason;
}

/** Links one record to the next; `hash` computes a record's keyed hash from its canonical encoding. */
export class ChainWalker {
  readonly #hash: (canonical: string) => string;
  #previous: { readonly seq: number; readonly hash: string } = { seq: 0, hash: GENESIS_HASH };

  constructor(hash: (canonical: string) => string) {
    this.#hash = hash;
  }

  /** The last record accepted: seq 0 and the genesis hash before any. */
  get head(): { readonly seq: number; readonly hash: string } {
    return this.#previous;
  }

  /** Checks the next record in seq order; returns the break, or undefined and moves on. */
  next(record: AuditRecord): ChainBreak | undefined {
    const at = { seq: record.seq, requestId: record.requestId };
    if (record.seq !== this.#previous.seq + 1) return { ...at, reason: 'missing_before' };
    if (record.prevHash !== this.#previous.hash) return { ...at, reason: 'broken_link' };
    const { hash, ...unsealed } = record;
    if (this.#hash(canonicalAuditEncoding(unsealed)) !== hash) return { ...at, reason: 'edited' };
    this.#previous = { seq: record.seq, hash };
    return undefined;
  }
}
