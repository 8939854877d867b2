/**
 * Encrypt, Decrypt, GenerateDataKey(WithoutPlaintext) through the real SDKs: both EncryptionContext
 * encodings, opaque plaintext (docs/behaviour.md rule 15), corrupt blobs, DryRun (docs/behaviour.md rule 14), key rotation, and
 * a secret under a disabled CMK (docs/behaviour.md rule 16).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiServer, Body } from './harness.js';
import { expectFailure, $Kms, startApiServer } from './harness.js';

let server: ApiServer;
let rpc: ApiClient;
let acs3: ApiClient;

beforeAll(async () => {
  server = await startApiServer();
  rpc = server.client('kms20160120');
  acs3 = server.client('openapi-acs3');
});

afterAll(async () => {
  await server.stop();
});

async function createKey(): Promise<string> {
  const body = await rpc.call('CreateKey', {});
  return (body.KeyMetadata as { KeyId: string }).KeyId;
}

async function keyState(keyId: string): Promise<string> {
  const body = await rpc.call('DescribeKey', { KeyId: keyId });
  return (body.KeyMetadata as { KeyState: string }).KeyState;
}

const CONTEXT = { purpose: 'test', tenant: 'Ünïcode ✓' };

describe('Encrypt and Decrypt', () => {
  it('round-trip with an encryption context through every client', async () => {
    const keyId = await createKey();
    const clients = server.clients;
    for (const [index, client] of clients.entries()) {
      const plaintext = `secret for ${client.name} + / = & ? % é 🎉`;
      const encrypted = await client.call('Encrypt', {
        KeyId: keyId,
        Plaintext: plaintext,
        EncryptionContext: JSON.stringify(CONTEXT),
      });
      expect(encrypted.KeyId, client.name).toBe(keyId);
      expect(encrypted.KeyVersionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(encrypted.CiphertextBlob).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(encrypted).not.toHaveProperty('Code');
      // Decrypt with the same client and with the next one: a blob is not tied to a transport.
      for (const decryptor of [client, clients[(index + 1) % clients.length]!]) {
        const decrypted = await decryptor.call('Decrypt', {
          CiphertextBlob: String(encrypted.CiphertextBlob),
          EncryptionContext: JSON.stringify(CONTEXT),
        });
        expect(decrypted, `${client.name} → ${decryptor.name}`).toMatchObject({
          Plaintext: plaintext,
          KeyId: keyId,
          KeyVersionId: encrypted.KeyVersionId,
        });
      }
    }
  });

  it('flattened (1.2.0 SDK) and JSON contexts are the same context, in any key order', async () => {
    const keyId = await createKey();
    const typed = await server.kms.encrypt(
      new $Kms.EncryptRequest({ keyId, plaintext: 'typed', encryptionContext: { b: '2', a: '1' } }),
    );
    const viaJson = await acs3.call('Decrypt', {
      CiphertextBlob: typed.ciphertextBlob,
      EncryptionContext: '{"a":"1","b":"2"}',
    });
    expect(viaJson.Plaintext).toBe('typed');

    const json = await acs3.call('Encrypt', {
      KeyId: keyId,
      Plaintext: 'json',
      EncryptionContext: '{"b":"2","a":"1"}',
    });
    const typedDecrypt = await server.kms.decrypt(
      new $Kms.DecryptRequest({
        ciphertextBlob: String(json.CiphertextBlob),
        encryptionContext: { a: '1', b: '2' },
      }),
    );
    expect(typedDecrypt).toMatchObject({ plaintext: 'json', keyId });
    // Flattened parameters by hand, through another client, too.
    const flat = await server.client('pop-core-post').call('Decrypt', {
      CiphertextBlob: String(json.CiphertextBlob),
      'EncryptionContext.a': '1',
      'EncryptionContext.b': '2',
    });
    expect(flat.Plaintext).toBe('json');
  });

  it('returns Plaintext byte-identical, up to 6 KB, as an opaque string', async () => {
    const keyId = await createKey();
    const samples = [
      'aGVsbG8=',
      'not base64 at all!',
      '  leading and trailing  ',
      'line\nbreak\ttab',
      '"quotes" \\ back',
      'é'.repeat(3072), // 6,144 bytes of UTF-8
      'x'.repeat(6144),
    ];
    for (const plaintext of samples) {
      const encrypted = await rpc.call('Encrypt', { KeyId: keyId, Plaintext: plaintext });
      const decrypted = await rpc.call('Decrypt', { CiphertextBlob: String(encrypted.CiphertextBlob) });
      expect(decrypted.Plaintext, JSON.stringify(plaintext.slice(0, 20))).toBe(plaintext);
    }
    for (const plaintext of ['x'.repeat(6145), 'é'.repeat(3072) + 'x']) {
      const error = await expectFailure(
        rpc.call('Encrypt', { KeyId: keyId, Plaintext: plaintext }),
        400,
        'InvalidParameter',
      );
      expect(error.message).toContain('Plaintext');
    }
  });

  it('resolves aliases and ARNs and answers with the key id', async () => {
    const keyId = await createKey();
    await rpc.call('CreateAlias', { AliasName: 'alias/crypto-by-alias', KeyId: keyId });
    const { region, accountId } = server.instance.tessera.identity;
    for (const reference of ['alias/crypto-by-alias', `acs:kms:${region}:${accountId}:key/${keyId}`]) {
      const encrypted = await rpc.call('Encrypt', { KeyId: reference, Plaintext: 'p' });
      expect(encrypted.KeyId).toBe(keyId);
    }
    await expectFailure(
      rpc.call('Encrypt', { KeyId: 'key-nope', Plaintext: 'p' }),
      404,
      'Forbidden.KeyNotFound',
    );
    await expectFailure(
      rpc.call('Encrypt', { KeyId: 'alias/nope', Plaintext: 'p' }),
      404,
      'Forbidden.AliasNotFound',
    );
    await expectFailure(rpc.call('Encrypt', { Plaintext: 'p' }), 400, 'MissingParameter');
    await expectFailure(rpc.call('Encrypt', { KeyId: keyId }), 400, 'MissingParameter');
    await expectFailure(rpc.call('Decrypt', {}), 400, 'MissingParameter');
  });

  it('refuses a wrong context or a damaged blob with 400 naming CiphertextBlob, never 5xx', async () => {
    const keyId = await createKey();
    const encrypted = await rpc.call('Encrypt', {
      KeyId: keyId,
      Plaintext: 'bound',
      EncryptionContext: JSON.stringify(CONTEXT),
    });
    const blob = Buffer.from(String(encrypted.CiphertextBlob), 'base64');
    const wrongContexts: Record<string, string>[] = [
      {},
      { EncryptionContext: '{}' },
      { EncryptionContext: JSON.stringify({ ...CONTEXT, purpose: 'other' }) },
      { EncryptionContext: JSON.stringify({ ...CONTEXT, extra: 'x' }) },
      { EncryptionContext: JSON.stringify({ purpose: 'test' }) },
    ];
    for (const context of wrongContexts) {
      const error = await expectFailure(
        rpc.call('Decrypt', { CiphertextBlob: blob.toString('base64'), ...context }),
        400,
        'InvalidParameter',
      );
      expect(error.message).toContain('CiphertextBlob');
      expect(error.message).not.toContain('bound');
    }
    const flipped = Buffer.from(blob);
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] ?? 0) ^ 0x01;
    const damaged = [
      flipped,
      blob.subarray(0, blob.length - 1),
      blob.subarray(0, 10),
      Buffer.from('AAAA', 'base64'),
    ];
    for (const bad of damaged) {
      await expectFailure(
        rpc.call('Decrypt', {
          CiphertextBlob: bad.toString('base64'),
          EncryptionContext: JSON.stringify(CONTEXT),
        }),
        400,
        'InvalidParameter',
      );
    }
    for (const notBase64 of ['***', 'abc', 'ab=c', 'YWJj\n', 'YW Jj']) {
      const error = await expectFailure(
        rpc.call('Decrypt', { CiphertextBlob: notBase64 }),
        400,
        'InvalidParameter',
      );
      expect(error.message).toContain('CiphertextBlob');
    }
    // A well-formed blob naming a key that does not exist.
    const header = Buffer.concat([Buffer.of(1, 8), Buffer.from('key-gone'), Buffer.of(1), Buffer.from('v')]);
    const orphan = Buffer.concat([header, Buffer.alloc(40, 7)]);
    await expectFailure(
      rpc.call('Decrypt', { CiphertextBlob: orphan.toString('base64') }),
      404,
      'Forbidden.KeyNotFound',
    );
    // The real blob still decrypts: nothing above changed anything.
    const ok = await rpc.call('Decrypt', {
      CiphertextBlob: blob.toString('base64'),
      EncryptionContext: JSON.stringify(CONTEXT),
    });
    expect(ok.Plaintext).toBe('bound');
  });

  it('validates the EncryptionContext parameter', async () => {
    const keyId = await createKey();
    for (const params of [
      { EncryptionContext: 'not json' },
      { EncryptionContext: '["a"]' },
      { EncryptionContext: '"text"' },
      { EncryptionContext: '{"n":1}' },
      { EncryptionContext: '{"":"empty key"}' },
      { EncryptionContext: '{"a":"1"}', 'EncryptionContext.a': '1' },
    ]) {
      const error = await expectFailure(
        rpc.call('Encrypt', { KeyId: keyId, Plaintext: 'p', ...params }),
        400,
        'InvalidParameter',
      );
      expect(error.message).toContain('EncryptionContext');
    }
  });
});

describe('GenerateDataKey and GenerateDataKeyWithoutPlaintext', () => {
  function bytesOf(body: Body): number {
    return Buffer.from(String(body.Plaintext), 'base64').length;
  }

  it('sizes data keys by KeySpec, NumberOfBytes winning', async () => {
    const keyId = await createKey();
    const cases: [Record<string, string | number>, number][] = [
      [{}, 32],
      [{ KeySpec: 'AES_256' }, 32],
      [{ KeySpec: 'AES_128' }, 16],
      [{ KeySpec: 'AES_128', NumberOfBytes: 64 }, 64],
      [{ NumberOfBytes: 1 }, 1],
      [{ NumberOfBytes: 1024 }, 1024],
    ];
    for (const [params, size] of cases) {
      const body = await rpc.call('GenerateDataKey', { KeyId: keyId, ...params });
      expect(bytesOf(body), JSON.stringify(params)).toBe(size);
      expect(body).toMatchObject({ KeyId: keyId });
    }
    for (const params of [
      { NumberOfBytes: 0 },
      { NumberOfBytes: 1025 },
      { NumberOfBytes: 'x' },
      { KeySpec: 'AES_512' },
    ]) {
      await expectFailure(rpc.call('GenerateDataKey', { KeyId: keyId, ...params }), 400, 'InvalidParameter');
    }
  });

  it('Decrypt of a data-key blob returns the same base64 Plaintext; contexts bind it', async () => {
    const keyId = await createKey();
    const typed = await server.kms.generateDataKey(
      new $Kms.GenerateDataKeyRequest({ keyId, numberOfBytes: 48, encryptionContext: { app: 'x' } }),
    );
    expect(Buffer.from(typed.plaintext, 'base64')).toHaveLength(48);
    const decrypted = await acs3.call('Decrypt', {
      CiphertextBlob: typed.ciphertextBlob,
      EncryptionContext: '{"app":"x"}',
    });
    expect(decrypted.Plaintext).toBe(typed.plaintext);
    await expectFailure(
      acs3.call('Decrypt', { CiphertextBlob: typed.ciphertextBlob }),
      400,
      'InvalidParameter',
    );

    const twice = [
      await rpc.call('GenerateDataKey', { KeyId: keyId }),
      await rpc.call('GenerateDataKey', { KeyId: keyId }),
    ];
    expect(twice[0]?.Plaintext).not.toBe(twice[1]?.Plaintext);
  });

  it('WithoutPlaintext answers only the blob, which decrypts to a key of the asked size', async () => {
    const keyId = await createKey();
    const typed = await server.kms.generateDataKeyWithoutPlaintext(
      new $Kms.GenerateDataKeyWithoutPlaintextRequest({ keyId, keySpec: 'AES_128' }),
    );
    expect(typed.keyId).toBe(keyId);
    for (const client of [server.client('openapi-v2'), server.client('pop-core-get')]) {
      const body = await client.call('GenerateDataKeyWithoutPlaintext', {
        KeyId: keyId,
        EncryptionContext: JSON.stringify(CONTEXT),
      });
      expect(body, client.name).not.toHaveProperty('Plaintext');
      expect(body.KeyVersionId).toMatch(/^[0-9a-f-]{36}$/);
      const decrypted = await client.call('Decrypt', {
        CiphertextBlob: String(body.CiphertextBlob),
        EncryptionContext: JSON.stringify(CONTEXT),
      });
      expect(bytesOf(decrypted)).toBe(32);
    }
    const fromTyped = await rpc.call('Decrypt', { CiphertextBlob: typed.ciphertextBlob });
    expect(bytesOf(fromTyped)).toBe(16);
  });
});

describe('DryRun', () => {
  it('answers DryRunOperationError where the call would succeed, and the real error otherwise', async () => {
    const keyId = await createKey();
    const blob = String((await rpc.call('Encrypt', { KeyId: keyId, Plaintext: 'p' })).CiphertextBlob);
    const calls: [string, Record<string, string>][] = [
      ['Encrypt', { KeyId: keyId, Plaintext: 'p' }],
      ['Decrypt', { CiphertextBlob: blob }],
      ['GenerateDataKey', { KeyId: keyId }],
      ['GenerateDataKeyWithoutPlaintext', { KeyId: keyId }],
    ];
    for (const [action, params] of calls) {
      await expectFailure(rpc.call(action, { ...params, DryRun: 'true' }), 400, 'DryRunOperationError');
      await expectFailure(acs3.call(action, { ...params, DryRun: 'True' }), 400, 'DryRunOperationError');
      await expectFailure(rpc.call(action, { ...params, DryRun: 'maybe' }), 400, 'InvalidParameter');
      expect(await rpc.call(action, { ...params, DryRun: 'false' })).not.toHaveProperty('Code');
    }
    await expectFailure(
      rpc.call('Decrypt', { CiphertextBlob: blob, EncryptionContext: '{"a":"b"}', DryRun: 'true' }),
      400,
      'InvalidParameter',
    );
    await expectFailure(
      rpc.call('GenerateDataKey', { KeyId: keyId, NumberOfBytes: '2000', DryRun: 'true' }),
      400,
      'InvalidParameter',
    );
    await rpc.call('DisableKey', { KeyId: keyId });
    for (const [action, params] of calls) {
      await expectFailure(rpc.call(action, { ...params, DryRun: 'true' }), 409, 'Rejected.Disabled');
    }
    expect(await keyState(keyId)).toBe('Disabled');
  });
});

describe('key rotation', () => {
  it('old and new blobs decrypt after CreateKeyVersion; versions are listed and describable', async () => {
    const keyId = await createKey();
    const first = await server.kms.encrypt(new $Kms.EncryptRequest({ keyId, plaintext: 'before' }));
    const created = await server.kms.createKeyVersion(new $Kms.CreateKeyVersionRequest({ keyId }));
    expect(created.keyVersion.keyId).toBe(keyId);
    expect(created.keyVersion.creationDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const second = await server.kms.encrypt(new $Kms.EncryptRequest({ keyId, plaintext: 'after' }));

    expect(second.keyVersionId).toBe(created.keyVersion.keyVersionId);
    expect(second.keyVersionId).not.toBe(first.keyVersionId);
    for (const [blob, text, version] of [
      [first.ciphertextBlob, 'before', first.keyVersionId],
      [second.ciphertextBlob, 'after', second.keyVersionId],
    ] as const) {
      const decrypted = await server.kms.decrypt(new $Kms.DecryptRequest({ ciphertextBlob: blob }));
      expect(decrypted).toMatchObject({ plaintext: text, keyVersionId: version });
    }

    const listed = await server.kms.listKeyVersions(new $Kms.ListKeyVersionsRequest({ keyId }));
    expect(listed.keyVersions.keyVersion.map((v) => v.keyVersionId)).toEqual([
      first.keyVersionId,
      second.keyVersionId,
    ]);
    expect(listed).toMatchObject({ totalCount: 2, pageNumber: 1, pageSize: 10 });
    const paged = await acs3.call('ListKeyVersions', { KeyId: keyId, PageNumber: 2, PageSize: 1 });
    expect(paged).toMatchObject({
      TotalCount: 2,
      PageNumber: 2,
      PageSize: 1,
      KeyVersions: { KeyVersion: [{ KeyId: keyId, KeyVersionId: second.keyVersionId }] },
    });
    const described = await server.kms.describeKeyVersion(
      new $Kms.DescribeKeyVersionRequest({ keyId, keyVersionId: first.keyVersionId }),
    );
    expect(described.keyVersion).toMatchObject({ keyId, keyVersionId: first.keyVersionId });
    const primary = await rpc.call('DescribeKey', { KeyId: keyId });
    expect((primary.KeyMetadata as { PrimaryKeyVersion: string }).PrimaryKeyVersion).toBe(
      second.keyVersionId,
    );

    await expectFailure(
      rpc.call('DescribeKeyVersion', { KeyId: keyId, KeyVersionId: '00000000-0000-0000-0000-000000000000' }),
      404,
      'Forbidden.KeyVersionNotFound',
    );
    await expectFailure(rpc.call('DescribeKeyVersion', { KeyId: keyId }), 400, 'MissingParameter');
    await expectFailure(rpc.call('ListKeyVersions', { KeyId: 'key-nope' }), 404, 'Forbidden.KeyNotFound');
    await expectFailure(
      rpc.call('CreateKeyVersion', { KeyId: 'alias/nope' }),
      404,
      'Forbidden.AliasNotFound',
    );
    await expectFailure(
      rpc.call('ListKeyVersions', { KeyId: keyId, PageSize: '101' }),
      400,
      'InvalidParameter',
    );
  });
});

describe('a secret under a customer key', () => {
  it('cannot be read or written while its key is disabled or pending deletion (docs/behaviour.md rule 16)', async () => {
    const keyId = await createKey();
    await rpc.call('CreateAlias', { AliasName: 'alias/secret-key', KeyId: keyId });
    await rpc.call('CreateSecret', {
      SecretName: 'under-cmk',
      VersionId: 'v1',
      SecretData: 'protected',
      EncryptionKeyId: 'alias/secret-key',
    });
    expect((await rpc.call('GetSecretValue', { SecretName: 'under-cmk' })).SecretData).toBe('protected');

    await server.kms.disableKey(new $Kms.DisableKeyRequest({ keyId: 'alias/secret-key' }));
    await expectFailure(rpc.call('GetSecretValue', { SecretName: 'under-cmk' }), 409, 'Rejected.Disabled');
    await expectFailure(
      rpc.call('PutSecretValue', { SecretName: 'under-cmk', VersionId: 'v2', SecretData: 'new' }),
      409,
      'Rejected.Disabled',
    );
    await server.kms.enableKey(new $Kms.EnableKeyRequest({ keyId }));
    expect((await rpc.call('GetSecretValue', { SecretName: 'under-cmk' })).SecretData).toBe('protected');

    await rpc.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    await expectFailure(
      rpc.call('GetSecretValue', { SecretName: 'under-cmk' }),
      409,
      'Rejected.PendingDeletion',
    );
    await rpc.call('CancelKeyDeletion', { KeyId: keyId });
    const value = await rpc.call('GetSecretValue', { SecretName: 'under-cmk' });
    expect(value).toMatchObject({ SecretData: 'protected', VersionId: 'v1' });
  });
});
