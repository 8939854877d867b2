/**
 * A request signed and answered before a restart cannot be replayed after it, within the timestamp
 * window: the built server as a child process, killed (SIGKILL, right after the answer) or stopped
 * (SIGTERM), restarted on the same data folder, and the captured request sent again byte for byte
 * (docs/permissions.md, "Replay").
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { TesseraClient } from '@tessera/sdk';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { send, v1Request } from '../protocols/alibaba/signed-fetch.js';
import type { PreparedRequest } from '../protocols/alibaba/signed-fetch.js';
import type { ServerProcess } from './run-server.js';
import { SERVER_ENTRY, spawnServer, waitForLog } from './run-server.js';

const ENTRY = process.env.TESSERA_SERVER_ENTRY ?? SERVER_ENTRY;
// The same bootstrap key `signed-fetch.ts` signs with.
const ACCESS_KEY_ID = 'TesseraTestAdmin';
const ACCESS_KEY_SECRET = 'test-admin-secret-0123456789';
const ROOT_KEY = randomBytes(32).toString('base64');

async function start(dataDir: string): Promise<{ server: ServerProcess; baseUrl: string }> {
  const server = spawnServer(
    {
      TESSERA_DATA_DIR: dataDir,
      TESSERA_ROOT_KEY: ROOT_KEY,
      TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
      TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
      TESSERA_PORT: '0',
      TESSERA_LOG_LEVEL: 'info',
    },
    ENTRY,
  );
  const ready = await waitForLog(server, (line) => line.msg === 'tessera is ready');
  return { server, baseUrl: String(ready.address) };
}

/** The same signed request sent to another origin (v1 signatures do not cover the host). */
function to(baseUrl: string, request: PreparedRequest): PreparedRequest {
  const url = new URL(request.url);
  return { ...request, url: `${baseUrl}/${url.search}` };
}

describe('replay after a restart', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`refuses a request signed and answered before a ${signal}`, async () => {
      const dir = tempDir();
      const dataDir = join(dir.path, 'data');
      let running = await start(dataDir);
      try {
        const client = new TesseraClient({
          endpoint: running.baseUrl,
          accessKeyId: ACCESS_KEY_ID,
          accessKeySecret: ACCESS_KEY_SECRET,
        });
        await client.createSecret({ secretName: 'replayed', versionId: 'v1', secretData: 'the value' });

        const captured = v1Request(running.baseUrl, 'GetSecretValue', { SecretName: 'replayed' });
        const first = await send(captured);
        expect(first.status).toBe(200);
        expect(((await first.json()) as { SecretData: string }).SecretData).toBe('the value');
        // The same server refuses the replay from memory.
        const again = await send(captured);
        expect(again.status).toBe(400);

        running.server.child.kill(signal);
        await running.server.exited;
        running = await start(dataDir);

        const replay = await send(to(running.baseUrl, captured));
        const body = (await replay.json()) as { Code: string; SecretData?: string };
        expect({ status: replay.status, code: body.Code }).toEqual({
          status: 400,
          code: 'SignatureNonceUsed',
        });
        expect(body.SecretData).toBeUndefined();

        // A fresh signature still works.
        const fresh = await send(
          v1Request(running.baseUrl, 'GetSecretValue', { SecretName: 'replayed' }, { nonce: randomUUID() }),
        );
        expect(fresh.status).toBe(200);
      } finally {
        running.server.child.kill('SIGKILL');
        await running.server.exited;
        dir.remove();
      }
    }, 60_000);
  }
});
