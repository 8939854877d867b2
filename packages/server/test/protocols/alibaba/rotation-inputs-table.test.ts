/**
 * Every action that can change what a rotation does (docs/threat-model.md), as a table: for each, the
 * permissions of everything that rotation will read or write. A RAM user holding the action's own
 * permission and all of those but one is refused and changes nothing; with all of them it succeeds.
 * Actions that change when a rotation runs but not what it touches (RotateSecret,
 * UpdateSecretRotationPolicy, CreateRotationWebhook) need nothing more and change no binding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES } from '../../databases.js';
import type { WebhookReceiver } from '../../fakes/webhook-receiver.js';
import type { ApiClient, ApiError, ApiServer, Body } from './harness.js';
import { errorOf, expectFailure, startApiServer } from './harness.js';
import type { PolicyStatement } from './rotation-attack-kit.js';
import { allow, ramUser, ROTATION_TEST_ENV, secretResource, startReceiver } from './rotation-attack-kit.js';

let server: ApiServer;
let admin: ApiClient;
let receiver: WebhookReceiver;

const ADMIN_SECRET = 'tbl-adm/pg';
const OTHER_ADMIN_SECRET = 'tbl-adm/new';
const account = (name: string) => JSON.stringify({ AccountName: name, AccountPassword: 'Pw0-initial' });

beforeAll(async () => {
  server = await startApiServer({ env: ROTATION_TEST_ENV });
  admin = server.client('pop-core-post');
  receiver = await startReceiver();
  for (const name of [ADMIN_SECRET, OTHER_ADMIN_SECRET]) {
    await admin.call('CreateSecret', { SecretName: name, VersionId: 'v1', SecretData: account('postgres') });
  }
  await admin.call('CreateRotationWebhook', { WebhookName: 'tbl-hook', Url: receiver.url });
});

afterAll(async () => {
  await server.stop();
  await receiver.stop();
});

/** One permission the rule demands, on one resource. */
interface Need {
  readonly action: string;
  readonly resource: string;
}

interface RowCall {
  readonly call: (client: ApiClient) => Promise<Body>;
  readonly state: () => Promise<unknown>;
}

interface Row {
  readonly action: string;
  readonly case: string;
  /** The action's own permission. */
  readonly own: Need;
  /** What the rotation it configures will read or write. */
  readonly needs: readonly Need[];
  /** Makes what the call acts on; returns the call and a view of what the call may change. */
  setup(): Promise<RowCall> | RowCall;
}

const onSecrets = (action: string): Need => ({ action, resource: secretResource('tbl/*') });
const onAccount = (action: string): Need => ({ action, resource: '*' });
const readAdmin: Need = { action: 'kms:GetSecretValue', resource: secretResource(ADMIN_SECRET) };
const secretValues = [onSecrets('kms:GetSecretValue'), onSecrets('kms:PutSecretValue')];

let count = 0;
const unique = (prefix: string) => `${prefix}-${++count}`;

async function instance(): Promise<string> {
  const id = unique('tbl-pg');
  await admin.call('RegisterDatabaseInstance', {
    DBInstanceId: id,
    Engine: 'postgresql',
    Host: POSTGRES.host,
    Port: POSTGRES.port,
    AdminSecretName: ADMIN_SECRET,
  });
  return id;
}

async function secretState(name: string): Promise<unknown> {
  try {
    const described = await admin.call('DescribeSecret', { SecretName: name });
    const versions = await admin.call('ListSecretVersionIds', { SecretName: name });
    return { config: described.ExtendedConfig, versions: versions.VersionIds };
  } catch (error) {
    if ((error as ApiError).code === 'Forbidden.ResourceNotFound') return 'absent';
    throw error;
  }
}

async function instanceState(id: string): Promise<unknown> {
  const described = await admin.call('DescribeDatabaseInstance', { DBInstanceId: id });
  return { ...described, RequestId: undefined };
}

