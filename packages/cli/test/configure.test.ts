/**
 * `tessera configure` and where every command finds its endpoint and credentials: flags, then the
 * environment, then the profile file (an explicit --profile outranks the environment), then the default.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, Sandbox, startApiServer } from './helpers.js';

let server: ApiServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startApiServer();
  sandbox = new Sandbox(server.baseUrl);
  const created = await sandbox.tessera(['put', 'app/db', '--create', '--data', 'profile-works']);
  expect(created.code, created.stderr).toBe(0);
});

afterAll(async () => {
  sandbox.remove();
  await server.stop();
});

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('tessera configure', () => {
  it('saves a profile in ~/.tessera/config.json (folder 0700, file 0600), the secret read from stdin', async () => {
    const saved = await sandbox.bare(
      ['configure', '--endpoint', `${server.baseUrl}/`, '--access-key-id', ACCESS_KEY_ID],
      { input: `${ACCESS_KEY_SECRET}\n` },
    );
    expect(saved.code, saved.stderr).toBe(0);
    const folder = join(sandbox.home, '.tessera');
    const file = join(folder, 'config.json');
    expect(saved.stdout).toBe(
      `Saved profile "default" (endpoint ${server.baseUrl}, access key id ${ACCESS_KEY_ID}) to ${file}\n`,
    );
    expect(saved.stdout + saved.stderr).not.toContain(ACCESS_KEY_SECRET);
    expect(mode(folder)).toBe('700');
    expect(mode(file)).toBe('600');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      profiles: {
        default: { endpoint: server.baseUrl, accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET },
      },
    });

    // Nothing but the profile: no endpoint, no credentials in the environment.
    const [get, piped] = await Promise.all([
      sandbox.bare(['get', 'app/db']),
      sandbox.sh('v="$(tessera get app/db)" && echo "got $v"', {
        env: {
          TESSERA_ENDPOINT: undefined,
          ALIBABA_CLOUD_ACCESS_KEY_ID: undefined,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined,
        },
      }),
    ]);
    expect(get.stdout).toBe('profile-works');
    expect(piped.stdout).toBe('got profile-works\n');
  });

  it('writes $TESSERA_CONFIG_FILE, creating its folders 0700, keeping other profiles, and fixing a loose mode', async () => {
    const file = join(sandbox.root, 'nested', 'deeper', 'tessera.json');
    const env = { TESSERA_CONFIG_FILE: file };
    const first = await sandbox.bare(['configure', '--profile', 'prod'], {
      env,
      input: `${server.baseUrl}\n${ACCESS_KEY_ID}\n${ACCESS_KEY_SECRET}\n`,
    });
    expect(first.code, first.stderr).toBe(0);
    expect(mode(join(sandbox.root, 'nested'))).toBe('700');
    expect(mode(join(sandbox.root, 'nested', 'deeper'))).toBe('700');
    chmodSync(file, 0o644);
    // Empty lines keep the current endpoint and id; only the secret changes.
    const second = await sandbox.bare(['configure', '--profile', 'prod'], {
      env,
      input: '\n\nnew-secret-value-0123\n',
    });
    expect(second.code, second.stderr).toBe(0);
    const third = await sandbox.bare(['configure'], {
      env: { ...env, TESSERA_PROFILE: 'dev' },
      input: `http://127.0.0.1:9\ndev-key-id\ndev-secret\n`,
    });
    expect(third.stdout).toContain('Saved profile "dev"');
    expect(mode(file)).toBe('600');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      profiles: {
        prod: {
          endpoint: server.baseUrl,
          accessKeyId: ACCESS_KEY_ID,
          accessKeySecret: 'new-secret-value-0123',
        },
        dev: { endpoint: 'http://127.0.0.1:9', accessKeyId: 'dev-key-id', accessKeySecret: 'dev-secret' },
      },
    });
    // The default file (from the first test) is untouched.
    const defaults = JSON.parse(readFileSync(join(sandbox.home, '.tessera', 'config.json'), 'utf8')) as {
      profiles: object;
    };
    expect(Object.keys(defaults.profiles)).toEqual(['default']);
  });

  it('refuses an endpoint that is not an origin, and a profile without credentials', async () => {
    const env = { TESSERA_CONFIG_FILE: join(sandbox.root, 'refused', 'config.json') };
    const [endpoint, noSecret] = await Promise.all([
      sandbox.bare(
        ['configure', '--endpoint', 'http://host:1/path', '--access-key-id', 'a', '--access-key-secret', 'b'],
        { env },
      ),
      sandbox.bare(['configure', '--access-key-id', 'a'], { env }),
    ]);
    expect(endpoint.code).toBe(2);
    expect(endpoint.stderr).toContain('"http://host:1/path" is not a server origin');
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('an access key secret is needed');
    expect(existsSync(env.TESSERA_CONFIG_FILE)).toBe(false);
  });
});

describe('where commands find endpoint and credentials', () => {
  const file = () => join(sandbox.root, 'precedence.json');

  beforeAll(() => {
    mkdirSync(sandbox.root, { recursive: true });
    const profile = (secret: string) => ({
      endpoint: server.baseUrl,
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: secret,
    });
    writeFileSync(
      file(),
      JSON.stringify({
        profiles: { default: profile('stale-secret-0123456789'), good: profile(ACCESS_KEY_SECRET) },
      }),
      { mode: 0o600 },
    );
  });

  it('environment over profile file; flags and --profile over environment; TESSERA_PROFILE picks the file profile', async () => {
    const env = { TESSERA_CONFIG_FILE: file() };
    const noEnvSecret = { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined };
    const badEnvSecret = { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret-is-wrong-0123' };
    const results = await Promise.all([
      // 0: the environment's (right) secret beats the default profile's stale one.
      sandbox.tessera(['get', 'app/db'], { env }),
      // 1: without it, the default profile's stale secret is used, and named as the source.
      sandbox.tessera(['get', 'app/db'], { env: noEnvSecret }),
      // 2: a flag beats a wrong environment.
      sandbox.tessera(['get', 'app/db', '--access-key-secret', ACCESS_KEY_SECRET], { env: badEnvSecret }),
      // 3: --profile beats a wrong environment, before or after the command.
      sandbox.tessera(['--profile', 'good', 'get', 'app/db'], { env: badEnvSecret }),
      // 4: TESSERA_PROFILE picks the profile, but the environment's own secret still ranks above it.
      sandbox.tessera(['get', 'app/db'], { env: { ...badEnvSecret, TESSERA_PROFILE: 'good' } }),
      // 5: TESSERA_PROFILE alone.
      sandbox.tessera(['get', 'app/db'], { env: { ...noEnvSecret, TESSERA_PROFILE: 'good' } }),
    ]);
    expect(results.map((result) => result.code)).toEqual([0, 1, 0, 0, 1, 0]);
    expect(results[1].stderr).toContain(`the access key secret (from profile "default" in ${file()})`);
    expect(results[4].stderr).toContain('the access key secret (from ALIBABA_CLOUD_ACCESS_KEY_SECRET)');
  });

  it('falls back to http://127.0.0.1:8080 when no endpoint is set anywhere', async () => {
    const result = await sandbox.tessera(['get', 'app/db'], {
      env: { TESSERA_ENDPOINT: undefined, TESSERA_CONFIG_FILE: join(sandbox.root, 'none.json') },
    });
    // Usually nothing listens there; on a developer's machine a server might (the unit tests pin the rule).
    expect([0, 1, 3]).toContain(result.code);
    if (result.code === 3) {
      expect(result.stderr).toContain('cannot reach the server at http://127.0.0.1:8080');
      expect(result.stderr).toContain('endpoint from the default');
    }
  });

  it('warns when the profile file holding the secret is readable by others', async () => {
    const loose = join(sandbox.root, 'loose.json');
    writeFileSync(loose, readFileSync(file()));
    chmodSync(loose, 0o644);
    const result = await sandbox.bare(['--profile', 'good', 'get', 'app/db'], {
      env: { TESSERA_CONFIG_FILE: loose },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `tessera: warning: ${loose} holds an access key secret and others can read it; run: chmod 600 ${loose}\n`,
    );
  });

  it('reports a damaged profile file as a configuration error', async () => {
    const damaged = join(sandbox.root, 'damaged.json');
    writeFileSync(damaged, '{"profiles": ');
    const result = await sandbox.tessera(['get', 'app/db'], { env: { TESSERA_CONFIG_FILE: damaged } });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`tessera: the profile file ${damaged} is not valid JSON`);
  });
});
