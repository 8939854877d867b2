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
import { MetricsServer, PrometheusMetrics } from './http/metrics.js';
import { createHttpServer } from './http/server.js';
import type { HttpServer } from './http/server.js';
import type { TlsMaterial } from './http/tls.js';
import { isLoopbackHost, loadTlsMaterial } from './http/tls.js';
import { createLogger } from './logging/logger.js';
import { alibabaRpcPlugin } from './protocols/alibaba/plugin.js';
import { ALIBABA_REFUSALS } from './protocols/alibaba/refusals.js';
import { awsPlugin } from './protocols/aws/plugin.js';
import { webConsole } from './protocols/console/index.js';
import { ConsoleLoginService } from './services/console-login-service.js';
import { OperationPipeline } from './services/operations/pipeline.js';
import { AccessKeyService } from './services/access-key-service.js';
import { AuditService } from './services/audit-service.js';
import { DatabaseInstanceService } from './services/database-instance-service.js';
import type { ChangeFeed } from './services/change-feed.js';
import type { Clock } from './services/clock.js';
import { systemClock } from './services/clock.js';
import { IdentityService } from './services/identity-service.js';
import { newAccountId } from './services/ids.js';
import { DataKeyRewrap } from './services/data-key-rewrap.js';
import { KeyRotationPass } from './services/key-rotation-pass.js';
import { KeyService } from './services/key-service.js';
import type { MetricsRecorder } from './services/metrics.js';
import { NO_METRICS } from './services/metrics.js';
import { instrumentStore } from './services/instrumented-store.js';
import { Readiness } from './services/readiness.js';
import { SecretService } from './services/secret-service.js';
import { SecretPolicyCache } from './services/secret-policy-cache.js';
import { PagingTokens } from './services/paging-tokens.js';
import { PasswordService } from './services/password-service.js';
import { ReplayGuard } from './services/replay-guard.js';
import type { HostResolver } from './rotators/webhook-address-guard.js';
import type { InstanceIdentity, Services } from './services/services.js';
import { createRotation } from './rotation-wiring.js';
import { openChangeFeed, withCachedSecrets } from './change-feed-wiring.js';
import type { DataFolderLock } from './storage/data-folder-lock.js';
import { DataFolderLockedError, lockDataFolder } from './storage/data-folder-lock.js';
import { openPostgresStore } from './storage/postgres.js';
import { openSqliteStore } from './storage/sqlite.js';
import type { Store } from './storage/store.js';

export const DATABASE_FILE = 'tessera.db';
/** The sealed audit chain head, beside the data (docs/audit.md). */
export const AUDIT_HEAD_FILE = 'audit-head';
/** How often expired secrets and keys are destroyed; reads treat them as gone as soon as they expire. */
const SWEEP_INTERVAL_MS = 60_000;

export type { InstanceIdentity, Services } from './services/services.js';

export interface Tessera {
  readonly config: Config;
  readonly logger: Logger;
  readonly identity: InstanceIdentity;
  readonly services: Services;
  /** The operation pipeline every protocol runs its requests through (services/operations/). */
  readonly pipeline: OperationPipeline;
  readonly http: HttpServer;
  /** How this node's caches hear of other nodes' changes (PostgreSQL), and tell theirs (docs/caching.md). */
  readonly changeFeed: ChangeFeed;
  /** Starts listening; resolves to the base URL (`http://host:port`, or `https://` with TLS). */
  listen(): Promise<string>;
  /** Where `/metrics` is served once listening (`TESSERA_METRICS_ADDRESS`); undefined without it. */
  metricsUrl(): string | undefined;
  /** Stops taking requests, lets in-flight ones finish (up to the shutdown timeout), closes storage. */
  close(): Promise<void>;
}

export interface TesseraOptions {
  readonly config: Config;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** How rotation webhook host names are resolved (default: the system resolver); tests inject one. */
  readonly resolveHost?: HostResolver;
}

export class StartupError extends Error {
  override name = 'StartupError';
}

