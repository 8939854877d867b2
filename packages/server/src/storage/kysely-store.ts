/**
 * The one `Store` implementation, over Kysely, for every engine. The engine's wiring module opens the
 * Kysely instance, runs the migrations and passes its `StoreCapabilities`; nothing here imports a
 * driver or asks which engine it is talking to.
 *
 * Transactions: `transaction(work)` opens one Kysely transaction and hands `work` repositories bound
 * to it. Outside it, each repository call that writes several statements opens its own transaction,
 * and each aggregate read runs in a read-only transaction at `snapshotIsolationLevel` so its
 * statements see one snapshot.
 *
 * Rules for callers of `transaction`:
 * - use only the `tx` repositories inside `work`; calling the store itself there waits for a
 *   connection the transaction holds (SQLite has exactly one) and never returns;
 * - a store error inside `work` ends the transaction: PostgreSQL refuses further statements after
 *   one fails, so do not catch it and carry on;
 * - on engines with row locks, the transaction runs at the engine's default isolation (PostgreSQL:
 *   read committed), so read the aggregate you are about to change with `forUpdate: true`; that
 *   lock is also what makes the read of its versions and stages consistent.
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';

import type { StoreCapabilities } from './capabilities.js';
import { KyselyAccessKeyRepository } from './kysely/access-key-repository.js';
import { KyselyAuditRepository } from './kysely/audit-repository.js';
import { KyselyDatabaseInstanceRepository } from './kysely/database-instance-repository.js';
import { KyselyConsoleLoginRepository } from './kysely/console-login-repository.js';
import { KyselyAliasRepository } from './kysely/alias-repository.js';
import { KyselyIdentityRepository } from './kysely/identity-repository.js';
import { KyselyKeyRepository } from './kysely/key-repository.js';
import { KyselyMetaRepository } from './kysely/meta-repository.js';
import { KyselyNonceRepository } from './kysely/nonce-repository.js';
import { KyselyRootSealedRepository } from './kysely/root-sealed-repository.js';
import { exportTables, holdsData, importTables } from './kysely/row-transfer.js';
import { latestMigrationName } from './migrations.js';
import { runTransaction, Scope } from './kysely/scope.js';
import { PageBoundaryCache } from './kysely/page-boundaries.js';
import { KyselySecretRepository } from './kysely/secret-repository.js';
import type { ListingWrites } from './kysely/secret-repository.js';
import {
  KyselyLeaseRepository,
  KyselyRotationRepository,
  KyselyRotationWebhookRepository,
} from './kysely/rotation-repository.js';
import type { Database } from './schema.js';
import type {
  AccessKeyRepository,
  AliasRepository,
  AuditRepository,
  IdentityRepository,
  ConsoleLoginRepository,
  DatabaseInstanceRepository,
  KeyRepository,
  LeaseRepository,
  MetaRepository,
  NonceRepository,
  Repositories,
  RootSealedRepository,
  RotationRepository,
  RowBatch,
  RowTransferSummary,
  RotationWebhookRepository,
  SecretRepository,
  Store,
  TransactionOptions,
} from './store.js';
import { SchemaMismatchError, StoreNotEmptyError } from './store.js';

function bindRepositories(
  db: Kysely<Database>,
  capabilities: StoreCapabilities,
  listings: ListingWrites,
): Repositories {
  const scope = new Scope(db, capabilities);
  return {
    secrets: new KyselySecretRepository(scope, listings),
    keys: new KyselyKeyRepository(scope),
    aliases: new KyselyAliasRepository(scope),
    accessKeys: new KyselyAccessKeyRepository(scope),
    meta: new KyselyMetaRepository(scope),
    audit: new KyselyAuditRepository(scope),
    identities: new KyselyIdentityRepository(scope),
    rotation: new KyselyRotationRepository(scope),
    leases: new KyselyLeaseRepository(scope),
    rotationWebhooks: new KyselyRotationWebhookRepository(scope),
    databaseInstances: new KyselyDatabaseInstanceRepository(scope),
    nonces: new KyselyNonceRepository(scope),
    rootSealed: new KyselyRootSealedRepository(scope),
    consoleLogins: new KyselyConsoleLoginRepository(scope),
  };
}

/** Query shapes whose page boundaries a store keeps by default (kysely/page-boundaries.ts). */
export const DEFAULT_LISTING_CACHE_ENTRIES = 64;

export interface KyselyStoreOptions {
  /**
   * Secret listings (query shapes) whose total and page boundaries are kept in memory, so a page deep
   * in a long listing costs what the first does; 0 keeps none. Only for a store no other process writes: the
   * boundaries follow this process's writes. Defaults to 0.
   */
  readonly listingCacheEntries?: number | undefined;
}

/**
 * How an engine commits a transaction with `durability: 'relaxed'` (see `Store.transaction`), and how
 * it waits until every commit so far is durable. Given by the engine's wiring module.
 */
