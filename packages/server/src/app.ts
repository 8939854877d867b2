/**
 * The composition root: config → root key → storage → services → HTTP. Everything is built by hand here
 * (no container), so the whole dependency graph reads top to bottom in one function.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { loadRootKey, makeRootKeyCheck, rootKeyMatches } from './crypto/root-key.js';
import { DEFAULT_SECRET_LIMITS } from './domain/secret.js';
import { createHttpServer } from './http/server.js';
import type { HttpServer } from './http/server.js';
import { createLogger } from './logging/logger.js';
import { alibabaRpcPlugin } from './protocols/alibaba/plugin.js';
import { AccessKeyService } from './services/access-key-service.js';
import { AuditService } from './services/audit-service.js';
import type { Clock } from './services/clock.js';
import { systemClock } from './services/clock.js';
import { IdentityService } from './services/identity-service.js';
import { newAccountId } from './services/ids.js';
import { KeyService } from './services/key-service.js';
import { SecretService } from './services/secret-service.js';
import { SecretPolicyCache } from './services/secret-policy-cache.js';
import { PasswordService } from './services/password-service.js';
import type { InstanceIdentity, Services } from './services/services.js';
import { openSqliteStore } from './storage/sqlite.js';
import type { Store } from './storage/store.js';

export const DATABASE_FILE = 'tessera.db';
/** How often expired secrets and keys are destroyed; reads treat them as gone as soon as they expire. */
const SWEEP_INTERVAL_MS = 60_000;

export type { InstanceIdentity, Services } from './services/services.js';

export interface Tessera {
  readonly config: Config;
  readonly logger: Logger;
  readonly identity: InstanceIdentity;
  readonly services: Services;
  readonly http: HttpServer;
  /** Starts listening; resolves to the base URL (`http://host:port`). */
  listen(): Promise<string>;
  /** Stops taking requests, lets in-flight ones finish (up to the shutdown timeout), closes storage. */
  close(): Promise<void>;
}

export interface TesseraOptions {
  readonly config: Config;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export class StartupError extends Error {
  override name = 'StartupError';
}

export async function createTessera(options: TesseraOptions): Promise<Tessera> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  let rootKey;
  try {
    rootKey = loadRootKey({
      fromEnvironment: config.rootKey,
      file: config.rootKeyFile,
      generateIfMissing: config.generateRootKey,
    });
  } catch (error) {
    throw new StartupError(`Cannot load the root key: ${(error as Error).message}.`);
  }
  if (rootKey.source === 'generated') {
    logger.warn(
      { file: config.rootKeyFile },
      'generated a new root key in the data folder; production should supply its own (TESSERA_ROOT_KEY or TESSERA_ROOT_KEY_FILE) and keep it apart from the data',
    );
  }

  const store = await openSqliteStore({ path: join(config.dataDir, DATABASE_FILE) });
  try {
    const identity = await prepareInstance(store, rootKey.key, config);
    const keys = new KeyService({ store, rootKey: rootKey.key, clock });
    const secretPolicies = new SecretPolicyCache({ store });
    const secrets = new SecretService({
      store,
      keys,
      clock,
      limits: { ...DEFAULT_SECRET_LIMITS, maxVersions: config.maxSecretVersions },
      policyChanged: (secretId) => {
        secretPolicies.forget(secretId);
      },
    });
    const accessKeys = new AccessKeyService({ store, rootKey: rootKey.key, clock });
    const identities = new IdentityService({ store, clock, accessKeys });
    await identities.ensureAdministrator();
    const serviceKey = await keys.ensureServiceKey();
    const bootstrap = await accessKeys.ensureBootstrap(config.rootAccessKey, config.dataDir);
    if (bootstrap.source === 'generated') {
      logger.warn(
        { accessKeyId: bootstrap.accessKeyId, file: bootstrap.credentialsFile },
        'created the bootstrap administrator access key; its secret is in the credentials file (mode 0600)',
      );
    } else {
      logger.info(
        { accessKeyId: bootstrap.accessKeyId, source: bootstrap.source },
        'bootstrap administrator access key',
      );
    }

    let audit: AuditService;
    try {
      audit = new AuditService({
        store,
        rootKey: rootKey.key,
        streamFile: config.auditFile,
        onStreamError: (error) => {
          logger.error({ err: error, file: config.auditFile }, 'writing the audit JSON-lines file failed');
        },
      });
    } catch (error) {
      throw new StartupError(
        `Cannot open the audit file ${config.auditFile ?? ''}: ${(error as Error).message}.`,
      );
    }

    let closing = false;
    const http = createHttpServer({
      logger,
      ready: async () => !closing && (await store.meta.get('account_id')) !== undefined,
      closing: () => closing,
    });
    const services: Services = {
      secrets,
      keys,
      accessKeys,
      passwords: new PasswordService(),
      audit,
      secretPolicies,
      identities,
    };
    await http.register(
      alibabaRpcPlugin({ services, identity, clock, serviceKeyId: serviceKey.id, policies: identities }),
    );

    const sweep = async () => {
      try {
        const purged = (await secrets.purgeExpired()) + (await keys.purgeExpired());
        if (purged > 0) logger.info({ purged }, 'destroyed secrets and keys whose deletion window ended');
      } catch (error) {
        logger.error({ err: error }, 'purging expired secrets and keys failed; will retry');
      }
    };
    const sweeper = setInterval(() => void sweep(), SWEEP_INTERVAL_MS);
    sweeper.unref();
    await sweep();

    return {
      config,
      logger,
      identity,
      services,
      http,
      async listen() {
        const address = await http.listen({ host: config.host, port: config.port });
        return address;
      },
      async close() {
        if (closing) return;
        closing = true;
        clearInterval(sweeper);
        const timer = setTimeout(() => {
          logger.warn('shutdown timeout reached; closing the remaining connections');
          http.server.closeAllConnections();
        }, config.shutdownTimeoutMs);
        try {
          await http.close();
        } finally {
          clearTimeout(timer);
          await audit.close();
          await store.close();
        }
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Checks the root key against this data folder and fixes the instance's account id on first start. */
async function prepareInstance(store: Store, rootKey: Buffer, config: Config): Promise<InstanceIdentity> {
  const check = await store.meta.get('root_key_check');
  if (check === undefined) {
    await store.meta.set('root_key_check', makeRootKeyCheck(rootKey));
  } else if (!rootKeyMatches(rootKey, check)) {
    throw new StartupError(
      `The root key does not match the data in ${config.dataDir}: it was encrypted under another root key.`,
    );
  }
  let accountId = await store.meta.get('account_id');
  if (accountId === undefined) {
    accountId = newAccountId();
    await store.meta.set('account_id', accountId);
  }
  return { region: config.region, accountId };
}
