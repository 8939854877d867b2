/**
 * Runs the built CLI (`npm run build`, or `npx tsc -b packages/cli`, first) as a child process, in a
 * throw-away HOME with its own profile file, against a real server started in-process. Children are
 * spawned asynchronously: the server answers them from this same process.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiServer } from '../../server/test/protocols/alibaba/harness.js';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  startApiServer,
} from '../../server/test/protocols/alibaba/harness.js';

export { ACCESS_KEY_ID, ACCESS_KEY_SECRET, startApiServer };
export type { ApiServer };

export const CLI_ENTRY = fileURLToPath(new URL('../dist/main.js', import.meta.url));
export const SEED_FILE = fileURLToPath(
  new URL('../../../../shared/spec/seeds/secret-rotation.md', import.meta.url),
);

export interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Added to (and overriding) the sandbox's environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to stdin, which is then closed (an empty pipe when absent). */
  readonly input?: string | Buffer;
  readonly cwd?: string;
}

export function run(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
  options: RunOptions = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined); // a child that exits without reading its input
    child.stdin.end(options.input);
  });
}

/**
 * A sandbox: a temporary HOME, a `tessera` on PATH (a wrapper around the built entry), and an
 * environment that inherits nothing Tessera-related from the real one.
 */
export class Sandbox {
  readonly root: string;
  readonly home: string;
  readonly bin: string;
  /** The server's origin, or undefined for a sandbox without one. */
  readonly endpoint: string | undefined;
  readonly baseEnv: Record<string, string>;

  constructor(endpoint?: string) {
    if (!existsSync(CLI_ENTRY)) {
      throw new Error(`${CLI_ENTRY} is missing: build first (npx tsc -b packages/cli, or npm run build).`);
    }
    this.root = mkdtempSync(join(tmpdir(), 'tessera-cli-test-'));
    this.home = join(this.root, 'home');
    this.bin = join(this.root, 'bin');
    mkdirSync(this.home);
    mkdirSync(this.bin);
    const wrapper = join(this.bin, 'tessera');
    writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${CLI_ENTRY}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    this.endpoint = endpoint;
    this.baseEnv = {
      PATH: [this.bin, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      HOME: this.home,
      LANG: 'C.UTF-8',
    };
  }

  /** The environment with the server's endpoint and the administrator's credentials. */
  get credentials(): Record<string, string> {
    if (this.endpoint === undefined) throw new Error('this sandbox has no server');
    return {
      TESSERA_ENDPOINT: this.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
    };
  }

  env(extra: RunOptions['env'] = {}, withCredentials = true): Record<string, string> {
    const env: Record<string, string | undefined> = {
      ...this.baseEnv,
      ...(withCredentials && this.endpoint !== undefined ? this.credentials : {}),
      ...extra,
    };
    return Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  }

  /** `tessera ARGS…` with the server's credentials in the environment. */
  tessera(args: readonly string[], options: RunOptions = {}): Promise<Result> {
    return run(process.execPath, [CLI_ENTRY, ...args], this.env(options.env), options);
  }

  /** `tessera ARGS…` with nothing but the sandbox (no endpoint, no credentials). */
  bare(args: readonly string[], options: RunOptions = {}): Promise<Result> {
    return run(process.execPath, [CLI_ENTRY, ...args], this.env(options.env, false), options);
  }

  /** A shell script run by bash exactly as written, with `tessera` on PATH and the credentials set. */
  sh(script: string, options: RunOptions = {}): Promise<Result> {
    return run('bash', ['-c', script], this.env(options.env), { cwd: this.root, ...options });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

/** The request id line every API error report carries. */
export const REQUEST_ID_LINE = /RequestId: [0-9A-F-]{36}/;
