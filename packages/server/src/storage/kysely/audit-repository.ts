/** `AuditRepository` over Kysely: one row per record, inserted and read, never updated or deleted. */
import type { Selectable } from 'kysely';

import type { AuditPhase, AuditRecord } from '../../domain/audit.js';
import { DomainError } from '../../domain/errors.js';
import type { AuditEventsTable } from '../schema.js';
import type { AuditLink, AuditQuery, AuditRepository } from '../store.js';
import type { Scope } from './scope.js';
import { StatementTemplate } from './statement-template.js';

const AUDIT_COLUMNS = [
  'seq',
  'time',
  'request_id',
  'phase',
  'principal',
  'access_key_id',
  'source_ip',
  'action',
  'resource',
  'secret_name',
  'version_id',
  'version_stage',
  'key_id',
  'result_code',
  'http_status',
  'prev_hash',
  'hash',
  'protocol',
] as const satisfies readonly (keyof AuditEventsTable)[];

/** One record's insert, compiled once: every request appends one or two, so building it each time shows. */
const INSERT_RECORD = new StatementTemplate(AUDIT_COLUMNS, (db, values) =>
  db.insertInto('audit_events').values(values),
);

export class KyselyAuditRepository implements AuditRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async head(): Promise<{ readonly seq: number; readonly hash: string } | undefined> {
    const row = await this.#scope.run((db) =>
      db
        .selectFrom('audit_events')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst(),
    );
    return row && { seq: row.seq, hash: row.hash };
  }

  async append(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#scope.atomic(
      async (db) => {
        // One statement per record: a multi-row insert would hit engines' bound-parameter limits.
        for (const record of records) await INSERT_RECORD.execute(db, toRow(record));
      },
      {
        unique: () =>
          new DomainError('unavailable', 'Another writer appended to the audit trail first. Retry.'),
      },
    );
  }

  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const rows = await this.#scope.run((db) => {
      let select = db.selectFrom('audit_events').selectAll();
      if (query.startTime !== undefined) select = select.where('time', '>=', query.startTime);
      if (query.endTime !== undefined) select = select.where('time', '<=', query.endTime);
      if (query.principal !== undefined) select = select.where('principal', '=', query.principal);
      if (query.accessKeyId !== undefined) select = select.where('access_key_id', '=', query.accessKeyId);
      if (query.action !== undefined) select = select.where('action', '=', query.action);
      if (query.requestId !== undefined) select = select.where('request_id', '=', query.requestId);
      if (query.beforeSeq !== undefined) select = select.where('seq', '<', query.beforeSeq);
      const { resource } = query;
      if (resource !== undefined) {
        select = select.where((eb) =>
          eb.or([
            eb('secret_name', '=', resource),
            eb('key_id', '=', resource),
            eb('resource', '=', resource),
          ]),
        );
      }
      return select.orderBy('seq', 'desc').limit(query.limit).execute();
    });
    return rows.map(toRecord);
  }

  async scan(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('audit_events')
        .selectAll()
        .where('seq', '>', afterSeq)
        .orderBy('seq', 'asc')
        .limit(limit)
        .execute(),
    );
    return rows.map(toRecord);
  }

  async relink(links: readonly AuditLink[]): Promise<void> {
    await this.#scope.atomic(async (db) => {
      for (const link of links) {
        await db
          .updateTable('audit_events')
          .set({ prev_hash: link.prevHash, hash: link.hash })
          .where('seq', '=', link.seq)
          .execute();
      }
    });
  }
}

function toRow(record: AuditRecord): AuditEventsTable {
  return {
    seq: record.seq,
    time: record.time,
    request_id: record.requestId,
    phase: record.phase,
    principal: record.principal,
    access_key_id: record.accessKeyId,
    source_ip: record.sourceIp,
    action: record.action,
    resource: record.resource,
    secret_name: record.secretName,
    version_id: record.versionId,
    version_stage: record.versionStage,
    key_id: record.keyId,
    result_code: record.resultCode,
    http_status: record.httpStatus,
    prev_hash: record.prevHash,
    hash: record.hash,
    protocol: record.protocol ?? null,
  };
}

/**
 * A stored row as a record, every field as stored. Unlike other repositories this does not refuse an
 * unexpected enum value: a row edited by hand must still be readable, so that verification can name it.
 */
function toRecord(row: Selectable<AuditEventsTable>): AuditRecord {
  return {
    seq: row.seq,
    time: row.time,
    requestId: row.request_id,
    phase: row.phase as AuditPhase,
    principal: row.principal,
    accessKeyId: row.access_key_id,
    sourceIp: row.source_ip,
    action: row.action,
    resource: row.resource,
    secretName: row.secret_name,
    versionId: row.version_id,
    versionStage: row.version_stage,
    keyId: row.key_id,
    resultCode: row.result_code,
    httpStatus: row.http_status,
    prevHash: row.prev_hash,
    hash: row.hash,
    ...(row.protocol === null ? {} : { protocol: row.protocol }),
  };
}
