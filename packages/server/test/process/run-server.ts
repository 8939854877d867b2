import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SERVER_ENTRY = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the built server (`npm test` builds first) as its own process, the way `npm start` does. */
export function spawnServer(env: Record<string, string>, entry = SERVER_ENTRY): ServerProcess {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first (npm test does).`);
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(...chunk.toString().split('\n').filter(Boolean)));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
    }),
  );
  return { child, stdout, stderr, exited };
}

/** Waits for a JSON log line matching `test`, failing if the process exits first. */
export async function waitForLog(
  server: ServerProcess,
  test: (line: Record<string, unknown>) => boolean,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  const state = { exited: false };
  void server.exited.then(() => {
    state.exited = true;
  });
  while (Date.now() < deadline) {
    for (const line of server.stdout) {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (test(parsed)) return parsed;
      } catch {
        // not a JSON line
      }
    }
    if (state.exited) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `log line not seen; stdout:\n${server.stdout.join('\n')}\nstderr:\n${server.stderr.join('')}`,
  );
}
