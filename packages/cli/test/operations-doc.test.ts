/**
 * docs/operations.md, run as written: every block marked `<!-- ops-test: NAME -->` is run by bash
 * (`set -euo pipefail`) in a folder holding a real server's data, and the systemd unit is checked by
 * `systemd-analyze verify` and its ExecStart run and stopped as systemd would (SIGTERM).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { run, Sandbox } from './helpers.js';
import { createDatabase, fingerprint, seed, startServer } from './ops-harness.js';

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));
const doc = readFileSync(join(REPOSITORY, 'docs', 'operations.md'), 'utf8');

function block(name: string, language = 'sh'): string {
  const found = new RegExp(`<!-- ops-test: ${name} -->\\n+\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(
    doc,
  )?.[1];
  if (found === undefined) throw new Error(`docs/operations.md has no block marked ops-test: ${name}`);
  return found;
}

let sandbox: Sandbox;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  sandbox = new Sandbox();
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  sandbox.remove();
});

describe('docs/operations.md', () => {
  it('backup, restore, move to PostgreSQL and root-key rotation run as written', async () => {
    const cwd = sandbox.root;
    const sh = (name: string, env: Record<string, string> = {}) =>
      sandbox.sh(`set -euo pipefail\n${block(name)}`, { cwd, env });
    const server = await startServer({ TESSERA_DATA_DIR: join(cwd, 'data') });
    const names = await seed(server.client);
    const expected = await fingerprint(server.client, names);

    const backedUp = await sh('backup');
    expect(backedUp.code, backedUp.stderr).toBe(0);
    const [file] = readdirSync(join(cwd, 'backups'));
    expect(file).toMatch(/^tessera-\d{8}-\d{6}\.tbak$/);
    copyFileSync(join(cwd, 'backups', file ?? ''), join(cwd, 'backups', 'latest.tbak'));

    const restored = await sh('restore');
    expect(restored.code, restored.stderr).toBe(0);
    const onRestored = await startServer({ TESSERA_DATA_DIR: join(cwd, 'restored') });
    expect(await fingerprint(onRestored.client, names)).toEqual(expected);
    await onRestored.stop();

    const database = await createDatabase();
    cleanups.push(database.drop);
    const moved = await sh('move', { NEW_DATABASE_URL: database.url });
    expect(moved.code, moved.stderr).toBe(0);
    await server.stop();
    const onPostgres = await startServer({
      TESSERA_DATA_DIR: join(cwd, 'pg-node'),
      TESSERA_DATABASE_URL: database.url,
      TESSERA_ROOT_KEY: readFileSync(join(cwd, 'data', 'root.key'), 'utf8').trim(),
    });
    expect(await fingerprint(onPostgres.client, names)).toEqual(expected);
    await onPostgres.stop();

    const oldKey = readFileSync(join(cwd, 'data', 'root.key'), 'utf8');
    const rotated = await sh('rotate');
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('re-sealed under the new root key');
    expect(readFileSync(join(cwd, 'data', 'root.key'), 'utf8')).not.toBe(oldKey);
    const afterRotation = await startServer({ TESSERA_DATA_DIR: join(cwd, 'data') });
    expect(await fingerprint(afterRotation.client, names)).toEqual(expected);
    await afterRotation.stop();
  });

  it('the systemd unit verifies, and its ExecStart with the environment file serves and stops on SIGTERM', async () => {
    const dataDir = join(sandbox.root, 'systemd-data');
    const keyFile = join(sandbox.root, 'systemd-root.key');
    writeFileSync(keyFile, `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
    const envFile = join(sandbox.root, 'tessera.env');
    writeFileSync(
      envFile,
      block('env-file')
        .replace('TESSERA_PORT=8080', 'TESSERA_PORT=0')
        .replace('/var/lib/tessera', dataDir)
        .replace('/etc/tessera/root.key', keyFile),
    );
    const unit = block('systemd-unit', 'ini')
      .replaceAll('/usr/bin/node', process.execPath)
      .replaceAll('/opt/tessera', REPOSITORY.replace(/\/$/, ''))
      .replaceAll('/etc/tessera/tessera.env', envFile)
      .replaceAll('/var/lib/tessera', sandbox.root)
      // The test runs as whoever runs it; the unit's own user does not exist here.
      .replace('User=tessera', `User=${process.env.USER ?? 'root'}`)
      .replace('Group=tessera', 'Group=root');
    const unitFile = join(sandbox.root, 'tessera.service');
    writeFileSync(unitFile, unit);
    const verified = await run('systemd-analyze', ['verify', unitFile], { PATH: process.env.PATH ?? '' });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toBe('');

    const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.split(' ') ?? [];
    const environment = Object.fromEntries(
      readFileSync(envFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const [command = '', ...args] = execStart;
    const child = spawn(command, args, { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let output = '';
    const ready = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((text) => text.includes('"tessera is ready"'));
        if (line !== undefined) resolve(String((JSON.parse(line) as { address: unknown }).address));
      });
      void exited.then(() => {
        reject(new Error(`ExecStart exited early:\n${output}`));
      });
    });
    expect((await fetch(`${ready}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
