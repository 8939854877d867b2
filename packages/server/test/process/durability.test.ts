import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STAGE_PREVIOUS } from '../../src/domain/secret.js';
import { startTessera, tempDir } from '../helpers.js';
import { spawnServer } from './run-server.js';

const WRITER = fileURLToPath(new URL('../fixtures/acknowledged-writer.mjs', import.meta.url));

function acknowledged(lines: readonly string[]): number[] {
  return lines.flatMap((line) => (line.startsWith('ack ') ? [Number(line.slice(4))] : []));
}

describe('durability', () => {
  it('every acknowledged write survives kill -9', async () => {
    const dir = tempDir();
    const rootKey = randomBytes(32).toString('base64');
    try {
      for (let cycle = 0; cycle < 3; cycle++) {
        const writer = spawnServer({ TESSERA_DATA_DIR: dir.path, TESSERA_ROOT_KEY: rootKey }, WRITER);
        const target = 20 + Math.floor(Math.random() * 40);
        while (acknowledged(writer.stdout).length < target) {
          const exited = await Promise.race([
            writer.exited,
            new Promise((resolve) => {
              setTimeout(resolve, 20);
            }),
          ]);
          if (exited) throw new Error(`writer exited early: ${writer.stderr.join('')}`);
        }
        writer.child.kill('SIGKILL');
        await writer.exited;
        const acked = acknowledged(writer.stdout);

        const check = await startTessera({
          dataDir: dir.path,
          keepData: true,
          env: { TESSERA_ROOT_KEY: rootKey },
        });
        try {
          const { secrets } = check.tessera.services;
          for (const n of acked) {
            expect((await secrets.getSecretValue({ name: `durable-${n}` })).data).toBe(`second-${n}`);
            expect((await secrets.getSecretValue({ name: `durable-${n}`, stage: STAGE_PREVIOUS })).data).toBe(
              `value-${n}`,
            );
          }
          // Clear the names so the next cycle's writer starts from durable-0 again.
          for (const n of acked) await secrets.deleteSecret(`durable-${n}`, { force: true });
          const { items } = await secrets.listSecrets({ offset: 0, limit: 100, namePrefixes: ['durable-'] });
          for (const item of items) await secrets.deleteSecret(item.name, { force: true });
        } finally {
          await check.stop();
        }
      }
    } finally {
      dir.remove();
    }
  });
});
