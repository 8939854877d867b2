/** Every key, alias, cryptographic and region method of the client, against a real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TesseraClient } from '../src/index.js';
import type { TestServer } from './helpers.js';
import { anyNumber, anyString, containing, matching, startServer, uniqueName } from './helpers.js';

let api: TestServer;
let client: TesseraClient;

beforeAll(async () => {
  api = await startServer();
  client = api.client();
});

afterAll(async () => {
  await api.stop();
});

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

async function newKey(description = 'sdk test key'): Promise<string> {
  return (await client.createKey({ description })).keyMetadata.keyId;
}

describe('key methods', () => {
  it('createKey answers with the new key metadata, and describeKey returns the same', async () => {
    const created = await client.createKey({
      description: 'payments',
      tags: [{ tagKey: 'team', tagValue: 'pay' }],
    });
    expect(created.requestId).toEqual(anyString());
    expect(created.keyMetadata).toMatchObject({
      keyId: anyString(),
      arn: containing(`:key/${created.keyMetadata.keyId}`),
      creationDate: matching(TIMESTAMP),
      description: 'payments',
      keyState: 'Enabled',
      keySpec: 'Aliyun_AES_256',
      keyUsage: 'ENCRYPT/DECRYPT',
      primaryKeyVersion: anyString(),
    });
    const described = await client.describeKey({ keyId: created.keyMetadata.keyId });
    expect(described.keyMetadata).toMatchObject({
      keyId: created.keyMetadata.keyId,
      description: 'payments',
    });
  });

  it('listKeys pages through keys and filters by state', async () => {
    const keyId = await newKey();
    await client.disableKey({ keyId });
    const disabled = await client.listKeys({
      filters: [{ key: 'KeyState', values: ['Disabled'] }],
      pageSize: 100,
    });
    expect(disabled.keys.map((k) => k.keyId)).toContain(keyId);
    expect(disabled.keys.find((k) => k.keyId === keyId)?.keyArn).toContain(`:key/${keyId}`);
    const page = await client.listKeys({ pageSize: 1 });
    expect(page).toMatchObject({ pageNumber: 1, pageSize: 1, totalCount: anyNumber() });
    expect(page.keys).toHaveLength(1);
  });

  it('updateKeyDescription changes the description', async () => {
    const keyId = await newKey('before');
    expect(await client.updateKeyDescription({ keyId, description: 'after' })).toEqual({
      requestId: anyString(),
    });
    expect((await client.describeKey({ keyId })).keyMetadata.description).toBe('after');
  });

  it('disableKey and enableKey change the key state, and a disabled key cannot encrypt', async () => {
    const keyId = await newKey();
    await client.disableKey({ keyId });
    expect((await client.describeKey({ keyId })).keyMetadata.keyState).toBe('Disabled');
    await expect(client.encrypt({ keyId, plaintext: 'aGVsbG8=' })).rejects.toMatchObject({
      code: 'Rejected.Disabled',
      status: 409,
    });
    await client.enableKey({ keyId });
    expect((await client.describeKey({ keyId })).keyMetadata.keyState).toBe('Enabled');
  });

  it('scheduleKeyDeletion sets a delete date and cancelKeyDeletion enables the key again', async () => {
    const keyId = await newKey();
    expect(await client.scheduleKeyDeletion({ keyId, pendingWindowInDays: 7 })).toEqual({
      requestId: anyString(),
    });
    const pending = (await client.describeKey({ keyId })).keyMetadata;
    expect(pending).toMatchObject({
      keyState: 'PendingDeletion',
      deleteDate: matching(TIMESTAMP),
    });
    await client.cancelKeyDeletion({ keyId });
    const restored = (await client.describeKey({ keyId })).keyMetadata;
    expect(restored.keyState).toBe('Enabled');
    expect(restored.deleteDate).toBeUndefined();
  });

  it('createKeyVersion rotates the key; listKeyVersions and describeKeyVersion show the versions', async () => {
    const keyId = await newKey();
    const before = (await client.describeKey({ keyId })).keyMetadata.primaryKeyVersion;
    const created = await client.createKeyVersion({ keyId });
    expect(created.keyVersion).toEqual({
      keyId,
      keyVersionId: anyString(),
      creationDate: matching(TIMESTAMP),
    });
    expect((await client.describeKey({ keyId })).keyMetadata.primaryKeyVersion).toBe(
      created.keyVersion.keyVersionId,
    );
    const listed = await client.listKeyVersions({ keyId });
    expect(listed.totalCount).toBe(2);
    expect(listed.keyVersions.map((v) => v.keyVersionId).sort()).toEqual(
      [before, created.keyVersion.keyVersionId].sort(),
    );
    const described = await client.describeKeyVersion({
      keyId,
      keyVersionId: created.keyVersion.keyVersionId,
    });
    expect(described.keyVersion).toEqual(created.keyVersion);
  });
});

describe('cryptographic methods', () => {
  it('encrypt and decrypt round-trip the plaintext, bound to the encryption context', async () => {
    const keyId = await newKey();
    const encryptionContext = { app: 'billing', env: 'test' };
    const plaintext = Buffer.from('a secret message').toString('base64');
    const encrypted = await client.encrypt({ keyId, plaintext, encryptionContext });
    expect(encrypted).toMatchObject({
      keyId,
      keyVersionId: anyString(),
      ciphertextBlob: anyString(),
    });
    const decrypted = await client.decrypt({ ciphertextBlob: encrypted.ciphertextBlob, encryptionContext });
    expect(decrypted).toMatchObject({ plaintext, keyId, keyVersionId: encrypted.keyVersionId });
    await expect(
      client.decrypt({ ciphertextBlob: encrypted.ciphertextBlob, encryptionContext: { app: 'other' } }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('encrypt with dryRun answers DryRunOperationError', async () => {
    const keyId = await newKey();
    await expect(client.encrypt({ keyId, plaintext: 'eA==', dryRun: true })).rejects.toMatchObject({
      code: 'DryRunOperationError',
    });
  });

  it('generateDataKey returns a data key and its ciphertext, which decrypt turns back into the key', async () => {
    const keyId = await newKey();
    const dataKey = await client.generateDataKey({ keyId, keySpec: 'AES_128' });
    expect(Buffer.from(dataKey.plaintext, 'base64')).toHaveLength(16);
    const decrypted = await client.decrypt({ ciphertextBlob: dataKey.ciphertextBlob });
    expect(Buffer.from(decrypted.plaintext, 'base64')).toEqual(Buffer.from(dataKey.plaintext, 'base64'));
    expect(
      Buffer.from((await client.generateDataKey({ keyId, numberOfBytes: 64 })).plaintext, 'base64'),
    ).toHaveLength(64);
  });

  it('generateDataKeyWithoutPlaintext returns only the encrypted data key', async () => {
    const keyId = await newKey();
    const encryptionContext = { purpose: 'envelope' };
    const dataKey = await client.generateDataKeyWithoutPlaintext({ keyId, encryptionContext });
    expect(dataKey).toEqual({
      requestId: anyString(),
      ciphertextBlob: anyString(),
      keyId,
      keyVersionId: anyString(),
    });
    const decrypted = await client.decrypt({ ciphertextBlob: dataKey.ciphertextBlob, encryptionContext });
    expect(Buffer.from(decrypted.plaintext, 'base64')).toHaveLength(32);
  });
});

describe('alias and region methods', () => {
  it('createAlias binds an alias usable as a key id; listAliases and listAliasesByKeyId show it', async () => {
    const keyId = await newKey();
    const aliasName = `alias/${uniqueName('sdk')}`;
    expect(await client.createAlias({ aliasName, keyId })).toEqual({ requestId: anyString() });
    expect((await client.describeKey({ keyId: aliasName })).keyMetadata.keyId).toBe(keyId);
    const byKey = await client.listAliasesByKeyId({ keyId });
    expect(byKey).toMatchObject({ totalCount: 1, pageNumber: 1 });
    expect(byKey.aliases).toEqual([{ aliasName, aliasArn: containing(aliasName), keyId }]);
    const all = await client.listAliases({ pageSize: 100 });
    expect(all.aliases.map((a) => a.aliasName)).toContain(aliasName);
  });

  it('updateAlias rebinds an alias and deleteAlias removes it', async () => {
    const first = await newKey();
    const second = await newKey();
    const aliasName = `alias/${uniqueName('sdk')}`;
    await client.createAlias({ aliasName, keyId: first });
    expect(await client.updateAlias({ aliasName, keyId: second })).toEqual({ requestId: anyString() });
    expect((await client.encrypt({ keyId: aliasName, plaintext: 'eA==' })).keyId).toBe(second);
    expect(await client.deleteAlias({ aliasName })).toEqual({ requestId: anyString() });
    await expect(client.describeKey({ keyId: aliasName })).rejects.toMatchObject({
      code: 'Forbidden.AliasNotFound',
      status: 404,
    });
  });

  it('describeRegions lists the server region', async () => {
    const answer = await client.describeRegions();
    expect(answer.regions).toEqual([{ regionId: 'cn-hangzhou' }]);
  });
});

describe('key hygiene methods', () => {
  it('createKey with automatic rotation and updateRotationPolicy show in describeKey', async () => {
    const created = await client.createKey({ enableAutomaticRotation: true, rotationInterval: '30d' });
    expect(created.keyMetadata).toMatchObject({
      automaticRotation: 'Enabled',
      rotationInterval: '2592000s',
      nextRotationDate: matching(TIMESTAMP),
    });
    const keyId = created.keyMetadata.keyId;
    await client.updateRotationPolicy({ keyId, enableAutomaticRotation: false });
    expect((await client.describeKey({ keyId })).keyMetadata.automaticRotation).toBe('Disabled');
  });

  it('reEncrypt moves a ciphertext to another key and context; rewrapDataKeys answers its counts', async () => {
    const source = await newKey();
    const destination = await newKey();
    const { ciphertextBlob } = await client.encrypt({
      keyId: source,
      plaintext: 'moved',
      encryptionContext: { a: '1' },
    });
    const moved = await client.reEncrypt({
      ciphertextBlob,
      sourceEncryptionContext: { a: '1' },
      destinationKeyId: destination,
      destinationEncryptionContext: { b: '2' },
    });
    expect(moved).toMatchObject({ keyId: destination, sourceKeyId: source, keyVersionId: anyString() });
    const opened = await client.decrypt({
      ciphertextBlob: moved.ciphertextBlob,
      encryptionContext: { b: '2' },
    });
    expect(opened.plaintext).toBe('moved');
    const report = await client.rewrapDataKeys();
    expect(report).toMatchObject({ examined: anyNumber(), rewrapped: anyNumber(), failed: 0 });
  });
});
