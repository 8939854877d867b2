/**
 * The composition root's rotation part (app.ts calls it): the resolvers that pick a secret's rotator
 * (webhooks for Generic secrets, database rotators for Rds secrets), the engine, the service, the
 * schedule, and the rule for who may steer a rotator.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { DEFAULT_SECRET_LIMITS } from './domain/secret.js';
import { RdsRotatorResolver } from './rotators/database-rotator.js';
import { MysqlDriver } from './rotators/mysql-rotator.js';
import { PostgresDriver } from './rotators/postgres-rotator.js';
import type { HostResolver } from './rotators/webhook-address-guard.js';
import { WebhookAddressGuard } from './rotators/webhook-address-guard.js';
import { WebhookRotator } from './rotators/webhook-rotator.js';
import type { AuditService } from './services/audit-service.js';
import type { Clock } from './services/clock.js';
import type { DatabaseInstanceService } from './services/database-instance-service.js';
import type { MetricsRecorder } from './services/metrics.js';
import type { PasswordService } from './services/password-service.js';
import { composeResolvers } from './services/rotation/resolvers.js';
import { RotationAuthorization } from './services/rotation/rotation-authorization.js';
import { RotationEngine } from './services/rotation/rotation-engine.js';
import { RotationService } from './services/rotation/rotation-service.js';
import type { RotatorResolver } from './services/rotation/rotator.js';
import { RotationScheduler } from './services/rotation/scheduler.js';
import { RotationWebhookService } from './services/rotation/webhook-service.js';
import type { SecretService } from './services/secret-service.js';
import type { Store } from './storage/store.js';

/**
 * Rotation: the resolvers that pick a secret's rotator (webhooks for Generic secrets; database
 * rotators join here), the engine that runs rotations, and the schedule.
 */
export function createRotation(deps: {
  config: Config;
  logger: Logger;
  clock: Clock;
  store: Store;
  secrets: SecretService;
  passwords: PasswordService;
  rootKey: Buffer;
  databases: DatabaseInstanceService;
  audit: AuditService;
  resolveHost: HostResolver | undefined;
  metrics: MetricsRecorder;
  passes: readonly (() => Promise<unknown>)[];
}) {
  const { config, logger, clock, store, secrets } = deps;
  // One name per process in the leases table, so a restarted process is a new holder.
  const holder = `tessera-${process.pid}-${randomUUID()}`;
  const rotationWebhooks = new RotationWebhookService({
    store,
    rootKey: deps.rootKey,
    clock,
    passwords: deps.passwords,
    webhookRotator: (options) => new WebhookRotator(options),
    guard: new WebhookAddressGuard({
      allowed: config.rotationWebhookAllowedNetworks,
      resolve: deps.resolveHost,
    }),
    logger,
  });
  const resolver = composeResolvers(rotationWebhooks, databaseRotators(deps));
  const engine = new RotationEngine({
    store,
    secrets,
    resolver,
    clock,
    logger,
    holder,
    leaseTtlMs: config.rotationLeaseMs,
    limits: { ...DEFAULT_SECRET_LIMITS, maxVersions: config.maxSecretVersions },
    audit: deps.audit,
    metrics: deps.metrics,
  });
  const rotation = new RotationService({
    store,
    resolver,
    engine,
    clock,
    checkBinding: (target) => rotationWebhooks.assertBound(target),
  });
  const rotationScheduler = new RotationScheduler({
    store,
    rotation,
    engine,
    clock,
    logger,
    holder,
    leaseTtlMs: config.rotationLeaseMs,
    tickMs: config.rotationTickMs,
    passes: deps.passes,
  });
  const rotationAuthorization = new RotationAuthorization({
    instance: (id) => deps.databases.find(id),
    webhook: (name) => store.rotationWebhooks.get(name),
    secretValue: async (name) => (await secrets.getSecretValue({ name })).data,
  });
  return { rotation, rotationWebhooks, rotationScheduler, rotationAuthorization };
}

/** Rotators for managed database secrets (`SecretType=Rds`): PostgreSQL and MySQL/MariaDB accounts. */
function databaseRotators(deps: {
  secrets: SecretService;
  passwords: PasswordService;
  databases: DatabaseInstanceService;
}): RotatorResolver {
  return new RdsRotatorResolver({
    instance: (id) => deps.databases.find(id),
    // The administrator credentials are a secret like any other, read through the secret service.
    secretValue: async (name) => (await deps.secrets.getSecretValue({ name })).data,
    generatePassword: (length, excludeCharacters) => deps.passwords.generate({ length, excludeCharacters }),
    drivers: { postgresql: new PostgresDriver(), mysql: new MysqlDriver() },
  });
}
