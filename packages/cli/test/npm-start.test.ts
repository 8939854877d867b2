/**
 * What a process supervisor or container runtime does: SIGTERM (or SIGINT) to `npm start`. The server
 * must stop — finishing in-flight requests — and leave no process behind holding the port. (npm runs
 * the start script through `sh -c`; without `exec` the shell stays between npm and node, dies on
 * npm's forwarded signal, and the server lives on, orphaned.)
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Sandbox } from './helpers.js';

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));
let sandbox: Sandbox;

beforeAll(() => {
  sandbox = new Sandbox();
});

afterAll(() => {
  sandbox.remove();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start under a supervisor', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm start stops the server and leaves no process behind`, async () => {
      const npm = spawn('npm', ['start', '--silent'], {
        cwd: REPOSITORY,
        env: {
          ...sandbox.env({}, false),
          PATH: process.env.PATH ?? '',
          TESSERA_PORT: '0',
          TESSERA_DATA_DIR: join(sandbox.root, `data-${signal}`),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => npm.on('exit', resolve));
      let output = '';
      npm.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const ready = await new Promise<{ address: string; pid: number }>((resolve, reject) => {
        npm.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const line = output.split('\n').find((text) => text.includes('"tessera is ready"'));
          if (line !== undefined) resolve(JSON.parse(line) as { address: string; pid: number });
        });
        void exited.then(() => {
          reject(new Error(`npm start exited early:\n${output}`));
        });
      });
      try {
        expect(ready.pid).not.toBe(npm.pid);
        // A request the server has taken when the signal arrives still gets an answer, not a reset
        // (/healthz says 503 once shutdown has begun, which a load balancer reads as "take me out"). One
        // sent at the same instant may also find the listener already closed: that is refused, never hung.
        const inFlight = fetch(`${ready.address}/healthz`).then(
          (response) => response.status,
          (error: unknown) =>
            (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED' ? 'refused' : error,
        );
        npm.kill(signal);
        expect([200, 503, 'refused']).toContain(await inFlight);
        await exited;
        const deadline = Date.now() + 10_000;
        while (alive(ready.pid) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 50));
        expect(alive(ready.pid)).toBe(false);
        await expect(fetch(`${ready.address}/healthz`)).rejects.toThrow();
        expect(output).toContain('"msg":"stopped"');
      } finally {
        if (alive(ready.pid)) process.kill(ready.pid, 'SIGKILL');
      }
    }, 120_000);
  }
});
