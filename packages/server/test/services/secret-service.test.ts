import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STAGE_CURRENT, STAGE_PREVIOUS } from '../../src/domain/secret.js';
import type { SecretService } from '../../src/services/secret-service.js';
import type { KeyService } from '../../src/services/key-service.js';
import { DAY_MS, ManualClock } from '../fakes/manual-clock.js';
import type { TestInstance } from '../helpers.js';
import { startTessera } from '../helpers.js';

let instance: TestInstance;
let secrets: SecretService;
let keys: KeyService;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock();
  instance = await startTessera({ clock });
  ({ secrets, keys } = instance.tessera.services);
});

afterEach(async () => {
  await instance.stop();
});

const text = { dataType: 'text' } as const;

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'DomainError', code });
}

describe('secret service: versions and stages', () => {
  it('creates a secret whose first version is current and reads it back', async () => {
    await secrets.createSecret({
      name: 'db/cred',
      versionId: 'v1',
      data: 's3cr3t',
      ...text,
      description: 'd',
    });
    const value = await secrets.getSecretValue({ name: 'db/cred' });
    expect(value).toMatchObject({ data: 's3cr3t', stages: [STAGE_CURRENT], version: { versionId: 'v1' } });
  });

  it('rotates in one call: new current, old becomes previous (seed scenario 1)', async () => {
    await secrets.createSecret({ name: 'oauth', versionId: 'v1', data: 'one', ...text });
    const put = await secrets.putSecretValue({ name: 'oauth', versionId: 'v2', data: 'two', ...text });
    expect(put).toMatchObject({ created: true, stages: [STAGE_CURRENT] });
    expect((await secrets.getSecretValue({ name: 'oauth' })).data).toBe('two');
    expect((await secrets.getSecretValue({ name: 'oauth', stage: STAGE_PREVIOUS })).data).toBe('one');
  });

  it('rotates through a pending label, then moves current (seed scenario 2)', async () => {
    await secrets.createSecret({ name: 'db_cred', versionId: 'v1', data: '{"pwd":"a"}', ...text });
    await secrets.putSecretValue({
      name: 'db_cred',
      versionId: 'v2',
      data: '{"pwd":"b"}',
      ...text,
      stages: ['MyPendingLabel'],
    });
    expect((await secrets.getSecretValue({ name: 'db_cred' })).data).toBe('{"pwd":"a"}');
    await secrets.updateVersionStage({ name: 'db_cred', stage: STAGE_CURRENT, moveToVersion: 'v2' });
    const current = await secrets.getSecretValue({ name: 'db_cred' });
    expect(current).toMatchObject({ data: '{"pwd":"b"}', stages: [STAGE_CURRENT, 'MyPendingLabel'] });
    expect((await secrets.getSecretValue({ name: 'db_cred', stage: STAGE_PREVIOUS })).version.versionId).toBe(
      'v1',
    );
  });

  it('re-putting a version is idempotent with the same value and a conflict with another', async () => {
    await secrets.createSecret({ name: 'idem', versionId: 'v1', data: 'same', ...text });
    await secrets.putSecretValue({ name: 'idem', versionId: 'v2', data: 'two', ...text });
    const again = await secrets.putSecretValue({
      name: 'idem',
      versionId: 'v1',
      data: 'same',
      ...text,
      stages: ['X'],
    });
    expect(again).toMatchObject({ created: false, stages: [STAGE_PREVIOUS] });
    await expectCode(
      secrets.putSecretValue({ name: 'idem', versionId: 'v1', data: 'different', ...text }),
      'secret_version_conflict',
    );
    await expectCode(
      secrets.putSecretValue({ name: 'idem', versionId: 'v1', data: 'c2FtZQ==', dataType: 'binary' }),
      'secret_version_conflict',
    );
    expect((await secrets.getSecretValue({ name: 'idem' })).data).toBe('two');
  });

  it('keeps at most 10 versions, evicting the oldest unlabeled ones', async () => {
    await secrets.createSecret({ name: 'cap', versionId: 'v0', data: 'x0', ...text });
    for (let i = 1; i <= 14; i++)
      await secrets.putSecretValue({ name: 'cap', versionId: `v${i}`, data: `x${i}`, ...text });
    const listing = await secrets.listVersions('cap', true);
    expect(listing.versions.map((v) => v.version.versionId)).toEqual([
      'v14',
      'v13',
      'v12',
      'v11',
      'v10',
      'v9',
      'v8',
      'v7',
      'v6',
      'v5',
    ]);
    await expectCode(secrets.getSecretValue({ name: 'cap', versionId: 'v4' }), 'secret_version_not_found');
    expect((await secrets.getSecretValue({ name: 'cap', versionId: 'v5' })).data).toBe('x5');
  });

  it('does not lose versions or labels under concurrent writers', async () => {
    await secrets.createSecret({ name: 'race', versionId: 'v0', data: 'x', ...text });
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        secrets.putSecretValue({
          name: 'race',
          versionId: `p${i}`,
          data: `d${i}`,
          ...text,
          stages: [`L${i}`],
        }),
      ),
    );
    const secret = await secrets.describeSecret('race');
    expect(secret.versions).toHaveLength(8);
    expect([...secret.stages.keys()].sort()).toEqual(
      [STAGE_CURRENT, 'L0', 'L1', 'L2', 'L3', 'L4', 'L5', 'L6'].sort(),
    );
  });

  it('stores binary data exactly as given', async () => {
    await secrets.createSecret({ name: 'bin', versionId: 'v1', data: 'AAECAwQ=', dataType: 'binary' });
    expect(await secrets.getSecretValue({ name: 'bin' })).toMatchObject({
      data: 'AAECAwQ=',
      version: { dataType: 'binary' },
    });
  });

  it('rejects invalid input before anything is stored', async () => {
    await expectCode(
      secrets.createSecret({ name: 'bad name!', versionId: 'v1', data: 'x', ...text }),
      'invalid_argument',
    );
    await expectCode(
      secrets.createSecret({ name: 'big', versionId: 'v1', data: 'x'.repeat(30_721), ...text }),
      'invalid_argument',
    );
    await expectCode(
      secrets.createSecret({ name: 'b64', versionId: 'v1', data: 'not base64', dataType: 'binary' }),
      'invalid_argument',
    );
    expect((await secrets.listSecrets({ offset: 0, limit: 10 })).total).toBe(0);
  });

  it('names the secret in not-found errors and never the value', async () => {
    await secrets.createSecret({ name: 'named', versionId: 'v1', data: 'hidden-value', ...text });
    const error: unknown = await secrets
      .getSecretValue({ name: 'named', versionId: 'nope' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('nope');
    expect((error as Error).message).not.toContain('hidden-value');
    await expectCode(secrets.getSecretValue({ name: 'missing' }), 'secret_not_found');
  });
});

