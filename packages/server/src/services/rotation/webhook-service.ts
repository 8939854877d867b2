/**
 * Rotation webhooks: registering the endpoints that rotate Generic secrets, and the resolver that binds
 * a Generic secret to one through its ExtendedConfig `{"RotationWebhook": "<name>"}` (docs/rotation.md).
 *
 * The signing key is generated here, shown once (in the answer that creates the webhook) and stored
 * sealed under the root key, like access-key secrets. A URL whose host is not an address webhooks may
 * call is refused here, and again by the rotator on every call (`rotators/webhook-address-guard.ts`).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { openWebhookSigningKey, sealWebhookSigningKey } from '../../crypto/envelope.js';
import { DomainError, invalidArgument } from '../../domain/errors.js';
import type { EpochMs } from '../../domain/secret.js';
import { parseExtendedConfig } from '../../domain/secret.js';
import type { WebhookAddressGuard } from '../../rotators/webhook-address-guard.js';
import {
  AddressRefusedError,
  ALLOWED_NETWORKS_SETTING,
  hostOf,
} from '../../rotators/webhook-address-guard.js';
import type { RotationWebhookRecord, Store } from '../../storage/store.js';
import type { Clock } from '../clock.js';
import type { PasswordService } from '../password-service.js';
import type {
  RotationStep,
  RotationTarget,
  Rotator,
  RotatorResolver,
  WebhookRotatorFactory,
} from './rotator.js';
import { RotationStepError, unauthorizedTargetError, webhookTargetFingerprint } from './rotator.js';

/** The ExtendedConfig member that names a Generic secret's webhook. */
export const WEBHOOK_CONFIG_KEY = 'RotationWebhook';
/** The ExtendedConfig member with the length of passwords Tessera makes when the webhook makes none. */
export const PASSWORD_LENGTH_CONFIG_KEY = 'PasswordLength';
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const MAX_WEBHOOK_TIMEOUT_MS = 60_000;

const WEBHOOK_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_URL_LENGTH = 2048;
const SIGNING_KEY_BYTES = 32;

export interface RotationWebhook {
  readonly name: string;
  readonly url: string;
  readonly timeoutMs: number;
  readonly createdAt: EpochMs;
}

export interface CreatedWebhook extends RotationWebhook {
  /** Base64; returned this once and never again. */
  readonly signingKey: string;
}

export class RotationWebhookService implements RotatorResolver {
  readonly #store: Store;
  readonly #rootKey: Uint8Array;
  readonly #clock: Clock;
  readonly #passwords: PasswordService;
  readonly #webhookRotator: WebhookRotatorFactory;
  readonly #guard: WebhookAddressGuard;
  readonly #logger: Logger;

  constructor(options: {
    store: Store;
    rootKey: Uint8Array;
    clock: Clock;
    passwords: PasswordService;
    /** The outbound adapter (rotators/webhook-rotator.ts), wired in app.ts. */
    webhookRotator: WebhookRotatorFactory;
    guard: WebhookAddressGuard;
    logger: Logger;
  }) {
    this.#store = options.store;
    this.#rootKey = options.rootKey;
    this.#clock = options.clock;
    this.#passwords = options.passwords;
    this.#webhookRotator = options.webhookRotator;
    this.#guard = options.guard;
    this.#logger = options.logger;
  }

  async create(input: {
    name: string;
    url: string;
    timeoutMs?: number | undefined;
  }): Promise<CreatedWebhook> {
    if (!WEBHOOK_NAME.test(input.name)) {
      throw invalidArgument('webhookName', 'A webhook name is 1 to 64 letters, digits and _ . -.');
    }
    await this.#assertAllowedAddress(input.name, validateUrl(input.url));
    const timeoutMs = input.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1000 || timeoutMs > MAX_WEBHOOK_TIMEOUT_MS) {
      throw invalidArgument('webhookTimeout', 'A webhook timeout is 1 to 60 seconds.');
    }
    const key = randomBytes(SIGNING_KEY_BYTES);
    const record: RotationWebhookRecord = {
      name: input.name,
      url: input.url,
      encryptedSigningKey: sealWebhookSigningKey(this.#rootKey, input.name, key),
      timeoutMs,
      createdAt: this.#clock.now(),
    };
    await this.#store.rotationWebhooks.insert(record);
    return { ...publicView(record), signingKey: key.toString('base64') };
  }

