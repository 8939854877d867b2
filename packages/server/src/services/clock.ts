import type { EpochMs } from '../domain/secret.js';

/** Time as the services see it; tests inject a controllable clock instead of sleeping. */
export interface Clock {
  now(): EpochMs;
}

export const systemClock: Clock = { now: () => Date.now() };
