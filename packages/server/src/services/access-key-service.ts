/**
 * Access keys: the credentials that sign API requests. Signature checks need the secret itself (HMAC),
 * so secrets are sealed under the root key rather than hashed, and opened only to verify a request.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constantTimeEqual } from '../crypto/compare.js';
import { openAccessKeySecret, sealAccessKeySecret } from '../crypto/envelope.js';
import type { AccessKeyRecord, AccessKeyStatus, Store } from '../storage/store.js';
import type { Clock } from './clock.js';
import { newAccessKeyId, newAccessKeySecret } from './ids.js';

/** The built-in administrator, who exists from the first start. */
export const ADMINISTRATOR = 'administrator';
export const BOOTSTRAP_CREDENTIALS_FILE = 'bootstrap-credentials.json';

export interface ResolvedAccessKey {
  readonly id: string;
  readonly userName: string;
  readonly status: AccessKeyStatus;
  readonly secret: string;
}

export type BootstrapOutcome =
  | { readonly source: 'environment' | 'existing'; readonly accessKeyId: string }
  | { readonly source: 'generated'; readonly accessKeyId: string; readonly credentialsFile: string };

export class AccessKeyService {
  readonly #store: Store;
  readonly #rootKey: Uint8Array;
  readonly #clock: Clock;

  constructor(options: { store: Store; rootKey: Uint8Array; clock: Clock }) {
    this.#store = options.store;
    this.#rootKey = options.rootKey;
    this.#clock = options.clock;
  }

  /**
   * Makes sure the administrator can sign in: with the key pair from the environment when given (created
   * or updated to match), else with the one already stored, else with a new pair written to
   * `<dataDir>/bootstrap-credentials.json` (mode 0600). Only the id is ever logged by callers.
   */
  async ensureBootstrap(
    fromEnvironment: { readonly id: string; readonly secret: string } | undefined,
    dataDir: string,
  ): Promise<BootstrapOutcome> {
    if (fromEnvironment) {
      const existing = await this.resolve(fromEnvironment.id);
      const matches =
        existing?.userName === ADMINISTRATOR &&
        existing.status === 'active' &&
        constantTimeEqual(existing.secret, fromEnvironment.secret);
      if (!matches) await this.#put(fromEnvironment.id, ADMINISTRATOR, fromEnvironment.secret);
      return { source: 'environment', accessKeyId: fromEnvironment.id };
    }
    const active = (await this.#store.accessKeys.listForUser(ADMINISTRATOR)).find(
      (k) => k.status === 'active',
    );
    if (active) return { source: 'existing', accessKeyId: active.id };
    const id = newAccessKeyId();
    const secret = newAccessKeySecret();
    const credentialsFile = join(dataDir, BOOTSTRAP_CREDENTIALS_FILE);
    const document = {
      AccessKeyId: id,
      AccessKeySecret: secret,
      UserName: ADMINISTRATOR,
      Note: 'Bootstrap administrator key. Store it somewhere safe, then delete this file.',
    };
    // Always a new file: one already there keeps its own mode while the secret is written, and a link
    // in its place would carry the secret wherever it points. `wx` refuses to follow or reuse either.
    // Store the key first: a credentials file must never name a key that does not exist.
    await this.#put(id, ADMINISTRATOR, secret);
    rmSync(credentialsFile, { force: true });
    writeFileSync(credentialsFile, JSON.stringify(document, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    return { source: 'generated', accessKeyId: id, credentialsFile };
  }

  /** Creates a new active key for a user; the only time its secret is returned. */
  async create(userName: string): Promise<{ readonly id: string; readonly secret: string }> {
    const id = newAccessKeyId();
    const secret = newAccessKeySecret();
    await this.#put(id, userName, secret);
    return { id, secret };
  }

  /** Activates or deactivates a key; an inactive key's requests are refused. Unknown id → false. */
  async setStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean> {
    return this.#store.transaction(async (tx) => {
      const record = await tx.accessKeys.get(accessKeyId);
      if (!record) return false;
      if (record.status !== status) await tx.accessKeys.put({ ...record, status });
      return true;
    });
  }

  /** The key with its secret opened, for signature verification; undefined when unknown. */
  async resolve(accessKeyId: string): Promise<ResolvedAccessKey | undefined> {
    const record = await this.#store.accessKeys.get(accessKeyId);
    if (!record) return undefined;
    return {
      id: record.id,
      userName: record.userName,
      status: record.status,
      secret: openAccessKeySecret(this.#rootKey, record.id, record.encryptedSecret),
    };
  }

  async #put(id: string, userName: string, secret: string): Promise<void> {
    const record: AccessKeyRecord = {
      id,
      userName,
      status: 'active',
      encryptedSecret: sealAccessKeySecret(this.#rootKey, id, secret),
      createdAt: this.#clock.now(),
    };
    await this.#store.accessKeys.put(record);
  }
}
