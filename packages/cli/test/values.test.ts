/** `put`, `get`, `versions` and `password`: the day-to-day commands, run as a script would run them. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import { Sandbox, startApiServer } from './helpers.js';

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

const FRESH_VERSION_ID = /^\d{8}T\d{6}Z-[0-9a-f]{8}\n$/;

async function create(name: string, value = 'initial'): Promise<void> {
  const result = await sandbox.tessera(['put', name, '--create', '--data', value, '--version-id', 'v1']);
  expect(result.code, result.stderr).toBe(0);
}

describe('tessera put', () => {
  it('reads the value from stdin, byte for byte, and prints a fresh version id', async () => {
    await create('app/stdin');
    const value = 'from stdin: ünïcödé, "quotes", $dollars and a trailing newline\n';
    const put = await sandbox.tessera(['put', 'app/stdin'], { input: value });
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toMatch(FRESH_VERSION_ID);
    expect(put.stderr).toBe('');
    const get = await sandbox.tessera(['get', 'app/stdin', '--version', put.stdout.trim()]);
    expect(get.stdout).toBe(value);
  });

  it('reads the value from --file exactly, or from --data, with the version id given', async () => {
    await create('app/file');
    const file = join(sandbox.root, 'value.pem');
    const pem = '-----BEGIN KEY-----\nabc\n-----END KEY-----\n';
    writeFileSync(file, pem);
    const fromFile = await sandbox.tessera(['put', 'app/file', '--file', file, '--version-id', 'from-file']);
    expect(fromFile.stdout).toBe('from-file\n');
    const fromData = await sandbox.tessera([
      'put',
      'app/file',
      '--data',
      'from --data',
      '--version-id',
      'data',
    ]);
    expect(fromData.stdout).toBe('data\n');
    const [byVersion, current, previous] = await Promise.all([
      sandbox.tessera(['get', 'app/file', '--version', 'from-file']),
      sandbox.tessera(['get', 'app/file']),
      sandbox.tessera(['get', 'app/file', '--stage', 'ACSPrevious']),
    ]);
    expect(byVersion.stdout).toBe(pem);
    expect(current.stdout).toBe('from --data');
    expect(previous.stdout).toBe(pem);
  });

  it('labels the new version with --stage (repeatable) or --stages JSON, leaving ACSCurrent alone', async () => {
    await create('app/stages');
    const staged = await sandbox.sh(
      "printf 'next' | tessera put app/stages --stage Pending --stage Canary --version-id v2 && " +
        `tessera put app/stages --data third --stages '["Later"]' --version-id v3`,
    );
    expect(staged.code, staged.stderr).toBe(0);
    const [current, canary, later, both, mismatch] = await Promise.all([
      sandbox.tessera(['get', 'app/stages']),
      sandbox.tessera(['get', 'app/stages', '--stage', 'Canary']),
      sandbox.tessera(['get', 'app/stages', '--stage', 'Later']),
      sandbox.tessera(['get', 'app/stages', '--stage', 'Pending', '--version', 'v2']),
      sandbox.tessera(['get', 'app/stages', '--stage', 'Pending', '--version', 'v3']),
    ]);
    expect([current.stdout, canary.stdout, later.stdout, both.stdout]).toEqual([
      'initial',
      'next',
      'third',
      'next',
    ]);
    expect(mismatch.code).toBe(1);
  });

  it('stores base64 with --binary (line breaks dropped) and refuses what is not base64', async () => {
    await create('app/binary');
    const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37) % 256));
    const wrapped = `${bytes.toString('base64').replace(/(.{76})/g, '$1\n')}\n`;
    const put = await sandbox.tessera(['put', 'app/binary', '--binary'], { input: wrapped });
    expect(put.code, put.stderr).toBe(0);
    const value = await sandbox.tessera(['kms', 'GetSecretValue', '--SecretName', 'app/binary']);
    expect(JSON.parse(value.stdout)).toMatchObject({
      SecretDataType: 'binary',
      SecretData: bytes.toString('base64'),
    });
    const notBase64 = await sandbox.tessera(['put', 'app/binary', '--binary', '--data', 'not base64!']);
    expect(notBase64.code).toBe(2);
    expect(notBase64.stderr).toContain('with --binary the value must be base64');
  });

  it('creates the secret with --create, and otherwise says the secret does not exist', async () => {
    const missing = await sandbox.tessera(['put', 'app/new', '--data', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('put "app/new" failed: The secret "app/new" does not exist.');
    const created = await sandbox.tessera(['put', 'app/new', '--create'], { input: 'first' });
    expect(created.code, created.stderr).toBe(0);
    expect((await sandbox.tessera(['get', 'app/new'])).stdout).toBe('first');
  });

  it('refuses empty, non-UTF-8, oversized and doubly given values before calling the server', async () => {
    const file = join(sandbox.root, 'latin1.txt');
    writeFileSync(file, Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    const cases = await Promise.all([
      sandbox.tessera(['put', 'app/x'], { input: '' }),
      sandbox.tessera(['put', 'app/x', '--file', file]),
      sandbox.tessera(['put', 'app/x'], { input: 'a'.repeat(30_721) }),
      sandbox.tessera(['put', 'app/x', '--data', 'a', '--file', file]),
      sandbox.tessera(['put', 'app/x', '--file', join(sandbox.root, 'missing')]),
      sandbox.tessera(['put', 'app/x', '--stages', 'Pending', '--data', 'a']),
    ]);
    expect(cases.map((result) => result.code)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(cases.map((result) => result.stderr.split('\n')[0])).toEqual([
      'tessera: the value is empty; refusing to store an empty version',
      'tessera: the value is not UTF-8 text; store binary data as base64 with --binary (base64 -w0 FILE | tessera put NAME --binary)',
      'tessera: the value is 30721 bytes; a secret version holds at most 30720 bytes',
      'tessera: give the value with --data or --file, not both',
      expect.stringMatching(/^tessera: cannot read --file \S+missing \(ENOENT\)$/) as unknown,
      `tessera: --stages must be a JSON list of labels, e.g. '["MyPendingLabel"]'`,
    ]);
  });
});

describe('tessera get', () => {
  it('prints the raw value with no newline added, ready for $(...)', async () => {
    await create('app/get', 'p@ss w0rd "quoted" $HOME');
    const result = await sandbox.sh(
      'value="$(tessera get app/get)" && printf "[%s]" "$value" && previous="$(tessera get app/get --stage ACSCurrent --version v1)" && printf "[%s]" "$previous"',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('[p@ss w0rd "quoted" $HOME][p@ss w0rd "quoted" $HOME]');
  });

  it('says which secret, version or stage is missing, with the code and request id', async () => {
    await create('app/missing-parts');
    const [secret, version, stage] = await Promise.all([
      sandbox.tessera(['get', 'no/such/secret']),
      sandbox.tessera(['get', 'app/missing-parts', '--version', 'v9']),
      sandbox.tessera(['get', 'app/missing-parts', '--stage', 'Nope']),
    ]);
    for (const result of [secret, version, stage]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('Code:      Forbidden.ResourceNotFound (HTTP 404)');
      expect(result.stderr).toMatch(/RequestId: [0-9A-F-]{36}/);
    }
    expect(secret.stderr).toContain(
      'tessera: get "no/such/secret" failed: The secret "no/such/secret" does not exist.',
    );
    expect(version.stderr).toContain('has no version "v9"');
    expect(stage.stderr.split('\n')[0]).toContain('Nope');
  });
});

describe('tessera versions', () => {
  it('prints a table of every page, newest first; --all adds versions without labels', async () => {
    await create('app/versions', 'one');
    const puts = await sandbox.sh(
      'for v in v2 v3 v4; do tessera put app/versions --data "value $v" --version-id $v >/dev/null || exit 1; done',
    );
    expect(puts.code, puts.stderr).toBe(0);
    const [labelled, all] = await Promise.all([
      sandbox.tessera(['versions', 'app/versions']),
      sandbox.tessera(['versions', 'app/versions', '--all', '--page-size', '1']),
    ]);
    const row = (id: string, stages: string) =>
      expect.stringMatching(
        new RegExp(`^${id} {10}\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  ${stages}$`),
      ) as unknown;
    expect(labelled.stdout.split('\n')).toEqual([
      'VERSION ID  CREATED               STAGES',
      row('v4', 'ACSCurrent'),
      row('v3', 'ACSPrevious'),
      '',
    ]);
    expect(all.stdout.split('\n')).toEqual([
      'VERSION ID  CREATED               STAGES',
      row('v4', 'ACSCurrent'),
      row('v3', 'ACSPrevious'),
      row('v2', '-'),
      row('v1', '-'),
      '',
    ]);
  });
});

describe('tessera password', () => {
  it('prints a password of the asked shape, without a newline, so it pipes into put exactly', async () => {
    await create('app/password');
    const [plain, shaped] = await Promise.all([
      sandbox.tessera(['password']),
      sandbox.tessera([
        'password',
        '--length',
        '12',
        '--no-punctuation',
        '--exclude-characters',
        'aeiouAEIOU01',
      ]),
    ]);
    expect(plain.stdout).toMatch(/^[!-~]{32}$/);
    expect(shaped.stdout).toMatch(/^[B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z2-9]{12}$/);
    const piped = await sandbox.sh(
      'tessera password --length 20 | tessera put app/password >/dev/null && tessera get app/password',
    );
    expect(piped.stdout).toMatch(/^[!-~]{20}$/);
    const tooShort = await sandbox.tessera(['password', '--length', '4']);
    expect(tooShort.code).toBe(1);
    expect(tooShort.stderr).toContain('PasswordLength');
  });
});