describe('secret service: deletion window', () => {
  it('schedules deletion, blocks use, restores', async () => {
    await secrets.createSecret({ name: 'del', versionId: 'v1', data: 'x', ...text });
    const { plannedDeleteAt } = await secrets.deleteSecret('del', { recoveryWindowDays: 7, force: false });
    expect(plannedDeleteAt).toBe(clock.now() + 7 * DAY_MS);
    expect((await secrets.describeSecret('del')).plannedDeleteAt).toBe(plannedDeleteAt);
    await expectCode(secrets.getSecretValue({ name: 'del' }), 'secret_pending_deletion');
    await expectCode(
      secrets.putSecretValue({ name: 'del', versionId: 'v2', data: 'y', ...text }),
      'secret_pending_deletion',
    );
    await expectCode(
      secrets.createSecret({ name: 'del', versionId: 'v1', data: 'x', ...text }),
      'secret_pending_deletion',
    );
    await secrets.restoreSecret('del');
    expect((await secrets.getSecretValue({ name: 'del' })).data).toBe('x');
  });

  it('destroys after the window; the name is free again', async () => {
    await secrets.createSecret({ name: 'gone', versionId: 'v1', data: 'x', ...text });
    await secrets.deleteSecret('gone', { force: false });
    clock.advance(30 * DAY_MS - 1);
    expect((await secrets.describeSecret('gone')).name).toBe('gone');
    clock.advance(1);
    await expectCode(secrets.describeSecret('gone'), 'secret_not_found');
    await expectCode(secrets.restoreSecret('gone'), 'secret_not_found');
    expect(await secrets.purgeExpired()).toBe(1);
    await secrets.createSecret({ name: 'gone', versionId: 'v9', data: 'new', ...text });
    expect((await secrets.getSecretValue({ name: 'gone' })).data).toBe('new');
  });

  it('force deletion destroys at once, even a secret already pending', async () => {
    await secrets.createSecret({ name: 'force', versionId: 'v1', data: 'x', ...text });
    await secrets.deleteSecret('force', { force: false });
    const { plannedDeleteAt } = await secrets.deleteSecret('force', { force: true });
    expect(plannedDeleteAt).toBe(clock.now());
    await expectCode(secrets.describeSecret('force'), 'secret_not_found');
    await secrets.createSecret({ name: 'force', versionId: 'v1', data: 'again', ...text });
  });
});

