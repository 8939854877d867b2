/**
 * One server per SQLite data folder, as processes: a second server on the same folder refuses to start
 * and names the first (pid, host, start time); a SIGKILLed server's lock does not block a restart; a
 * cleanly stopped one leaves the folder free too.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { spawnServer, waitForLog } from './run-server.js';

describe('one server per data folder', () => {
  it('refuses a second server naming the first, and a killed server does not block the next start', async () => {
    const dir = tempDir();
    const env = { TESSERA_DATA_DIR: join(dir.path, 'data'), TESSERA_PORT: '0' };
    const first = spawnServer(env);
    const servers = [first];
    try {
      await waitForLog(first, (line) => line.msg === 'tessera is ready');

      const second = spawnServer(env);
      servers.push(second);
      const refused = await waitForLog(second, (line) => line.level === 60);
      expect(await second.exited).toEqual({ code: 1, signal: null });
      expect(String(refused.msg)).toContain(`pid ${String(first.child.pid)} on ${hostname()}, started `);
      expect(String(refused.msg)).toMatch(/started \d{4}-\d\d-\d\dT/);

      first.child.kill('SIGKILL');
      await first.exited;
      const third = spawnServer(env);
      servers.push(third);
      await waitForLog(third, (line) => line.msg === 'tessera is ready');
      third.child.kill('SIGTERM');
      expect(await third.exited).toEqual({ code: 0, signal: null });

      const fourth = spawnServer(env);
      servers.push(fourth);
      await waitForLog(fourth, (line) => line.msg === 'tessera is ready');
    } finally {
      for (const server of servers) server.child.kill('SIGKILL');
      await Promise.all(servers.map((server) => server.exited));
      dir.remove();
    }
  });
});
