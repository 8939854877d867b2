/**
 * Secret values: creating a secret with its first value, adding versions, and reading values back.
 * The model's rules (domain/secret-versions.ts) are applied inside storage transactions, with envelope
 * encryption around them.
 *
 * Encryption (`secret-envelope.ts`) happens before a transaction opens (no key work inside one); the
 * transaction re-reads the secret under a lock and applies the rule to the fresh state, so concurrent
 * writers never lose each other's labels or versions.
 */
import { randomUUID } from 'node:crypto';
import { newSecretSuffix } from './ids.js';
import { constantTimeEqual } from '../crypto/compare.js';
import { DomainError } from '../domain/errors.js';
import type { Secret, SecretLimits, SecretType, SecretVersion } from '../domain/secret.js';
import {
  assertHandWritable,
  assertNotPendingDeletion,
  createSecret,
  findVersion,
  isExpired,
  putVersion,
  resolveVersion,
  stagesOf,
} from '../domain/secret.js';
import { DEFAULT_POLICY_NAME, parsePolicyDocument, setSecretPolicy } from '../domain/secret-policy.js';
import type { SecretDataType, Tag } from '../domain/validation.js';
import { validateSecretData } from '../domain/validation.js';
import type { Store } from '../storage/store.js';
import type { Clock } from './clock.js';
import type { KeyService } from './key-service.js';
import { SecretEnvelope } from './secret-envelope.js';
import type { CallerWrite, SecretGuard, SecretTransactions } from './secret-transactions.js';

/** Attempts of an optimistic write before giving up with `unavailable` (only a storm of racing writers gets there). */
const WRITE_ATTEMPTS = 5;

export interface SecretValuesOptions {
  readonly store: Store;
  readonly keys: KeyService;
  readonly clock: Clock;
  readonly limits: SecretLimits;
  readonly transactions: SecretTransactions;
  /** Told when creating a secret destroyed an expired one of the same name. */
  readonly policyChanged: (secret: Pick<Secret, 'id' | 'name'>) => void;
}

export interface CreateSecretInput {
  readonly name: string;
  readonly versionId: string;
  readonly data: string;
  readonly dataType: SecretDataType;
  readonly description?: string | undefined;
  /** Key id, key ARN or alias of a customer key; absent means the service key. */
  readonly encryptionKeyId?: string | undefined;
  readonly tags?: readonly Tag[] | undefined;
  /** A policy document to attach as the `default` policy; absent means the default policy. */
  readonly policy?: string | undefined;
  /** Default `Generic`. */
  readonly secretType?: SecretType | undefined;
  /** ExtendedConfig JSON text. */
  readonly extendedConfig?: string | undefined;
  /** What its rotator binding was authorized against (services/rotation/rotation-authorization.ts). */
  readonly authorizedRotationTarget?: string | null | undefined;
}

/** What a secret created without a value is made of. */
export type EmptySecretInput = Omit<CreateSecretInput, 'versionId' | 'data' | 'dataType'>;

export interface PutSecretValueInput {
  readonly name: string;
  readonly versionId: string;
  readonly data: string;
  readonly dataType: SecretDataType;
  /** Labels for the new version; absent means "make it current". */
  readonly stages?: readonly string[] | undefined;
}

export interface PutSecretValueResult {
  readonly secret: Secret;
  readonly versionId: string;
  readonly stages: string[];
  /** False when the version already existed with the same value (the idempotent re-put). */
  readonly created: boolean;
}

export interface SecretValue {
  readonly secret: Secret;
  readonly version: SecretVersion;
  readonly stages: string[];
  readonly data: string;
}

/** What a read of one secret value asks for (the current version when neither field is given). */
export interface SecretValueSelector {
  readonly name: string;
  readonly versionId?: string | undefined;
  readonly stage?: string | undefined;
}

/** One item of a batch read: the value, or the domain error that item alone ran into. */
export type SecretValueResult =
  { readonly ok: true; readonly value: SecretValue } | { readonly ok: false; readonly error: DomainError };

export class SecretValues {
  readonly #store: Store;
  readonly #keys: KeyService;
  readonly #envelope: SecretEnvelope;
  readonly #clock: Clock;
  readonly #limits: SecretLimits;
  readonly #secrets: SecretTransactions;
  readonly #policyChanged: (secret: Pick<Secret, 'id' | 'name'>) => void;

  constructor(options: SecretValuesOptions) {
    this.#store = options.store;
    this.#keys = options.keys;
    this.#envelope = new SecretEnvelope(options.keys);
    this.#clock = options.clock;
    this.#limits = options.limits;
    this.#secrets = options.transactions;
    this.#policyChanged = options.policyChanged;
  }

  async createSecret(input: CreateSecretInput): Promise<Secret> {
    validateSecretData(input.data, input.dataType);
    return this.#create(input, { versionId: input.versionId, data: input.data, dataType: input.dataType });
  }

  /** A secret with no value yet: no version, no `$current` (the AWS API's CreateSecret without one). */
  async createEmptySecret(input: EmptySecretInput): Promise<Secret> {
    return this.#create(input, undefined);
  }

