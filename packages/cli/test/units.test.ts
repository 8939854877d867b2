/** The pieces with rules of their own, tested in-process: argument parsing, settings, formatting, HTTP. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKmsArgs } from '../src/commands/kms.js';
import { newVersionId } from '../src/commands/put.js';
import { UsageError } from '../src/errors.js';
import { nodeFetch } from '../src/http.js';
import { resolveSettings } from '../src/settings.js';
import { table } from '../src/table.js';

describe('parseKmsArgs', () => {
  it('takes every capitalised --Name value as a parameter, verbatim, and lower-case options as its own', () => {
    expect(
      parseKmsArgs([
        'PutSecretValue',
        '--SecretName',
        'db',
        '--SecretData',
        '--looks-like-a-flag',
        '--VersionStages',
        '["MyPendingLabel"]',
        '--Tag.1.Key=k=v',
        '--profile',
        'prod',
        '--endpoint=http://h:1',
      ]),
    ).toEqual({
      help: false,
      action: 'PutSecretValue',
      params: {
        SecretName: 'db',
        SecretData: '--looks-like-a-flag',
        VersionStages: '["MyPendingLabel"]',
        'Tag.1.Key': 'k=v',
      },
      connection: { profile: 'prod', endpoint: 'http://h:1' },
    });
  });

  it('keeps empty values, and rejects what cannot be a call', () => {
    expect(parseKmsArgs(['UpdateSecret', '--Description', '']).params).toEqual({ Description: '' });
    for (const argv of [
      ['get-secret-value'],
      ['A', 'B'],
      ['A', '-x'],
      ['A', '--Bad-Name', 'x'],
      ['A', '--Name'],
      ['A', '--unknown', 'x'],
      ['A', '--N', '1', '--N', '2'],
    ]) {
      expect(() => parseKmsArgs(argv), argv.join(' ')).toThrow(UsageError);
    }
  });
});

describe('resolveSettings', () => {
  const withFile = (profiles: object, test: (path: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-unit-'));
    try {
      const path = join(dir, 'config.json');
      writeFileSync(path, JSON.stringify({ profiles }));
      test(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('ranks flags, then --profile, then the environment, then the chosen profile, then the default endpoint', () => {
    withFile(
      {
        default: { accessKeyId: 'file-id', accessKeySecret: 'file-secret' },
        prod: { endpoint: 'http://prod:1', accessKeyId: 'prod-id' },
      },
      (path) => {
        const env = { TESSERA_CONFIG_FILE: path, ALIBABA_CLOUD_ACCESS_KEY_ID: 'env-id' };
        expect(resolveSettings({}, env)).toMatchObject({
          endpoint: 'http://127.0.0.1:8080',
          endpointSource: 'the default',
          accessKeyId: 'env-id',
          accessKeyIdSource: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
          accessKeySecret: 'file-secret',
          accessKeySecretSource: `profile "default" in ${path}`,
        });
        expect(resolveSettings({ profile: 'prod' }, env)).toMatchObject({
          endpoint: 'http://prod:1',
          accessKeyId: 'prod-id',
          accessKeySecret: undefined,
        });
        expect(resolveSettings({}, { ...env, TESSERA_PROFILE: 'prod' })).toMatchObject({
          endpoint: 'http://prod:1',
          accessKeyId: 'env-id',
        });
        expect(resolveSettings({ accessKeyId: 'flag-id', profile: 'prod' }, env)).toMatchObject({
          accessKeyId: 'flag-id',
          accessKeyIdSource: '--access-key-id',
        });
        expect(() => resolveSettings({ profile: 'nope' }, env)).toThrow('profile "nope" is not in');
        expect(() => resolveSettings({ profile: '../etc' }, env)).toThrow('invalid profile name');
      },
    );
  });
});

describe('table', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      table(
        ['A', 'BB', 'C'],
        [
          ['long cell', 'x', 'last one'],
          ['y', 'z', ''],
        ],
      ),
    ).toBe('A          BB  C\nlong cell  x   last one\ny          z\n');
  });
});

describe('newVersionId', () => {
  it('is the UTC second plus 32 random bits: sortable, unique, and a valid version id', () => {
    const at = new Date('2025-03-04T05:06:07.890Z');
    const id = newVersionId(at);
    expect(id).toMatch(/^20250304T050607Z-[0-9a-f]{8}$/);
    expect(newVersionId(at)).not.toBe(id);
  });
});

describe('nodeFetch', () => {
  it('gives up when the signal aborts, and rejects like fetch when nothing listens', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const signal = AbortSignal.timeout(100);
      await expect(nodeFetch(`http://127.0.0.1:${port}/`, { method: 'POST', signal })).rejects.toMatchObject({
        name: 'TimeoutError',
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
    await expect(nodeFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      message: 'fetch failed',
      cause: { code: 'ECONNREFUSED' },
    });
  });
});
