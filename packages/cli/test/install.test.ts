/**
 * The install instructions in packages/sdk/README.md and packages/cli/README.md, run as written: pack
 * the workspaces from the repository, install the tarballs into a new project, and use them. npm's own
 * settings keep it quick and off the network where it can (`prefer-offline`, and no install scripts:
 * the native SQLite build is what `npm ci` in the repository already proves).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Sandbox } from './helpers.js';

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));

function block(readme: string, name: string): string {
  const text = readFileSync(join(REPOSITORY, readme), 'utf8');
  const found = new RegExp(`<!-- install-test: ${name} -->\\n+\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(text)?.[1];
  if (found === undefined) throw new Error(`${readme} has no block marked install-test: ${name}`);
  return `set -euo pipefail\n${found}`;
}

let sandbox: Sandbox;

beforeAll(() => {
  sandbox = new Sandbox();
});

afterAll(() => {
  sandbox.remove();
});

function newProject(name: string): string {
  const folder = join(sandbox.root, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  return folder;
}

describe('installing the packages from the repository', () => {
  const npmEnv = (packs: string) => ({
    PACKS: packs,
    PATH: process.env.PATH ?? '',
    npm_config_prefer_offline: 'true',
    npm_config_ignore_scripts: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  });

  it('@tessera/sdk: packs and installs into another project, and imports', async () => {
    const packs = join(sandbox.root, 'sdk-packs');
    mkdirSync(packs);
    const packed = await sandbox.sh(block('packages/sdk/README.md', 'sdk-pack'), {
      cwd: REPOSITORY,
      env: npmEnv(packs),
    });
    expect(packed.code, packed.stderr).toBe(0);
    const used = await sandbox.sh(block('packages/sdk/README.md', 'sdk-install'), {
      cwd: newProject('uses-sdk'),
      env: npmEnv(packs),
    });
    expect(used.code, used.stderr).toBe(0);
    expect(used.stdout.trim().split('\n').at(-1)).toBe('function');
  }, 180_000);

  it('@tessera/cli: packs with its siblings, installs into another project, and runs', async () => {
    const packs = join(sandbox.root, 'cli-packs');
    mkdirSync(packs);
    const packed = await sandbox.sh(block('packages/cli/README.md', 'cli-pack'), {
      cwd: REPOSITORY,
      env: npmEnv(packs),
    });
    expect(packed.code, packed.stderr).toBe(0);
    const used = await sandbox.sh(block('packages/cli/README.md', 'cli-install'), {
      cwd: newProject('uses-cli'),
      env: npmEnv(packs),
    });
    expect(used.code, used.stderr).toBe(0);
    expect(used.stdout.trim().split('\n').at(-1)).toBe('tessera 0.1.0');
  }, 300_000);
});
