// Fills a fresh data folder with `count` secrets of `versions` versions each, fast, in this process
// (no HTTP), for the scale benchmark. Secret i is named `<prefix><i zero-padded>`, its versions are
// v1…v<versions> with values `value-<i>-<v>`, ACSCurrent on the newest and ACSPrevious on the one before
// — exactly the state `versions` PutSecretValue calls would leave.
//
// Two methods, both on the built server (packages/server/dist):
//   sql   (default) The data folder is initialised by the server itself (createTessera: migrations, root
//         key check, service key, bootstrap access key). Every version is sealed by the server's own
//         envelope code (a fresh data key per version, wrapped by the service key through KeyService,
//         bound to secret id, version id and data type), and the rows go in with prepared INSERTs into
//         the tables the server's migrations created, 2,000 secrets per transaction.
//   store The server's store layer: domain createSecret/putVersion, then SecretRepository insert and
//         save in transactions of 500 secrets. Several times slower; for cross-checking `sql`.
// The scale benchmark then reads samples back through the server over HTTP and checks every value.
//
// Usage: node populate.mjs <dataDir> <count> <versions> <sql|store> <prefix> <width>   (prints one JSON line)
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import { URL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ROOT_KEY, SERVER_ENTRY } from './common.mjs';

const dist = new URL('./', `file://${SERVER_ENTRY}`);
const load = (path) => import(new URL(path, dist).href);
const { createTessera, DATABASE_FILE } = await load('app.js');
const { loadConfig } = await load('config/config.js');
const { createLogger } = await load('logging/logger.js');
const { openSqliteStore } = await load('storage/sqlite.js');
const { KeyService } = await load('services/key-service.js');
const { newDataKey, sealSecretValue, dataKeyContext } = await load('crypto/envelope.js');
const { createSecret, putVersion, DEFAULT_SECRET_LIMITS, STAGE_CURRENT, STAGE_PREVIOUS } =
  await load('domain/secret.js');
const require = createRequire(new URL('../package.json', dist));
const Database = require('better-sqlite3');

const [dataDir, countArg, versionsArg, method = 'sql', prefix = 'scale/', widthArg = '7'] =
  process.argv.slice(2);
const count = Number(countArg);
const versions = Number(versionsArg);
const width = Number(widthArg);
const nameOf = (i) => prefix + String(i).padStart(width, '0');
const started = performance.now();

// 1. The server initialises the folder, as on a first start.
const config = loadConfig({
  TESSERA_DATA_DIR: dataDir,
  TESSERA_ROOT_KEY: ROOT_KEY,
  TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
  TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
  TESSERA_PORT: '0',
});
const tessera = await createTessera({ config, logger: createLogger('silent') });
await tessera.close();

// 2. The service key, through the server's KeyService (it unwraps and caches the key material).
const store = await openSqliteStore({ path: join(dataDir, DATABASE_FILE) });
const keys = new KeyService({
  store,
  rootKey: Buffer.from(ROOT_KEY, 'base64'),
  clock: { now: () => Date.now() },
});
const serviceKey = await keys.serviceKey();
async function seal(binding, value) {
  const dataKey = newDataKey();
  try {
    const wrapped = await keys.encryptUnder(serviceKey, dataKey, dataKeyContext(binding));
    return { encryptedDataKey: wrapped.blob, encryptedValue: sealSecretValue(dataKey, binding, value) };
  } finally {
    dataKey.fill(0);
  }
}
// Caches the key material now: inside a store transaction KeyService must not query the store itself.
await seal({ secretId: 'warm-up', versionId: 'v', dataType: 'text' }, 'warm-up');

const baseTime = Date.now() - count * versions;
if (method === 'store') {
  const BATCH = 500;
  for (let start = 0; start < count; start += BATCH) {
    const sealed = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const id = randomUUID();
      const values = [];
      for (let v = 1; v <= versions; v++) {
        values.push(await seal({ secretId: id, versionId: `v${v}`, dataType: 'text' }, `value-${i}-${v}`));
      }
      sealed.push({ i, id, values });
    }
    await store.transaction(async (tx) => {
      for (const { i, id, values } of sealed) {
        const now = baseTime + i * versions;
        let secret = createSecret(
          {
            id,
            name: nameOf(i),
            description: '',
            encryptionKeyId: serviceKey.id,
            tags: [],
            versionId: 'v1',
            dataType: 'text',
            now,
          },
          DEFAULT_SECRET_LIMITS,
        );
        await tx.secrets.insert(secret, values[0]);
        for (let v = 2; v <= versions; v++) {
          const change = putVersion(
            secret,
            { versionId: `v${v}`, data: '', dataType: 'text', now: now + v - 1 },
            DEFAULT_SECRET_LIMITS,
          );
          await tx.secrets.save(change.secret, {
            added: { versionId: `v${v}`, ciphertext: values[v - 1] },
            evicted: change.evicted,
          });
          secret = change.secret;
        }
      }
    });
  }
  await store.close();
} else {
  const db = new Database(join(dataDir, DATABASE_FILE));
  // Loading speed only: the server reopens the file with its own settings, and the load is checkpointed
  // into the database file (with an fsync) before the benchmark starts the server.
  db.pragma('synchronous = OFF');
  const insertSecret = db.prepare(
    'insert into secrets (id, name, description, encryption_key_id, created_at, updated_at, planned_delete_at) values (?, ?, ?, ?, ?, ?, null)',
  );
  const insertVersion = db.prepare(
    'insert into secret_versions (secret_id, version_id, seq, created_at, data_type, encrypted_data_key, encrypted_value) values (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertStage = db.prepare('insert into secret_stages (secret_id, label, version_id) values (?, ?, ?)');
  const BATCH = 2_000;
  for (let start = 0; start < count; start += BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const id = randomUUID();
      const values = [];
      for (let v = 1; v <= versions; v++) {
        values.push(await seal({ secretId: id, versionId: `v${v}`, dataType: 'text' }, `value-${i}-${v}`));
      }
      rows.push({ i, id, values });
    }
    db.transaction(() => {
      for (const { i, id, values } of rows) {
        const created = baseTime + i * versions;
        insertSecret.run(id, nameOf(i), '', serviceKey.id, created, created + versions - 1);
        for (let v = 1; v <= versions; v++) {
          const ciphertext = values[v - 1];
          insertVersion.run(
            id,
            `v${v}`,
            v,
            created + v - 1,
            'text',
            ciphertext.encryptedDataKey,
            ciphertext.encryptedValue,
          );
        }
        insertStage.run(id, STAGE_CURRENT, `v${versions}`);
        if (versions > 1) insertStage.run(id, STAGE_PREVIOUS, `v${versions - 1}`);
      }
    })();
  }
  db.pragma('synchronous = FULL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  await store.close();
}

const dbBytes = statSync(join(dataDir, DATABASE_FILE)).size;
console.log(JSON.stringify({ method, secrets: count, versions, ms: performance.now() - started, dbBytes }));
