/**
 * The database rotators against the real PostgreSQL and MariaDB servers (unit-level integration: no
 * Tessera server, the rotation port called the way the engine calls it).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseEngine, DatabaseInstance } from '../../src/domain/database-instance.js';
import type { DatabaseAccount } from '../../src/domain/rds-secret.js';
import {
  formatAccountValue,
  isDatabaseSafePassword,
  parseAccountValue,
} from '../../src/domain/rds-secret.js';
import type { DatabaseRotationContext } from '../../src/rotators/database-rotator.js';
import { RdsRotatorResolver } from '../../src/rotators/database-rotator.js';
import { MysqlDriver } from '../../src/rotators/mysql-rotator.js';
import { PostgresDriver } from '../../src/rotators/postgres-rotator.js';
import { PasswordService } from '../../src/services/password-service.js';
import type { RotationStep, Rotator } from '../../src/services/rotation/rotator.js';
import { databaseTargetFingerprint, RotationStepError } from '../../src/services/rotation/rotator.js';
import {
  adminAccount,
  createAccount,
  dropAccount,
  ENGINES,
  localInstance,
  loginWorks,
  requireDatabases,
  uniqueAccount,
} from '../databases.js';

const timeouts = { connectMs: 2000, queryMs: 5000 };
const passwords = new PasswordService();
const drivers = { postgresql: new PostgresDriver(timeouts), mysql: new MysqlDriver(timeouts) };

beforeAll(requireDatabases);

const created: [DatabaseEngine, string][] = [];
afterEach(async () => {
  for (const [engine, name] of created.splice(0)) await dropAccount(engine, name);
});

async function account(engine: DatabaseEngine, password = 'Initial0pass'): Promise<DatabaseAccount> {
  const name = uniqueAccount();
  await createAccount(engine, name, password);
  created.push([engine, name]);
  return { accountName: name, accountPassword: password };
}

function context(instance: DatabaseInstance, admin: DatabaseAccount | string): DatabaseRotationContext {
  return {
    instance: (id) => Promise.resolve(id === instance.id ? instance : undefined),
    secretValue: (name) =>
      name === instance.adminSecretName
        ? Promise.resolve(typeof admin === 'string' ? admin : formatAccountValue(admin))
        : Promise.reject(new Error(`no secret ${name}`)),
    generatePassword: (length, excludeCharacters) => passwords.generate({ length, excludeCharacters }),
    drivers,
  };
}

function rotatorFor(
  instance: DatabaseInstance,
  extendedConfig: Record<string, unknown>,
  admin: DatabaseAccount | string = adminAccount(instance.engine),
  authorizedTarget: string | null = databaseTargetFingerprint(instance),
): Rotator {
  const rotator = new RdsRotatorResolver(context(instance, admin)).rotatorFor({
    secretName: 'app/db',
    secretType: 'Rds',
    extendedConfig: { DBInstanceId: instance.id, ...extendedConfig },
    authorizedTarget,
  });
  if (!rotator) throw new Error('no rotator for an Rds secret');
  // Every step carries what the secret's binding was authorized against, as the engine's steps do.
  return {
    createValue: (step) => rotator.createValue({ ...step, authorizedTarget }),
    setValue: (step) => rotator.setValue({ ...step, authorizedTarget }),
    testValue: (step) => rotator.testValue({ ...step, authorizedTarget }),
    finish: (step) => rotator.finish({ ...step, authorizedTarget }),
  };
}

/** One whole run as the engine drives it; returns the new value. */
async function rotate(rotator: Rotator, current: DatabaseAccount): Promise<DatabaseAccount> {
  const step: RotationStep = {
    secretName: 'app/db',
    secretType: 'Rds',
    extendedConfig: undefined,
    authorizedTarget: null,
    runId: 'run-1',
    pendingVersionId: 'v2',
    currentValue: formatAccountValue(current),
  };
  const pendingValue = await rotator.createValue(step);
  await rotator.setValue({ ...step, pendingValue });
  await rotator.testValue({ ...step, pendingValue });
  await rotator.finish({ ...step, pendingValue });
  const pending = parseAccountValue(pendingValue);
  if (!pending) throw new Error('the pending value is not an account');
  return pending;
}

