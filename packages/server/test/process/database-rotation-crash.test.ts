/**
 * A managed database secret's rotation survives a SIGKILL of the built server (`dist/main.js`): the
 * database hangs (a proxy accepts connections and forwards nothing) while the run sets the password, the
 * server is killed, the database comes back, and the restarted server finishes the run from its recorded
 * step, reusing the pending value it stored before the kill. ACSCurrent works throughout.
 */
import { randomBytes } from 'node:crypto';
import { TesseraClient } from '@tessera/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseAccount } from '../../src/domain/rds-secret.js';
import {
  createAccount,
  dropAccount,
  loginWorks,
  MARIADB,
  requireDatabases,
  uniqueAccount,
} from '../databases.js';
import { TcpProxy } from '../fakes/tcp-proxy.js';
import { tempDir } from '../helpers.js';
import type { ServerProcess } from './run-server.js';
import { SERVER_ENTRY, spawnServer, waitForLog } from './run-server.js';

const ENTRY = process.env.TESSERA_SERVER_ENTRY ?? SERVER_ENTRY;
const ACCESS_KEY_ID = 'RotationCrashAdmin';
const ACCESS_KEY_SECRET = 'rotation-crash-admin-secret-0123456789';
const ROOT_KEY = randomBytes(32).toString('base64');

const data = tempDir('tessera-rotation-crash-');
const proxy = new TcpProxy(MARIADB);
const app: DatabaseAccount = { accountName: uniqueAccount(), accountPassword: 'Initial0pass' };
const running: ServerProcess[] = [];

beforeAll(async () => {
  await requireDatabases();
  await createAccount('mysql', app.accountName, app.accountPassword);
  await proxy.start();
});

afterAll(async () => {
  for (const server of running) server.child.kill('SIGKILL');
  await proxy.stop();
  await dropAccount('mysql', app.accountName);
  data.remove();
});

async function start(): Promise<{ server: ServerProcess; client: TesseraClient }> {
  const server = spawnServer(
    {
      TESSERA_DATA_DIR: data.path,
      TESSERA_ROOT_KEY: ROOT_KEY,
      TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
      TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
      TESSERA_PORT: '0',
      TESSERA_LOG_LEVEL: 'info',
      TESSERA_ROTATION_TICK_SECONDS: '1',
      TESSERA_ROTATION_LEASE_SECONDS: '5',
    },
    ENTRY,
  );
  running.push(server);
  const ready = await waitForLog(server, (line) => line.msg === 'tessera is ready');
  const client = new TesseraClient({
    endpoint: String(ready.address),
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    timeoutMs: 10_000,
  });
  return { server, client };
}

async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function stagesOf(listing: Record<string, unknown>): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const item of (listing.VersionIds as { VersionId: Record<string, unknown>[] }).VersionId) {
    result[String(item.VersionId)] = (item.VersionStages as { VersionStage: string[] }).VersionStage;
  }
  return result;
}

it('finishes a rotation interrupted by SIGKILL after the restart', async () => {
  const first = await start();
  await first.client.call('CreateSecret', {
    SecretName: 'db/admin',
    VersionId: 'v1',
    SecretData: JSON.stringify({ AccountName: MARIADB.user, AccountPassword: MARIADB.password }),
  });
  await first.client.call('RegisterDatabaseInstance', {
    DBInstanceId: 'mariadb-proxied',
    Engine: 'MariaDB',
    Host: '127.0.0.1',
    Port: proxy.port,
    AdminSecretName: 'db/admin',
  });
  await first.client.call('CreateSecret', {
    SecretName: 'app/db',
    VersionId: 'v1',
    SecretType: 'Rds',
    ExtendedConfig: JSON.stringify({ SecretSubType: 'SingleUser', DBInstanceId: 'mariadb-proxied' }),
    SecretData: JSON.stringify({
      Accounts: [{ AccountName: app.accountName, AccountPassword: app.accountPassword }],
    }),
  });

  proxy.holding = true;
  await first.client.call('RotateSecret', { SecretName: 'app/db', VersionId: 'r1' });
  // The pending version is stored before the run talks to the database, which now hangs.
  const listed = await until(
    'the pending version',
    () => first.client.call('ListSecretVersionIds', { SecretName: 'app/db', IncludeDeprecated: 'true' }),
    (listing) => stagesOf(listing).r1 !== undefined,
  );
  expect(stagesOf(listed)).toEqual({ r1: ['ACSPending'], v1: ['ACSCurrent'] });
  const pending = JSON.parse(
    String((await first.client.call('GetSecretValue', { SecretName: 'app/db', VersionId: 'r1' })).SecretData),
  ) as { AccountName: string; AccountPassword: string };

  first.server.child.kill('SIGKILL');
  expect((await first.server.exited).signal).toBe('SIGKILL');
  proxy.holding = false;
  expect(await loginWorks('mysql', app)).toBe(true);

  const second = await start();
  const current = await until(
    'the rotation to finish',
    async () =>
      JSON.parse(
        String((await second.client.call('GetSecretValue', { SecretName: 'app/db' })).SecretData),
      ) as {
        AccountName: string;
        AccountPassword: string;
      },
    (value) => value.AccountPassword !== app.accountPassword,
  );
  // The value created before the kill, not a second one.
  expect(current).toEqual(pending);
  expect(
    await loginWorks('mysql', { accountName: current.AccountName, accountPassword: current.AccountPassword }),
  ).toBe(true);
  expect(await loginWorks('mysql', app)).toBe(false);
  expect(
    stagesOf(
      await second.client.call('ListSecretVersionIds', { SecretName: 'app/db', IncludeDeprecated: 'true' }),
    ),
  ).toEqual({ r1: ['ACSCurrent'], v1: ['ACSPrevious'] });
  const described = await second.client.call('DescribeSecret', { SecretName: 'app/db' });
  expect(described).toMatchObject({ RotationStatus: 'Succeeded', RotationVersionId: 'r1' });
  second.server.child.kill('SIGTERM');
  await second.server.exited;
});