describe('secret service: customer master keys', () => {
  it('encrypts under a chosen CMK; a disabled or pending-deletion key blocks reads and writes', async () => {
    const key = await keys.createKey({ description: 'app key', tags: [] });
    await keys.createAlias('alias/app', key.id);
    await secrets.createSecret({
      name: 'k',
      versionId: 'v1',
      data: 'x',
      ...text,
      encryptionKeyId: 'alias/app',
    });
    expect((await secrets.describeSecret('k')).encryptionKeyId).toBe(key.id);
    // A read first, so the key service holds the key's state in memory: disabling must still bite at once.
    expect((await secrets.getSecretValue({ name: 'k' })).data).toBe('x');

    await keys.disableKey(key.id);
    await expectCode(secrets.getSecretValue({ name: 'k' }), 'key_disabled');
    await expectCode(
      secrets.putSecretValue({ name: 'k', versionId: 'v2', data: 'y', ...text }),
      'key_disabled',
    );
    await expectCode(
      secrets.createSecret({ name: 'k2', versionId: 'v1', data: 'y', ...text, encryptionKeyId: key.id }),
      'key_disabled',
    );
    await keys.enableKey(key.id);
    expect((await secrets.getSecretValue({ name: 'k' })).data).toBe('x');

    await keys.scheduleKeyDeletion(key.id, 7);
    await expectCode(secrets.getSecretValue({ name: 'k' }), 'key_pending_deletion');
    await keys.cancelKeyDeletion(key.id);
    expect((await secrets.getSecretValue({ name: 'k' })).data).toBe('x');
  });

  it('key rotation: old versions still decrypt, new ones use the new key version', async () => {
    const key = await keys.createKey({ description: '', tags: [] });
    await secrets.createSecret({
      name: 'rot',
      versionId: 'v1',
      data: 'before',
      ...text,
      encryptionKeyId: key.id,
    });
    const rotated = await keys.createKeyVersion(key.id);
    await secrets.putSecretValue({ name: 'rot', versionId: 'v2', data: 'after', ...text });
    expect((await secrets.getSecretValue({ name: 'rot', versionId: 'v1' })).data).toBe('before');
    expect((await secrets.getSecretValue({ name: 'rot', versionId: 'v2' })).data).toBe('after');
    expect((await keys.listKeyVersions(key.id)).map((v) => v.versionId)).toEqual([
      key.primaryVersionId,
      rotated.versionId,
    ]);
    expect((await keys.describeKey(key.id)).primaryVersionId).toBe(rotated.versionId);
  });

  it('an unknown EncryptionKeyId is not found; the service key is not addressable', async () => {
    await expectCode(
      secrets.createSecret({ name: 'x', versionId: 'v1', data: 'x', ...text, encryptionKeyId: 'key-nope' }),
      'key_not_found',
    );
    await expectCode(
      secrets.createSecret({ name: 'x', versionId: 'v1', data: 'x', ...text, encryptionKeyId: 'alias/nope' }),
      'alias_not_found',
    );
    const service = await keys.serviceKey();
    await expectCode(keys.describeKey(service.id), 'key_not_found');
    expect((await keys.listKeys({ offset: 0, limit: 100 })).items.map((k) => k.id)).not.toContain(service.id);
  });
});

describe('secret service: volume', () => {
  it('stores and reads back 10,000 versions', async () => {
    const started = performance.now();
    const secretsCount = 1000;
    for (let s = 0; s < secretsCount; s++) {
      await secrets.createSecret({ name: `bulk/${s}`, versionId: 'v0', data: `value-${s}-0`, ...text });
      for (let v = 1; v < 10; v++)
        await secrets.putSecretValue({
          name: `bulk/${s}`,
          versionId: `v${v}`,
          data: `value-${s}-${v}`,
          ...text,
        });
    }
    const written = performance.now();
    for (let s = 0; s < secretsCount; s++) {
      for (let v = 0; v < 10; v++) {
        expect((await secrets.getSecretValue({ name: `bulk/${s}`, versionId: `v${v}` })).data).toBe(
          `value-${s}-${v}`,
        );
      }
    }
    const read = performance.now();
    console.log(
      `10,000 versions: written in ${Math.round(written - started)} ms, read back in ${Math.round(read - written)} ms`,
    );
    expect((await secrets.listSecrets({ offset: 0, limit: 1 })).total).toBe(secretsCount);
  }, 300_000);
});