  async #create(
    input: EmptySecretInput,
    value: { versionId: string; data: string; dataType: SecretDataType } | undefined,
  ): Promise<Secret> {
    const now = this.#clock.now();
    if (input.policy !== undefined) parsePolicyDocument(input.policy);
    const key =
      input.encryptionKeyId === undefined
        ? await this.#keys.serviceKey()
        : await this.#keys.resolve(input.encryptionKeyId);
    // Validate every rule before spending a data key on it.
    const secret = createSecret(
      {
        id: randomUUID(),
        name: input.name,
        description: input.description ?? '',
        encryptionKeyId: key.id,
        tags: input.tags ?? [],
        versionId: value?.versionId,
        dataType: value?.dataType ?? 'text',
        now,
        secretType: input.secretType,
        extendedConfig: input.extendedConfig,
        arnSuffix: newSecretSuffix(),
        authorizedRotationTarget: input.authorizedRotationTarget,
      },
      this.#limits,
    );
    const ciphertext =
      value === undefined
        ? undefined
        : await this.#envelope.seal(
            key,
            { secretId: secret.id, versionId: value.versionId, dataType: value.dataType },
            value.data,
          );
    await this.#store.transaction(async (tx) => {
      const existing = await tx.secrets.getByName(input.name, { forUpdate: true });
      if (existing && isExpired(existing, now)) {
        await tx.secrets.destroy(existing.id);
        this.#policyChanged(existing);
      } else if (existing) {
        assertNotPendingDeletion(existing);
        throw new DomainError('secret_already_exists', `A secret named "${input.name}" already exists.`, {
          resource: input.name,
        });
      }
      await tx.secrets.insert(secret, ciphertext);
      if (input.policy !== undefined) {
        const { policy } = setSecretPolicy(secret, {
          name: DEFAULT_POLICY_NAME,
          document: input.policy,
          now,
        });
        await tx.secrets.savePolicy(policy);
      }
    });
    return secret;
  }

  /**
   * A new version of a Generic secret. The secret is read once before the transaction (the guard checks
   * it there, before anything else is), and once more under the lock to apply the rule to fresh state.
   */
  async putSecretValue(input: PutSecretValueInput, write: CallerWrite = {}): Promise<PutSecretValueResult> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const secret = await this.#secrets.live(input.name);
      if (attempt === 0) {
        if (write.guard) await write.guard(secret);
        if (write.byCaller) assertHandWritable(secret, 'PutSecretValue');
        validateSecretData(input.data, input.dataType);
      }
      assertNotPendingDeletion(secret);
      if (findVersion(secret, input.versionId)) return this.#rePut(secret, input);
      // Check the rules on what we just read, so a bad request costs no encryption.
      putVersion(secret, { ...input, now: this.#clock.now() }, this.#limits);
      const key = await this.#envelope.keyOf(secret);
      const ciphertext = await this.#envelope.seal(
        key,
        { secretId: secret.id, versionId: input.versionId, dataType: input.dataType },
        input.data,
      );
      const result = await this.#store.transaction(async (tx) => {
        const fresh = await this.#secrets.live(input.name, tx, true);
        // Replaced meanwhile (deleted and re-created) or the version appeared: start over on the new state.
        if (fresh.id !== secret.id || findVersion(fresh, input.versionId)) return undefined;
        const change = putVersion(fresh, { ...input, now: this.#clock.now() }, this.#limits);
        await tx.secrets.save(change.secret, {
          added: { versionId: input.versionId, ciphertext },
          evicted: change.evicted,
        });
        return change.secret;
      });
      if (result) {
        return {
          secret: result,
          versionId: input.versionId,
          stages: stagesOf(result, input.versionId),
          created: true,
        };
      }
    }
    throw new DomainError('unavailable', 'The secret is changing too quickly; try again.');
  }

  /** Same id again: success without change if the value is the same, a conflict otherwise (docs/behaviour.md rule 2). */
  async #rePut(secret: Secret, input: PutSecretValueInput): Promise<PutSecretValueResult> {
    const stored = await this.#read(secret, resolveVersion(secret, { versionId: input.versionId }));
    const same = stored.version.dataType === input.dataType && constantTimeEqual(stored.data, input.data);
    if (!same) {
      throw new DomainError(
        'secret_version_conflict',
        `The version "${input.versionId}" of the secret "${secret.name}" already exists with a different value.`,
        { resource: input.versionId },
      );
    }
    return { secret, versionId: input.versionId, stages: stored.stages, created: false };
  }

  async getSecretValue(input: SecretValueSelector, guard?: SecretGuard): Promise<SecretValue> {
    const secret = await this.#secrets.live(input.name);
    if (guard) await guard(secret);
    assertNotPendingDeletion(secret);
    return this.#read(secret, resolveVersion(secret, input));
  }

  /**
   * Reads several values, each on its own: one item's domain error (not found, pending deletion, a
   * disabled key) is that item's result and does not fail the others. Results keep the request order.
   */
  async getSecretValues(
    selectors: readonly SecretValueSelector[],
    guard?: SecretGuard,
  ): Promise<SecretValueResult[]> {
    const results: SecretValueResult[] = [];
    for (const selector of selectors) {
      try {
        results.push({ ok: true, value: await this.getSecretValue(selector, guard) });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        results.push({ ok: false, error });
      }
    }
    return results;
  }

  async #read(secret: Secret, version: SecretVersion): Promise<SecretValue> {
    const ciphertext = await this.#store.secrets.getCiphertext(secret.id, version.versionId);
    if (!ciphertext) {
      // Evicted between reading the secret and reading its ciphertext.
      throw new DomainError(
        'secret_version_not_found',
        `The secret "${secret.name}" has no version "${version.versionId}".`,
        {
          resource: version.versionId,
        },
      );
    }
    const binding = { secretId: secret.id, versionId: version.versionId, dataType: version.dataType };
    const data = await this.#envelope.open(binding, ciphertext);
    return { secret, version, stages: stagesOf(secret, version.versionId), data };
  }
}
