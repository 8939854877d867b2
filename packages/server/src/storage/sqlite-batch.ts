/**
 * The bookkeeping of the SQLite driver's group commit (`sqlite-driver.ts`): the writer's FIFO lock, a
 * batch of units sharing one COMMIT and one WAL fsync, and when each kind of unit may be acknowledged.
 */

/** A FIFO lock; `tryLock` takes it without waiting when it is free. */
export class Mutex {
  #locked = false;
  readonly #waiting: (() => void)[] = [];

  get locked(): boolean {
    return this.#locked;
  }

  tryLock(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

  async lock(): Promise<void> {
    if (this.tryLock()) return;
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  unlock(): void {
    const next = this.#waiting.shift();
    // Handed straight to the next waiter: nobody can slip in between.
    if (next) next();
    else this.#locked = false;
  }
}

/** A promise with its settle functions; a rejection nobody waits for is not reported as unhandled. */
class Deferred {
  readonly promise: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.promise.catch(() => undefined);
  }
}

/**
 * One group commit. `durable` resolves when its COMMIT returned and the WAL was synced after it;
 * `relaxedAcknowledged` when a relaxed unit of it may be acknowledged (see the file's header). Both
 * reject when the batch failed.
 */
export class Batch {
  units = 0;
  /** Whether a kept unit of it waits for `durable` (was not relaxed). */
  holdsDurableUnit = false;
  readonly #durable = new Deferred();
  readonly #relaxed = new Deferred();

  get durable(): Promise<void> {
    return this.#durable.promise;
  }

  get relaxedAcknowledged(): Promise<void> {
    return this.#relaxed.promise;
  }

  /** Committed: relaxed units are acknowledged once `before` (earlier durable units' sync) resolves. */
  committed(before: Promise<void> | undefined): void {
    if (before === undefined) this.#relaxed.resolve();
    else before.then(this.#relaxed.resolve, this.#relaxed.reject);
  }

  synced(): void {
    this.#relaxed.resolve();
    this.#durable.resolve();
  }

  reject(error: unknown): void {
    this.#relaxed.reject(error);
    this.#durable.reject(error);
  }
}

/** One unit of work on the writer, inside a batch. */
export interface Unit {
  readonly batch: Batch;
  relaxed: boolean;
}

/** `fs.fsync`'s shape, so tests can hold a sync back and see who waits for it. */
export type FsyncFunction = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => void;
