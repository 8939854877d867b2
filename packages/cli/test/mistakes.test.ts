/**
 * The mistakes a newcomer makes in the first hour, caught by the CLI with a usage error (exit 2) that
 * suggests the nearest valid name, or answered with a hint: each one as a process against a real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import { Sandbox, closedPort, startApiServer } from './helpers.js';

let server: ApiServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startApiServer();
  sandbox = new Sandbox(server.baseUrl);
});

afterAll(async () => {
  sandbox.remove();
  await server.stop();
});

describe('caught locally (exit 2, nearest name suggested, nothing sent)', () => {
  it('a mistyped action, a mistyped parameter, option, command or subcommand', async () => {
    const cases: [string[], string][] = [
      [
        ['kms', 'GetSecretValu', '--SecretName', 'x'],
        'unknown action "GetSecretValu" (did you mean "GetSecretValue"?); see tessera kms --help',
      ],
      [
        ['kms', 'GetSecretValue', '--SecretNam', 'x'],
        'unknown GetSecretValue parameter "--SecretNam" (did you mean "--SecretName"?); GetSecretValue takes --SecretName --VersionId --VersionStage --FetchExtendedConfig --DryRun',
      ],
      [
        ['kms', 'TagResources', '--ResourceType', 'secret', '--ResourceId.1', 'a', '--Tag.1.Kye', 'k'],
        'unknown TagResources parameter "--Tag.1.Kye" (did you mean "--Tag.1.Key"?)',
      ],
      [['get', 'x', '--stag', 'ACSPrevious'], 'unknown option "--stag" (did you mean "--stage"?)'],
      [['polcy', 'list'], 'unknown command "polcy" (did you mean "policy"?)'],
      [['user', 'lst'], 'unknown subcommand "lst" (did you mean "list"?)'],
      [['db', 'regster', 'x'], 'unknown subcommand "regster" (did you mean "register"?)'],
      [['rotation', 'stauts', 'x'], 'unknown subcommand "stauts" (did you mean "status"?)'],
      [['put', 'x', '--data'], '--data needs a value'],
      [['user'], 'missing the subcommand (create, get, list, update, delete, password, mfa, policies)'],
      [['db'], 'missing the subcommand (register, list, describe, deregister)'],
      [['audit', '--json=yes'], '--json takes no value'],
    ];
    // Pointed at a closed port: a command that reached for the server would exit 3, not 2.
    const nowhere = { TESSERA_ENDPOINT: `http://127.0.0.1:${await closedPort()}` };
    const results = await Promise.all(cases.map(([args]) => sandbox.tessera(args, { env: nowhere })));
    results.forEach((result, index) => {
      const [args, message] = cases[index] ?? [[], ''];
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')[0], args.join(' ')).toContain(`tessera: ${message}`);
      expect(result.stderr).toMatch(/\nUsage: tessera /);
    });
  });

  it('accepts every parameter an action reads, numbered and keyed ones included', async () => {
    const result = await sandbox.tessera([
      'kms',
      'ListTagResources',
      '--ResourceType',
      'secret',
      '--ResourceId.1',
      'nothing/here',
      '--RegionId',
      'cn-hangzhou',
    ]);
    expect(result.code, result.stderr).toBe(0);
  });
});

describe('answered with a hint', () => {
  it('put on a missing secret suggests --create (exit 1)', async () => {
    const result = await sandbox.tessera(['put', 'no/such/secret', '--data', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('tessera: put "no/such/secret" failed');
    expect(result.stderr).toContain('add --create');
    expect(result.stderr).toContain('tessera put no/such/secret --create');
  });

  it('policy get, attach and detach find a system policy without --type', async () => {
    const result = await sandbox.tessera(['policy', 'get', 'AliyunKMSSecretUserAccess']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Type:\s+System/);
    expect(result.stdout).toContain('kms:GetSecretValue');
    await sandbox.tessera(['user', 'create', 'typeless']);
    const attached = await sandbox.tessera([
      'policy',
      'attach',
      'AliyunKMSSecretUserAccess',
      '--user',
      'typeless',
    ]);
    expect(attached.code, attached.stderr).toBe(0);
    expect(attached.stderr).toContain('attached system policy AliyunKMSSecretUserAccess to typeless');
    const detached = await sandbox.tessera([
      'policy',
      'detach',
      'AliyunKMSSecretUserAccess',
      '--user',
      'typeless',
    ]);
    expect(detached.code, detached.stderr).toBe(0);
    const missing = await sandbox.tessera(['policy', 'get', 'NoSuchPolicy']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('EntityNotExist.Policy');
  });
});
