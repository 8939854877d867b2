/** The database instance registry through the SDK's typed methods, against a real server. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TesseraApiError } from '../src/index.js';
import type { TestServer } from './helpers.js';
import { startServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  await server.client().createSecret({
    secretName: 'db/admin',
    versionId: 'v1',
    secretData: JSON.stringify({ AccountName: 'postgres', AccountPassword: 'x' }),
  });
});

afterAll(async () => {
  await server.stop();
});

it('registers, describes, lists, updates and deregisters database instances in camelCase', async () => {
  const client = server.client();
  const registered = await client.registerDatabaseInstance({
    dbInstanceId: 'orders',
    engine: 'mariadb',
    host: 'db.internal',
    adminSecretName: 'db/admin',
  });
  expect(registered).toMatchObject({
    dbInstanceId: 'orders',
    engine: 'mysql',
    host: 'db.internal',
    port: 3306,
    tlsMode: 'disable',
    adminSecretName: 'db/admin',
  });
  expect(registered.requestId).toBeTruthy();
  expect((await client.describeDatabaseInstance('orders')).port).toBe(3306);
  const page = await client.listDatabaseInstances({ pageSize: 10 });
  expect(page.dbInstances.map((i) => i.dbInstanceId)).toEqual(['orders']);
  expect(page.totalCount).toBe(1);
  const updated = await client.updateDatabaseInstance({
    dbInstanceId: 'orders',
    port: 3307,
    tlsMode: 'require',
  });
  expect(updated).toMatchObject({ port: 3307, tlsMode: 'require' });
  expect(await client.deregisterDatabaseInstance('orders')).toMatchObject({ dbInstanceId: 'orders' });
  const error = await client.describeDatabaseInstance('orders').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TesseraApiError);
  expect((error as TesseraApiError).code).toBe('Forbidden.ResourceNotFound');
});
