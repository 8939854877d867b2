/**
 * The CMK state machine (docs/behaviour.md rule 16): every state-changing and state-checking
 * function on each state, pending-window bounds, cancel, rotation, alias names.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from './errors.js';
import { DomainError } from './errors.js';
import type { Key, KeyState } from './key.js';
import {
  DATA_KEY_SPECS,
  KEY_STATES,
  MAX_DATA_KEY_BYTES,
  MAX_ENCRYPT_PLAINTEXT_BYTES,
  MAX_KEY_DESCRIPTION_LENGTH,
  MAX_PENDING_WINDOW_DAYS,
  MIN_PENDING_WINDOW_DAYS,
  assertAliasTargetAllowed,
  assertKeyModifiable,
  assertKeyUsable,
  canonicalEncryptionContext,
  cancelKeyDeletion,
  dataKeyLength,
  disableKey,
  enableKey,
  isKeyExpired,
  newKey,
  rotateKey,
  scheduleKeyDeletion,
  updateKeyDescription,
  validateAliasName,
  validateEncryptPlaintext,
  validateKeyDescription,
} from './key.js';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

function enabledKey(): Key {
  return newKey({ id: 'key-1', versionId: 'kv-1', description: 'd', owner: 'customer', tags: [], now: T0 });
}

/** A key in the given state, reached through the public transitions. */
function keyIn(state: KeyState): Key {
  const key = enabledKey();
  switch (state) {
    case 'enabled':
      return key;
    case 'disabled':
      return disableKey(key);
    case 'pending_deletion':
      return scheduleKeyDeletion(key, 7, T0);
  }
}

/** What an operation does on a key: the state it leaves, `ok` for checks and non-state changes, or an error. */
type Result = KeyState | 'ok' | ErrorCode;

