/**
 * Two of the three ways a narrow RAM user made Tessera use a credential the user may not read
 * (docs/threat-model.md), refused end to end against the real PostgreSQL and MariaDB servers and a
 * "rogue server" that counts connections: rewriting an Rds secret's ExtendedConfig (hole 1) and
 * redirecting a database instance (hole 2). Each test also shows that nothing was sent: no connection at
 * the new address, the victim's password unchanged. And the database rotator's own re-check at run
 * time. The webhook hole is in `rotation-webhook-deputy.test.ts`.
 */
import PopCore from '@alicloud/pop-core';
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
import type { ApiClient, ApiServer, Body } from './harness.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, errorOf, expectFailure, startApiServer } from './harness.js';
import { allow, ramUser, RogueServer, ROTATION_TEST_ENV, secretResource } from './rotation-attack-kit.js';

let server: ApiServer;
let admin: ApiClient;
const accounts: [DatabaseEngine, string][] = [];
const cleanups: (() => Promise<void>)[] = [];

const SERVER = { postgresql: POSTGRES, mysql: MARIADB } as const;
const REAL: Record<DatabaseEngine, string> = { postgresql: 'real-pg', mysql: 'real-maria' };
/** The same server registered again, its administrator secret one the attackers cannot read either. */
const OTHER: Record<DatabaseEngine, string> = { postgresql: 'other-pg', mysql: 'other-maria' };

beforeAll(async () => {
  await requireDatabases();
  server = await startApiServer({ env: ROTATION_TEST_ENV });
  admin = server.client('pop-core-post');
  for (const engine of ENGINES) {
    const { host, port, user, password } = SERVER[engine];
    for (const [id, secret] of [
      [REAL[engine], `dbadm/${engine}`],
      [OTHER[engine], `dbadm-other/${engine}`],
    ] as const) {
      await admin.call('CreateSecret', {
        SecretName: secret,
        VersionId: 'v1',
        SecretData: JSON.stringify({ AccountName: user, AccountPassword: password }),
      });
      await admin.call('RegisterDatabaseInstance', {
        DBInstanceId: id,
        Engine: engine,
        Host: host,
        Port: port,
        AdminSecretName: secret,
      });
    }
  }
});