  /** The caller learns that the host is refused and how to fix it; which address and why goes to the log. */
  async #assertAllowedAddress(name: string, url: URL): Promise<void> {
    try {
      await this.#guard.assertUrlAllowed(url);
    } catch (error) {
      if (!(error instanceof AddressRefusedError)) throw error;
      this.#logger.warn({ webhookName: name, ...error.detail }, 'rotation webhook URL refused');
      const host = hostOf(url);
      const literal = error.detail.addresses.length === 1 && error.detail.addresses[0]?.address === host;
      const what = literal
        ? `The webhook URL's address ${host} is ${error.detail.addresses[0]?.addressClass ?? 'reserved'}`
        : `The webhook URL's host "${host}" must resolve to public addresses only`;
      throw invalidArgument(
        'webhookUrl',
        `${what}: Tessera calls public addresses, and loopback, private or link-local ones only in ` +
          `networks an operator lists in ${ALLOWED_NETWORKS_SETTING}.`,
      );
    }
  }

  async list(): Promise<RotationWebhook[]> {
    return (await this.#store.rotationWebhooks.list()).map(publicView);
  }

  async get(name: string): Promise<RotationWebhook> {
    return publicView(await this.#record(name));
  }

  /**
   * Removes a webhook no secret names. Secrets bind by name, so a webhook re-created under the name
   * with another URL would otherwise silently receive their values (secrets pending deletion count:
   * they may be restored). Rotators also refuse a re-created one (`webhookTargetFingerprint`).
   */
  async delete(name: string): Promise<void> {
    await this.#record(name);
    const users = await this.#secretsBoundTo(name);
    if (users.length > 0) {
      const named = users.slice(0, 5).map((secret) => `"${secret}"`);
      const more = users.length > 5 ? ` and ${users.length - 5} more` : '';
      throw new DomainError(
        'rotation_webhook_in_use',
        `The rotation webhook "${name}" is bound to the secret${users.length === 1 ? '' : 's'} ${named.join(', ')}${more}; change their ExtendedConfig or delete them first.`,
        { resource: name },
      );
    }
    if (!(await this.#store.rotationWebhooks.delete(name))) throw notFound(name);
  }

  /** Names of the Generic secrets whose ExtendedConfig names the webhook. */
  async #secretsBoundTo(name: string): Promise<string[]> {
    const names: string[] = [];
    const pageSize = 100;
    for (let offset = 0; ; offset += pageSize) {
      const page = await this.#store.secrets.list({ secretTypes: ['Generic'], offset, limit: pageSize });
      for (const secret of page.items) {
        if (secret.extendedConfig === null) continue;
        const bound = {
          secretType: secret.secretType,
          extendedConfig: parseExtendedConfig(secret.extendedConfig),
        };
        if (webhookNameOf(bound) === name) names.push(secret.name);
      }
      if (page.items.length < pageSize) return names;
    }
  }

  /** Generic secrets whose ExtendedConfig names a webhook; whether it exists is checked when a step runs. */
  rotatorFor(target: RotationTarget): Rotator | undefined {
    const name = webhookNameOf(target);
    return name === undefined ? undefined : new LazyWebhookRotator(name, (n) => this.#rotator(n, target));
  }

  /** Checks that the webhook a secret names exists (so binding mistakes fail when made, not at rotation). */
  async assertBound(target: RotationTarget): Promise<void> {
    const name = webhookNameOf(target);
    if (name !== undefined) await this.#record(name);
  }

  async #rotator(name: string, target: RotationTarget): Promise<Rotator> {
    const record = await this.#store.rotationWebhooks.get(name);
    if (!record) {
      throw new RotationStepError(`The rotation webhook "${name}" is not registered.`, { retryable: false });
    }
    // A webhook deleted and registered again under the name (another URL) is not the one authorized.
    if (target.authorizedTarget !== webhookTargetFingerprint(record)) {
      throw unauthorizedTargetError(`The rotation webhook "${name}"`);
    }
    const signingKey = openWebhookSigningKey(this.#rootKey, name, record.encryptedSigningKey);
    const length = target.extendedConfig?.[PASSWORD_LENGTH_CONFIG_KEY];
    return this.#webhookRotator({
      endpoint: { name, url: record.url, signingKey, timeoutMs: record.timeoutMs },
      now: () => this.#clock.now(),
      guard: this.#guard,
      // Letters and digits only: safe in connection strings, shells and SQL without quoting.
      generateValue: () =>
        this.#passwords.generate({
          length: typeof length === 'number' ? length : undefined,
          exclude: ['punctuation'],
        }),
    });
  }

  async #record(name: string): Promise<RotationWebhookRecord> {
    const record = await this.#store.rotationWebhooks.get(name);
    if (!record) throw notFound(name);
    return record;
  }
}

function webhookNameOf(target: Pick<RotationTarget, 'secretType' | 'extendedConfig'>): string | undefined {
  if (target.secretType !== 'Generic') return undefined;
  const name = target.extendedConfig?.[WEBHOOK_CONFIG_KEY];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function notFound(name: string): DomainError {
  return new DomainError('rotation_webhook_not_found', `No rotation webhook is named "${name}".`, {
    resource: name,
  });
}

function publicView(record: RotationWebhookRecord): RotationWebhook {
  return { name: record.name, url: record.url, timeoutMs: record.timeoutMs, createdAt: record.createdAt };
}

function validateUrl(url: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = url.length <= MAX_URL_LENGTH ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw invalidArgument('webhookUrl', 'A webhook URL is an absolute http:// or https:// URL.');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalidArgument(
      'webhookUrl',
      'A webhook URL carries no user name or password; requests are signed.',
    );
  }
  return parsed;
}

/** Looks the webhook up at each step, so a re-registered endpoint takes effect at the next retry. */
class LazyWebhookRotator implements Rotator {
  readonly #name: string;
  readonly #load: (name: string) => Promise<Rotator>;

  constructor(name: string, load: (name: string) => Promise<Rotator>) {
    this.#name = name;
    this.#load = load;
  }

  async createValue(step: RotationStep): Promise<string> {
    return (await this.#load(this.#name)).createValue(step);
  }

  async setValue(step: RotationStep & { readonly pendingValue: string }): Promise<void> {
    await (await this.#load(this.#name)).setValue(step);
  }

  async testValue(step: RotationStep & { readonly pendingValue: string }): Promise<void> {
    await (await this.#load(this.#name)).testValue(step);
  }

  async finish(step: RotationStep & { readonly pendingValue: string }): Promise<void> {
    await (await this.#load(this.#name)).finish(step);
  }
}
