/**
 * `tessera server`: the server in the foreground, as `npm start` runs it, used end to end with the
 * bootstrap key it writes, and stopped with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY, Sandbox } from './helpers.js';

let sandbox: Sandbox;

beforeAll(() => {
  sandbox = new Sandbox();
});

afterAll(() => {
  sandbox.remove();
});

describe('tessera server', () => {
  it('starts on TESSERA_PORT=0 in TESSERA_DATA_DIR, answers /healthz and the CLI, and stops on SIGTERM', async () => {
    const dataDir = join(sandbox.root, 'data');
    const child = spawn(process.execPath, [CLI_ENTRY, 'server'], {
      env: sandbox.env({ TESSERA_PORT: '0', TESSERA_DATA_DIR: dataDir, TESSERA_LOG_LEVEL: 'info' }, false),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => {
        resolve({ code, signal });
      });
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          for (const line of stdout.split('\n')) {
            if (!line.includes('"tessera is ready"')) continue;
            resolve(String((JSON.parse(line) as { address: unknown }).address));
          }
        });
        void exited.then(() => {
          reject(new Error(`the server exited early:\n${stdout}\n${stderr}`));
        });
      });
      const health = await fetch(`${address}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      // The first start wrote the administrator's key; save it as the profile and use it.
      const bootstrap = JSON.parse(readFileSync(join(dataDir, 'bootstrap-credentials.json'), 'utf8')) as {
        AccessKeyId: string;
        AccessKeySecret: string;
      };
      const used = await sandbox.sh(
        'tessera configure --endpoint "$ENDPOINT" --access-key-id "$ID" >/dev/null && tessera password --length 16',
        { env: { ENDPOINT: address, ID: bootstrap.AccessKeyId }, input: `${bootstrap.AccessKeySecret}\n` },
      );
      expect(used.code, used.stderr).toBe(0);
      expect(used.stdout).toMatch(/^[!-~]{16}$/);

      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(stdout).toContain('"msg":"stopped"');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
