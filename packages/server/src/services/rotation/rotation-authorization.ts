/**
 * The rule behind every way of steering a rotator (docs/threat-model.md): binding a secret to what
 * rotates it — an Rds secret's ExtendedConfig (instance, accounts, sub-type), a Generic secret's
 * `RotationWebhook` — needs the caller's permissions for everything that rotation will read or write:
 * `kms:GetSecretValue` and `kms:PutSecretValue` on the secret itself, and for a database instance
 * `kms:GetSecretValue` on its administrator secret. The administrator account is never a rotated one.
 *
 * One function serves CreateSecret and UpdateSecret; `authorizeInstanceChange` is the same rule for
 * RegisterDatabaseInstance and UpdateDatabaseInstance. The caller's permissions come in as a function,
 * so the rule depends on no protocol. What a binding was authorized against is returned as a
 * fingerprint that the secret stores and the rotator compares at run time (`rotator.ts`).
 */
import type { DatabaseInstance, DatabaseInstanceChanges } from '../../domain/database-instance.js';
import { DomainError, invalidArgument } from '../../domain/errors.js';
import type { RdsConfig } from '../../domain/rds-secret.js';
import {
  accountsRotated,
  parseAccountValue,
  parseRdsConfig,
  parseRdsSecretData,
} from '../../domain/rds-secret.js';
import type { SecretType } from '../../domain/secret.js';
import { parseExtendedConfig } from '../../domain/secret.js';
import { databaseTargetFingerprint, webhookTargetFingerprint } from './rotator.js';
import { WEBHOOK_CONFIG_KEY } from './webhook-service.js';

/** The permissions a rotation binding needs, on secrets. */
export type RotationPermission = 'kms:GetSecretValue' | 'kms:PutSecretValue';

/**
 * Refuses (throws) unless the caller holds `permission` on the named secret. A secret the caller may
 * not see must be refused exactly as a missing one is.
 */
export type RotationPermissionCheck = (secretName: string, permission: RotationPermission) => Promise<void>;

/** What the rule reads of the rest of Tessera (internal reads: the caller's permission is checked first). */
export interface RotationAuthorizationSources {
  readonly instance: (id: string) => Promise<DatabaseInstance | undefined>;
  readonly webhook: (
    name: string,
  ) => Promise<{ readonly name: string; readonly url: string; readonly createdAt: number } | undefined>;
  /** The ACSCurrent value of a secret. */
  readonly secretValue: (name: string) => Promise<string>;
}

export interface RotationBindingRequest {
  readonly secretName: string;
  readonly secretType: SecretType;
  /** The ExtendedConfig the secret will have (null: none). */
  readonly extendedConfig: string | null;
  /** CreateSecret: the first value (SecretData). Absent on update, where the stored current value counts. */
  readonly firstValue?: string | undefined;
}

/** Instance settings that decide where the administrator's password goes and which one it is. */
const CONNECTION_SETTINGS = [
  'host',
  'port',
  'database',
  'tlsMode',
  'caCertificate',
  'adminSecretName',
] as const;

export class RotationAuthorization {
  readonly #sources: RotationAuthorizationSources;

  constructor(sources: RotationAuthorizationSources) {
    this.#sources = sources;
  }

