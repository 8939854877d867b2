import type { Clock } from '../../src/services/clock.js';

/** A clock that moves only when a test says so, so tests never sleep through deletion windows. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}

export const DAY_MS = 86_400_000;
