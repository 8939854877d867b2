/**
 * The README's usage example, run verbatim in a child Node process against a real server, importing the
 * built package by its name (so it needs `npm run build` first, as `npm test` does).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './helpers.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, startServer } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

let api: TestServer;

beforeAll(async () => {
  api = await startServer();
});

afterAll(async () => {
  await api.stop();
});

describe('README', () => {
  it('runs the usage example as written', async () => {
    expect(existsSync(new URL('../dist/index.js', import.meta.url)), 'run `npm run build` first').toBe(true);
    const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const output = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        process.execPath,
        ['--input-type=module'],
        {
          cwd: root,
          env: {
            ...process.env,
            TESSERA_ENDPOINT: api.baseUrl,
            ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
          },
          timeout: 30_000,
        },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`${error.message}\n${stderr}`));
          else resolve(stdout);
        },
      );
      child.stdin?.end(example);
    });
    expect(output.trim().split('\n')).toEqual([
      'first-password',
      'second-password first-password',
      expect.stringMatching(/^Forbidden\.ResourceNotFound 404 \S+$/) as unknown,
    ]);
  });
});
