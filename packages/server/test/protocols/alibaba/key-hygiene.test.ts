/**
 * Customer master key hygiene through the real SDKs: automatic key rotation (CreateKey's
 * EnableAutomaticRotation/RotationInterval, UpdateRotationPolicy, DescribeKey's rotation fields, the
 * scheduler's tick making one new version when due), ReEncrypt (with its two permissions), and
 * RewrapDataKeys (secret versions' data keys moved to their key's newest version).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, ManualClock } from '../../fakes/manual-clock.js';
import type { ApiClient, ApiServer, Body } from './harness.js';
import {
  $Kms,
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  clientsFor,
  expectFailure,
  startApiServer,
} from './harness.js';
import { $Ram, ram, ramClient } from './ram-clients.js';

let server: ApiServer;
let clock: ManualClock;
let pop: ApiClient;
let acs3: ApiClient;

beforeAll(async () => {
  clock = new ManualClock(START);
  // The timer never fires on its own; the test ticks the scheduler after moving the clock.
  server = await startApiServer({ clock, env: { TESSERA_ROTATION_TICK_SECONDS: '0' } });
  pop = server.client('pop-core-post');
  acs3 = server.client('openapi-acs3');
});

afterAll(async () => {
  await server.stop();
});

/** Whole seconds, as the API's timestamps are. */
const START = Math.floor(Date.now() / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const tick = () => server.instance.tessera.services.rotationScheduler.tick();

/**
 * Ticks the scheduler `ms` ahead, then comes back: requests are signed with real time and the server
 * checks them against its clock (±15 minutes), so API calls are made only at the real time.
 */
async function tickAhead(ms: number): Promise<void> {
  clock.advance(ms);
  try {
    await Promise.all([tick(), tick()]);
    await tick();
  } finally {
    clock.advance(-ms);
  }
}

async function describeKey(keyId: string): Promise<Record<string, unknown>> {
  return (await pop.call('DescribeKey', { KeyId: keyId })).KeyMetadata as Record<string, unknown>;
}

async function versionCount(keyId: string): Promise<number> {
  return (await pop.call('ListKeyVersions', { KeyId: keyId, PageSize: 100 })).TotalCount as number;
}

describe('automatic key rotation', () => {
  it('CreateKey with EnableAutomaticRotation: DescribeKey shows the policy, a tick past it rotates once', async () => {
    const created = await server.kms.createKey(
      new $Kms.CreateKeyRequest({ enableAutomaticRotation: true, rotationInterval: '7d' }),
    );
    const metadata = created.keyMetadata;
    expect(metadata.automaticRotation).toBe('Enabled');
    expect(metadata.rotationInterval).toBe('604800s');
    expect(metadata.nextRotationDate).toBe(iso(START + 7 * DAY_MS));
    const keyId = metadata.keyId;
    const first = metadata.primaryKeyVersion;

    await tickAhead(7 * DAY_MS - 1000);
    expect(await versionCount(keyId)).toBe(1);

    // Concurrent ticks and a second one: still one new version.
    await tickAhead(7 * DAY_MS);
    const described = await server.kms.describeKey(new $Kms.DescribeKeyRequest({ keyId }));
    expect(await versionCount(keyId)).toBe(2);
    expect(described.keyMetadata.primaryKeyVersion).not.toBe(first);
    expect(described.keyMetadata.lastRotationDate).toBe(iso(START + 7 * DAY_MS));
    expect(described.keyMetadata.nextRotationDate).toBe(iso(START + 14 * DAY_MS));
  });

  it('two passes racing for the same due key make one version (the due check is repeated under the row lock)', async () => {
    const keyId = (
      await describeKeyOf(pop.call('CreateKey', { EnableAutomaticRotation: true, RotationInterval: '7d' }))
    ).KeyId as string;
    const { keys } = server.instance.tessera.services;
    clock.advance(7 * DAY_MS);
    try {
      const results = await Promise.all([
        keys.rotateIfDue(keyId),
        keys.rotateIfDue(keyId),
        keys.rotateIfDue(keyId),
      ]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    } finally {
      clock.advance(-7 * DAY_MS);
    }
    expect(await versionCount(keyId)).toBe(2);
  });

  it('rotates once after downtime however many intervals were missed', async () => {
    const keyId = (
      await describeKeyOf(pop.call('CreateKey', { EnableAutomaticRotation: true, RotationInterval: '8d' }))
    ).KeyId as string;
    await tickAhead(40 * DAY_MS);
    expect(await versionCount(keyId)).toBe(2);
  });

  it('UpdateRotationPolicy turns rotation on and off (typed request class)', async () => {
    const keyId = (await describeKeyOf(pop.call('CreateKey', {}))).KeyId as string;
    expect(await describeKey(keyId)).toMatchObject({ AutomaticRotation: 'Disabled' });
    expect(await describeKey(keyId)).not.toHaveProperty('NextRotationDate');
    await server.kms.updateRotationPolicy(
      new $Kms.UpdateRotationPolicyRequest({ keyId, enableAutomaticRotation: true, rotationInterval: '30d' }),
    );
    expect(await describeKey(keyId)).toMatchObject({
      AutomaticRotation: 'Enabled',
      RotationInterval: '2592000s',
    });
    await server.kms.updateRotationPolicy(
      new $Kms.UpdateRotationPolicyRequest({ keyId, enableAutomaticRotation: false }),
    );
    const off = await describeKey(keyId);
    expect(off.AutomaticRotation).toBe('Disabled');
    expect(off).not.toHaveProperty('RotationInterval');
    await tickAhead(400 * DAY_MS);
    expect(await versionCount(keyId)).toBe(1);
  });

  it('refuses intervals outside 7d–365d, a missing interval and a missing switch', async () => {
    await expectFailure(
      pop.call('CreateKey', { EnableAutomaticRotation: true, RotationInterval: '6d' }),
      400,
      'InvalidParameter',
    );
    await expectFailure(
      pop.call('CreateKey', { EnableAutomaticRotation: true, RotationInterval: '366d' }),
      400,
      'InvalidParameter',
    );
    await expectFailure(pop.call('CreateKey', { EnableAutomaticRotation: true }), 400, 'InvalidParameter');
    const keyId = (await describeKeyOf(pop.call('CreateKey', {}))).KeyId as string;
    await expectFailure(pop.call('UpdateRotationPolicy', { KeyId: keyId }), 400, 'MissingParameter');
    await expectFailure(
      pop.call('UpdateRotationPolicy', {
        KeyId: keyId,
        EnableAutomaticRotation: true,
        RotationInterval: 'soon',
      }),
      400,
      'InvalidParameter',
    );
  });

  it('a disabled key is not rotated (Suspended) and resumes when enabled; a key pending deletion refuses the policy', async () => {
    const keyId = (
      await describeKeyOf(pop.call('CreateKey', { EnableAutomaticRotation: true, RotationInterval: '7d' }))
    ).KeyId as string;
    await pop.call('DisableKey', { KeyId: keyId });
    expect(await describeKey(keyId)).toMatchObject({ AutomaticRotation: 'Suspended' });
    await tickAhead(8 * DAY_MS);
    expect(await versionCount(keyId)).toBe(1);
    await pop.call('EnableKey', { KeyId: keyId });
    await tickAhead(8 * DAY_MS);
    expect(await versionCount(keyId)).toBe(2);

    await pop.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    expect(await describeKey(keyId)).toMatchObject({ AutomaticRotation: 'Suspended' });
    await expectFailure(
      pop.call('UpdateRotationPolicy', { KeyId: keyId, EnableAutomaticRotation: false }),
      409,
      'Rejected.PendingDeletion',
    );
  });
});

async function describeKeyOf(call: Promise<Body>): Promise<Record<string, unknown>> {
  return (await call).KeyMetadata as Record<string, unknown>;
}

describe('ReEncrypt', () => {
  let source: string;
  let destination: string;

  beforeAll(async () => {
    source = (await describeKeyOf(pop.call('CreateKey', {}))).KeyId as string;
    destination = (await describeKeyOf(pop.call('CreateKey', {}))).KeyId as string;
    await pop.call('CreateAlias', { AliasName: 'alias/reencrypt-dest', KeyId: destination });
  });

  it('moves a ciphertext to another key and context, through every client', async () => {
    for (const client of server.clients) {
      const encrypted = await client.call('Encrypt', {
        KeyId: source,
        Plaintext: `hello from ${client.name}`,
        EncryptionContext: JSON.stringify({ app: 'one' }),
      });
      const moved = await client.call('ReEncrypt', {
        CiphertextBlob: encrypted.CiphertextBlob as string,
        SourceEncryptionContext: JSON.stringify({ app: 'one' }),
        DestinationKeyId: 'alias/reencrypt-dest',
        DestinationEncryptionContext: JSON.stringify({ app: 'two' }),
      });
      expect(moved, client.name).toMatchObject({
        KeyId: destination,
        SourceKeyId: source,
        SourceKeyVersionId: encrypted.KeyVersionId,
      });
      expect(moved, client.name).not.toHaveProperty('Plaintext');
      const decrypted = await client.call('Decrypt', {
        CiphertextBlob: moved.CiphertextBlob as string,
        EncryptionContext: JSON.stringify({ app: 'two' }),
      });
      expect(decrypted.Plaintext, client.name).toBe(`hello from ${client.name}`);
      expect(decrypted.KeyId).toBe(destination);
    }
  });

  it('re-encrypts an old key version under the newest one of the same key', async () => {
    const encrypted = await acs3.call('Encrypt', { KeyId: source, Plaintext: 'old' });
    const version = (await acs3.call('CreateKeyVersion', { KeyId: source })).KeyVersion as Body;
    const moved = await acs3.call('ReEncrypt', {
      CiphertextBlob: encrypted.CiphertextBlob as string,
      DestinationKeyId: source,
      SourceKeyId: source,
    });
    expect(moved.KeyVersionId).toBe(version.KeyVersionId);
    expect(moved.SourceKeyVersionId).toBe(encrypted.KeyVersionId);
  });

  it('refuses a wrong source context, a wrong SourceKeyId, a disabled destination', async () => {
    const encrypted = await pop.call('Encrypt', {
      KeyId: source,
      Plaintext: 'x',
      EncryptionContext: JSON.stringify({ a: 'b' }),
    });
    const blob = encrypted.CiphertextBlob as string;
    await expectFailure(
      pop.call('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: destination }),
      400,
      'InvalidParameter',
    );
    await expectFailure(
      pop.call('ReEncrypt', {
        CiphertextBlob: blob,
        SourceEncryptionContext: JSON.stringify({ a: 'b' }),
        DestinationKeyId: destination,
        SourceKeyId: destination,
      }),
      400,
      'InvalidParameter',
    );
    await expectFailure(pop.call('ReEncrypt', { DestinationKeyId: destination }), 400, 'MissingParameter');
    const disabled = (await describeKeyOf(pop.call('CreateKey', {}))).KeyId as string;
    await pop.call('DisableKey', { KeyId: disabled });
    await expectFailure(
      pop.call('ReEncrypt', {
        CiphertextBlob: blob,
        SourceEncryptionContext: JSON.stringify({ a: 'b' }),
        DestinationKeyId: disabled,
      }),
      409,
      'Rejected.Disabled',
    );
  });

  it('needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination', async () => {
    const admin = ramClient(server.endpoint, {
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
    });
    const { region, accountId } = server.instance.tessera.identity;
    const arn = (keyId: string) => `acs:kms:${region}:${accountId}:key/${keyId}`;
    const userWith = async (name: string, statement: object): Promise<ApiClient> => {
      await ram(admin.createUser(new $Ram.CreateUserRequest({ userName: name })));
      const policyDocument = JSON.stringify({ Version: '1', Statement: [statement] });
      await ram(
        admin.createPolicy(new $Ram.CreatePolicyRequest({ policyName: `p-${name}`, policyDocument })),
      );
      await ram(
        admin.attachPolicyToUser(
          new $Ram.AttachPolicyToUserRequest({
            userName: name,
            policyType: 'Custom',
            policyName: `p-${name}`,
          }),
        ),
      );
      const key = await ram(admin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: name })));
      const credentials = {
        accessKeyId: key.accessKey!.accessKeyId!,
        accessKeySecret: key.accessKey!.accessKeySecret!,
      };
      return clientsFor(server, credentials).find((c) => c.name === 'pop-core-post')!;
    };
    const blob = (await pop.call('Encrypt', { KeyId: source, Plaintext: 'guarded' }))
      .CiphertextBlob as string;
    const request = { CiphertextBlob: blob, DestinationKeyId: destination };

    const fromOnly = await userWith('reencrypt-from', {
      Effect: 'Allow',
      Action: ['kms:ReEncryptFrom', 'kms:DescribeKey'],
      Resource: [arn(source), arn(destination)],
    });
    await expectFailure(fromOnly.call('ReEncrypt', request), 403, 'Forbidden.NoPermission');

    const toOnly = await userWith('reencrypt-to', {
      Effect: 'Allow',
      Action: ['kms:ReEncryptTo', 'kms:DescribeKey'],
      Resource: [arn(source), arn(destination)],
    });
    await expectFailure(toOnly.call('ReEncrypt', request), 403, 'Forbidden.NoPermission');

    const both = await userWith('reencrypt-both', {
      Effect: 'Allow',
      Action: ['kms:ReEncrypt*'],
      Resource: [arn(source), arn(destination)],
    });
    expect((await both.call('ReEncrypt', request)).KeyId).toBe(destination);
    // A SourceKeyId the caller may not use is refused as a missing one is: no probing for key ids.
    const other = (await describeKeyOf(pop.call('CreateKey', {}))).KeyId as string;
    await expectFailure(
      both.call('ReEncrypt', { ...request, SourceKeyId: other }),
      403,
      'Forbidden.NoPermission',
    );
    await expectFailure(
      both.call('ReEncrypt', { ...request, SourceKeyId: 'key-doesnotexist00000000' }),
      403,
      'Forbidden.NoPermission',
    );
    await expectFailure(
      both.call('ReEncrypt', { ...request, SourceKeyId: destination }),
      400,
      'InvalidParameter',
    );
  });
});

