/**
 * The rotation of managed database secrets (`SecretType=Rds`), whatever the engine: SingleUser changes
 * the one account's password; DoubleUsers changes the password of the account that is NOT in ACSCurrent
 * and makes it current, so the credential applications hold keeps working through the switch. The
 * engine-specific statements are in `postgres-rotator.ts` and `mysql-rotator.ts`.
 *
 * The engine (`services/rotation`) calls `createValue` once per run and keeps its result as the ACSPending
 * version, then `setValue` and `testValue` until they succeed, so both are idempotent here: setting the
 * same password twice, or logging in twice, changes nothing.
 */
import type { DatabaseEngine, DatabaseInstance } from '../domain/database-instance.js';
import type { DatabaseAccount, RdsConfig } from '../domain/rds-secret.js';
import {
  DATABASE_PASSWORD_EXCLUDED,
  formatAccountValue,
  isDatabaseSafePassword,
  otherAccount,
  parseAccountValue,
  parseRdsConfig,
} from '../domain/rds-secret.js';
import { isDomainError } from '../domain/errors.js';
import type { RotationStep, RotationTarget, Rotator, RotatorResolver } from '../services/rotation/rotator.js';
import {
  databaseTargetFingerprint,
  RotationStepError,
  unauthorizedTargetError,
} from '../services/rotation/rotator.js';
import type { DatabaseDriver } from './database-driver.js';

/** What the rotator needs from the rest of Tessera, as functions so that it depends on no service. */
export interface DatabaseRotationContext {
  /** The registered instance with this id, or undefined. */
  readonly instance: (id: string) => Promise<DatabaseInstance | undefined>;
  /** The ACSCurrent value of the Tessera secret with this name (the administrator credentials). */
  readonly secretValue: (name: string) => Promise<string>;
  /** A random password (node:crypto) of this length, without these characters: the password service. */
  readonly generatePassword: (length: number, excludeCharacters: string) => string;
  readonly drivers: Readonly<Record<DatabaseEngine, DatabaseDriver>>;
}

type PendingStep = RotationStep & { readonly pendingValue: string };

export class DatabaseRotator implements Rotator {
  readonly #config: RdsConfig;
  readonly #context: DatabaseRotationContext;

  constructor(config: RdsConfig, context: DatabaseRotationContext) {
    this.#config = config;
    this.#context = context;
  }

  async createValue(step: RotationStep): Promise<string> {
    // Refused before anything is created when the instance is not what the binding was authorized for.
    await this.#connection(step);
    return this.#nextValue(step);
  }

  #nextValue(step: RotationStep): string {
    const current = accountOf(step.currentValue, 'current');
    let accountName = current.accountName;
    if (this.#config.subType === 'DoubleUsers') {
      const other = otherAccount(this.#config, current.accountName);
      if (other === undefined) {
        throw new RotationStepError(
          `The current value names the account "${current.accountName}", which is neither AccountName nor CloneAccountName.`,
          { retryable: false },
        );
      }
      accountName = other;
    }
    const accountPassword = this.#context.generatePassword(
      this.#config.passwordLength,
      DATABASE_PASSWORD_EXCLUDED,
    );
    // Checked rather than trusted: the adapters rely on it when they build statements.
    if (!isDatabaseSafePassword(accountPassword)) {
      throw new RotationStepError('The generated password is not database-safe.', { retryable: false });
    }
    return formatAccountValue({ accountName, accountPassword });
  }

  async setValue(step: PendingStep): Promise<void> {
    const pending = accountOf(step.pendingValue, 'pending');
    if (this.#config.subType === 'DoubleUsers') {
      // The guarantee DoubleUsers exists for: never touch the credential applications are using.
      const current = accountOf(step.currentValue, 'current');
      if (pending.accountName === current.accountName) {
        throw new RotationStepError('A DoubleUsers rotation never changes the current account.', {
          retryable: false,
        });
      }
    }
    const { instance, admin, driver } = await this.#connection(step);
    // Re-checked here, whatever was checked when the secret was bound: the administrator secret's value
    // may have changed since, and the administrator's password is never the one a rotation sets.
    const rotated = [pending.accountName, this.#config.accountName, this.#config.cloneAccountName];
    if (rotated.includes(admin.accountName)) {
      throw new RotationStepError(
        `The account "${admin.accountName}" is the administrator of database instance "${instance.id}"; an Rds secret never rotates it. Nothing was sent to the database.`,
        { retryable: false },
      );
    }
    await driver.setPassword(
      instance,
      admin,
      { accountName: pending.accountName, accountHost: this.#config.accountHost },
      pending.accountPassword,
    );
  }

  async testValue(step: PendingStep): Promise<void> {
    const pending = accountOf(step.pendingValue, 'pending');
    const { instance, admin, driver } = await this.#connection(step);
    await driver.testLogin(instance, pending, admin);
  }

  /** Nothing to clean up: the old credential of DoubleUsers must keep working until the next rotation. */
  finish(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * The instance, its administrator and driver — only when the instance is still what the secret's
   * binding was authorized against (address, TLS, CA, administrator secret: `databaseTargetFingerprint`).
   */
  async #connection(target: RotationTarget): Promise<{
    instance: DatabaseInstance;
    admin: DatabaseAccount;
    driver: DatabaseDriver;
  }> {
    const id = this.#config.dbInstanceId;
    const instance = await this.#context.instance(id);
    if (instance === undefined) {
      throw new RotationStepError(`The database instance "${id}" is not registered.`, { retryable: false });
    }
    if (target.authorizedTarget !== databaseTargetFingerprint(instance)) {
      throw unauthorizedTargetError(`The database instance "${id}"`);
    }
    let adminValue: string;
    try {
      adminValue = await this.#context.secretValue(instance.adminSecretName);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      throw new RotationStepError(
        `Cannot read the administrator secret "${instance.adminSecretName}" of the database instance "${id}": ${error.message}`,
        { cause: error },
      );
    }
    const admin = parseAccountValue(adminValue);
    if (admin === undefined) {
      throw new RotationStepError(
        `The administrator secret "${instance.adminSecretName}" is not {"AccountName","AccountPassword"}.`,
      );
    }
    return { instance, admin, driver: this.#context.drivers[instance.engine] };
  }
}

function accountOf(value: string, which: 'current' | 'pending'): DatabaseAccount {
  const account = parseAccountValue(value);
  if (account === undefined) {
    throw new RotationStepError(`The ${which} value is not {"AccountName","AccountPassword"}.`, {
      retryable: false,
    });
  }
  return account;
}

/** A rotator that refuses every step, for an Rds secret whose ExtendedConfig no longer parses. */
function refusing(message: string): Rotator {
  const fail = () => Promise.reject(new RotationStepError(message, { retryable: false }));
  return { createValue: fail, setValue: fail, testValue: fail, finish: fail };
}

/** Rotators for Rds secrets; other types are someone else's (the app composes resolvers). */
export class RdsRotatorResolver implements RotatorResolver {
  readonly #context: DatabaseRotationContext;

  constructor(context: DatabaseRotationContext) {
    this.#context = context;
  }

  rotatorFor(target: RotationTarget): Rotator | undefined {
    if (target.secretType !== 'Rds') return undefined;
    try {
      return new DatabaseRotator(parseRdsConfig(target.extendedConfig), this.#context);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      return refusing(`The ExtendedConfig of the secret is not valid: ${error.message}`);
    }
  }
}
