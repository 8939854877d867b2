/**
 * The server process with TESSERA_METRICS_ADDRESS, as docs/operations-keys-metrics.md starts it: it
 * logs where /metrics is served, the doc's `curl` reads it there (the documented port replaced by the
 * free one the test asked for), and SIGTERM closes both listeners.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { spawnServer, waitForLog } from './run-server.js';

const doc = readFileSync(new URL('../../../../docs/operations-keys-metrics.md', import.meta.url), 'utf8');

describe('the server process with metrics', () => {
  it('serves /metrics on its own address, as the doc shows, and stops on SIGTERM', async () => {
    const block = /<!-- ops-test: metrics -->\n+```sh\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const [start, scrape] = block.trim().split('\n');
    expect(start).toBe('TESSERA_METRICS_ADDRESS=127.0.0.1:9464 npm start');
    const dir = tempDir();
    const server = spawnServer({
      TESSERA_DATA_DIR: join(dir.path, 'data'),
      TESSERA_PORT: '0',
      TESSERA_METRICS_ADDRESS: '127.0.0.1:0',
    });
    try {
      const serving = await waitForLog(server, (line) => line.msg === 'serving Prometheus metrics');
      const ready = await waitForLog(server, (line) => line.msg === 'tessera is ready');
      const metricsUrl = String(serving.address);
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const command = (scrape ?? '').replace('http://127.0.0.1:9464/metrics', metricsUrl);
      const text = execFileSync('bash', ['-c', `set -euo pipefail; ${command}`], { encoding: 'utf8' });
      expect(text).toContain('# TYPE tessera_http_requests_total counter');
      expect(text).toContain('tessera_process_resident_memory_bytes');
      expect((await fetch(`${String(ready.address)}/metrics`)).status).toBe(404);
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      await expect(fetch(metricsUrl)).rejects.toThrow();
    } finally {
      server.child.kill('SIGKILL');
      dir.remove();
    }
  });
});