async function rdsSecret(id: string): Promise<string> {
  const name = unique('tbl/rds');
  await admin.call('CreateSecret', {
    SecretName: name,
    VersionId: 'v1',
    SecretType: 'Rds',
    ExtendedConfig: JSON.stringify({ SecretSubType: 'SingleUser', DBInstanceId: id }),
    SecretData: account('tbl_app'),
  });
  return name;
}

async function boundGeneric(): Promise<string> {
  const name = unique('tbl/bound');
  await admin.call('CreateSecret', {
    SecretName: name,
    VersionId: 'v1',
    SecretData: 'x',
    ExtendedConfig: JSON.stringify({ RotationWebhook: 'tbl-hook' }),
  });
  return name;
}

const instanceChanges: [string, Record<string, string | number>][] = [
  ['Host', { Host: '127.0.0.2' }],
  ['Port', { Port: 6543 }],
  ['TlsMode', { TlsMode: 'require' }],
  [
    'CaCertificate',
    { TlsMode: 'verify-full', CaCertificate: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' },
  ],
  ['Database', { Database: 'elsewhere' }],
];

const ROWS: Row[] = [
  {
    action: 'CreateSecret',
    case: 'Generic bound to a webhook',
    own: onSecrets('kms:CreateSecret'),
    needs: secretValues,
    setup() {
      const name = unique('tbl/new-generic');
      const call = (client: ApiClient) =>
        client.call('CreateSecret', {
          SecretName: name,
          VersionId: 'v1',
          SecretData: 'x',
          ExtendedConfig: JSON.stringify({ RotationWebhook: 'tbl-hook' }),
        });
      return { call, state: () => secretState(name) };
    },
  },
  {
    action: 'CreateSecret',
    case: 'Rds on a database instance',
    own: onSecrets('kms:CreateSecret'),
    needs: [...secretValues, readAdmin],
    async setup() {
      const id = await instance();
      const name = unique('tbl/new-rds');
      const call = (client: ApiClient) =>
        client.call('CreateSecret', {
          SecretName: name,
          VersionId: 'v1',
          SecretType: 'Rds',
          ExtendedConfig: JSON.stringify({ SecretSubType: 'SingleUser', DBInstanceId: id }),
          SecretData: account('tbl_app'),
        });
      return { call, state: () => secretState(name) };
    },
  },
  {
    action: 'UpdateSecret',
    case: 'binding a Generic secret to a webhook',
    own: onSecrets('kms:UpdateSecret'),
    needs: secretValues,
    async setup() {
      const name = unique('tbl/generic');
      await admin.call('CreateSecret', { SecretName: name, VersionId: 'v1', SecretData: 'x' });
      const config = JSON.stringify({ RotationWebhook: 'tbl-hook' });
      const call = (client: ApiClient) =>
        client.call('UpdateSecret', { SecretName: name, ExtendedConfig: config });
      return { call, state: () => secretState(name) };
    },
  },
  {
    action: 'UpdateSecret',
    case: "an Rds secret's ExtendedConfig",
    own: onSecrets('kms:UpdateSecret'),
    needs: [...secretValues, readAdmin],
    async setup() {
      const id = await instance();
      const name = await rdsSecret(id);
      const config = JSON.stringify({ SecretSubType: 'SingleUser', DBInstanceId: id, PasswordLength: 40 });
      const call = (client: ApiClient) =>
        client.call('UpdateSecret', { SecretName: name, ExtendedConfig: config });
      return { call, state: () => secretState(name) };
    },
  },
  {
    action: 'RegisterDatabaseInstance',
    case: 'with an administrator secret',
    own: onAccount('kms:RegisterDatabaseInstance'),
    needs: [readAdmin],
    setup() {
      const id = unique('tbl-new');
      const call = (client: ApiClient) =>
        client.call('RegisterDatabaseInstance', {
          DBInstanceId: id,
          Engine: 'postgresql',
          Host: POSTGRES.host,
          AdminSecretName: ADMIN_SECRET,
        });
      const state = () =>
        admin
          .call('ListDatabaseInstances', { PageSize: 100 })
          .then((page) => JSON.stringify(page).includes(`"${id}"`));
      return { call, state };
    },
  },
  ...instanceChanges.map(([setting, change]): Row => ({
    action: 'UpdateDatabaseInstance',
    case: setting,
    own: onAccount('kms:UpdateDatabaseInstance'),
    needs: [readAdmin],
    async setup() {
      const id = await instance();
      await rdsSecret(id);
      const call = (client: ApiClient) =>
        client.call('UpdateDatabaseInstance', { DBInstanceId: id, ...change });
      return { call, state: () => instanceState(id) };
    },
  })),
  {
    action: 'UpdateDatabaseInstance',
    case: 'AdminSecretName (the old and the new one)',
    own: onAccount('kms:UpdateDatabaseInstance'),
    needs: [readAdmin, { action: 'kms:GetSecretValue', resource: secretResource(OTHER_ADMIN_SECRET) }],
    async setup() {
      const id = await instance();
      const call = (client: ApiClient) =>
        client.call('UpdateDatabaseInstance', { DBInstanceId: id, AdminSecretName: OTHER_ADMIN_SECRET });
      return { call, state: () => instanceState(id) };
    },
  },
  ...(['RotateSecret', 'UpdateSecretRotationPolicy'] as const).map((action): Row => ({
    action,
    case: 'on a secret someone with the permissions bound (changes when, not what)',
    own: onSecrets(`kms:${action}`),
    needs: [],
    async setup() {
      const name = await boundGeneric();
      const params =
        action === 'RotateSecret'
          ? { SecretName: name, VersionId: unique('r') }
          : { SecretName: name, EnableAutomaticRotation: 'true', RotationInterval: '7d' };
      const state = async () => (await admin.call('DescribeSecret', { SecretName: name })).ExtendedConfig;
      return { call: (client: ApiClient) => client.call(action, params), state };
    },
  })),
  {
    action: 'CreateRotationWebhook',
    case: 'binds nothing by itself',
    own: onAccount('kms:CreateRotationWebhook'),
    needs: [],
    setup() {
      const name = unique('tbl-own-hook');
      const call = (client: ApiClient) =>
        client.call('CreateRotationWebhook', { WebhookName: name, Url: receiver.url });
      return {
        call,
        state: () => admin.call('ListRotationWebhooks', {}).then((l) => JSON.stringify(l).includes(name)),
      };
    },
  },
];

const statementsFor = (needs: readonly Need[]): PolicyStatement[] =>
  needs.map((need) => allow([need.action], [need.resource]));

describe.each(ROWS.map((row) => [`${row.action}: ${row.case}`, row] as const))('%s', (_title, row) => {
  it.each(row.needs.map((missing) => [`${missing.action} on ${missing.resource}`, missing] as const))(
    'is refused without %s, and changes nothing',
    async (_missing, missing) => {
      const { call, state } = await row.setup();
      const before = await state();
      const user = await ramUser(
        server,
        ...statementsFor([row.own, ...row.needs.filter((n) => n !== missing)]),
      );
      const refused = await errorOf(call(user));
      expect([403, 404]).toContain(refused.status);
      expect(await state()).toEqual(before);
    },
  );

  it('succeeds with all of them', async () => {
    const { call } = await row.setup();
    const user = await ramUser(server, ...statementsFor([row.own, ...row.needs]));
    expect(await call(user)).toHaveProperty('RequestId');
    await server.instance.tessera.services.rotation.settle();
  });
});

it('DeleteRotationWebhook is refused while any secret is bound to the webhook, whoever asks', async () => {
  const name = await boundGeneric();
  await expectFailure(
    admin.call('DeleteRotationWebhook', { WebhookName: 'tbl-hook' }),
    409,
    'Rejected.ResourceInUse',
  );
  const user = await ramUser(server, allow(['kms:DeleteRotationWebhook'], ['*']));
  await expectFailure(
    user.call('DeleteRotationWebhook', { WebhookName: 'tbl-hook' }),
    409,
    'Rejected.ResourceInUse',
  );
  expect(JSON.stringify(await admin.call('ListRotationWebhooks', {}))).toContain('tbl-hook');
  expect((await admin.call('DescribeSecret', { SecretName: name })).ExtendedConfig).toContain('tbl-hook');
});
