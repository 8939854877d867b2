/**
 * The registry of database instances that managed database secrets (`SecretType=Rds`) rotate against,
 * and the creation of those secrets: ExtendedConfig and SecretData are checked against the Rds shapes and
 * the registry before the secret service stores the first version as `{"AccountName","AccountPassword"}`.
 */
import type {
  DatabaseInstance,
  DatabaseInstanceChanges,
  DatabaseInstanceSettings,
} from '../domain/database-instance.js';
import { registerDatabaseInstance, updateDatabaseInstance } from '../domain/database-instance.js';
import { DomainError, invalidArgument } from '../domain/errors.js';
import {
  formatAccountValue,
  parseAccountValue,
  parseRdsConfig,
  parseRdsSecretData,
} from '../domain/rds-secret.js';
import type { Secret } from '../domain/secret.js';
import { parseExtendedConfig } from '../domain/secret.js';
import type { Page, Store } from '../storage/store.js';
import { databaseTargetFingerprint } from './rotation/rotator.js';
import type { Clock } from './clock.js';
import type { CreateSecretInput } from './secret-values.js';
import type { SecretService } from './secret-service.js';

/** Secrets read per page while looking for the ones that use an instance. */
const SCAN_PAGE = 100;
/** Secrets named in the "still in use" message. */
const NAMED_IN_ERROR = 5;

export interface DatabaseInstanceServiceOptions {
  readonly store: Store;
  readonly secrets: SecretService;
  readonly clock: Clock;
}

export class DatabaseInstanceService {
  readonly #store: Store;
  readonly #secrets: SecretService;
  readonly #clock: Clock;

  constructor(options: DatabaseInstanceServiceOptions) {
    this.#store = options.store;
    this.#secrets = options.secrets;
    this.#clock = options.clock;
  }

  /** Registers an instance; its administrator secret must exist and hold an account value. */
  async register(input: DatabaseInstanceSettings & { readonly id: string }): Promise<DatabaseInstance> {
    const instance = registerDatabaseInstance({ ...input, now: this.#clock.now() });
    await this.#checkAdminSecret(instance.adminSecretName);
    await this.#store.databaseInstances.insert(instance);
    return instance;
  }

  async describe(id: string): Promise<DatabaseInstance> {
    const instance = await this.#store.databaseInstances.get(id);
    if (instance === undefined) throw notFound(id);
    return instance;
  }

  /** The instance, or undefined: for rotators, which report a missing instance themselves. */
  async find(id: string): Promise<DatabaseInstance | undefined> {
    return this.#store.databaseInstances.get(id);
  }

  async list(query: { readonly offset: number; readonly limit: number }): Promise<Page<DatabaseInstance>> {
    return this.#store.databaseInstances.list(query);
  }

  /**
   * Changes address, TLS, administrator secret or description (the engine is fixed at registration).
   * `authorize` sees the instance as it is and refuses a caller who may not make the change.
   */
  async update(
    id: string,
    changes: DatabaseInstanceChanges,
    authorize?: (current: DatabaseInstance) => Promise<void>,
  ): Promise<DatabaseInstance> {
    const before = await this.describe(id);
    if (authorize) await authorize(before);
    if (changes.adminSecretName !== undefined) await this.#checkAdminSecret(changes.adminSecretName);
    return this.#store.transaction(async (tx) => {
      const current = await tx.databaseInstances.get(id);
      if (current === undefined) throw notFound(id);
      // What was authorized is the instance as read above; another change in between voids it.
      if (databaseTargetFingerprint(current) !== databaseTargetFingerprint(before)) {
        throw new DomainError(
          'unavailable',
          `The database instance "${id}" changed meanwhile; send the request again.`,
        );
      }
      const updated = updateDatabaseInstance(current, changes, this.#clock.now());
      await tx.databaseInstances.save(updated);
      return updated;
    });
  }

  /** Removes an instance that no Rds secret names (secrets pending deletion count: they may be restored). */
  async deregister(id: string): Promise<void> {
    await this.describe(id);
    const users = await this.secretsUsing(id);
    if (users.length > 0) {
      const named = users.slice(0, NAMED_IN_ERROR).map((name) => `"${name}"`);
      const more = users.length > NAMED_IN_ERROR ? ` and ${users.length - NAMED_IN_ERROR} more` : '';
      throw new DomainError(
        'database_instance_in_use',
        `The database instance "${id}" is used by the secret${users.length === 1 ? '' : 's'} ${named.join(', ')}${more}; delete them first.`,
        { resource: id },
      );
    }
    if (!(await this.#store.databaseInstances.delete(id))) throw notFound(id);
  }

  /** Names of the Rds secrets whose ExtendedConfig names the instance. */
  async secretsUsing(id: string): Promise<string[]> {
    const names: string[] = [];
    for (let offset = 0; ; offset += SCAN_PAGE) {
      const page = await this.#secrets.listSecrets({ secretTypes: ['Rds'], offset, limit: SCAN_PAGE });
      for (const secret of page.items) {
        if (secret.extendedConfig !== null && instanceIdOf(secret.extendedConfig) === id)
          names.push(secret.name);
      }
      if (page.items.length < SCAN_PAGE) return names;
    }
  }

  /**
   * CreateSecret with `SecretType=Rds`: ExtendedConfig names a registered instance and the sub-type,
   * SecretData the first account (Alibaba's `{"Accounts":[…]}` shape, or the value shape); the stored
   * value is that account as `{"AccountName","AccountPassword"}`.
   */
  async createRdsSecret(input: CreateSecretInput): Promise<Secret> {
    if (input.dataType !== 'text') {
      throw invalidArgument('secretDataType', 'The SecretDataType of an Rds secret is text.');
    }
    if (input.extendedConfig === undefined) {
      throw new DomainError('missing_argument', 'An Rds secret needs ExtendedConfig.', {
        field: 'extendedConfig',
      });
    }
    const config = parseRdsConfig(parseExtendedConfig(input.extendedConfig));
    const account = parseRdsSecretData(input.data, config);
    // Who may bind it, and to which accounts, is RotationAuthorization's rule (checked by the caller,
    // whose answer is `authorizedRotationTarget`); the instance must exist either way.
    await this.describe(config.dbInstanceId);
    return this.#secrets.createSecret({
      ...input,
      secretType: 'Rds',
      data: formatAccountValue(account),
    });
  }

  async #checkAdminSecret(name: string): Promise<void> {
    let value: string;
    try {
      ({ data: value } = await this.#secrets.getSecretValue({ name }));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'secret_not_found') {
        throw new DomainError(
          'secret_not_found',
          `The administrator secret "${name}" does not exist; create it with {"AccountName","AccountPassword"} first.`,
          { resource: name },
        );
      }
      throw error;
    }
    if (parseAccountValue(value) === undefined) {
      throw invalidArgument(
        'adminSecretName',
        `The administrator secret "${name}" does not hold {"AccountName","AccountPassword"}.`,
      );
    }
  }
}

function notFound(id: string): DomainError {
  return new DomainError('database_instance_not_found', `The database instance "${id}" is not registered.`, {
    resource: id,
  });
}

function instanceIdOf(extendedConfig: string): unknown {
  try {
    return (JSON.parse(extendedConfig) as { DBInstanceId?: unknown }).DBInstanceId;
  } catch {
    return undefined;
  }
}