async function failure(promise: Promise<unknown>): Promise<RotationStepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RotationStepError);
  return error as RotationStepError;
}

it('the local PostgreSQL check tells a right password from a wrong one (the server itself trusts every login)', async () => {
  const app = await account('postgresql');
  expect(await loginWorks('postgresql', app)).toBe(true);
  expect(await loginWorks('postgresql', { ...app, accountPassword: 'Wrong0pass' })).toBe(false);
});

describe.each(ENGINES)('%s', (engine) => {
  const instance = localInstance(engine);

  it('SingleUser: a new database-safe password for the same account; the old one stops working', async () => {
    const app = await account(engine);
    const rotator = rotatorFor(instance, { SecretSubType: 'SingleUser', PasswordLength: 24 });
    const next = await rotate(rotator, app);
    expect(next.accountName).toBe(app.accountName);
    expect(next.accountPassword).toHaveLength(24);
    expect(isDatabaseSafePassword(next.accountPassword)).toBe(true);
    expect(await loginWorks(engine, next)).toBe(true);
    expect(await loginWorks(engine, app)).toBe(false);
    // A retry after a crash repeats the steps with the same pending value: harmless.
    const again = await rotate(rotator, next);
    expect(await loginWorks(engine, again)).toBe(true);
  });

  it('DoubleUsers: changes only the account that is not current, alternating between the two', async () => {
    const first = await account(engine, 'FirstPass1');
    const clone = await account(engine, 'ClonePass1');
    const rotator = rotatorFor(instance, {
      SecretSubType: 'DoubleUsers',
      AccountName: first.accountName,
      CloneAccountName: clone.accountName,
    });
    const second = await rotate(rotator, first);
    expect(second.accountName).toBe(clone.accountName);
    expect(await loginWorks(engine, second)).toBe(true);
    // The current credential (now ACSPrevious) was not touched.
    expect(await loginWorks(engine, first)).toBe(true);
    expect(await loginWorks(engine, clone)).toBe(false);

    const third = await rotate(rotator, second);
    expect(third.accountName).toBe(first.accountName);
    expect(await loginWorks(engine, third)).toBe(true);
    expect(await loginWorks(engine, second)).toBe(true);
    expect(await loginWorks(engine, first)).toBe(false);
  });

  it('DoubleUsers refuses a current value naming an account it does not manage', async () => {
    const stranger = await account(engine);
    const rotator = rotatorFor(instance, {
      SecretSubType: 'DoubleUsers',
      AccountName: 'app_a',
      CloneAccountName: 'app_b',
    });
    const error = await failure(rotate(rotator, stranger));
    expect(error.retryable).toBe(false);
    expect(await loginWorks(engine, stranger)).toBe(true);
  });

  it('an unreachable instance is a retryable error that names it, without the password', async () => {
    const app = await account(engine);
    const closed = { ...instance, port: 1 };
    const rotator = rotatorFor(closed, { SecretSubType: 'SingleUser' });
    const step = {
      secretName: 'app/db',
      secretType: 'Rds' as const,
      extendedConfig: undefined,
      authorizedTarget: null,
      runId: 'r',
      pendingVersionId: 'v2',
      currentValue: formatAccountValue(app),
    };
    const pendingValue = await rotator.createValue(step);
    const error = await failure(rotator.setValue({ ...step, pendingValue }));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`"${closed.id}"`);
    expect(error.message).toContain('ECONNREFUSED');
    const pending = parseAccountValue(pendingValue)!;
    expect(error.message).not.toContain(pending.accountPassword);
    expect(await loginWorks(engine, app)).toBe(true);
  });

  it('an account that does not exist stops the run (not retryable)', async () => {
    const ghost = { accountName: uniqueAccount('ghost'), accountPassword: 'Whatever1' };
    const error = await failure(rotate(rotatorFor(instance, { SecretSubType: 'SingleUser' }), ghost));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(ghost.accountName);
  });

  it('a test login with a password the database does not hold fails', async () => {
    const app = await account(engine);
    const rotator = rotatorFor(instance, { SecretSubType: 'SingleUser' });
    const step = {
      secretName: 'app/db',
      secretType: 'Rds' as const,
      extendedConfig: undefined,
      authorizedTarget: null,
      runId: 'r',
      pendingVersionId: 'v2',
      currentValue: formatAccountValue(app),
    };
    const pendingValue = await rotator.createValue(step);
    // setValue skipped: the database still holds the old password.
    const error = await failure(rotator.testValue({ ...step, pendingValue }));
    expect(error.message).toContain(app.accountName);
    expect(error.message).not.toContain(parseAccountValue(pendingValue)!.accountPassword);
  });

  it('refuses, before reaching the database, an instance that is not what the binding was authorized for', async () => {
    const app = await account(engine);
    const authorized = databaseTargetFingerprint({ ...instance, host: 'db.example' });
    const redirected = rotatorFor(instance, { SecretSubType: 'SingleUser' }, undefined, authorized);
    const error = await failure(rotate(redirected, app));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('not what this secret');
    const unbound = rotatorFor(instance, { SecretSubType: 'SingleUser' }, undefined, null);
    expect((await failure(rotate(unbound, app))).message).toContain('nothing was sent');
    expect(await loginWorks(engine, app)).toBe(true);
  });

  it('never sets the administrator password, whatever the binding said (checked at every run)', async () => {
    const app = await account(engine);
    // The administrator secret now names the rotated account (its value changed after the binding).
    const rotator = rotatorFor(instance, { SecretSubType: 'SingleUser' }, app);
    const error = await failure(rotate(rotator, app));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('administrator');
    expect(await loginWorks(engine, app)).toBe(true);
  });

  it('administrator credentials that are not an account value are reported, not used', async () => {
    const app = await account(engine);
    const error = await failure(
      rotate(rotatorFor(instance, { SecretSubType: 'SingleUser' }, 'not json'), app),
    );
    expect(error.message).toContain('administrator secret');
    expect(await loginWorks(engine, app)).toBe(true);
  });
});