export interface EngineDurability {
  /** Runs first inside a relaxed transaction. */
  relax(trx: Transaction<Database>): Promise<void>;
  syncCommitted(db: Kysely<Database>): Promise<void>;
}

/**
 * The store over an open Kysely instance whose schema is already migrated (`migrateToLatest`).
 * `close()` destroys the Kysely instance, closing the driver's connections. Engine wiring may extend
 * it with engine-specific diagnostics.
 */
export class KyselyStore implements Store {
  readonly secrets: SecretRepository;
  readonly keys: KeyRepository;
  readonly aliases: AliasRepository;
  readonly accessKeys: AccessKeyRepository;
  readonly meta: MetaRepository;
  readonly audit: AuditRepository;
  readonly identities: IdentityRepository;
  readonly rotation: RotationRepository;
  readonly leases: LeaseRepository;
  readonly rotationWebhooks: RotationWebhookRepository;
  readonly databaseInstances: DatabaseInstanceRepository;
  readonly nonces: NonceRepository;
  readonly rootSealed: RootSealedRepository;
  readonly consoleLogins: ConsoleLoginRepository;
  readonly #db: Kysely<Database>;
  readonly #capabilities: StoreCapabilities;
  readonly #durability: EngineDurability;
  readonly #boundaries: PageBoundaryCache;

  constructor(
    db: Kysely<Database>,
    capabilities: StoreCapabilities,
    durability: EngineDurability,
    options: KyselyStoreOptions = {},
  ) {
    this.#db = db;
    this.#capabilities = Object.freeze({ ...capabilities });
    this.#durability = durability;
    this.#boundaries = new PageBoundaryCache(options.listingCacheEntries ?? 0);
    const repositories = bindRepositories(db, this.#capabilities, { boundaries: this.#boundaries });
    this.secrets = repositories.secrets;
    this.keys = repositories.keys;
    this.aliases = repositories.aliases;
    this.accessKeys = repositories.accessKeys;
    this.meta = repositories.meta;
    this.audit = repositories.audit;
    this.identities = repositories.identities;
    this.rotation = repositories.rotation;
    this.leases = repositories.leases;
    this.rotationWebhooks = repositories.rotationWebhooks;
    this.databaseInstances = repositories.databaseInstances;
    this.nonces = repositories.nonces;
    this.rootSealed = repositories.rootSealed;
    this.consoleLogins = repositories.consoleLogins;
  }

  async transaction<T>(work: (tx: Repositories) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const relaxed = options?.durability === 'relaxed';
    // A transaction that changes listings holds the page boundaries off from its first such write
    // until it committed or rolled back.
    let ended: (() => void) | undefined;
    const listings: ListingWrites = {
      boundaries: this.#boundaries,
      markTransaction: () => {
        ended ??= this.#boundaries.writeStarted();
      },
    };
    try {
      return await runTransaction(this.#db, async (trx) => {
        if (relaxed) await this.#durability.relax(trx);
        return work(bindRepositories(trx, this.#capabilities, listings));
      });
    } finally {
      ended?.();
    }
  }

  syncCommitted(): Promise<void> {
    return this.#durability.syncCommitted(this.#db);
  }

  async exportRows(sink: (batch: RowBatch) => Promise<void>): Promise<RowTransferSummary> {
    const schemaVersion = latestMigrationName(this.#capabilities);
    // One read-only transaction at the engine's snapshot level: SQLite reads one WAL snapshot from
    // its first statement on (from another process too), PostgreSQL one repeatable-read snapshot.
    const rows = await runTransaction(
      this.#db,
      async (trx) => {
        // Pin the snapshot now: a statement that reads a table starts it on every engine.
        await sql`select count(*) as n from ${sql.table('meta')}`.execute(trx);
        return exportTables(trx, sink);
      },
      { isolationLevel: this.#capabilities.snapshotIsolationLevel, readOnly: true },
    );
    return { schemaVersion, rows };
  }

  async importRows(
    schemaVersion: string,
    batches: AsyncIterable<RowBatch>,
    check: (tx: Repositories) => Promise<void>,
  ): Promise<RowTransferSummary> {
    const expected = latestMigrationName(this.#capabilities);
    if (schemaVersion !== expected) {
      throw new SchemaMismatchError(
        `The rows belong to schema ${schemaVersion}, this store is at ${expected}; restore with the Tessera version that took the backup, then upgrade.`,
      );
    }
    // Rows arrive without the repositories: listings change wholesale, announced for the whole import.
    const done = this.#boundaries.writeStarted();
    const rows = await runTransaction(this.#db, async (trx) => {
      if (await holdsData(trx)) throw new StoreNotEmptyError('The target store already holds data.');
      const counts = await importTables(trx, batches);
      await check(bindRepositories(trx, this.#capabilities, { boundaries: this.#boundaries }));
      return counts;
    }).finally(done);
    return { schemaVersion, rows };
  }

  async isEmpty(): Promise<boolean> {
    return !(await holdsData(this.#db));
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }
}
