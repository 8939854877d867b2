import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Tessera } from '../src/app.js';
import { createTessera } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/logging/logger.js';
import type { HostResolver } from '../src/rotators/webhook-address-guard.js';
import type { Clock } from '../src/services/clock.js';

export function tempDir(prefix = 'tessera-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Collects every log line a Tessera instance writes, for assertions about what logs may contain. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }

  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestInstance {
  readonly tessera: Tessera;
  readonly dataDir: string;
  readonly logs: LogCapture;
  stop(): Promise<void>;
}

/** A real Tessera on a fresh data folder (port 0), with its logs captured. */
export async function startTessera(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    dataDir?: string;
    keepData?: boolean;
    resolveHost?: HostResolver;
  } = {},
): Promise<TestInstance> {
  const dir = options.dataDir === undefined ? tempDir() : { path: options.dataDir, remove: () => undefined };
  const logs = new LogCapture();
  const config = loadConfig({
    TESSERA_DATA_DIR: dir.path,
    TESSERA_PORT: '0',
    TESSERA_LOG_LEVEL: 'info',
    ...options.env,
  });
  const tessera = await createTessera({
    config,
    logger: createLogger(config.logLevel, logs),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
  });
  return {
    tessera,
    dataDir: dir.path,
    logs,
    async stop() {
      await tessera.close();
      if (!options.keepData) dir.remove();
    },
  };
}
