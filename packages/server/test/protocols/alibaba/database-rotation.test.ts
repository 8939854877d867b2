/**
 * Managed database secrets rotated end to end: the real API (Alibaba clients), the rotation engine and
 * the real PostgreSQL and MariaDB servers, with throwaway accounts per test. Time is a manual clock that
 * only the retry test moves (and only by seconds, within the signature window).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseEngine } from '../../../src/domain/database-instance.js';
import type { DatabaseAccount } from '../../../src/domain/rds-secret.js';
import {
  createAccount,
  dropAccount,
  ENGINES,
  loginWorks,
  MARIADB,
  POSTGRES,
  requireDatabases,
  uniqueAccount,
} from '../../databases.js';
import { ManualClock } from '../../fakes/manual-clock.js';
import { TcpProxy } from '../../fakes/tcp-proxy.js';
import type { ApiClient, ApiServer, Body } from './harness.js';
import { startApiServer } from './harness.js';

const clock = new ManualClock(Date.now());
let server: ApiServer;
let api: ApiClient;
const accounts: [DatabaseEngine, string][] = [];
const proxies: TcpProxy[] = [];

const INSTANCE: Record<DatabaseEngine, string> = { postgresql: 'pg-local', mysql: 'mariadb-local' };

beforeAll(async () => {
  await requireDatabases();
  server = await startApiServer({ clock, env: { TESSERA_ROTATION_TICK_SECONDS: '0' } });
  api = server.client('openapi-acs3');
  for (const engine of ENGINES) {
    const admin = engine === 'postgresql' ? POSTGRES : MARIADB;
    await api.call('CreateSecret', {
      SecretName: `admin/${engine}`,
      VersionId: 'v1',
      SecretData: JSON.stringify({ AccountName: admin.user, AccountPassword: admin.password }),
    });
    await api.call('RegisterDatabaseInstance', {
      DBInstanceId: INSTANCE[engine],
      Engine: engine,
      Host: admin.host,
      Port: admin.port,
      AdminSecretName: `admin/${engine}`,
    });
  }
});

afterEach(async () => {
  for (const [engine, name] of accounts.splice(0)) await dropAccount(engine, name);
  for (const proxy of proxies.splice(0)) await proxy.stop();
});

afterAll(async () => {
  await server.stop();
});

async function account(engine: DatabaseEngine, password = 'Initial0pass'): Promise<DatabaseAccount> {
  const name = uniqueAccount();
  await createAccount(engine, name, password);
  accounts.push([engine, name]);
  return { accountName: name, accountPassword: password };
}

async function createRds(
  name: string,
  config: Record<string, unknown>,
  first: DatabaseAccount,
): Promise<void> {
  await api.call('CreateSecret', {
    SecretName: name,
    VersionId: 'v1',
    SecretType: 'Rds',
    ExtendedConfig: JSON.stringify(config),
    SecretData: JSON.stringify({
      Accounts: [{ AccountName: first.accountName, AccountPassword: first.accountPassword }],
    }),
  });
}

async function value(name: string, stage = 'ACSCurrent'): Promise<DatabaseAccount & { versionId: string }> {
  const body = await api.call('GetSecretValue', { SecretName: name, VersionStage: stage });
  const parsed = JSON.parse(body.SecretData as string) as { AccountName: string; AccountPassword: string };
  return {
    accountName: parsed.AccountName,
    accountPassword: parsed.AccountPassword,
    versionId: String(body.VersionId),
  };
}

async function stages(name: string): Promise<Record<string, string[]>> {
  const listing = await api.call('ListSecretVersionIds', { SecretName: name, IncludeDeprecated: 'true' });
  const result: Record<string, string[]> = {};
  for (const item of (listing.VersionIds as { VersionId: Body[] }).VersionId) {
    result[String(item.VersionId)] = (item.VersionStages as { VersionStage: string[] }).VersionStage;
  }
  return result;
}

async function rotate(name: string, versionId: string): Promise<void> {
  await api.call('RotateSecret', { SecretName: name, VersionId: versionId });
  await server.instance.tessera.services.rotation.settle();
}

describe.each(ENGINES)('%s', (engine) => {
  it('SingleUser: a rotation changes the password in the database and moves ACSCurrent', async () => {
    const app = await account(engine);
    const name = `rds/${engine}/single`;
    await createRds(name, { SecretSubType: 'SingleUser', DBInstanceId: INSTANCE[engine] }, app);
    await rotate(name, 'r1');

    const current = await value(name);
    expect(current.versionId).toBe('r1');
    expect(current.accountName).toBe(app.accountName);
    expect(current.accountPassword).not.toBe(app.accountPassword);
    expect(current.accountPassword).toHaveLength(32);
    expect(await value(name, 'ACSPrevious')).toMatchObject({ versionId: 'v1', ...app });
    expect(await stages(name)).toEqual({ r1: ['ACSCurrent'], v1: ['ACSPrevious'] });
    expect(await loginWorks(engine, current)).toBe(true);
    expect(await loginWorks(engine, app)).toBe(false);
    const described = await api.call('DescribeSecret', { SecretName: name });
    expect(described).toMatchObject({
      SecretType: 'Rds',
      RotationStatus: 'Succeeded',
      RotationVersionId: 'r1',
    });
  });

  it('DoubleUsers: rotations alternate the accounts and ACSPrevious keeps working', async () => {
    const first = await account(engine, 'FirstPass1');
    const clone = await account(engine, 'ClonePass1');
    const name = `rds/${engine}/double`;
    await createRds(
      name,
      {
        SecretSubType: 'DoubleUsers',
        DBInstanceId: INSTANCE[engine],
        AccountName: first.accountName,
        CloneAccountName: clone.accountName,
      },
      first,
    );
    await rotate(name, 'r1');
    const second = await value(name);
    expect(second.accountName).toBe(clone.accountName);
    expect(await loginWorks(engine, second)).toBe(true);
    expect(await value(name, 'ACSPrevious')).toMatchObject(first);
    expect(await loginWorks(engine, first)).toBe(true);

    await rotate(name, 'r2');
    const third = await value(name);
    expect(third.accountName).toBe(first.accountName);
    expect(await loginWorks(engine, third)).toBe(true);
    expect(await value(name, 'ACSPrevious')).toMatchObject({ ...second, versionId: 'r1' });
    expect(await loginWorks(engine, second)).toBe(true);
    expect(await loginWorks(engine, first)).toBe(false);
    expect(await stages(name)).toEqual({ r2: ['ACSCurrent'], r1: ['ACSPrevious'], v1: [] });
  });

  it('a client logging in with ACSCurrent in a loop sees no failed login through 20 DoubleUsers rotations', async () => {
    const first = await account(engine, 'FirstPass1');
    const clone = await account(engine, 'ClonePass1');
    const name = `rds/${engine}/loop`;
    await createRds(
      name,
      {
        SecretSubType: 'DoubleUsers',
        DBInstanceId: INSTANCE[engine],
        AccountName: first.accountName,
        CloneAccountName: clone.accountName,
      },
      first,
    );
    const client = server.client('pop-core-post');
    const outcome = { logins: 0, failures: [] as string[], done: false };
    const loop = (async () => {
      while (!outcome.done) {
        const body = await client.call('GetSecretValue', { SecretName: name });
        const read = JSON.parse(body.SecretData as string) as {
          AccountName: string;
          AccountPassword: string;
        };
        const ok = await loginWorks(engine, {
          accountName: read.AccountName,
          accountPassword: read.AccountPassword,
        });
        outcome.logins++;
        if (!ok) outcome.failures.push(`${String(body.VersionId)} as ${read.AccountName}`);
      }
    })();
    try {
      for (let i = 1; i <= 20; i++) {
        await rotate(name, `r${i}`);
        // Give the client a few logins on each credential.
        const seen = outcome.logins;
        while (outcome.logins < seen + 2) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      outcome.done = true;
      await loop;
    }
    expect(outcome.failures).toEqual([]);
    expect(outcome.logins).toBeGreaterThanOrEqual(40);
    const last = await value(name);
    expect(last.versionId).toBe('r20');
    expect(last.accountName).toBe(first.accountName); // an even number of switches
  });

  it('with the database down, ACSCurrent keeps working and the error shows; the run completes once it is back', async () => {
    const app = await account(engine);
    const proxy = new TcpProxy(engine === 'postgresql' ? POSTGRES : MARIADB);
    proxies.push(proxy);
    const port = await proxy.start();
    const instanceId = `${INSTANCE[engine]}-proxied`;
    await api.call('RegisterDatabaseInstance', {
      DBInstanceId: instanceId,
      Engine: engine,
      Host: '127.0.0.1',
      Port: port,
      AdminSecretName: `admin/${engine}`,
    });
    const name = `rds/${engine}/down`;
    await createRds(name, { SecretSubType: 'SingleUser', DBInstanceId: instanceId }, app);

    await proxy.stop();
    await rotate(name, 'r1');
    const described = await api.call('DescribeSecret', { SecretName: name });
    expect(described).toMatchObject({
      RotationStatus: 'Retrying',
      RotationStep: 'set',
      LastRotationErrorStep: 'set',
    });
    expect(String(described.LastRotationError)).toContain(
      `Cannot reach the database instance "${instanceId}"`,
    );
    expect(await value(name)).toMatchObject({ versionId: 'v1', ...app });
    expect(await loginWorks(engine, app)).toBe(true);
    expect((await stages(name)).r1).toEqual(['ACSPending']);

    await proxy.start();
    clock.advance(31_000);
    await server.instance.tessera.services.rotationScheduler.tick();
    const current = await value(name);
    expect(current.versionId).toBe('r1');
    expect(await loginWorks(engine, current)).toBe(true);
    expect(await loginWorks(engine, app)).toBe(false);
    expect(await stages(name)).toEqual({ r1: ['ACSCurrent'], v1: ['ACSPrevious'] });
    expect(await api.call('DescribeSecret', { SecretName: name })).toMatchObject({
      RotationStatus: 'Succeeded',
    });

    await api.call('DeleteSecret', { SecretName: name, ForceDeleteWithoutRecovery: true });
    await api.call('DeregisterDatabaseInstance', { DBInstanceId: instanceId });
  });
});
