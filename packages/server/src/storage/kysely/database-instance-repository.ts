/** `DatabaseInstanceRepository` over Kysely: one row per registered database instance. */
import type { Selectable } from 'kysely';

import type { DatabaseInstance } from '../../domain/database-instance.js';
import { DATABASE_ENGINES, TLS_MODES } from '../../domain/database-instance.js';
import { DomainError } from '../../domain/errors.js';
import type { DatabaseInstancesTable } from '../schema.js';
import type { DatabaseInstanceRepository, Page } from '../store.js';
import { oneOf, toCount } from './rows.js';
import type { Scope } from './scope.js';

export class KyselyDatabaseInstanceRepository implements DatabaseInstanceRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async get(id: string): Promise<DatabaseInstance | undefined> {
    const row = await this.#scope.run((db) =>
      db.selectFrom('database_instances').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row && toInstance(row);
  }

  async insert(instance: DatabaseInstance): Promise<void> {
    await this.#scope.run((db) => db.insertInto('database_instances').values(toRow(instance)).execute(), {
      unique: () =>
        new DomainError(
          'database_instance_already_exists',
          `A database instance "${instance.id}" is already registered.`,
          { resource: instance.id },
        ),
    });
  }

  async save(instance: DatabaseInstance): Promise<void> {
    const row = toRow(instance);
    // Everything but the id and the creation time.
    const changes = {
      engine: row.engine,
      host: row.host,
      port: row.port,
      database_name: row.database_name,
      tls_mode: row.tls_mode,
      ca_certificate: row.ca_certificate,
      admin_secret_name: row.admin_secret_name,
      description: row.description,
      updated_at: row.updated_at,
    };
    await this.#scope.run((db) =>
      db.updateTable('database_instances').set(changes).where('id', '=', row.id).execute(),
    );
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#scope.run((db) =>
      db.deleteFrom('database_instances').where('id', '=', id).executeTakeFirst(),
    );
    return toCount(result.numDeletedRows) > 0;
  }

  async list(query: { readonly offset: number; readonly limit: number }): Promise<Page<DatabaseInstance>> {
    return this.#scope.snapshot(async (db) => {
      const rows = await db
        .selectFrom('database_instances')
        .selectAll()
        .orderBy('id')
        .offset(query.offset)
        .limit(query.limit)
        .execute();
      const count = await db
        .selectFrom('database_instances')
        .select((eb) => eb.fn.countAll<string | number | bigint>().as('total'))
        .executeTakeFirstOrThrow();
      return { items: rows.map(toInstance), total: toCount(count.total) };
    });
  }
}

function toRow(instance: DatabaseInstance): DatabaseInstancesTable {
  return {
    id: instance.id,
    engine: instance.engine,
    host: instance.host,
    port: instance.port,
    database_name: instance.database,
    tls_mode: instance.tlsMode,
    ca_certificate: instance.caCertificate,
    admin_secret_name: instance.adminSecretName,
    description: instance.description,
    created_at: instance.createdAt,
    updated_at: instance.updatedAt,
  };
}

function toInstance(row: Selectable<DatabaseInstancesTable>): DatabaseInstance {
  return {
    id: row.id,
    engine: oneOf(row.engine, DATABASE_ENGINES, 'database engine'),
    host: row.host,
    port: row.port,
    database: row.database_name,
    tlsMode: oneOf(row.tls_mode, TLS_MODES, 'TLS mode'),
    caCertificate: row.ca_certificate,
    adminSecretName: row.admin_secret_name,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
