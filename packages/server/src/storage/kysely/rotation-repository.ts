/** Rotation storage over Kysely: policies, runs, leases and registered webhooks. */
import type { Selectable } from 'kysely';

import { DomainError } from '../../domain/errors.js';
import type { EpochMs } from '../../domain/secret.js';
import type { RotationPolicy, RotationRun } from '../../domain/rotation.js';
import { ROTATION_STATUSES, ROTATION_STEPS, ROTATION_TRIGGERS } from '../../domain/rotation.js';
import type { RotationRunsTable, RotationWebhooksTable } from '../schema.js';
import type {
  DueRotation,
  LeaseRepository,
  RotationRepository,
  RotationWebhookRecord,
  RotationWebhookRepository,
} from '../store.js';
import { oneOf } from './rows.js';
import type { Scope } from './scope.js';

export class KyselyRotationRepository implements RotationRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async getPolicy(secretId: string): Promise<RotationPolicy | undefined> {
    const row = await this.#scope.run((db) =>
      db.selectFrom('secret_rotation').selectAll().where('secret_id', '=', secretId).executeTakeFirst(),
    );
    return (
      row && {
        secretId: row.secret_id,
        enabled: row.enabled === 1,
        intervalSeconds: row.interval_seconds,
        cronExpression: row.cron_expression,
        nextRotationAt: row.next_rotation_at,
        lastRotationAt: row.last_rotation_at,
      }
    );
  }

  async savePolicy(policy: RotationPolicy): Promise<void> {
    const values = {
      enabled: policy.enabled ? 1 : 0,
      interval_seconds: policy.intervalSeconds,
      cron_expression: policy.cronExpression,
      next_rotation_at: policy.nextRotationAt,
      last_rotation_at: policy.lastRotationAt,
    };
    await this.#scope.run(
      (db) =>
        db
          .insertInto('secret_rotation')
          .values({ secret_id: policy.secretId, ...values })
          .onConflict((oc) => oc.column('secret_id').doUpdateSet(values))
          .execute(),
      {
        foreignKey: () => new DomainError('secret_not_found', 'The secret does not exist.'),
      },
    );
  }

  async listDuePolicies(now: EpochMs, limit: number): Promise<DueRotation[]> {
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('secret_rotation')
        .innerJoin('secrets', 'secrets.id', 'secret_rotation.secret_id')
        .select(['secrets.id as secret_id', 'secrets.name as secret_name'])
        .where('secret_rotation.enabled', '=', 1)
        .where('secret_rotation.next_rotation_at', '<=', now)
        .where('secrets.planned_delete_at', 'is', null)
        .orderBy('secret_rotation.next_rotation_at')
        .orderBy('secrets.id')
        .limit(limit)
        .execute(),
    );
    return rows.map((r) => ({ secretId: r.secret_id, secretName: r.secret_name }));
  }

  async insertRun(run: RotationRun): Promise<void> {
    await this.#scope.run((db) => db.insertInto('rotation_runs').values(toRow(run)).execute(), {
      unique: () =>
        new DomainError('rotation_in_progress', `The secret "${run.secretName}" is already being rotated.`, {
          resource: run.secretName,
        }),
    });
  }

  async saveRun(run: RotationRun): Promise<void> {
    const { id, ...changes } = toRow(run);
    await this.#scope.run((db) =>
      db.updateTable('rotation_runs').set(changes).where('id', '=', id).execute(),
    );
  }

  async getRun(runId: string): Promise<RotationRun | undefined> {
    const row = await this.#scope.run((db) =>
      db.selectFrom('rotation_runs').selectAll().where('id', '=', runId).executeTakeFirst(),
    );
    return row && toRun(row);
  }

  async findRun(secretId: string, versionId: string): Promise<RotationRun | undefined> {
    const row = await this.#scope.run((db) =>
      db
        .selectFrom('rotation_runs')
        .selectAll()
        .where('secret_id', '=', secretId)
        .where('version_id', '=', versionId)
        .executeTakeFirst(),
    );
    return row && toRun(row);
  }

  async activeRun(secretId: string): Promise<RotationRun | undefined> {
    const row = await this.#scope.run((db) =>
      db.selectFrom('rotation_runs').selectAll().where('active_secret_id', '=', secretId).executeTakeFirst(),
    );
    return row && toRun(row);
  }

  async latestRun(secretId: string): Promise<RotationRun | undefined> {
    const row = await this.#scope.run((db) =>
      db
        .selectFrom('rotation_runs')
        .selectAll()
        .where('secret_id', '=', secretId)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst(),
    );
    return row && toRun(row);
  }

  async listDueRuns(now: EpochMs, limit: number): Promise<RotationRun[]> {
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('rotation_runs')
        .selectAll()
        .where('status', '=', 'in_progress')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .execute(),
    );
    return rows.map(toRun);
  }
}