describe('RewrapDataKeys', () => {
  it('moves every secret version under its key’s newest version; values read back the same', async () => {
    const keyId = (await describeKeyOf(pop.call('CreateKey', {}))).KeyId as string;
    await pop.call('CreateSecret', {
      SecretName: 'rewrap/a',
      VersionId: 'v1',
      SecretData: 'first',
      EncryptionKeyId: keyId,
    });
    await pop.call('PutSecretValue', { SecretName: 'rewrap/a', VersionId: 'v2', SecretData: 'second' });
    await pop.call('CreateSecret', { SecretName: 'rewrap/b', VersionId: 'v1', SecretData: 'other' });
    await pop.call('CreateKeyVersion', { KeyId: keyId });

    const first = await pop.call('RewrapDataKeys', {});
    expect(first.Rewrapped).toBeGreaterThanOrEqual(2);
    expect(first.Failed).toBe(0);
    const again = await pop.call('RewrapDataKeys', {});
    expect(again).toMatchObject({ Rewrapped: 0, Failed: 0, Examined: first.Examined });

    const read = async (name: string, versionId: string) =>
      (await pop.call('GetSecretValue', { SecretName: name, VersionId: versionId })).SecretData;
    expect(await read('rewrap/a', 'v1')).toBe('first');
    expect(await read('rewrap/a', 'v2')).toBe('second');
    expect(await read('rewrap/b', 'v1')).toBe('other');
  });

  it('leaves data keys under a disabled key as they are', async () => {
    const keyId = (await describeKeyOf(pop.call('CreateKey', {}))).KeyId as string;
    await pop.call('CreateSecret', {
      SecretName: 'rewrap/c',
      VersionId: 'v1',
      SecretData: 'c',
      EncryptionKeyId: keyId,
    });
    await pop.call('CreateKeyVersion', { KeyId: keyId });
    await pop.call('DisableKey', { KeyId: keyId });
    const report = await pop.call('RewrapDataKeys', {});
    expect(report.Skipped).toBeGreaterThanOrEqual(1);
    await pop.call('EnableKey', { KeyId: keyId });
    expect((await pop.call('RewrapDataKeys', {})).Rewrapped).toBe(1);
    expect((await pop.call('GetSecretValue', { SecretName: 'rewrap/c' })).SecretData).toBe('c');
  });
});
