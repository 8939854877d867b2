/**
 * The README's examples, run as written by bash (with `set -euo pipefail`) against a real server. Blocks
 * marked `<!-- readme-test: NAME -->` are the ones run; `tessera server` itself is covered by
 * server.test.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, Sandbox, startApiServer } from './helpers.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function block(name: string): string {
  const found = new RegExp(`<!-- readme-test: ${name} -->\\n+\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(
    readme,
  )?.[1];
  if (found === undefined) throw new Error(`README has no block marked readme-test: ${name}`);
  return `set -euo pipefail\n${found}`;
}

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

describe('README command list', () => {
  it('lists exactly the commands `tessera --help` shows, with the same summaries, in the same order', async () => {
    const help = await sandbox.bare(['--help']);
    const shown = (/\nCommands:\n([\s\S]*?)\n\n/.exec(help.stdout)?.[1] ?? '')
      .split('\n')
      .map((line) => /^ {2}(\S+) +(.+)$/.exec(line))
      .map((match) => [match?.[1], match?.[2]]);
    const table = /<!-- commands:begin -->([\s\S]*?)<!-- commands:end -->/.exec(readme)?.[1] ?? '';
    const listed = [...table.matchAll(/^\| `([^`]+)` \| (.+) \|$/gm)].map((match) => [
      match[1],
      match[2]?.replace(/\\\*/g, '*'),
    ]);
    expect(shown.length).toBeGreaterThan(10);
    expect(listed).toEqual(shown);
  });
});

describe('README examples', () => {
  it('configure: saves the bootstrap key from the data folder as the default profile', async () => {
    const cwd = join(sandbox.root, 'server-folder');
    mkdirSync(join(cwd, 'data'), { recursive: true });
    writeFileSync(
      join(cwd, 'data', 'bootstrap-credentials.json'),
      JSON.stringify({ AccessKeyId: ACCESS_KEY_ID, AccessKeySecret: ACCESS_KEY_SECRET }),
    );
    const result = await sandbox.sh(block('configure'), {
      cwd,
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: undefined, ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(sandbox.home, '.tessera', 'config.json'), 'utf8'))).toEqual({
      profiles: {
        default: {
          endpoint: 'http://127.0.0.1:8080',
          accessKeyId: ACCESS_KEY_ID,
          accessKeySecret: ACCESS_KEY_SECRET,
        },
      },
    });
  });

  it('everyday commands', async () => {
    const result = await sandbox.sh(block('everyday'));
    expect(result.code, result.stderr).toBe(0);
    const [password, copy, note, previous] = await Promise.all([
      sandbox.tessera(['get', 'app/db-password']),
      sandbox.tessera(['get', 'app/db-password-copy']),
      sandbox.tessera(['get', 'app/note']),
      sandbox.tessera(['get', 'app/db-password', '--stage', 'ACSPrevious']),
    ]);
    expect(password.stdout).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(copy.stdout).toBe(password.stdout);
    expect(note.stdout).toBe('line one\nline two\n');
    expect(previous.stdout).toBe('first-password');
    expect(result.stdout).toContain('first-password');
    expect(result.stdout).toMatch(
      /VERSION ID +CREATED +STAGES\n\S+ +\S+ +ACSCurrent\n\S+ +\S+ +ACSPrevious\n/,
    );
  });

  it('kms commands', async () => {
    const result = await sandbox.sh(block('kms'));
    expect(result.code, result.stderr).toBe(0);
    const last = result.stdout.slice(result.stdout.lastIndexOf('}\n{\n') + 2);
    expect(JSON.parse(last)).toMatchObject({
      SecretName: 'db_cred',
      VersionId: 'v2',
      SecretData: '{"uname": "alice", "pwd": "v2GwsgcuNylyYw9JGJNE5yBViGSiZ****"}',
    });
  });
});
