/**
 * Behaviour that depends on a terminal, run under a real pseudo-terminal from util-linux `script`:
 * the newline `get` adds only for a person, `put` refusing to wait for typing, and `configure`
 * asking its questions with the secret unechoed. Skipped where util-linux `script` is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, Sandbox, startApiServer } from './helpers.js';

const HAS_SCRIPT = /util-linux/.test(spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout);

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

interface TerminalRun {
  readonly code: number | null;
  /** Everything the terminal showed (stdout and stderr together, `\r\n` line ends). */
  readonly screen: string;
}

/**
 * Runs a shell command on a pseudo-terminal. Each `[shown, typed]` pair types `typed` once `shown` is
 * on the screen, as a person would: after the prompt, not ahead of it.
 */
function inTerminal(
  command: string,
  options: { env?: Record<string, string | undefined>; typing?: [string, string][] } = {},
): Promise<TerminalRun> {
  const typing = [...(options.typing ?? [])];
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      env: sandbox.env(options.env),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let screen = '';
    let seen = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
      const next = typing[0];
      if (next !== undefined && screen.indexOf(next[0], seen) !== -1) {
        seen = screen.indexOf(next[0], seen) + next[0].length;
        typing.shift();
        child.stdin.write(next[1]);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ code, screen });
    });
  });
}

describe.skipIf(!HAS_SCRIPT)('on a terminal', () => {
  it('get and password add a newline for the person reading; put refuses to wait for typing', async () => {
    const created = await sandbox.tessera(['put', 'app/tty', '--create', '--data', 'shown-value']);
    expect(created.code, created.stderr).toBe(0);
    const [get, password, put] = await Promise.all([
      inTerminal('tessera get app/tty'),
      inTerminal('tessera password'),
      inTerminal('tessera put app/tty'),
    ]);
    expect(get).toEqual({ code: 0, screen: 'shown-value\r\n' });
    expect(password.screen).toMatch(/^[!-~]{32}\r\n$/);
    expect(put.code).toBe(2);
    expect(put.screen).toContain('tessera: no value given: use --data VALUE, --file PATH, or pipe it in');
  });

  it('configure asks for each value, hides the secret, and saves the profile', async () => {
    const file = join(sandbox.root, 'interactive.json');
    const result = await inTerminal('tessera configure --profile interactive', {
      env: { TESSERA_CONFIG_FILE: file },
      typing: [
        ['Endpoint [http://127.0.0.1:8080]: ', `${server.baseUrl}\r`],
        ['Access key id [none]: ', `${ACCESS_KEY_ID}\r`],
        ['Access key secret [none]: ', `${ACCESS_KEY_SECRET}\r`],
      ],
    });
    expect(result.code, result.screen).toBe(0);
    expect(result.screen).toContain(server.baseUrl);
    expect(result.screen).toContain(ACCESS_KEY_ID);
    expect(result.screen).not.toContain(ACCESS_KEY_SECRET);
    expect(result.screen).toContain(`Saved profile "interactive"`);
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      profiles: {
        interactive: {
          endpoint: server.baseUrl,
          accessKeyId: ACCESS_KEY_ID,
          accessKeySecret: ACCESS_KEY_SECRET,
        },
      },
    });
    const used = await sandbox.bare(['get', 'app/tty', '--profile', 'interactive'], {
      env: { TESSERA_CONFIG_FILE: file },
    });
    expect(used.stdout).toBe('shown-value');
  });

  it('configure stops with exit 130 on Ctrl-C, saving nothing', async () => {
    const file = join(sandbox.root, 'cancelled.json');
    const result = await inTerminal('tessera configure', {
      env: { TESSERA_CONFIG_FILE: file },
      typing: [['Endpoint [', '\u0003']],
    });
    expect(result.code).toBe(130);
    expect(result.screen).toContain('tessera: cancelled; nothing was saved');
    expect(() => statSync(file)).toThrow();
  });
});
