/**
 * The database instance registry (Tessera's extension actions on the KMS endpoint) and CreateSecret with
 * `SecretType=Rds`, through the real Alibaba clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiServer, Body } from './harness.js';
import { expectFailure, startApiServer } from './harness.js';

let server: ApiServer;

beforeAll(async () => {
  server = await startApiServer();
  const admin = server.client('pop-core-post');
  await admin.call('CreateSecret', {
    SecretName: 'db/admin',
    VersionId: 'v1',
    SecretData: JSON.stringify({ AccountName: 'postgres', AccountPassword: 'admin-pw' }),
  });
});

afterAll(async () => {
  await server.stop();
});

const CLIENTS = ['kms20160120', 'openapi-acs3', 'pop-core-get', 'pop-core-post'] as const;

async function register(client: ApiClient, id: string, extra: Record<string, string> = {}): Promise<Body> {
  return client.call('RegisterDatabaseInstance', {
    DBInstanceId: id,
    Engine: 'PostgreSQL',
    Host: '127.0.0.1',
    AdminSecretName: 'db/admin',
    ...extra,
  });
}

describe.each(CLIENTS)('the registry through %s', (clientName) => {
  it('registers, describes, lists, updates and deregisters an instance', async () => {
    const client = server.client(clientName);
    const id = `orders-${clientName}`;
    const registered = await register(client, id, { Database: 'orders', Description: 'orders db' });
    expect(registered).toMatchObject({
      DBInstanceId: id,
      Engine: 'postgresql',
      Host: '127.0.0.1',
      Port: 5432,
      Database: 'orders',
      TlsMode: 'disable',
      AdminSecretName: 'db/admin',
      Description: 'orders db',
    });
    expect(registered.CreateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(JSON.stringify(registered)).not.toContain('admin-pw');

    expect(await client.call('DescribeDatabaseInstance', { DBInstanceId: id })).toMatchObject({
      DBInstanceId: id,
      Port: 5432,
    });
    const listed = await client.call('ListDatabaseInstances', { PageSize: 100 });
    const ids = (listed.DBInstances as { DBInstance: Body[] }).DBInstance.map((i) => i.DBInstanceId);
    expect(ids).toContain(id);
    expect(listed.TotalCount).toBe(ids.length);

    const updated = await client.call('UpdateDatabaseInstance', {
      DBInstanceId: id,
      Port: 6432,
      TlsMode: 'require',
      Database: '',
    });
    expect(updated).toMatchObject({ Port: 6432, TlsMode: 'require', Host: '127.0.0.1' });
    expect(updated.Database).toBeUndefined();

    expect(await client.call('DeregisterDatabaseInstance', { DBInstanceId: id })).toMatchObject({
      DBInstanceId: id,
    });
    await expectFailure(
      client.call('DescribeDatabaseInstance', { DBInstanceId: id }),
      404,
      'Forbidden.ResourceNotFound',
    );
  });
});

describe('registry errors', () => {
  const client = () => server.client('pop-core-post');

  it('refuses bad settings with InvalidParameter naming the parameter', async () => {
    const bad: [Record<string, string>, string][] = [
      [{ Engine: 'oracle' }, 'Engine'],
      [{ Host: 'user@db' }, 'Host'],
      [{ Port: '70000' }, 'Port'],
      [{ TlsMode: 'maybe' }, 'TlsMode'],
      [{ CaCertificate: 'not a pem', TlsMode: 'verify-full' }, 'CaCertificate'],
      [{ CaCertificate: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' }, 'CaCertificate'],
      [{ Database: 'a b' }, 'Database'],
    ];
    for (const [extra, parameter] of bad) {
      const error = await expectFailure(register(client(), 'bad-one', extra), 400, 'InvalidParameter');
      expect(error.message).toContain(parameter);
    }
    const badId = await expectFailure(register(client(), '1-starts-with-digit'), 400, 'InvalidParameter');
    expect(badId.message).toContain('DBInstanceId');
    await expectFailure(
      client().call('RegisterDatabaseInstance', {
        DBInstanceId: 'x',
        Engine: 'mysql',
        AdminSecretName: 'db/admin',
      }),
      400,
      'MissingParameter',
    );
  });

  it('needs an administrator secret that exists and holds an account value', async () => {
    const missing = await expectFailure(
      register(client(), 'no-admin', { AdminSecretName: 'db/nobody' }),
      404,
      'Forbidden.ResourceNotFound',
    );
    expect(missing.message).toContain('db/nobody');
    await client().call('CreateSecret', {
      SecretName: 'db/not-account',
      VersionId: 'v1',
      SecretData: 'hunter2',
    });
    const shape = await expectFailure(
      register(client(), 'bad-admin', { AdminSecretName: 'db/not-account' }),
      400,
      'InvalidParameter',
    );
    expect(shape.message).not.toContain('hunter2');
  });

  it('refuses a second registration of an id, and unknown ids', async () => {
    await register(client(), 'twice');
    await expectFailure(register(client(), 'twice'), 409, 'Rejected.ResourceExist');
    await expectFailure(
      client().call('DeregisterDatabaseInstance', { DBInstanceId: 'never' }),
      404,
      'Forbidden.ResourceNotFound',
    );
    await expectFailure(
      client().call('UpdateDatabaseInstance', { DBInstanceId: 'never', Port: 1 }),
      404,
      'Forbidden.ResourceNotFound',
    );
    await expectFailure(
      client().call('UpdateDatabaseInstance', { DBInstanceId: 'twice', Engine: 'mysql' }),
      400,
      'InvalidParameter',
    );
  });
});

describe('CreateSecret with SecretType=Rds', () => {
  const client = () => server.client('openapi-acs3');

  beforeAll(async () => {
    await register(server.client('pop-core-post'), 'rds-target');
  });

  const create = (name: string, config: unknown, data: unknown, extra: Record<string, string> = {}) =>
    client().call('CreateSecret', {
      SecretName: name,
      VersionId: 'v1',
      SecretType: 'Rds',
      ExtendedConfig: typeof config === 'string' ? config : JSON.stringify(config),
      SecretData: typeof data === 'string' ? data : JSON.stringify(data),
      ...extra,
    });

  it('stores the account as {"AccountName","AccountPassword"} and reports the type', async () => {
    const created = await create(
      'app/single',
      { SecretSubType: 'SingleUser', DBInstanceId: 'rds-target' },
      { Accounts: [{ AccountName: 'app', AccountPassword: 'Pw0-initial' }] },
    );
    expect(created).toMatchObject({ SecretName: 'app/single', VersionId: 'v1', SecretType: 'Rds' });
    const value = await client().call('GetSecretValue', {
      SecretName: 'app/single',
      FetchExtendedConfig: true,
    });
    expect(value).toMatchObject({ SecretType: 'Rds', SecretDataType: 'text' });
    expect(JSON.parse(value.SecretData as string)).toEqual({
      AccountName: 'app',
      AccountPassword: 'Pw0-initial',
    });
    expect(JSON.parse(value.ExtendedConfig as string)).toMatchObject({ DBInstanceId: 'rds-target' });
    const described = await client().call('DescribeSecret', { SecretName: 'app/single' });
    expect(described.SecretType).toBe('Rds');

    // The value shape itself is accepted as SecretData too, and the RDS spelling of the type.
    await create(
      'app/single-2',
      { SecretSubType: 'SingleUser', DBInstanceId: 'rds-target', AccountName: 'app2' },
      { AccountName: 'app2', AccountPassword: 'Pw0-initial' },
      { SecretType: 'RDS' },
    );
  });

  it('refuses PutSecretValue and UpdateSecretVersionStage on an Rds secret, and changes nothing', async () => {
    await create(
      'app/managed',
      { SecretSubType: 'SingleUser', DBInstanceId: 'rds-target' },
      { AccountName: 'app', AccountPassword: 'Pw0-managed' },
    );
    const before = await client().call('ListSecretVersionIds', { SecretName: 'app/managed' });
    const put = await expectFailure(
      client().call('PutSecretValue', {
        SecretName: 'app/managed',
        VersionId: 'hand-written',
        SecretData: JSON.stringify({ AccountName: 'app', AccountPassword: 'by-hand' }),
      }),
      400,
      'Rejected.UnsupportedOperation',
    );
    expect(put.message).toContain('Generic');
    await expectFailure(
      client().call('UpdateSecretVersionStage', {
        SecretName: 'app/managed',
        VersionStage: 'Custom',
        MoveToVersion: 'v1',
      }),
      400,
      'Rejected.UnsupportedOperation',
    );
    expect(await client().call('ListSecretVersionIds', { SecretName: 'app/managed' })).toEqual({
      ...before,
      RequestId: expect.any(String) as unknown,
    });
    const value = await client().call('GetSecretValue', { SecretName: 'app/managed' });
    expect(JSON.parse(value.SecretData as string)).toEqual({
      AccountName: 'app',
      AccountPassword: 'Pw0-managed',
    });
  });

  it('DoubleUsers names both accounts, and the first version holds one of them', async () => {
    const config = {
      SecretSubType: 'DoubleUsers',
      DBInstanceId: 'rds-target',
      AccountName: 'app',
      CloneAccountName: 'app_clone',
    };
    await create('app/double', config, { Accounts: [{ AccountName: 'app_clone', AccountPassword: 'Pw0' }] });
    const value = await client().call('GetSecretValue', { SecretName: 'app/double' });
    expect(JSON.parse(value.SecretData as string)).toEqual({
      AccountName: 'app_clone',
      AccountPassword: 'Pw0',
    });

    const stranger = await expectFailure(
      create('app/double-2', config, { Accounts: [{ AccountName: 'other', AccountPassword: 'Pw0' }] }),
      400,
      'InvalidParameter',
    );
    expect(stranger.message).toContain('SecretData');
    const oneName = await expectFailure(
      create(
        'app/double-3',
        { ...config, CloneAccountName: undefined },
        { AccountName: 'app', AccountPassword: 'Pw0' },
      ),
      400,
      'InvalidParameter',
    );
    expect(oneName.message).toContain('CloneAccountName');
  });

  it('refuses configurations and data that do not fit, without echoing the password', async () => {
    const good = { SecretSubType: 'SingleUser', DBInstanceId: 'rds-target' };
    const data = { Accounts: [{ AccountName: 'app', AccountPassword: 'S3cret-pw' }] };
    // Thunks: each request is sent only when its turn comes, so no refusal goes unobserved meanwhile.
    const cases: [() => Promise<unknown>, number, string][] = [
      [() => create('x/1', { ...good, SecretSubType: 'Triple' }, data), 400, 'InvalidParameter'],
      [() => create('x/2', { ...good, DBInstanceId: 'nowhere' }, data), 404, 'Forbidden.ResourceNotFound'],
      [() => create('x/3', { ...good, Surprise: 1 }, data), 400, 'InvalidParameter'],
      [() => create('x/4', '[1,2]', data), 400, 'InvalidParameter'],
      [() => create('x/5', good, 'S3cret-pw'), 400, 'InvalidParameter'],
      [() => create('x/6', good, { Accounts: [] }), 400, 'InvalidParameter'],
      [() => create('x/7', good, data, { SecretDataType: 'binary' }), 400, 'InvalidParameter'],
      [() => create('x/8', { ...good, PasswordLength: 8 }, data), 400, 'InvalidParameter'],
      [() => create('x/9', { ...good, AccountName: 'a b' }, data), 400, 'InvalidParameter'],
    ];
    for (const [call, status, code] of cases) {
      const error = await expectFailure(call(), status, code);
      expect(error.message).not.toContain('S3cret-pw');
    }
    await expectFailure(
      client().call('CreateSecret', {
        SecretName: 'x/10',
        VersionId: 'v1',
        SecretType: 'Rds',
        SecretData: JSON.stringify(data),
      }),
      400,
      'MissingParameter',
    );
    const listed = await client().call('ListSecrets', {
      Filters: JSON.stringify([{ Key: 'SecretName', Values: ['x/'] }]),
    });
    expect(listed.TotalCount).toBe(0);
  });

  it('an instance that Rds secrets name cannot be deregistered until they are gone', async () => {
    await register(server.client('pop-core-post'), 'in-use');
    await create(
      'inuse/a',
      { SecretSubType: 'SingleUser', DBInstanceId: 'in-use' },
      { AccountName: 'app', AccountPassword: 'Pw0' },
    );
    const error = await expectFailure(
      client().call('DeregisterDatabaseInstance', { DBInstanceId: 'in-use' }),
      409,
      'Rejected.ResourceInUse',
    );
    expect(error.message).toContain('inuse/a');
    await client().call('DeleteSecret', { SecretName: 'inuse/a', ForceDeleteWithoutRecovery: true });
    await client().call('DeregisterDatabaseInstance', { DBInstanceId: 'in-use' });
  });
});