it('MariaDB: refused administrator credentials say so, and the account keeps its password', async () => {
  const app = await account('mysql');
  const other = await account('mysql');
  const rotator = rotatorFor(
    localInstance('mysql'),
    { SecretSubType: 'SingleUser' },
    {
      accountName: other.accountName,
      accountPassword: 'Wrong0pass',
    },
  );
  const error = await failure(rotate(rotator, app));
  expect(error.message).toContain("refused the administrator's login");
  expect(error.message).not.toContain('Wrong0pass');
  expect(await loginWorks('mysql', app)).toBe(true);
});

it('a secret whose ExtendedConfig does not parse gets a rotator that refuses with the reason', async () => {
  const rotator = new RdsRotatorResolver(context(localInstance('mysql'), adminAccount('mysql'))).rotatorFor({
    secretName: 's',
    secretType: 'Rds',
    extendedConfig: { SecretSubType: 'Triple' },
    authorizedTarget: null,
  });
  const error = await failure(
    rotator!.createValue({
      secretName: 's',
      secretType: 'Rds',
      extendedConfig: undefined,
      authorizedTarget: null,
      runId: 'r',
      pendingVersionId: 'v',
      currentValue: '{}',
    }),
  );
  expect(error.retryable).toBe(false);
  expect(error.message).toContain('SecretSubType');
  expect(
    new RdsRotatorResolver(context(localInstance('mysql'), adminAccount('mysql'))).rotatorFor({
      secretName: 's',
      secretType: 'Generic',
      extendedConfig: undefined,
      authorizedTarget: null,
    }),
  ).toBeUndefined();
});
