/**
 * What the server writes to its log (docs/behaviour.md rule 22): one `api call` line per request with the action and
 * status, and never a secret value, a fragment of one, an access key secret, the root key, a plaintext
 * or data key, or a URL query string — even though the real SDKs put SecretData in the query.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentEncode } from '../../../src/protocols/alibaba/signature.js';
import type { ApiClient, ApiServer, Body } from './harness.js';
import { $Kms, ACCESS_KEY_ID, ACCESS_KEY_SECRET, kmsClient, startApiServer } from './harness.js';
import { apiTimestamp, send, v1Request } from './signed-fetch.js';

const ROOT_KEY = randomBytes(32);
const canary = (label: string) => `LOGCANARY-${label}-${randomBytes(8).toString('hex')} é😀/+&=?`;

let server: ApiServer;

beforeAll(async () => {
  server = await startApiServer({ env: { TESSERA_ROOT_KEY: ROOT_KEY.toString('base64') } });
});

afterAll(async () => {
  await server.stop();
});

interface ApiCallLine {
  readonly msg: string;
  readonly reqId?: string;
  readonly action?: string;
  readonly status?: number;
  readonly ms?: number;
}

function apiCallLines(): ApiCallLine[] {
  return server.instance.logs.lines
    .map((line) => JSON.parse(line) as ApiCallLine)
    .filter((line) => line.msg === 'api call');
}

/** The log line is written when the response finishes, which can be a moment after the client has it. */
async function waitForApiCalls(count: number): Promise<ApiCallLine[]> {
  const deadline = Date.now() + 2_000;
  while (apiCallLines().length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return apiCallLines();
}

/** Every form a value can take on the wire: raw, percent-encoded (both styles), form-encoded. */
function wireForms(value: string): string[] {
  return [
    value,
    percentEncode(value),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    Buffer.from(value, 'utf8').toString('base64'),
  ];
}

/** Overlapping 12-character windows of a value's distinctive part, to catch partial leaks. */
function fragments(value: string): string[] {
  const windows: string[] = [];
  for (let at = 0; at + 12 <= value.length; at += 4) windows.push(value.slice(at, at + 12));
  return windows;
}

describe('logs', () => {
  it('carry one api call line per request and no secret material or query string', async () => {
    const expected: { action: string; status: number }[] = [];
    const secrets: string[] = [];

    async function call(client: ApiClient, action: string, params: Record<string, string>): Promise<Body> {
      try {
        const body = await client.call(action, params);
        expected.push({ action, status: 200 });
        return body;
      } catch (error) {
        const status = (error as { status?: number }).status ?? 0;
        expected.push({ action, status });
        return { failed: status };
      }
    }

    // Secrets created, overwritten and read through every client.
    for (const client of server.clients) {
      const name = `logs-${client.name}`;
      const first = canary(`${client.name}-v1`);
      const second = canary(`${client.name}-v2`);
      secrets.push(first, second);
      await call(client, 'CreateSecret', { SecretName: name, VersionId: 'v1', SecretData: first });
      await call(client, 'PutSecretValue', { SecretName: name, VersionId: 'v2', SecretData: second });
      const read = await call(client, 'GetSecretValue', { SecretName: name });
      expect(read.SecretData).toBe(second);
      await call(client, 'GetSecretValue', { SecretName: name, VersionId: 'v1' });
      await call(client, 'TagResource', { SecretName: name, Tags: '[{"TagKey":"k","TagValue":"v"}]' });
    }

    // Failing calls: unknown secret, name taken, a version rewritten with other data, a bad stage.
    const client = server.client('openapi-acs3');
    const conflicting = canary('conflict');
    secrets.push(conflicting);
    expect(await call(client, 'GetSecretValue', { SecretName: 'logs-none' })).toEqual({ failed: 404 });
    expect(
      await call(client, 'CreateSecret', {
        SecretName: 'logs-openapi-acs3',
        VersionId: 'v9',
        SecretData: conflicting,
      }),
    ).toEqual({ failed: 409 });
    expect(
      await call(client, 'PutSecretValue', {
        SecretName: 'logs-openapi-acs3',
        VersionId: 'v1',
        SecretData: conflicting,
      }),
    ).toEqual({ failed: 409 });
    expect(
      await call(client, 'PutSecretValue', {
        SecretName: 'logs-openapi-acs3',
        VersionId: 'v3',
        SecretData: conflicting,
        VersionStages: 'not json',
      }),
    ).toEqual({ failed: 400 });

    // Refused before the action runs: a wrong secret (real SDK), and a stale hand-signed request whose
    // SecretData sits in the URL.
    const wrongSecret = `wrong-${randomBytes(12).toString('hex')}`;
    const impostor = kmsClient(server.endpoint, { accessKeyId: ACCESS_KEY_ID, accessKeySecret: wrongSecret });
    const refusedValue = canary('refused');
    secrets.push(refusedValue);
    await expect(
      impostor.createSecret(
        new $Kms.CreateSecretRequest({
          secretName: 'logs-impostor',
          versionId: 'v1',
          secretData: refusedValue,
        }),
      ),
    ).rejects.toMatchObject({ data: { Code: 'SignatureDoesNotMatch' } });
    expected.push({ action: 'CreateSecret', status: 400 });
    const stale = await send(
      v1Request(
        server.baseUrl,
        'CreateSecret',
        { SecretName: 'logs-stale', VersionId: 'v1', SecretData: refusedValue },
        { timestamp: apiTimestamp(-60 * 60_000) },
      ),
    );
    expect(stale.status).toBe(400);
    expected.push({ action: 'CreateSecret', status: 400 });

    // Keys and cryptography: plaintexts and data keys must not reach the logs either.
    {
      const created = await call(client, 'CreateKey', { Description: 'logs key' });
      const keyId = (created.KeyMetadata as { KeyId: string }).KeyId;
      const plaintext = Buffer.from(canary('plaintext'), 'utf8').toString('base64');
      secrets.push(plaintext);
      const encrypted = await call(client, 'Encrypt', { KeyId: keyId, Plaintext: plaintext });
      const decrypted = await call(server.client('pop-core-get'), 'Decrypt', {
        CiphertextBlob: encrypted.CiphertextBlob as string,
      });
      expect(decrypted.Plaintext).toBe(plaintext);
      const dataKey = await call(client, 'GenerateDataKey', { KeyId: keyId });
      expect(typeof dataKey.Plaintext).toBe('string');
      secrets.push(dataKey.Plaintext as string);
      expect(await call(client, 'Decrypt', { CiphertextBlob: 'AAAA' })).toMatchObject({ failed: 400 });
    }

    const lines = await waitForApiCalls(expected.length);
    const text = server.instance.logs.text;

    // One line per call, each with the action and the status the client saw.
    expect(lines).toHaveLength(expected.length);
    const seen = lines.map((l) => `${l.action ?? '?'} ${l.status ?? '?'}`).sort();
    expect(seen).toEqual(expected.map((e) => `${e.action} ${e.status}`).sort());
    for (const line of lines) {
      expect(typeof line.reqId).toBe('string');
      expect(typeof line.ms).toBe('number');
    }
    expect(new Set(lines.map((l) => l.reqId)).size).toBe(lines.length);

    // No secret value in any form, nor any fragment of one.
    for (const value of secrets) {
      for (const form of wireForms(value)) expect(text).not.toContain(form);
      for (const fragment of fragments(value)) expect(text).not.toContain(fragment);
    }
    expect(text).not.toContain('LOGCANARY');

    // No credentials or root key.
    for (const credential of [ACCESS_KEY_SECRET, wrongSecret]) {
      for (const form of wireForms(credential)) expect(text).not.toContain(form);
    }
    for (const form of [
      ROOT_KEY.toString('base64'),
      ROOT_KEY.toString('hex'),
      ROOT_KEY.toString('base64url'),
    ]) {
      expect(text).not.toContain(form);
    }

    // No URLs or query strings, no signatures, no request headers.
    expect(text).not.toMatch(/\?[A-Za-z][A-Za-z0-9.]*=/);
    for (const marker of [
      'SecretData=',
      '"SecretData"',
      'Signature=',
      'SignatureNonce',
      'AccessKeyId=',
      'Timestamp=',
      'Action=',
      'authorization',
      'x-acs-signature-nonce',
      'x-acs-content-sha256',
      '"url"',
      '"headers"',
    ]) {
      expect(text, marker).not.toContain(marker);
    }
    expect(lines.some((l) => l.action === 'GenerateDataKey')).toBe(true);
  });
});