export async function createTessera(options: TesseraOptions): Promise<Tessera> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // A SQLite data folder has one server; several nodes share a PostgreSQL database instead.
  const lock = config.databaseUrl === undefined ? takeDataFolderLock(config.dataDir) : undefined;
  try {
    return await startTessera(options, logger, clock, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

function takeDataFolderLock(dataDir: string): DataFolderLock {
  try {
    return lockDataFolder(dataDir, 'server');
  } catch (error) {
    if (error instanceof DataFolderLockedError) {
      throw new StartupError(`${error.message} Stop it first; one server serves a SQLite data folder.`);
    }
    throw error;
  }
}

async function startTessera(
  options: TesseraOptions,
  logger: Logger,
  clock: Clock,
  lock: DataFolderLock | undefined,
): Promise<Tessera> {
  const { config } = options;
  // Metrics only when someone may read them: without TESSERA_METRICS_ADDRESS nothing is counted.
  const prometheus = config.metricsAddress === undefined ? undefined : new PrometheusMetrics();
  const metrics: MetricsRecorder = prometheus ?? NO_METRICS;
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

  let tls: TlsMaterial | undefined;
  try {
    tls = config.tls && loadTlsMaterial(config.tls);
  } catch (error) {
    throw new StartupError(`Cannot set up HTTPS: ${(error as Error).message}.`);
  }

  const openedStore =
    config.databaseUrl === undefined
      ? await openSqliteStore({
          path: join(config.dataDir, DATABASE_FILE),
          listingCacheEntries: config.listingCacheEntries,
        })
      : await openPostgresStore({ connectionString: config.databaseUrl });
  const countedStore = prometheus ? instrumentStore(openedStore, prometheus) : openedStore;
  // Each cache forgets what this node changes once it has committed; other nodes sharing a PostgreSQL
  // database hear of it through the feed, within its staleness bound (docs/caching.md).
  let changeFeed: ChangeFeed;
  try {
    changeFeed = await openChangeFeed(config, logger);
  } catch (error) {
    await countedStore.close();
    throw new StartupError(`Cannot open the change feed: ${(error as Error).message}.`);
  }
  const store = withCachedSecrets(countedStore, config, changeFeed, metrics);
  try {
    const identity = await prepareInstance(store, rootKey.key, config);
    const keys = new KeyService({ store, rootKey: rootKey.key, clock, changes: changeFeed, metrics });
    const secretPolicies = new SecretPolicyCache({ store, changes: changeFeed, metrics });
    const secrets = new SecretService({
      store,
      keys,
      clock,
      limits: { ...DEFAULT_SECRET_LIMITS, maxVersions: config.maxSecretVersions },
      policyChanged: (secret) => {
        secretPolicies.forget(secret);
      },
    });
    const accessKeys = new AccessKeyService({
      store,
      rootKey: rootKey.key,
      clock,
      changes: changeFeed,
      metrics,
    });
    const identities = new IdentityService({ store, clock, accessKeys, changes: changeFeed, metrics });
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

    const consoleLogins = new ConsoleLoginService({ store, clock, rootKey: rootKey.key });
    const consolePassword = await consoleLogins.ensureBootstrapPassword(
      config.rootConsolePassword,
      config.dataDir,
    );
    if (consolePassword.source === 'generated') {
      logger.warn(
        { file: consolePassword.file },
        "created the administrator's first console password; it is in the file (mode 0600)",
      );
    }

    // Nonces accepted before a restart are refused again after it (docs/permissions.md, "Replay").
    const replayGuard = new ReplayGuard({ store, clock });
    const restoredNonces = await replayGuard.load();
    if (restoredNonces > 0)
      logger.info({ nonces: restoredNonces }, 'restored signature nonces still in the window');

    let audit: AuditService;
    try {
      audit = new AuditService({
        store,
        rootKey: rootKey.key,
        streamFile: config.auditFile,
        metrics,
        onStreamError: (error) => {
          logger.error({ err: error, file: config.auditFile }, 'writing the audit JSON-lines file failed');
        },
        readEventDurability: config.auditReadDurability,
        headFile: join(config.dataDir, AUDIT_HEAD_FILE),
        companion: replayGuard,
        onIntegrity: (level, message, details) => {
          logger[level](details, message);
        },
      });
    } catch (error) {
      throw new StartupError(`Cannot open the audit files: ${(error as Error).message}.`);
    }
    await audit.recover();
    if (config.auditReadDurability === 'relaxed') {
      logger.warn(
        'reads are answered once their audit event is committed, before it is fsynced: a power cut can lose the last moments of read events (TESSERA_AUDIT_READ_DURABILITY=relaxed, docs/audit.md)',
      );
    }

    let closing = false;
    const readiness = new Readiness({
      store,
      clock,
      onFailure: (check, error) => {
        logger.warn({ err: error, check }, 'readiness probe failed');
      },
    });
    const http = createHttpServer({
      logger,
      ready: async () => {
        if (closing) return { ready: false, checks: {} };
        return readiness.check();
      },
      requestMetrics: prometheus,
      closing: () => closing,
      tls,
      refusals: ALIBABA_REFUSALS,
    });
    const passwords = new PasswordService();
    const databases = new DatabaseInstanceService({ store, secrets, clock });
    const rotationParts = createRotation({
      config,
      logger,
      clock,
      store,
      secrets,
      passwords,
      rootKey: rootKey.key,
      databases,
      audit,
      resolveHost: options.resolveHost,
      metrics,
      passes: [() => keyRotation.run()],
    });
    const keyRotation = new KeyRotationPass({ keys, logger, metrics });
    const dataKeyRewrap = new DataKeyRewrap({
      store,
      keys,
      metrics,
      onFailure: (error) => {
        logger.error(
          { err: error },
          're-wrapping a data key failed; it still opens under its old key version',
        );
      },
    });
    const services: Services = {
      keyRotation,
      dataKeyRewrap,
      secrets,
      keys,
      accessKeys,
      passwords,
      audit,
      secretPolicies,
      identities,
      databases,
      pagingTokens: new PagingTokens({ rootKey: rootKey.key }),
      replayGuard,
      consoleLogins,
      ...rotationParts,
    };
    // Every protocol runs its operations through the one pipeline: access decisions and the audit trail.
    const pipeline = new OperationPipeline({ services, identity, clock, policies: identities });
    await http.register(
      alibabaRpcPlugin({
        services,
        pipeline,
        identity,
        clock,
        serviceKeyId: serviceKey.id,
        rateLimit: { ratePerSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst },
      }),
    );
    await http.register(
      awsPlugin({
        services,
        pipeline,
        identity,
        clock,
        serviceKeyId: serviceKey.id,
        rateLimit: { ratePerSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst },
      }),
    );
    await http.register(
      webConsole({
        logins: consoleLogins,
        pipeline,
        serviceKeyId: serviceKey.id,
        clock,
        secure: tls !== undefined,
      }),
    );

    const sweep = async () => {
      try {
        await consoleLogins.sweep();
        const purged = (await secrets.purgeExpired()) + (await keys.purgeExpired());
        if (purged > 0) logger.info({ purged }, 'destroyed secrets and keys whose deletion window ended');
      } catch (error) {
        logger.error({ err: error }, 'purging expired secrets and keys failed; will retry');
      }
    };
    const sweeper = setInterval(() => void sweep(), SWEEP_INTERVAL_MS);
    sweeper.unref();
    await sweep();
    rotationParts.rotationScheduler.start();
    const metricsServer = prometheus && new MetricsServer(prometheus);

    return {
      config,
      logger,
      identity,
      services,
      pipeline,
      http,
      changeFeed,
      async listen() {
        const address = await http.listen({ host: config.host, port: config.port });
        if (!tls && !isLoopbackHost(config.host)) {
          logger.warn(
            { host: config.host, address },
            'serving plain HTTP on an address other hosts can reach: secret values and signed requests cross the network unencrypted; set TESSERA_TLS_CERT_FILE and TESSERA_TLS_KEY_FILE, or listen on 127.0.0.1 behind a TLS-terminating proxy',
          );
        }
        if (metricsServer && config.metricsAddress) {
          const metricsUrl = await metricsServer.listen(config.metricsAddress);
          logger.info({ address: metricsUrl }, 'serving Prometheus metrics');
        }
        return address;
      },
      metricsUrl: () => metricsServer?.url,
      async close() {
        if (closing) return;
        closing = true;
        clearInterval(sweeper);
        await rotationParts.rotationScheduler.stop();
        const timer = setTimeout(() => {
          logger.warn('shutdown timeout reached; closing the remaining connections');
          http.server.closeAllConnections();
        }, config.shutdownTimeoutMs);
        try {
          await http.close();
        } finally {
          clearTimeout(timer);
          await metricsServer?.close();
          await rotationParts.rotation.settle();
          await audit.close();
          await store.close();
          await changeFeed.close();
          lock?.release();
        }
      },
    };
  } catch (error) {
    await changeFeed.close();
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