function outcome(run: () => Key | undefined): Result {
  try {
    const key = run();
    return key === undefined ? 'ok' : key.state;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

const check = (assert: (key: Key) => void) => (key: Key) => {
  assert(key);
  return undefined;
};

/** Each operation with what it does on an enabled, a disabled and a pending-deletion key. */
const MATRIX: readonly {
  name: string;
  run: (key: Key) => Key | undefined;
  expected: readonly [Result, Result, Result];
}[] = [
  { name: 'EnableKey', run: enableKey, expected: ['enabled', 'enabled', 'key_state_conflict'] },
  { name: 'DisableKey', run: disableKey, expected: ['disabled', 'disabled', 'key_state_conflict'] },
  {
    name: 'ScheduleKeyDeletion',
    run: (key) => scheduleKeyDeletion(key, 7, T0),
    expected: ['pending_deletion', 'pending_deletion', 'key_state_conflict'],
  },
  {
    name: 'CancelKeyDeletion',
    run: cancelKeyDeletion,
    expected: ['key_state_conflict', 'key_state_conflict', 'enabled'],
  },
  {
    name: 'UpdateKeyDescription',
    run: (key) => updateKeyDescription(key, 'new'),
    expected: ['enabled', 'disabled', 'key_pending_deletion'],
  },
  {
    name: 'RotateKey',
    run: (key) => rotateKey(key, 'kv-2', T0),
    expected: ['enabled', 'disabled', 'key_pending_deletion'],
  },
  {
    // CreateAlias only: UpdateAlias answers Rejected.PendingDeletion, i.e. the 'modify' row below.
    name: 'assertAliasTargetAllowed (CreateAlias)',
    run: check(assertAliasTargetAllowed),
    expected: ['ok', 'ok', 'key_state_conflict'],
  },
  {
    name: 'use (Encrypt/Decrypt/secret read-write)',
    run: check(assertKeyUsable),
    expected: ['ok', 'key_disabled', 'key_pending_deletion'],
  },
  {
    name: 'modify (description/tags)',
    run: check(assertKeyModifiable),
    expected: ['ok', 'ok', 'key_pending_deletion'],
  },
];

describe('key state matrix', () => {
  it('covers every state', () => {
    expect(KEY_STATES).toEqual(['enabled', 'disabled', 'pending_deletion']);
  });

  for (const { name, run, expected } of MATRIX) {
    KEY_STATES.forEach((state, column) => {
      it(`${name} on a ${state} key → ${String(expected[column])}`, () => {
        const key = Object.freeze(keyIn(state));
        expect(outcome(() => run(key))).toBe(expected[column]);
        expect(key.state).toBe(state); // pure: the input key is unchanged
      });
    });
  }

  it('names the key in state errors', () => {
    const pending = keyIn('pending_deletion');
    for (const run of [() => enableKey(pending), () => updateKeyDescription(pending, 'x')]) {
      const error = domainErrorOf(run);
      expect(error.details.resource).toBe('key-1');
      expect(error.message).toContain('key-1');
    }
  });
});

describe('newKey', () => {
  it('starts enabled with the given version primary and no deletion date', () => {
    const key = enabledKey();
    expect(key).toMatchObject({
      state: 'enabled',
      deleteAt: null,
      primaryVersionId: 'kv-1',
      lastRotatedAt: T0,
      createdAt: T0,
    });
  });

  it('limits the description to 8,192 characters', () => {
    expect(MAX_KEY_DESCRIPTION_LENGTH).toBe(8192);
    const base = { id: 'k', versionId: 'v', owner: 'customer', tags: [], now: T0 } as const;
    expect(newKey({ ...base, description: 'd'.repeat(8192) }).description).toHaveLength(8192);
    expect(outcome(() => newKey({ ...base, description: 'd'.repeat(8193) }))).toBe('invalid_argument');
    expect(outcome(() => updateKeyDescription(enabledKey(), 'd'.repeat(8193)))).toBe('invalid_argument');
    expect(() => {
      validateKeyDescription('');
    }).not.toThrow();
  });
});

describe('scheduleKeyDeletion', () => {
  it('accepts whole-day windows from 7 to 366 and sets the deletion date', () => {
    expect([MIN_PENDING_WINDOW_DAYS, MAX_PENDING_WINDOW_DAYS]).toEqual([7, 366]);
    for (const days of [7, 30, 366]) {
      const key = scheduleKeyDeletion(enabledKey(), days, T0 + 5);
      expect(key.state).toBe('pending_deletion');
      expect(key.deleteAt).toBe(T0 + 5 + days * DAY_MS);
    }
  });

  it('rejects windows outside 7–366 or not whole days', () => {
    for (const days of [6, 367, 0, -7, 7.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = domainErrorOf(() => scheduleKeyDeletion(enabledKey(), days, T0));
      expect([error.code, error.details.field]).toEqual(['invalid_argument', 'pendingWindowInDays']);
    }
  });

  it('a key is expired once its deletion date has come', () => {
    const key = scheduleKeyDeletion(enabledKey(), 7, T0);
    expect(isKeyExpired(key, T0 + 7 * DAY_MS - 1)).toBe(false);
    expect(isKeyExpired(key, T0 + 7 * DAY_MS)).toBe(true);
    expect(isKeyExpired(enabledKey(), T0 + 1000 * DAY_MS)).toBe(false);
  });
});

describe('cancelKeyDeletion', () => {
  it('returns the key to enabled and clears the deletion date (docs/behaviour.md rule 16)', () => {
    for (const from of ['enabled', 'disabled'] as const) {
      const cancelled = cancelKeyDeletion(scheduleKeyDeletion(keyIn(from), 30, T0));
      expect(cancelled.state).toBe('enabled');
      expect(cancelled.deleteAt).toBeNull();
      expect(() => {
        assertKeyUsable(cancelled);
      }).not.toThrow();
    }
  });

  it('keeps everything else about the key', () => {
    const key = rotateKey(enabledKey(), 'kv-2', T0 + 1);
    const cancelled = cancelKeyDeletion(scheduleKeyDeletion(key, 30, T0 + 2));
    expect(cancelled).toEqual(key);
  });
});

describe('rotateKey', () => {
  it('makes the new version primary and records the rotation time', () => {
    const key = enabledKey();
    const rotated = rotateKey(key, 'kv-2', T0 + 10);
    expect(rotated.primaryVersionId).toBe('kv-2');
    expect(rotated.lastRotatedAt).toBe(T0 + 10);
    expect(rotated.id).toBe(key.id);
    expect(key.primaryVersionId).toBe('kv-1');
    expect(rotateKey(rotated, 'kv-3', T0 + 20).primaryVersionId).toBe('kv-3');
  });
});

describe('validateAliasName', () => {
  it('accepts "alias/" and 1–255 of letters, digits and : / _ -', () => {
    for (const name of [
      'alias/a',
      `alias/${'a'.repeat(255)}`,
      'alias/my-key_1:prod/x',
      'alias/ac',
      'alias/ACS',
    ]) {
      expect(() => {
        validateAliasName(name);
      }, name).not.toThrow();
    }
  });

  it('rejects other shapes and the reserved "alias/acs" prefix', () => {
    for (const name of [
      'alias/',
      `alias/${'a'.repeat(256)}`,
      'my-key',
      'Alias/x',
      'alias/a b',
      'alias/a.b',
      'alias/acs',
      'alias/acs-x',
    ]) {
      const error = domainErrorOf(() => {
        validateAliasName(name);
      });
      expect([error.code, error.details.field], name).toEqual(['invalid_argument', 'aliasName']);
    }
  });
});

describe('canonicalEncryptionContext', () => {
  it('gives the same pairs the same list whatever their order', () => {
    const a = canonicalEncryptionContext(
      new Map([
        ['b', '2'],
        ['a', '1'],
        ['é', '3'],
        ['B', '4'],
      ]),
    );
    const b = canonicalEncryptionContext(
      new Map([
        ['B', '4'],
        ['é', '3'],
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    expect(a).toEqual(['B', '4', 'a', '1', 'b', '2', 'é', '3']);
    expect(b).toEqual(a);
    expect(canonicalEncryptionContext(new Map())).toEqual([]);
  });

  it('keeps keys and values apart, so moved text gives a different list', () => {
    const one = canonicalEncryptionContext(new Map([['ab', 'c']]));
    const other = canonicalEncryptionContext(new Map([['a', 'bc']]));
    expect(one).not.toEqual(other);
  });
});

describe('Encrypt and data-key limits', () => {
  it('takes plaintext up to 6,144 bytes', () => {
    expect(MAX_ENCRYPT_PLAINTEXT_BYTES).toBe(6144);
    expect(() => {
      validateEncryptPlaintext(6144);
    }).not.toThrow();
    const error = domainErrorOf(() => {
      validateEncryptPlaintext(6145);
    });
    expect([error.code, error.details.field]).toEqual(['invalid_argument', 'plaintext']);
  });

  it('sizes data keys by spec unless a byte count from 1 to 1024 is given', () => {
    expect(DATA_KEY_SPECS).toEqual({ AES_256: 32, AES_128: 16 });
    expect(dataKeyLength('AES_256')).toBe(32);
    expect(dataKeyLength('AES_128')).toBe(16);
    expect(dataKeyLength('AES_128', 1)).toBe(1);
    expect(dataKeyLength('AES_256', MAX_DATA_KEY_BYTES)).toBe(1024);
    for (const bytes of [0, 1025, 1.5, -1, Number.NaN]) {
      const error = domainErrorOf(() => dataKeyLength('AES_256', bytes));
      expect([error.code, error.details.field], String(bytes)).toEqual(['invalid_argument', 'numberOfBytes']);
    }
  });
});

function domainErrorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, the call succeeded');
}
