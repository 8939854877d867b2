/**
 * Tessera extensions on the KMS endpoint: the registry of database instances that managed database
 * secrets (`SecretType=Rds`) rotate against. Alibaba's KMS finds RDS instances in the same cloud
 * account; a self-hosted Tessera is told about them: engine, address, TLS, and the name of the secret
 * holding the administrator credentials (the credentials themselves never pass through these actions).
 */
import type { DatabaseEngine, DatabaseInstance, TlsMode } from '../../../domain/database-instance.js';
import { TLS_MODES } from '../../../domain/database-instance.js';
import { rotationPermissions } from '../../../services/operations/secret-use-cases.js';
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { paging, timestamp, wrapped } from '../codec.js';
import { invalidParameter } from '../errors.js';
import type { Params } from '../params.js';

/** Engine spellings accepted on the wire; MariaDB speaks the MySQL protocol. */
const ENGINES: Readonly<Record<string, DatabaseEngine>> = {
  postgresql: 'postgresql',
  postgres: 'postgresql',
  mysql: 'mysql',
  mariadb: 'mysql',
};

function engineOf(params: Params): DatabaseEngine {
  const value = params.required('Engine').toLowerCase();
  const engine = Object.hasOwn(ENGINES, value) ? ENGINES[value] : undefined;
  if (engine === undefined) throw invalidParameter('Engine', 'Use PostgreSQL, MySQL or MariaDB.');
  return engine;
}

function tlsModeOf(params: Params): TlsMode | undefined {
  const value = params.optional('TlsMode');
  if (value === undefined) return undefined;
  const mode = TLS_MODES.find((candidate) => candidate === value.toLowerCase());
  if (mode === undefined) throw invalidParameter('TlsMode', `Use one of: ${TLS_MODES.join(', ')}.`);
  return mode;
}

/** Present and empty clears an optional setting (`null`); absent leaves it (`undefined`). */
function clearable(params: Params, name: string): string | null | undefined {
  const raw = params.raw(name);
  return raw === undefined ? undefined : raw === '' ? null : raw;
}

function instanceToWire(instance: DatabaseInstance): WireBody {
  return {
    DBInstanceId: instance.id,
    Engine: instance.engine,
    Host: instance.host,
    Port: instance.port,
    Database: instance.database ?? undefined,
    TlsMode: instance.tlsMode,
    CaCertificate: instance.caCertificate ?? undefined,
    AdminSecretName: instance.adminSecretName,
    Description: instance.description,
    CreateTime: timestamp(instance.createdAt),
    UpdateTime: timestamp(instance.updatedAt),
  };
}

async function registerDatabaseInstance({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const id = params.required('DBInstanceId');
  noteResource(id);
  const settings = {
    id,
    engine: engineOf(params),
    host: params.required('Host'),
    port: params.integer('Port', { min: 1, max: 65_535 }),
    database: params.optional('Database'),
    tlsMode: tlsModeOf(params),
    caCertificate: params.optional('CaCertificate'),
    adminSecretName: params.required('AdminSecretName'),
    description: params.optional('Description'),
  };
  // Parameters first, then access: a malformed request gets its parameter error whoever sends it.
  // Tessera logs in with the administrator secret on the caller's behalf: the caller must be able to
  // read it (docs/threat-model.md).
  await services.rotationAuthorization.authorizeInstanceChange(
    undefined,
    settings,
    rotationPermissions(access),
  );
  return instanceToWire(await services.databases.register(settings));
}

async function describeDatabaseInstance({
  params,
  services,
  noteResource,
}: ActionContext): Promise<WireBody> {
  const id = params.required('DBInstanceId');
  noteResource(id);
  return instanceToWire(await services.databases.describe(id));
}

async function listDatabaseInstances({ params, services }: ActionContext): Promise<WireBody> {
  const { pageNumber, pageSize, offset, limit } = paging(params, 10);
  const page = await services.databases.list({ offset, limit });
  return {
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: page.total,
    DBInstances: wrapped('DBInstance', page.items.map(instanceToWire)),
  };
}

async function updateDatabaseInstance({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const id = params.required('DBInstanceId');
  noteResource(id);
  if (params.has('Engine')) {
    throw invalidParameter(
      'Engine',
      'The engine of a registered instance cannot change; register a new one.',
    );
  }
  const changes = {
    host: params.optional('Host'),
    port: params.integer('Port', { min: 1, max: 65_535 }),
    database: clearable(params, 'Database'),
    tlsMode: tlsModeOf(params),
    caCertificate: clearable(params, 'CaCertificate'),
    adminSecretName: params.optional('AdminSecretName'),
    description: params.raw('Description'),
  };
  // Redirecting where (or which) administrator password is sent needs the right to read it, before
  // and after the change.
  const updated = await services.databases.update(id, changes, (current) =>
    services.rotationAuthorization.authorizeInstanceChange(current, changes, rotationPermissions(access)),
  );
  return instanceToWire(updated);
}

async function deregisterDatabaseInstance({
  params,
  services,
  noteResource,
}: ActionContext): Promise<WireBody> {
  const id = params.required('DBInstanceId');
  noteResource(id);
  await services.databases.deregister(id);
  return { DBInstanceId: id };
}

export const DATABASE_INSTANCE_ACTIONS = {
  RegisterDatabaseInstance: registerDatabaseInstance,
  DescribeDatabaseInstance: describeDatabaseInstance,
  ListDatabaseInstances: listDatabaseInstances,
  UpdateDatabaseInstance: updateDatabaseInstance,
  DeregisterDatabaseInstance: deregisterDatabaseInstance,
} satisfies ActionTable;
