/**
 * The repository README's first page, run as written against a real server: the official SDK snippet
 * (with the test server's address for 127.0.0.1:8080), and the recipe for application credentials,
 * which must give an application that can read secret values and nothing more. Also: every document in
 * docs/ is linked from it.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, Sandbox, startApiServer } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function block(name: string, language: string): string {
  const found = new RegExp(`<!-- readme-test: ${name} -->\\n+\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(
    readme,
  )?.[1];
  if (found === undefined) throw new Error(`README has no block marked readme-test: ${name}`);
  return found;
}

let server: ApiServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startApiServer();
  sandbox = new Sandbox(server.baseUrl);
  const created = await sandbox.tessera(['put', 'app/db-password', '--create', '--data', 'first-password']);
  expect(created.code, created.stderr).toBe(0);
});

afterAll(async () => {
  sandbox.remove();
  await server.stop();
});

describe('README', () => {
  it('links every document in docs/', () => {
    const documents = readdirSync(join(root, 'docs')).filter((file) => file.endsWith('.md'));
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) expect(readme, document).toContain(`docs/${document}`);
  });

  it('official SDK snippet: prints the value with the typed @alicloud/kms20160120 client', async () => {
    const snippet = block('official-sdk', 'js').replace('127.0.0.1:8080', server.endpoint);
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--input-type=commonjs', '-e', snippet],
        {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? '',
            ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
          },
        },
        (error, stdout, stderr) => {
          if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
          else resolve(stdout);
        },
      );
    });
    expect(output).toBe('first-password\n');
  });

  it('application credentials: the recipe gives a user that reads values and does nothing else', async () => {
    // `npx tessera` in the README is the workspace's CLI; here the sandbox's `tessera` on PATH.
    const script = `set -euo pipefail\nnpx() { "$@"; }\n${block('application-credentials', 'sh')}`;
    const result = await sandbox.sh(script);
    expect(result.code, result.stderr).toBe(0);
    const keyFile = join(sandbox.root, 'app-reader-key.json');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { accessKeyId: string; accessKeySecret: string };
    const asApp = (args: string[]) =>
      sandbox.tessera(args, {
        env: {
          ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
        },
      });

    const reads = await Promise.all([
      asApp(['get', 'app/db-password']),
      asApp(['run', '--env', 'PW=app/db-password', '--', 'sh', '-c', 'printf %s "$PW"']),
      asApp(['kms', 'DescribeSecret', '--SecretName', 'app/db-password']),
      asApp(['kms', 'ListSecretVersionIds', '--SecretName', 'app/db-password']),
    ]);
    for (const read of reads) expect(read.code, read.stderr).toBe(0);
    expect(reads[0].stdout).toBe('first-password');
    expect(reads[1].stdout).toBe('first-password');

    const refused = await Promise.all([
      asApp(['put', 'app/db-password', '--data', 'changed']),
      asApp(['put', 'app/new', '--create', '--data', 'x']),
      asApp([
        'kms',
        'UpdateSecretVersionStage',
        '--SecretName',
        'app/db-password',
        '--VersionStage',
        'X',
        '--MoveToVersion',
        'v1',
      ]),
      asApp(['kms', 'DeleteSecret', '--SecretName', 'app/db-password']),
      asApp(['kms', 'ListSecrets']),
      asApp(['kms', 'CreateKey']),
      asApp(['user', 'create', 'intruder']),
      asApp(['policy', 'attach', 'AdministratorAccess', '--type', 'System', '--user', 'app-reader']),
      asApp(['audit']),
    ]);
    for (const attempt of refused) {
      expect(attempt.code, attempt.stderr).toBe(1);
      expect(attempt.stderr).toMatch(/NoPermission/);
    }
    expect((await sandbox.tessera(['get', 'app/db-password'])).stdout).toBe('first-password');
  });
});
