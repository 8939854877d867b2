/**
 * `tessera run` and `tessera agent` as processes against a real server: the secret is rotated while
 * they run, and the child's environment and files, and the agent's answers (read with curl and with
 * Debian's python3 urllib), follow.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import { connect as tcpConnect, createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer, Result } from './helpers.js';
import { CLI_ENTRY, Sandbox, run, startApiServer } from './helpers.js';

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

/** A long-running `tessera …` whose stderr is collected; `exited` resolves with its status. */
function background(args: readonly string[]): {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
    env: sandbox.env(),
    cwd: sandbox.root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return { child, stderr: () => Buffer.concat(chunks).toString('utf8'), exited };
}

/** Polls `check` every 100 ms until it returns true, for at most `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

async function put(name: string, value: string, create = false): Promise<void> {
  const result = await sandbox.tessera(['put', name, '--data', value, ...(create ? ['--create'] : [])]);
  expect(result.code, result.stderr).toBe(0);
}

describe('tessera run', () => {
  it("passes secrets, a JSON field and another stage in the environment and a 0600 file; the exit status is the child's", async () => {
    await put('run/db', '{"user":"app","password":"first"}', true);
    await put('run/db', '{"user":"app","password":"second"}');
    const out = join(sandbox.root, 'run-once.txt');
    const file = join(sandbox.root, 'db.json');
    const script = `printf '%s|%s|%s|%s\\n' "$PW" "$OLD" "$ALL" "\${ALIBABA_CLOUD_ACCESS_KEY_SECRET:-none}" > ${out}; stat -c %a ${file} >> ${out}; cat ${file} >> ${out}; exit 7`;
    const result = await sandbox.tessera([
      'run',
      '--env',
      'PW=run/db#password',
      '--env',
      'OLD=run/db#password?stage=ACSPrevious',
      '--env',
      'ALL=run/db',
      '--file',
      `${file}=run/db#user`,
      '--',
      'sh',
      '-c',
      script,
    ]);
    expect(result.code, result.stderr).toBe(7);
    expect(readFileSync(out, 'utf8')).toBe('second|first|{"user":"app","password":"second"}|none\n600\napp');
    expect(existsSync(file)).toBe(false); // removed when the command ends
    expect(result.stderr).not.toContain('second');
  });

  it('refuses mistakes before starting anything', async () => {
    const results: Result[] = await Promise.all([
      sandbox.tessera(['run', '--env', 'PW=run/db', 'sh']),
      sandbox.tessera(['run', '--', 'true']),
      sandbox.tessera(['run', '--env', '1X=run/db', '--', 'true']),
      sandbox.tessera(['run', '--env', 'PW=run/db#nokey', '--', 'true']),
      sandbox.tessera(['run', '--env', 'PW=run/db', '--signal-on-rotation', 'SIGNOPE', '--', 'true']),
      sandbox.tessera(['run', '--env', 'PW=run/db', '--', 'no-such-program-here']),
    ]);
    expect(results.map((r) => [r.code, r.stderr.split('\n')[0]])).toEqual([
      [2, 'tessera: put the command after "--": tessera run … -- sh'],
      [2, 'tessera: give at least one --env NAME=REF or --file PATH=REF'],
      [2, 'tessera: --env: "1X" is not a variable name'],
      [
        1,
        'tessera: run/db#nokey: the secret\'s JSON value has no key "nokey" (its keys: "user", "password")',
      ],
      [2, 'tessera: --signal-on-rotation: "SIGNOPE" is not a signal (e.g. SIGHUP)'],
      [127, 'tessera run: cannot run "no-such-program-here": ENOENT'],
    ]);
  });

  it('restarts the child with the new value when the secret rotates, and forwards SIGTERM', async () => {
    await put('run/rotating', 'v1-value', true);
    const out = join(sandbox.root, 'restart.txt');
    const running = background([
      'run',
      '--env',
      'PW=run/rotating',
      '--restart-on-rotation',
      '--refresh-interval',
      '300ms',
      '--',
      'sh',
      '-c',
      `echo "$PW" >> ${out}; trap 'exit 3' TERM; while :; do sleep 0.05; done`,
    ]);
    await until(() => lines(out).length === 1);
    await put('run/rotating', 'v2-value');
    await until(() => lines(out).length === 2);
    expect(lines(out)).toEqual(['v1-value', 'v2-value']);
    expect(running.stderr()).toContain('tessera run: run/rotating rotated; restarting sh');
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 3, signal: null }); // the child's trap, passed on
    expect(running.stderr()).not.toContain('v2-value');
  });

  it('rewrites the file and sends the chosen signal on rotation', async () => {
    await put('run/signalled', '{"token":"t1"}', true);
    const out = join(sandbox.root, 'signal.txt');
    const file = join(sandbox.root, 'token.txt');
    const running = background([
      'run',
      '--file',
      `${file}=run/signalled#token`,
      '--signal-on-rotation',
      'HUP',
      '--refresh-interval',
      '300ms',
      '--',
      'sh',
      '-c',
      `cat ${file} >> ${out}; echo >> ${out}; trap 'cat ${file} >> ${out}; echo >> ${out}' HUP; trap 'exit 0' TERM; while :; do sleep 0.05; done`,
    ]);
    await until(() => lines(out).length === 1);
    await put('run/signalled', '{"token":"t2"}');
    await until(() => lines(out).length === 2);
    expect(lines(out)).toEqual(['t1', 't2']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });
});

describe('tessera agent', () => {
  it('serves the AWS agent shape to curl and python3 with the token, follows rotation, refuses without it', async () => {
    await put('agent/db', '{"password":"a1"}', true);
    const tokenFile = join(sandbox.root, 'agent.token');
    const agent = background([
      'agent',
      '--port',
      '0',
      '--token-file',
      tokenFile,
      '--refresh-interval',
      '300ms',
    ]);
    try {
      await until(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(agent.stderr()));
      const port = /127\.0\.0\.1:(\d+)/.exec(agent.stderr())?.[1] ?? '';
      const token = readFileSync(tokenFile, 'utf8');
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const base = `http://127.0.0.1:${port}`;
      const curl = (path: string, headers: string[] = [`X-Aws-Parameters-Secrets-Token: ${token}`]) =>
        run(
          'curl',
          ['-s', '-w', '\n%{http_code}', ...headers.flatMap((h) => ['-H', h]), `${base}${path}`],
          sandbox.env(),
        );
      const python = (path: string) =>
        run(
          '/usr/bin/python3',
          [
            '-c',
            [
              'import json, sys, urllib.request',
              `req = urllib.request.Request(sys.argv[1], headers={"X-Aws-Parameters-Secrets-Token": open(sys.argv[2]).read()})`,
              'print(json.loads(json.loads(urllib.request.urlopen(req).read())["SecretString"])["password"])',
            ].join('\n'),
            `${base}${path}`,
            tokenFile,
          ],
          sandbox.env(),
        );

      const first = await curl('/secretsmanager/get?secretId=agent/db');
      const [body, status] = first.stdout.split('\n');
      expect(status).toBe('200');
      expect(JSON.parse(body ?? '')).toEqual({
        ARN: expect.stringMatching(/^acs:kms:[^:]+:\d+:secret\/agent\/db$/) as unknown,
        Name: 'agent/db',
        VersionId: expect.any(String) as unknown,
        SecretString: '{"password":"a1"}',
        VersionStages: ['ACSCurrent'],
        CreatedDate: expect.any(Number) as unknown,
      });
      expect((await python('/secretsmanager/get?secretId=agent/db')).stdout).toBe('a1\n');
      expect((await curl('/v1/value?secretId=agent/db&key=password')).stdout).toBe('a1\n200');

      await put('agent/db', '{"password":"a2"}');
      await until(async () => (await python('/secretsmanager/get?secretId=agent/db')).stdout === 'a2\n');
      const previous = await curl('/v1/value?secretId=agent/db&key=password&versionStage=AWSPREVIOUS');
      expect(previous.stdout).toBe('a1\n200');

      expect((await curl('/secretsmanager/get?secretId=agent/db', [])).stdout).toMatch(
        /AccessDeniedException.*\n403$/,
      );
      expect(
        (await curl('/secretsmanager/get?secretId=agent/db', ['X-Aws-Parameters-Secrets-Token: wrong']))
          .stdout,
      ).toMatch(/\n403$/);
      expect(
        (
          await curl('/secretsmanager/get?secretId=agent/db', [
            `X-Aws-Parameters-Secrets-Token: ${token}`,
            'X-Forwarded-For: 10.0.0.1',
          ])
        ).stdout,
      ).toMatch(/\n400$/);
      expect((await curl('/secretsmanager/get?secretId=agent/none')).stdout).toMatch(
        /ResourceNotFoundException.*\n404$/,
      );
      expect((await curl('/ping', [])).stdout).toBe('healthy\n200');
      expect(JSON.parse((await curl('/healthz', [])).stdout.split('\n')[0] ?? '')).toMatchObject({
        status: 'ok',
        secrets: 1,
      });
      expect(agent.stderr()).not.toContain('a2');
    } finally {
      agent.child.kill('SIGTERM');
    }
    expect((await agent.exited).code).toBe(0);
    expect(existsSync(tokenFile)).toBe(false);
  });

  it('refreshNow=true shows a rotation at once, whatever the refresh interval', async () => {
    await put('agent/slow', 's1', true);
    const tokenFile = join(sandbox.root, 'slow.token');
    const agent = background(['agent', '--port', '0', '--token-file', tokenFile, '--refresh-interval', '1h']);
    try {
      await until(() => /listening on/.test(agent.stderr()));
      const port = /127\.0\.0\.1:(\d+)/.exec(agent.stderr())?.[1] ?? '';
      const get = (query: string) =>
        run(
          'curl',
          [
            '-s',
            '-H',
            `X-Aws-Parameters-Secrets-Token: ${readFileSync(tokenFile, 'utf8')}`,
            `http://127.0.0.1:${port}/v1/value?secretId=agent/slow${query}`,
          ],
          sandbox.env(),
        );
      expect((await get('')).stdout).toBe('s1');
      await put('agent/slow', 's2');
      expect((await get('')).stdout).toBe('s1'); // cached for the hour
      expect((await get('&refreshNow=true')).stdout).toBe('s2');
    } finally {
      agent.child.kill('SIGTERM');
    }
    await agent.exited;
  });

  it('keeps serving the last value while the server cannot be reached (stale-if-error), and says so in its health', async () => {
    await put('agent/stale', 'kept', true);
    // A TCP relay to the server that the test can cut, as a network outage would.
    const sockets = new Set<Socket>();
    const relay = createTcpServer((socket) => {
      const upstream = tcpConnect(Number(new URL(server.baseUrl).port), '127.0.0.1');
      sockets.add(socket).add(upstream);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => undefined);
      upstream.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const address = relay.address();
    const relayPort = typeof address === 'object' && address !== null ? address.port : 0;
    const tokenFile = join(sandbox.root, 'stale.token');
    const agent = background([
      'agent',
      '--port',
      '0',
      '--token-file',
      tokenFile,
      '--refresh-interval',
      '200ms',
      '--max-stale',
      '1h',
      '--endpoint',
      `http://127.0.0.1:${relayPort}`,
    ]);
    try {
      await until(() => /listening on/.test(agent.stderr()));
      const port = /127\.0\.0\.1:(\d+)/.exec(agent.stderr())?.[1] ?? '';
      const get = (path: string) =>
        run(
          'curl',
          [
            '-s',
            '-w',
            '\n%{http_code}',
            '-H',
            `X-Aws-Parameters-Secrets-Token: ${readFileSync(tokenFile, 'utf8')}`,
            `http://127.0.0.1:${port}${path}`,
          ],
          sandbox.env(),
        );
      expect((await get('/v1/value?secretId=agent/stale')).stdout).toBe('kept\n200');
      await new Promise<void>((resolve) => {
        relay.close(() => {
          resolve();
        });
        for (const socket of sockets) socket.destroy();
      });
      await until(async () => /lastRefreshFailure/.test((await get('/healthz')).stdout));
      expect((await get('/v1/value?secretId=agent/stale')).stdout).toBe('kept\n200');
      expect((await get('/v1/value?secretId=agent/never-read')).stdout).toMatch(
        /InternalServiceError.*\n503$/,
      );
    } finally {
      agent.child.kill('SIGTERM');
    }
    await agent.exited;
  });
});
