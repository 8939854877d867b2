/**
 * The AWS CLI v2 (Debian's `awscli`, installed by `.ci/run` where missing) as a process against a real
 * Tessera: a scripted session with `--endpoint-url` — create, put, get, move a stage, list with
 * filters, delete and restore — exactly as docs/aws.md shows it. Credentials and region come from the
 * environment; no configuration file is read.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsServer } from './harness.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, HOME_REGION, startAwsServer, token } from './harness.js';

const run = promisify(execFile);

/** Debian's AWS CLI v2; another `aws` on PATH (pip's v1) answers differently. */
const AWS_CLI = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

let server: AwsServer;

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    AWS_CLI,
    ['secretsmanager', ...args, '--endpoint-url', server.baseUrl, '--output', 'json'],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: ACCESS_KEY_SECRET,
        AWS_DEFAULT_REGION: HOME_REGION,
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_PAGER: '',
      },
      timeout: 30_000,
    },
  );
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

// enabled when the AWS adapter is wired to the pipeline
describe.skip('AWS CLI v2 scripted session', () => {
  beforeAll(async () => {
    const { stdout } = await run(AWS_CLI, ['--version']);
    expect(stdout).toMatch(/^aws-cli\/2\./);
    server = await startAwsServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('creates, puts, gets, moves a stage, lists with filters, deletes and restores', async () => {
    const created = await aws(
      'create-secret',
      '--name',
      'cli/db',
      '--secret-string',
      'one',
      '--client-request-token',
      token('c1'),
    );
    expect(created).toMatchObject({ Name: 'cli/db', VersionId: token('c1') });
    await aws(
      'put-secret-value',
      '--secret-id',
      'cli/db',
      '--secret-string',
      'two',
      '--client-request-token',
      token('c2'),
      '--version-stages',
      'AWSPENDING',
    );
    expect(await aws('get-secret-value', '--secret-id', 'cli/db')).toMatchObject({ SecretString: 'one' });
    await aws(
      'update-secret-version-stage',
      '--secret-id',
      'cli/db',
      '--version-stage',
      'AWSCURRENT',
      '--move-to-version-id',
      token('c2'),
      '--remove-from-version-id',
      token('c1'),
    );
    expect(await aws('get-secret-value', '--secret-id', 'cli/db')).toMatchObject({
      SecretString: 'two',
      VersionId: token('c2'),
    });
    const listed = await aws(
      'list-secrets',
      '--filters',
      'Key=name,Values=cli/',
      'Key=name,Values=!cli/other',
    );
    expect((listed.SecretList as { Name: string }[]).map((s) => s.Name)).toEqual(['cli/db']);
    const deleted = await aws('delete-secret', '--secret-id', 'cli/db', '--recovery-window-in-days', '7');
    expect(typeof deleted.DeletionDate).toBe('string');
    const failure = await aws('get-secret-value', '--secret-id', 'cli/db').catch(
      (e: unknown) => e as { stderr: string },
    );
    expect((failure as { stderr: string }).stderr).toMatch(/InvalidRequestException/);
    await aws('restore-secret', '--secret-id', 'cli/db');
    expect(await aws('get-secret-value', '--secret-id', 'cli/db')).toMatchObject({ SecretString: 'two' });
  });
});
