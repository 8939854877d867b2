/**
 * The commands of docs/operations-keys-metrics.md, run by bash as written (blocks marked
 * `<!-- ops-test: NAME -->`) against a real server; only the documented address 127.0.0.1:8080 is
 * replaced by the test server's.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './helpers.js';
import { Sandbox, startApiServer } from './helpers.js';

const doc = readFileSync(new URL('../../../docs/operations-keys-metrics.md', import.meta.url), 'utf8');

function block(name: string): string {
  const found = new RegExp(`<!-- ops-test: ${name} -->\\n+\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(doc)?.[1];
  if (found === undefined) throw new Error(`the doc has no block marked ops-test: ${name}`);
  return `set -euo pipefail\n${found.replaceAll('http://127.0.0.1:8080', server.baseUrl)}`;
}

let server: ApiServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startApiServer({ env: { TESSERA_ROTATION_TICK_SECONDS: '0' } });
  sandbox = new Sandbox(server.baseUrl);
});

afterAll(async () => {
  sandbox.remove();
  await server.stop();
});

describe('docs/operations-keys-metrics.md', () => {
  it('key rotation: rotate now, rotate yearly, show the status', async () => {
    const api = server.client('openapi-acs3');
    const keyId = ((await api.call('CreateKey', {})).KeyMetadata as { KeyId: string }).KeyId;
    await api.call('CreateAlias', { AliasName: 'alias/payments', KeyId: keyId });
    const result = await sandbox.sh(block('key-rotation'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^new version \S+ of key-\S+ is primary\n/);
    expect(result.stdout).toMatch(/Automatic rotation\s+Enabled/);
    expect(result.stdout).toMatch(/Interval\s+31536000s/);
    expect(result.stdout.match(/^Version /gm)).toHaveLength(4); // printed twice: after `rotation`, and by `status`
  });

  it('ReEncrypt through the CLI', async () => {
    const api = server.client('openapi-acs3');
    const target = ((await api.call('CreateKey', {})).KeyMetadata as { KeyId: string }).KeyId;
    await api.call('CreateAlias', { AliasName: 'alias/payments-2026', KeyId: target });
    const source = ((await api.call('CreateKey', {})).KeyMetadata as { KeyId: string }).KeyId;
    const blob = (await api.call('Encrypt', { KeyId: source, Plaintext: 'moved' })).CiphertextBlob as string;
    const result = await sandbox.sh(block('reencrypt'), { env: { BLOB: blob } });
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as Record<string, string>;
    expect(answer).toMatchObject({ KeyId: target, SourceKeyId: source });
    const opened = await api.call('Decrypt', { CiphertextBlob: answer.CiphertextBlob ?? '' });
    expect(opened.Plaintext).toBe('moved');
  });

  it('re-wrap', async () => {
    const api = server.client('openapi-acs3');
    const keyId = ((await api.call('CreateKey', {})).KeyMetadata as { KeyId: string }).KeyId;
    await api.call('CreateSecret', {
      SecretName: 'ops/rewrap',
      VersionId: 'v1',
      SecretData: 'x',
      EncryptionKeyId: keyId,
    });
    await api.call('CreateKeyVersion', { KeyId: keyId });
    const result = await sandbox.sh(block('rewrap'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^re-wrapped [1-9]\d* of \d+ data keys \(\d+ already current, 0 under a disabled or deleted key, 0 failed\)\n$/,
    );
  });

  it('health and readiness', async () => {
    const result = await sandbox.sh(block('health'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('{"status":"ok"}{"status":"ok","checks":{"store":"ok","audit":"ok"}}');
  });
});
