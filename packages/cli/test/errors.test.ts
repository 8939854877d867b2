/**
 * What goes wrong, and how the CLI says so: a message on stderr, nothing on stdout, and an exit status
 * per kind of failure (1 API error, 2 usage, 3 unreachable, 4 configuration). Also `--help` everywhere.
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  REQUEST_ID_LINE,
  Sandbox,
  closedPort,
  startApiServer,
} from './helpers.js';

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

describe('API errors (exit 1)', () => {
  it('kms prints Code, message and RequestId on stderr for an unknown secret', async () => {
    const result = await sandbox.tessera(['kms', 'GetSecretValue', '--SecretName', 'no/such/secret']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe('tessera: GetSecretValue failed: The secret "no/such/secret" does not exist.');
    expect(lines[1]).toBe('  Code:      Forbidden.ResourceNotFound (HTTP 404)');
    expect(lines[2]).toMatch(REQUEST_ID_LINE);
  });

  it('names a server-side parameter problem (an unknown action is caught locally: mistakes.test.ts)', async () => {
    const missing = await sandbox.tessera(['kms', 'PutSecretValue', '--SecretName', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('MissingParameter');
  });

  it('explains a bad signature and an unknown access key without printing the secret', async () => {
    const wrongSecret = 'wrong-secret-0123456789abcdef';
    const [badSignature, unknownKey] = await Promise.all([
      sandbox.tessera(['get', 'x'], { env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: wrongSecret } }),
      sandbox.tessera(['get', 'x', '--access-key-id', 'NoSuchKey123']),
    ]);
    expect(badSignature.code).toBe(1);
    expect(badSignature.stderr).toContain('Code:      SignatureDoesNotMatch (HTTP 400)');
    expect(badSignature.stderr).toContain(
      `the access key secret (from ALIBABA_CLOUD_ACCESS_KEY_SECRET) does not belong to`,
    );
    expect(badSignature.stderr).toContain(
      `access key id ${ACCESS_KEY_ID} (from ALIBABA_CLOUD_ACCESS_KEY_ID)`,
    );
    expect(unknownKey.code).toBe(1);
    expect(unknownKey.stderr).toContain('InvalidAccessKeyId.NotFound');
    expect(unknownKey.stderr).toContain(
      'the server does not know access key id NoSuchKey123 (from --access-key-id)',
    );
    for (const output of [badSignature.stdout, badSignature.stderr, unknownKey.stdout, unknownKey.stderr]) {
      expect(output).not.toContain(wrongSecret);
      expect(output).not.toContain(ACCESS_KEY_SECRET);
    }
  });
});

describe('connection failures (exit 3)', () => {
  it('says the server is unreachable, where the endpoint came from, and what to do', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const result = await sandbox.tessera(['get', 'x'], { env: { TESSERA_ENDPOINT: endpoint } });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').slice(0, 3)).toEqual([
      `tessera: get "x" failed: cannot reach the server at ${endpoint}`,
      `  (connect ECONNREFUSED ${endpoint.slice('http://'.length)}; endpoint from TESSERA_ENDPOINT)`,
      '  Is it running? Start one with `tessera server`, or point elsewhere with --endpoint,',
    ]);
  });

  it('says when the endpoint answers, but not as a Tessera server', async () => {
    const other = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const address = other.address();
    const endpoint = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    try {
      const result = await sandbox.tessera(['kms', 'ListSecrets', '--endpoint', endpoint]);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(
        `ListSecrets failed: ${endpoint} answered HTTP 200, but not as a Tessera server`,
      );
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

describe('configuration errors (exit 4)', () => {
  it('says which credentials are missing and where they can come from', async () => {
    const result = await sandbox.bare(['get', 'x', '--endpoint', server.baseUrl]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('tessera: no access key id and no access key secret');
    expect(result.stderr).toContain('set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    expect(result.stderr).toContain('tessera configure');
    expect(result.stderr).toContain(`${sandbox.home}/.tessera/config.json`);
  });

  it('rejects an endpoint that is not a server origin, and an unknown profile', async () => {
    const [endpoint, profile] = await Promise.all([
      sandbox.tessera(['password', '--endpoint', 'ftp://example.com']),
      sandbox.tessera(['password'], { env: { TESSERA_PROFILE: 'staging' } }),
    ]);
    expect(endpoint.code).toBe(4);
    expect(endpoint.stderr).toContain('tessera: invalid endpoint "ftp://example.com" (from --endpoint)');
    expect(profile.code).toBe(4);
    expect(profile.stderr).toContain(
      `tessera: profile "staging" is not in ${sandbox.home}/.tessera/config.json`,
    );
  });
});

describe('usage errors (exit 2)', () => {
  it('rejects unknown commands, options and arguments with the usage line', async () => {
    const results = await Promise.all([
      sandbox.tessera([]),
      sandbox.tessera(['fetch', 'x']),
      sandbox.tessera(['get', 'x', '--bogus']),
      sandbox.tessera(['get']),
      sandbox.tessera(['get', 'x', 'y']),
      sandbox.tessera(['kms']),
      sandbox.tessera(['kms', 'GetSecretValue', '--region', 'cn-hangzhou']),
      sandbox.tessera(['kms', 'GetSecretValue', '--SecretName']),
      sandbox.tessera(['kms', 'GetSecretValue', '--SecretName', 'a', '--SecretName', 'b']),
      sandbox.tessera(['kms', 'DescribeRegions', '--Format', 'XML']),
      sandbox.tessera(['versions', 'x', '--page-size', '500']),
      sandbox.tessera(['server', '--port', '1']),
    ]);
    expect(results.map((result) => [result.code, result.stdout, result.stderr.split('\n')[0]])).toEqual(
      [
        'missing the command (try: tessera --help)',
        'unknown command "fetch"',
        'unknown option "--bogus"',
        'missing NAME',
        'unexpected argument "y"',
        'missing the action name',
        'unknown option "--region"; API parameters are capitalised: --SecretName',
        '--SecretName needs a value',
        '--SecretName is given twice',
        'kms reads and prints JSON only; leave out --Format XML',
        '--page-size must be a whole number from 1 to 100',
        'unknown option "--port"',
      ].map((message) => [2, '', `tessera: ${message}`]),
    );
    expect(results[2].stderr).toContain('Usage: tessera get NAME');
    expect(results[2].stderr).toContain('Run `tessera get --help` for details.');
  });
});

describe('--help', () => {
  const commands = [
    'get',
    'put',
    'versions',
    'password',
    'run',
    'agent',
    'kms',
    'configure',
    'server',
    'audit',
    'backup',
    'restore',
    'root-key',
  ];

  it('exists for the top level and every command, on stdout, exiting 0', async () => {
    const results = await Promise.all([
      sandbox.bare(['--help']),
      sandbox.bare(['help', 'put']),
      sandbox.bare(['kms', 'GetSecretValue', '-h']),
      ...commands.map((command) => sandbox.bare([command, '--help'])),
    ]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^Usage: tessera /);
    }
    const [top, helpPut, kmsAction, ...perCommand] = results;
    for (const command of commands) expect(top.stdout).toContain(`\n  ${command} `);
    expect(helpPut.stdout).toBe(perCommand[1]?.stdout);
    expect(kmsAction.stdout).toBe(perCommand[commands.indexOf('kms')]?.stdout);
    perCommand.forEach((result, index) => {
      expect(result.stdout).toMatch(new RegExp(`^Usage: tessera ${commands[index] ?? ''}`));
    });
  });

  it('prints the version', async () => {
    const result = await sandbox.bare(['--version']);
    expect(result.stdout).toMatch(/^tessera \d+\.\d+\.\d+\n$/);
  });
});
