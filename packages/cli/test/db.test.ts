/** `tessera db`, run as a child process against a real server. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import { Sandbox, startApiServer } from './helpers.js';

let server: ApiServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startApiServer();
  sandbox = new Sandbox(server.baseUrl);
  const put = await sandbox.tessera([
    'put',
    'db/admin',
    '--create',
    '--data',
    JSON.stringify({ AccountName: 'postgres', AccountPassword: 'admin-pw' }),
  ]);
  expect(put.code, put.stderr).toBe(0);
});

afterAll(async () => {
  sandbox.remove();
  await server.stop();
});

it('registers, lists, describes and deregisters an instance', async () => {
  const registered = await sandbox.tessera([
    'db',
    'register',
    'orders',
    '--engine',
    'PostgreSQL',
    '--host',
    'db.internal',
    '--admin-secret',
    'db/admin',
    '--database',
    'orders',
    '--json',
  ]);
  expect(registered.code, registered.stderr).toBe(0);
  expect(JSON.parse(registered.stdout)).toMatchObject({
    dbInstanceId: 'orders',
    engine: 'postgresql',
    port: 5432,
  });
  expect(registered.stdout).not.toContain('admin-pw');

  const listed = await sandbox.tessera(['db', 'list']);
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.stdout).toMatch(/ID\s+ENGINE\s+ADDRESS\s+TLS\s+ADMIN SECRET/);
  expect(listed.stdout).toMatch(/orders\s+postgresql\s+db\.internal:5432\s+disable\s+db\/admin/);

  const described = await sandbox.tessera(['db', 'describe', 'orders']);
  expect(described.code, described.stderr).toBe(0);
  expect(described.stdout).toContain('Database:     orders');

  const gone = await sandbox.tessera(['db', 'deregister', 'orders']);
  expect(gone.code, gone.stderr).toBe(0);
  const missing = await sandbox.tessera(['db', 'describe', 'orders']);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('Forbidden.ResourceNotFound');
});

it('refuses incomplete or misplaced options as usage errors (exit 2)', async () => {
  for (const argv of [
    ['db', 'register', 'x', '--host', 'h', '--admin-secret', 'db/admin'],
    ['db', 'register', 'x', '--engine', 'oracle', '--host', 'h', '--admin-secret', 'db/admin'],
    ['db', 'describe'],
    ['db', 'list', '--host', 'h'],
    ['db', 'frobnicate'],
  ]) {
    const result = await sandbox.tessera(argv);
    expect(result.code, argv.join(' ')).toBe(2);
  }
});