afterEach(async () => {
  for (const [engine, name] of accounts.splice(0)) await dropAccount(engine, name);
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

afterAll(async () => {
  await server.stop();
});

async function account(engine: DatabaseEngine, password: string): Promise<DatabaseAccount> {
  const name = uniqueAccount();
  await createAccount(engine, name, password);
  accounts.push([engine, name]);
  return { accountName: name, accountPassword: password };
}

/** An account as Tessera's values spell it. */
function accountValue(account: DatabaseAccount): string {
  return JSON.stringify({ AccountName: account.accountName, AccountPassword: account.accountPassword });
}

function rdsSecret(name: string, config: Body, first: DatabaseAccount): Record<string, string> {
  return {
    SecretName: name,
    VersionId: 'v1',
    SecretType: 'Rds',
    ExtendedConfig: JSON.stringify(config),
    SecretData: accountValue(first),
  };
}

async function rotate(client: ApiClient, name: string, versionId: string): Promise<void> {
  await client.call('RotateSecret', { SecretName: name, VersionId: versionId });
  await server.instance.tessera.services.rotation.settle();
}

async function currentAccount(name: string): Promise<DatabaseAccount> {
  const body = await admin.call('GetSecretValue', { SecretName: name });
  const value = JSON.parse(body.SecretData as string) as { AccountName: string; AccountPassword: string };
  return { accountName: value.AccountName, accountPassword: value.AccountPassword };
}

/** The audit trail's events about a secret, through ActionTrail's LookupEvents. */
async function auditEvents(secretName: string): Promise<Body[]> {
  const trail = new PopCore({
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    endpoint: server.baseUrl,
    apiVersion: '2020-07-06',
  });
  const found = await trail.request<Body>(
    'LookupEvents',
    { 'LookupAttribute.1.Key': 'ResourceName', 'LookupAttribute.1.Value': secretName, MaxResults: '50' },
    { method: 'POST' },
  );
  return found.Events as Body[];
}

describe.each(ENGINES)('%s', (engine) => {
  it('hole 1: rewriting ExtendedConfig onto a victim account or another instance is refused; the victim keeps its password', async () => {
    const app = await account(engine, 'AppPass01');
    const victim = await account(engine, 'VictimPass01');
    const name = `app/${engine}/own`;
    const bound = { SecretSubType: 'SingleUser', DBInstanceId: REAL[engine] };
    await admin.call('CreateSecret', rdsSecret(name, bound, app));
    // Everything on its own secrets; nothing on the administrator secrets.
    const attacker = await ramUser(server, allow(['kms:*'], [secretResource('app/*')]));
    const hostile = [
      {
        ...bound,
        SecretSubType: 'DoubleUsers',
        AccountName: app.accountName,
        CloneAccountName: victim.accountName,
      },
      {
        SecretSubType: 'DoubleUsers',
        DBInstanceId: OTHER[engine],
        AccountName: app.accountName,
        CloneAccountName: victim.accountName,
      },
      { ...bound, DBInstanceId: OTHER[engine] },
    ];
    for (const config of hostile) {
      const refused = await errorOf(
        attacker.call('UpdateSecret', { SecretName: name, ExtendedConfig: JSON.stringify(config) }),
      );
      // Refused for the administrator secret it may not read (403, as for a missing one).
      expect({ status: refused.status, code: refused.code }).toEqual({
        status: 403,
        code: 'Forbidden.NoPermission',
      });
    }
    const described = await admin.call('DescribeSecret', { SecretName: name });
    expect(JSON.parse(described.ExtendedConfig as string)).toEqual(bound);

    // Its own secret still rotates as bound, and only its own account changes.
    await rotate(attacker, name, 'r1');
    const current = await currentAccount(name);
    expect(current.accountName).toBe(app.accountName);
    expect(await loginWorks(engine, current)).toBe(true);
    expect(await loginWorks(engine, victim)).toBe(true);
  });

  it('hole 1: even a caller who may read the administrator secret cannot make the administrator a rotated account', async () => {
    // A stand-in administrator (a throwaway account), so that nothing here can touch the real one.
    const standIn = await account(engine, 'StandIn01');
    const app = await account(engine, 'AppPass01');
    const id = `standin-${engine}`;
    await admin.call('CreateSecret', {
      SecretName: `dbadm-standin/${engine}`,
      VersionId: 'v1',
      SecretData: JSON.stringify({
        AccountName: standIn.accountName,
        AccountPassword: standIn.accountPassword,
      }),
    });
    await admin.call('RegisterDatabaseInstance', {
      DBInstanceId: id,
      Engine: engine,
      Host: SERVER[engine].host,
      Port: SERVER[engine].port,
      AdminSecretName: `dbadm-standin/${engine}`,
    });
    const name = `app/${engine}/standin`;
    await admin.call('CreateSecret', rdsSecret(name, { SecretSubType: 'SingleUser', DBInstanceId: id }, app));
    const trusted = await ramUser(
      server,
      allow(['kms:*'], [secretResource('app/*'), secretResource('dbadm-standin/*')]),
    );
    const pairs = [
      [app.accountName, standIn.accountName],
      [standIn.accountName, app.accountName],
    ];
    for (const [accountName, cloneAccountName] of pairs) {
      const config = {
        SecretSubType: 'DoubleUsers',
        DBInstanceId: id,
        AccountName: accountName,
        CloneAccountName: cloneAccountName,
      };
      const refused = await expectFailure(
        trusted.call('UpdateSecret', { SecretName: name, ExtendedConfig: JSON.stringify(config) }),
        400,
        'InvalidParameter',
      );
      expect(refused.message).toContain('administrator');
      expect(refused.message).not.toContain(standIn.accountPassword);
    }
    expect(await loginWorks(engine, standIn)).toBe(true);
    await admin.call('DeleteSecret', { SecretName: name, ForceDeleteWithoutRecovery: true });
    await admin.call('DeregisterDatabaseInstance', { DBInstanceId: id });
  });

  it('hole 2: redirecting an instance needs its administrator secret; no connection reaches the new address', async () => {
    const app = await account(engine, 'AppPass01');
    const id = `redirect-${engine}`;
    const { host, port } = SERVER[engine];
    await admin.call('RegisterDatabaseInstance', {
      DBInstanceId: id,
      Engine: engine,
      Host: host,
      Port: port,
      AdminSecretName: `dbadm/${engine}`,
    });
    const name = `app/${engine}/redirect`;
    await admin.call('CreateSecret', rdsSecret(name, { SecretSubType: 'SingleUser', DBInstanceId: id }, app));
    const rogue = new RogueServer();
    const roguePort = await rogue.start();
    cleanups.push(() => rogue.stop());
    const attacker = await ramUser(
      server,
      allow(['kms:UpdateDatabaseInstance', 'kms:DescribeDatabaseInstance'], ['*']),
      allow(['kms:*'], [secretResource('attacker/*')]),
    );
    await admin.call('CreateSecret', {
      SecretName: `attacker/admin-${engine}`,
      VersionId: 'v1',
      SecretData: JSON.stringify({ AccountName: 'attacker', AccountPassword: 'x' }),
    });
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const redirections: Record<string, string | number>[] = [
      { Port: roguePort },
      { Host: '127.0.0.2', Port: roguePort },
      { TlsMode: 'require' },
      { TlsMode: 'verify-full', CaCertificate: pem },
      { Database: 'elsewhere' },
      { AdminSecretName: `attacker/admin-${engine}` },
    ];
    for (const change of redirections) {
      await expectFailure(
        attacker.call('UpdateDatabaseInstance', { DBInstanceId: id, ...change }),
        403,
        'Forbidden.NoPermission',
      );
    }
    // A description steers nothing.
    await attacker.call('UpdateDatabaseInstance', { DBInstanceId: id, Description: 'renamed' });
    expect(await admin.call('DescribeDatabaseInstance', { DBInstanceId: id })).toMatchObject({
      Host: host,
      Port: port,
      TlsMode: 'disable',
      AdminSecretName: `dbadm/${engine}`,
      Description: 'renamed',
    });
    await rotate(admin, name, 'r1');
    expect(rogue.connections).toBe(0);
    expect(await loginWorks(engine, await currentAccount(name))).toBe(true);
    await admin.call('DeleteSecret', { SecretName: name, ForceDeleteWithoutRecovery: true });
    await admin.call('DeregisterDatabaseInstance', { DBInstanceId: id });
  });

  it('at run time: an instance changed since the binding is refused, visibly and with nothing sent, until re-authorized', async () => {
    const app = await account(engine, 'AppPass01');
    const id = `moved-${engine}`;
    const { host, port } = SERVER[engine];
    await admin.call('RegisterDatabaseInstance', {
      DBInstanceId: id,
      Engine: engine,
      Host: host,
      Port: port,
      AdminSecretName: `dbadm/${engine}`,
    });
    const name = `app/${engine}/moved`;
    const config = JSON.stringify({ SecretSubType: 'SingleUser', DBInstanceId: id });
    await admin.call('CreateSecret', { ...rdsSecret(name, {}, app), ExtendedConfig: config });
    const rogue = new RogueServer();
    const roguePort = await rogue.start();
    cleanups.push(() => rogue.stop());

    // Even an allowed change voids the binding: the secret's owner authorized the instance as it was.
    await admin.call('UpdateDatabaseInstance', { DBInstanceId: id, Port: roguePort });
    await rotate(admin, name, 'r1');
    expect(rogue.connections).toBe(0);
    const described = await admin.call('DescribeSecret', { SecretName: name });
    expect(described).toMatchObject({ RotationStatus: 'Failed', LastRotationErrorStep: 'create' });
    expect(String(described.LastRotationError)).toContain('not what this secret');
    const events = await auditEvents(name);
    expect(events.map((e) => [e.eventName, e.resultCode])).toContainEqual([
      'RotationCreate',
      'RotationStepFailed',
    ]);
    expect(await currentAccount(name)).toEqual(app);
    expect(await loginWorks(engine, app)).toBe(true);

    // Back on the real server, with another (equally valid) administrator secret: still refused until
    // the binding is authorized again.
    await admin.call('CreateSecret', {
      SecretName: `dbadm-copy/${engine}`,
      VersionId: 'v1',
      SecretData: accountValue({
        accountName: SERVER[engine].user,
        accountPassword: SERVER[engine].password,
      }),
    });
    await admin.call('UpdateDatabaseInstance', {
      DBInstanceId: id,
      Port: port,
      AdminSecretName: `dbadm-copy/${engine}`,
    });
    await rotate(admin, name, 'r2');
    expect(await currentAccount(name)).toEqual(app);
    await admin.call('UpdateSecret', { SecretName: name, ExtendedConfig: config });
    await rotate(admin, name, 'r3');
    const rotated = await currentAccount(name);
    expect(rotated.accountPassword).not.toBe(app.accountPassword);
    expect(await loginWorks(engine, rotated)).toBe(true);
    await admin.call('DeleteSecret', { SecretName: name, ForceDeleteWithoutRecovery: true });
    await admin.call('DeregisterDatabaseInstance', { DBInstanceId: id });
  });

  it('at run time: the administrator account is never the one set, even when its secret changed after the binding', async () => {
    const standIn = await account(engine, 'StandIn01');
    const app = await account(engine, 'AppPass01');
    const id = `turned-${engine}`;
    const adminSecret = `dbadm-turned/${engine}`;
    await admin.call('CreateSecret', {
      SecretName: adminSecret,
      VersionId: 'v1',
      SecretData: accountValue(standIn),
    });
    await admin.call('RegisterDatabaseInstance', {
      DBInstanceId: id,
      Engine: engine,
      Host: SERVER[engine].host,
      Port: SERVER[engine].port,
      AdminSecretName: adminSecret,
    });
    const name = `app/${engine}/turned`;
    await admin.call('CreateSecret', rdsSecret(name, { SecretSubType: 'SingleUser', DBInstanceId: id }, app));
    // The administrator secret now names the rotated account itself.
    await admin.call('PutSecretValue', {
      SecretName: adminSecret,
      VersionId: 'v2',
      SecretData: accountValue(app),
    });
    await rotate(admin, name, 'r1');
    const described = await admin.call('DescribeSecret', { SecretName: name });
    expect(described).toMatchObject({ RotationStatus: 'Failed', LastRotationErrorStep: 'set' });
    expect(String(described.LastRotationError)).toContain('never rotates it. Nothing was sent');
    expect(await loginWorks(engine, app)).toBe(true);
    await admin.call('DeleteSecret', { SecretName: name, ForceDeleteWithoutRecovery: true });
    await admin.call('DeregisterDatabaseInstance', { DBInstanceId: id });
  });
});
