import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/app.js';
import { startTessera, tempDir } from '../helpers.js';

function databaseBytes(dataDir: string): Buffer {
  const files = [DATABASE_FILE, `${DATABASE_FILE}-wal`]
    .map((name) => join(dataDir, name))
    .filter((f) => existsSync(f));
  return Buffer.concat(files.map((file) => readFileSync(file)));
}

describe('encryption at rest', () => {
  it('the SQLite file and its WAL hold no plaintext secret value, key or access-key secret', async () => {
    const rootKey = randomBytes(32);
    const env = {
      TESSERA_ROOT_KEY: rootKey.toString('base64'),
      TESSERA_ROOT_ACCESS_KEY_ID: 'AtRestAdmin',
      TESSERA_ROOT_ACCESS_KEY_SECRET: `admin-secret-${randomBytes(8).toString('hex')}`,
    };
    const instance = await startTessera({ env });
    const { secrets, keys } = instance.tessera.services;
    const values: string[] = [];
    try {
      const cmk = await keys.createKey({ description: 'at-rest key', tags: [] });
      for (let i = 0; i < 20; i++) {
        const value = `plaintext-marker-${i}-${randomBytes(12).toString('hex')}`;
        values.push(value);
        await secrets.createSecret({
          name: `at-rest/visible-name-${i}`,
          versionId: 'v1',
          data: value,
          dataType: 'text',
          ...(i % 2 === 0 ? { encryptionKeyId: cmk.id } : {}),
        });
        const next = `${value}-next`;
        values.push(next);
        await secrets.putSecretValue({
          name: `at-rest/visible-name-${i}`,
          versionId: 'v2',
          data: next,
          dataType: 'text',
        });
      }
      const binary = randomBytes(48).toString('base64');
      values.push(binary);
      await secrets.createSecret({
        name: 'at-rest/binary',
        versionId: 'v1',
        data: binary,
        dataType: 'binary',
      });

      // While the server runs most writes are still in the WAL; read both files.
      const bytes = databaseBytes(instance.dataDir);
      // The search works: names are stored in plaintext and are found.
      expect(bytes.includes(Buffer.from('at-rest/visible-name-7'))).toBe(true);
      for (const value of values) expect(bytes.includes(Buffer.from(value)), value).toBe(false);
      expect(bytes.includes(Buffer.from(env.TESSERA_ROOT_ACCESS_KEY_SECRET))).toBe(false);
      expect(bytes.includes(rootKey)).toBe(false);
      expect(bytes.includes(Buffer.from(rootKey.toString('base64')))).toBe(false);
      // Every value still reads back.
      expect((await secrets.getSecretValue({ name: 'at-rest/visible-name-3' })).data).toBe(values[7]);
    } finally {
      await instance.stop();
    }
  });

  it('a ciphertext moved to another version or secret fails to decrypt', async () => {
    const dir = tempDir();
    const env = { TESSERA_ROOT_KEY: randomBytes(32).toString('base64') };
    const first = await startTessera({ dataDir: dir.path, keepData: true, env });
    const { secrets } = first.tessera.services;
    await secrets.createSecret({ name: 'victim', versionId: 'v1', data: 'old value', dataType: 'text' });
    await secrets.putSecretValue({ name: 'victim', versionId: 'v2', data: 'new value', dataType: 'text' });
    await secrets.createSecret({ name: 'other', versionId: 'v1', data: 'other value', dataType: 'text' });
    await first.stop();

    // An attacker with write access to the database copies ciphertext between rows.
    const db = new BetterSqlite3(join(dir.path, DATABASE_FILE));
    const row = db
      .prepare(
        `select v.encrypted_data_key as k, v.encrypted_value as v from secret_versions v
         join secrets s on s.id = v.secret_id where s.name = ? and v.version_id = ?`,
      )
      .get('victim', 'v1') as { k: Buffer; v: Buffer };
    const write = db.prepare(
      `update secret_versions set encrypted_data_key = ?, encrypted_value = ?
       where version_id = ? and secret_id = (select id from secrets where name = ?)`,
    );
    write.run(row.k, row.v, 'v2', 'victim');
    write.run(row.k, row.v, 'v1', 'other');
    db.close();

    const second = await startTessera({ dataDir: dir.path, keepData: true, env });
    try {
      const moved = second.tessera.services.secrets;
      await expect(moved.getSecretValue({ name: 'victim' })).rejects.toMatchObject({ code: 'internal' });
      await expect(moved.getSecretValue({ name: 'other' })).rejects.toMatchObject({ code: 'internal' });
      // The row the ciphertext came from is untouched and still decrypts.
      expect((await moved.getSecretValue({ name: 'victim', versionId: 'v1' })).data).toBe('old value');
      // The failure names no value.
      const error = (await moved.getSecretValue({ name: 'victim' }).catch((e: unknown) => e)) as Error;
      expect(error.message).not.toContain('value');
    } finally {
      await second.stop();
      dir.remove();
    }
  });
});