  /**
   * Checks a secret's rotator binding against the caller's permissions and returns the fingerprint of
   * what it was authorized against (null: the secret is bound to no rotator). Throws the refusal.
   */
  async authorizeBinding(
    request: RotationBindingRequest,
    permissions: RotationPermissionCheck,
  ): Promise<string | null> {
    const config = request.extendedConfig === null ? undefined : parseExtendedConfig(request.extendedConfig);
    if (request.secretType === 'Rds') {
      if (config === undefined) {
        throw new DomainError('missing_argument', 'An Rds secret needs ExtendedConfig.', {
          field: 'extendedConfig',
        });
      }
      return this.#authorizeDatabase(request, parseRdsConfig(config), permissions);
    }
    const webhookName = config?.[WEBHOOK_CONFIG_KEY];
    if (typeof webhookName !== 'string' || webhookName === '') return null;
    const webhook = await this.#sources.webhook(webhookName);
    if (webhook === undefined) {
      throw new DomainError('rotation_webhook_not_found', `No rotation webhook is named "${webhookName}".`, {
        resource: webhookName,
      });
    }
    // The webhook receives the current value and its answer becomes the next one.
    await permissions(request.secretName, 'kms:GetSecretValue');
    await permissions(request.secretName, 'kms:PutSecretValue');
    return webhookTargetFingerprint(webhook);
  }

  /**
   * RegisterDatabaseInstance and UpdateDatabaseInstance: whoever decides where Tessera sends an
   * administrator password, or which one, must be able to read it: the administrator secret before
   * and after the change. Changes to the description alone need nothing more.
   */
  async authorizeInstanceChange(
    current: DatabaseInstance | undefined,
    changes: DatabaseInstanceChanges,
    permissions: RotationPermissionCheck,
  ): Promise<void> {
    const steers = current === undefined || CONNECTION_SETTINGS.some((name) => changes[name] !== undefined);
    if (!steers) return;
    const names = new Set<string>();
    if (current !== undefined) names.add(current.adminSecretName);
    if (changes.adminSecretName !== undefined) names.add(changes.adminSecretName);
    for (const name of names) await permissions(name, 'kms:GetSecretValue');
  }

  async #authorizeDatabase(
    request: RotationBindingRequest,
    config: RdsConfig,
    permissions: RotationPermissionCheck,
  ): Promise<string> {
    const first =
      request.firstValue === undefined ? undefined : parseRdsSecretData(request.firstValue, config);
    const instance = await this.#sources.instance(config.dbInstanceId);
    if (instance === undefined) {
      throw new DomainError(
        'database_instance_not_found',
        `The database instance "${config.dbInstanceId}" is not registered.`,
        { resource: config.dbInstanceId },
      );
    }
    // The rotation reads and writes the secret's value, and logs in with the administrator's.
    await permissions(request.secretName, 'kms:GetSecretValue');
    await permissions(request.secretName, 'kms:PutSecretValue');
    await permissions(instance.adminSecretName, 'kms:GetSecretValue');

    const current = first ?? parseAccountValue(await this.#sources.secretValue(request.secretName));
    if (current === undefined) {
      throw invalidArgument('extendedConfig', 'The secret does not hold {"AccountName","AccountPassword"}.');
    }
    const rotated = accountsRotated(config, current.accountName);
    if (rotated === undefined) {
      throw invalidArgument(
        'extendedConfig',
        `The secret holds the account "${current.accountName}", which this ExtendedConfig does not name.`,
      );
    }
    const admin = parseAccountValue(await this.#adminValue(instance));
    if (admin === undefined) {
      throw invalidArgument(
        'extendedConfig',
        `The administrator secret "${instance.adminSecretName}" of database instance "${instance.id}" does not hold {"AccountName","AccountPassword"}.`,
      );
    }
    // Rotating the administrator's own password would hand whoever reads this secret the instance.
    if (rotated.includes(admin.accountName)) {
      throw invalidArgument(
        'extendedConfig',
        `The account "${admin.accountName}" is the administrator of database instance "${instance.id}"; an Rds secret rotates another account.`,
      );
    }
    return databaseTargetFingerprint(instance);
  }

  async #adminValue(instance: DatabaseInstance): Promise<string> {
    try {
      return await this.#sources.secretValue(instance.adminSecretName);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'secret_not_found') {
        throw new DomainError(
          'secret_not_found',
          `The administrator secret "${instance.adminSecretName}" of database instance "${instance.id}" does not exist.`,
          { resource: instance.adminSecretName },
        );
      }
      throw error;
    }
  }
}
