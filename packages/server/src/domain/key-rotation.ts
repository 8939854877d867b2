/**
 * Automatic rotation of customer master keys: the interval (7 to 365 days, spelt `integer[unit]` like
 * a secret's), when a key is next due, and what DescribeKey reports. A rotation is a new key version
 * made primary (`rotateKey` in `key.ts`); keys that are not enabled are not rotated (the API reports
 * their rotation as suspended). Pure.
 */
import { invalidArgument } from './errors.js';
import type { Key } from './key.js';
import { assertKeyModifiable } from './key.js';
import type { EpochMs } from './secret.js';

const DAY_S = 86_400;
export const MIN_KEY_ROTATION_INTERVAL_SECONDS = 7 * DAY_S;
export const MAX_KEY_ROTATION_INTERVAL_SECONDS = 365 * DAY_S;
const UNIT_SECONDS: Readonly<Record<string, number>> = { d: DAY_S, h: 3_600, m: 60, s: 1 };

/** What DescribeKey's `AutomaticRotation` says. */
export type AutomaticKeyRotation = 'enabled' | 'disabled' | 'suspended';

/** `integer[unit]`, unit d, h, m or s (no unit: seconds), from 7 days to 365 days. Returns seconds. */
export function parseKeyRotationInterval(text: string): number {
  const match = /^(\d{1,12})([dhms]?)$/.exec(text);
  const seconds = match ? Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1) : NaN;
  if (!Number.isSafeInteger(seconds)) {
    throw invalidArgument(
      'rotationInterval',
      'A rotation interval is a whole number followed by d, h, m or s, e.g. 365d.',
    );
  }
  if (seconds < MIN_KEY_ROTATION_INTERVAL_SECONDS || seconds > MAX_KEY_ROTATION_INTERVAL_SECONDS) {
    throw invalidArgument('rotationInterval', 'A key rotation interval is from 7d to 365d.');
  }
  return seconds;
}

/**
 * The interval a policy change leaves on the key: `null` when rotation is turned off; the given one
 * (required) when it is turned on.
 */
export function rotationIntervalOf(enable: boolean, intervalText: string | undefined): number | null {
  if (!enable) return null;
  if (intervalText === undefined) {
    throw invalidArgument(
      'rotationInterval',
      'A rotation interval is required to enable automatic rotation.',
    );
  }
  return parseKeyRotationInterval(intervalText);
}

export function automaticRotationOf(key: Key): AutomaticKeyRotation {
  if (key.rotationIntervalSeconds === null) return 'disabled';
  return key.state === 'enabled' ? 'enabled' : 'suspended';
}

/** When the key's next automatic rotation is due: an interval after its last rotation, if rotation is on. */
export function nextKeyRotationAt(key: Key): EpochMs | null {
  return key.rotationIntervalSeconds === null ? null : key.lastRotatedAt + key.rotationIntervalSeconds * 1000;
}

/**
 * Whether the key should get a new version now. Only enabled keys rotate; after downtime a key rotates
 * once, however many intervals were missed, since the next one counts from that rotation.
 */
export function isKeyRotationDue(key: Key, now: EpochMs): boolean {
  const next = nextKeyRotationAt(key);
  return next !== null && key.state === 'enabled' && next <= now;
}

/** UpdateRotationPolicy: refused on a key pending deletion, like every other change to it. */
export function updateKeyRotationPolicy(key: Key, rotationIntervalSeconds: number | null): Key {
  assertKeyModifiable(key);
  return { ...key, rotationIntervalSeconds };
}
