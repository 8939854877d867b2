import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { spawnServer, waitForLog } from './run-server.js';

describe('the server process (what npm start runs)', () => {
  it('starts on a new data folder, serves /healthz, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    const dataDir = join(dir.path, 'data');
    const server = spawnServer({ TESSERA_DATA_DIR: dataDir, TESSERA_PORT: '0' });
    try {
      const ready = await waitForLog(server, (line) => line.msg === 'tessera is ready');
      const response = await fetch(`${String(ready.address)}/healthz`);
      expect(response.status).toBe(200);
      expect(statSync(join(dataDir, 'tessera.db')).isFile()).toBe(true);
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.stdout.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    } finally {
      server.child.kill('SIGKILL');
      dir.remove();
    }
  });

  it('lists every configuration problem and exits 2', async () => {
    const server = spawnServer({ TESSERA_PORT: 'eighty', TESSERA_COLOUR: 'blue' });
    const { code } = await server.exited;
    expect(code).toBe(2);
    const stderr = server.stderr.join('');
    expect(stderr).toContain('TESSERA_PORT');
    expect(stderr).toContain('TESSERA_COLOUR is not a Tessera setting');
  });
});
