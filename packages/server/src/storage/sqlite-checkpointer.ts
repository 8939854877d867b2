/**
 * WAL checkpoints off the event loop (issue 14). SQLite's automatic checkpoint runs inside the COMMIT
 * that crosses its threshold: on the writer connection, so on the event loop, where copying a
 * thousand pages into the database file and fsyncing it stalls every request. Here a worker thread
 * with a connection of its own runs PASSIVE checkpoints (they never block the writer or readers)
 * several times a second, and the writer's own threshold is raised to a backstop, reached only if the
 * worker stops or falls far behind.
 *
 * The worker is a short script evaluated in place, so the same code runs from the build and under the
 * test runner; it loads the very better-sqlite3 module the store uses.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * How often the worker checkpoints whatever the WAL holds. Each checkpoint that copies pages also
 * fsyncs the database file, competing with the WAL syncs that acknowledge writes, so not too often; at
 * 1,000 ms the WAL grew between checkpoints and reads slowed. The benchmarks on the shared VM could not
 * tell 50 ms from 200 ms apart within their noise (BENCHMARKS.md, 2026-12-06).
 */
const CHECKPOINT_INTERVAL_MS = 200;
/** The writer's own automatic checkpoint, in pages: a backstop (about 40 MiB of WAL at 4 KiB pages). */
export const WRITER_AUTOCHECKPOINT_PAGES = 10_000;

const WORKER_SCRIPT = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
db.pragma('synchronous = NORMAL');
setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick tries again */ }
}, workerData.intervalMs);
`;

/**
 * How long after opening the worker starts: a store opened and closed again at once (a command, a
 * test) never pays for a thread; until then the writer's backstop covers the WAL.
 */
const START_DELAY_MS = 1_000;

export class WalCheckpointer {
  readonly #workerData: object;
  #worker: Worker | undefined;
  readonly #timer: NodeJS.Timeout;

  private constructor(workerData: object) {
    this.#workerData = workerData;
    this.#timer = setTimeout(() => {
      this.#start();
    }, START_DELAY_MS);
    this.#timer.unref();
  }

  /** Checkpoints the database file at `path` (its writer must be in WAL mode) from shortly after now. */
  static start(path: string, busyTimeoutMs: number): WalCheckpointer {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    return new WalCheckpointer({ module, path, busyTimeoutMs, intervalMs: CHECKPOINT_INTERVAL_MS });
  }

  /**
   * Ends the worker. A checkpoint cut short is safe (SQLite checkpoints are crash-safe by design), and
   * the writer's own close checkpoints what is left.
   */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#worker?.terminate();
  }

  #start(): void {
    const worker = new Worker(WORKER_SCRIPT, { eval: true, workerData: this.#workerData });
    // A failing worker only means the writer's backstop checkpoints instead; nothing to report upward.
    worker.on('error', () => undefined);
    worker.unref();
    this.#worker = worker;
  }
}
