/**
 * The rotation walkthrough of the Alibaba docs (shared/spec/seeds/secret-rotation.md), its `aliyun kms`
 * commands run by bash with only `aliyun` replaced by `tessera`.
 *
 * As printed, two blocks lack a trailing backslash after `--SecretName …`, so a shell ends the command
 * there and runs the following lines as a command of their own; block 2 also closes its JSON string
 * early (`****"}"` instead of `****\"}"`), which leaves a quote open. Both are run as printed, to show
 * what a shell really does with them, and in corrected form, which must work.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import { SEED_FILE, Sandbox, startApiServer } from './helpers.js';

/** The seed's blocks as printed: the `$ ` prompt and the list indentation removed, `aliyun` → `tessera`. */
const PRINTED = {
  scenario1: String.raw`tessera kms PutSecretValue \
  --SecretName MyOAuthAppSecret 
  --SecretData sample-app-secret \
  --VersionId v2`,
  randomPassword: `tessera kms GetRandomPassword --ExcludePunctuation true${' '.repeat(23)}`,
  storePending: String.raw`tessera kms PutSecretValue \
    --SecretName db_cred 
    --SecretData "{\"uname\": \"alice\", \"pwd\": \"v2GwsgcuNylyYw9JGJNE5yBViGSiZ****"}" \
    --VersionId v2 \
    --VersionStages "[\"MyPendingLabel\"]"`,
  promote: String.raw`tessera kms UpdateSecretVersionStage \
    --SecretName db_cred \
    --VersionStage ACSCurrent \
    --MoveToVersion v2`,
};

/** The same with the missing backslashes added and the JSON string's last quote escaped. */
const CORRECTED = {
  scenario1: PRINTED.scenario1.replace(
    '--SecretName MyOAuthAppSecret \n',
    '--SecretName MyOAuthAppSecret \\\n',
  ),
  storePending: PRINTED.storePending
    .replace('--SecretName db_cred \n', '--SecretName db_cred \\\n')
    .replace('SiZ****"}"', 'SiZ****\\"}"'),
};

const NEW_DB_CRED = '{"uname": "alice", "pwd": "v2GwsgcuNylyYw9JGJNE5yBViGSiZ****"}';
const OLD_DB_CRED = '{"uname": "alice", "pwd": "first-password"}';

let server: ApiServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startApiServer();
  sandbox = new Sandbox(server.baseUrl);
  // The prerequisite of both scenarios: an initial version labelled ACSCurrent.
  const created = await sandbox.sh(
    [
      'tessera kms CreateSecret --SecretName MyOAuthAppSecret --VersionId v1 --SecretData initial-app-secret',
      `tessera kms CreateSecret --SecretName db_cred --VersionId v1 --SecretData '${OLD_DB_CRED}'`,
    ].join(' && '),
  );
  expect(created.code, created.stderr).toBe(0);
});

afterAll(async () => {
  sandbox.remove();
  await server.stop();
});

describe('the seed commands, run by bash with aliyun replaced by tessera', () => {
  it.skipIf(!existsSync(SEED_FILE))('are the seed’s own, character for character', () => {
    const seed = readFileSync(SEED_FILE, 'utf8');
    for (const block of Object.values(PRINTED)) {
      const asPrinted = block
        .replace(/^tessera /, '$ aliyun ')
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n');
      expect(seed).toContain(`${asPrinted}\n`);
    }
  });

  it('scenario 1 as printed: bash ends the command at the line without a backslash', async () => {
    const result = await sandbox.sh(PRINTED.scenario1);
    // `tessera kms PutSecretValue --SecretName MyOAuthAppSecret` reaches the server without the rest…
    expect(result.stderr).toContain('MissingParameter');
    // …and bash then tries to run `--SecretData sample-app-secret --VersionId v2` as a command.
    expect(result.stderr).toContain('--SecretData: command not found');
    expect(result.code).toBe(127);
    expect((await sandbox.tessera(['get', 'MyOAuthAppSecret'])).stdout).toBe('initial-app-secret');
  });

  it('scenario 1 corrected: the new version becomes ACSCurrent and the old one ACSPrevious', async () => {
    const result = await sandbox.sh(CORRECTED.scenario1);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      SecretName: 'MyOAuthAppSecret',
      VersionId: 'v2',
      VersionStages: { VersionStage: ['ACSCurrent'] },
    });
    expect(result.stdout).toMatch(/^\{\n {2}"RequestId": "[0-9A-F-]{36}",\n/);
    const [current, previous] = await Promise.all([
      sandbox.tessera(['get', 'MyOAuthAppSecret']),
      sandbox.tessera(['get', 'MyOAuthAppSecret', '--stage', 'ACSPrevious']),
    ]);
    expect(current.stdout).toBe('sample-app-secret');
    expect(previous.stdout).toBe('initial-app-secret');
  });

  it('scenario 2, step 1: GetRandomPassword --ExcludePunctuation true, exactly as printed', async () => {
    const result = await sandbox.sh(PRINTED.randomPassword);
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual(['RandomPassword', 'RequestId']);
    expect(answer.RandomPassword).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('scenario 2, step 2 as printed: the first line runs alone, then bash finds an unclosed quote', async () => {
    const result = await sandbox.sh(PRINTED.storePending);
    expect(result.stderr).toContain('MissingParameter');
    expect(result.stderr).toContain('unexpected EOF while looking for matching `"\'');
    // bash -c exits with the last command's status (tessera's 1) or with 2, depending on the version.
    expect(result.code).not.toBe(0);
    const listed = await sandbox.tessera(['versions', 'db_cred']);
    expect(listed.stdout.trim().split('\n').slice(1)).toEqual([
      expect.stringMatching(/^v1 +\S+ +ACSCurrent$/),
    ]);
  });

  it('scenario 2 corrected: store under MyPendingLabel, then move ACSCurrent to it', async () => {
    const stored = await sandbox.sh(CORRECTED.storePending);
    expect(stored.code, stored.stderr).toBe(0);
    expect(JSON.parse(stored.stdout)).toMatchObject({
      SecretName: 'db_cred',
      VersionId: 'v2',
      VersionStages: { VersionStage: ['MyPendingLabel'] },
    });
    // ACSCurrent and ACSPrevious are untouched until the label moves.
    const [current, pending] = await Promise.all([
      sandbox.tessera(['get', 'db_cred']),
      sandbox.tessera(['get', 'db_cred', '--stage', 'MyPendingLabel']),
    ]);
    expect(current.stdout).toBe(OLD_DB_CRED);
    expect(pending.stdout).toBe(NEW_DB_CRED);

    const promoted = await sandbox.sh(PRINTED.promote);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(JSON.parse(promoted.stdout)).toMatchObject({ SecretName: 'db_cred' });

    // The application's read (GetSecretValue) now returns v2; the table shows where each label points.
    const read = await sandbox.sh(
      String.raw`tessera kms GetSecretValue --SecretName db_cred && tessera versions db_cred`,
    );
    expect(read.code, read.stderr).toBe(0);
    const json = read.stdout.slice(0, read.stdout.indexOf('\n}\n') + 3);
    expect(JSON.parse(json)).toMatchObject({ VersionId: 'v2', SecretData: NEW_DB_CRED });
    expect(read.stdout.slice(json.length).trim().split('\n')).toEqual([
      expect.stringMatching(/^VERSION ID +CREATED +STAGES$/),
      expect.stringMatching(/^v2 +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +ACSCurrent, MyPendingLabel$/),
      expect.stringMatching(/^v1 +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +ACSPrevious$/),
    ]);
  });
});