function toRow(run: RotationRun): Selectable<RotationRunsTable> {
  return {
    id: run.id,
    secret_id: run.secretId,
    secret_name: run.secretName,
    version_id: run.versionId,
    from_version_id: run.fromVersionId,
    trigger: run.trigger,
    step: run.step,
    status: run.status,
    attempts: run.attempts,
    next_attempt_at: run.nextAttemptAt,
    last_error: run.lastError,
    last_error_step: run.lastErrorStep,
    started_at: run.startedAt,
    updated_at: run.updatedAt,
    finished_at: run.finishedAt,
    active_secret_id: run.status === 'in_progress' ? run.secretId : null,
  };
}

function toRun(row: Selectable<RotationRunsTable>): RotationRun {
  return {
    id: row.id,
    secretId: row.secret_id,
    secretName: row.secret_name,
    versionId: row.version_id,
    fromVersionId: row.from_version_id,
    trigger: oneOf(row.trigger, ROTATION_TRIGGERS, 'rotation trigger'),
    step: oneOf(row.step, ROTATION_STEPS, 'rotation step'),
    status: oneOf(row.status, ROTATION_STATUSES, 'rotation status'),
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    lastErrorStep: row.last_error_step === null ? null : oneOf(row.last_error_step, ROTATION_STEPS, 'step'),
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export class KyselyLeaseRepository implements LeaseRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async acquire(name: string, holder: string, now: EpochMs, ttlMs: number): Promise<boolean> {
    const expiresAt = now + ttlMs;
    // One statement: insert, or take over a free/expired/own lease; a live lease of another holder
    // matches neither and changes no row.
    const result = await this.#scope.run((db) =>
      db
        .insertInto('leases')
        .values({ name, holder, expires_at: expiresAt })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder, expires_at: expiresAt })
            .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.expires_at', '<=', now)])),
        )
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.#scope.run((db) =>
      db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute(),
    );
  }
}

export class KyselyRotationWebhookRepository implements RotationWebhookRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async insert(record: RotationWebhookRecord): Promise<void> {
    await this.#scope.run(
      (db) =>
        db
          .insertInto('rotation_webhooks')
          .values({
            name: record.name,
            url: record.url,
            encrypted_signing_key: record.encryptedSigningKey,
            timeout_ms: record.timeoutMs,
            created_at: record.createdAt,
          })
          .execute(),
      {
        unique: () =>
          new DomainError(
            'rotation_webhook_already_exists',
            `A rotation webhook named "${record.name}" already exists.`,
            { resource: record.name },
          ),
      },
    );
  }

  async get(name: string): Promise<RotationWebhookRecord | undefined> {
    const row = await this.#scope.run((db) =>
      db.selectFrom('rotation_webhooks').selectAll().where('name', '=', name).executeTakeFirst(),
    );
    return row && toWebhook(row);
  }

  async list(): Promise<RotationWebhookRecord[]> {
    const rows = await this.#scope.run((db) =>
      db.selectFrom('rotation_webhooks').selectAll().orderBy('name').execute(),
    );
    return rows.map(toWebhook);
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.#scope.run((db) =>
      db.deleteFrom('rotation_webhooks').where('name', '=', name).executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }
}

function toWebhook(row: Selectable<RotationWebhooksTable>): RotationWebhookRecord {
  return {
    name: row.name,
    url: row.url,
    encryptedSigningKey: row.encrypted_signing_key,
    timeoutMs: row.timeout_ms,
    createdAt: row.created_at,
  };
}
