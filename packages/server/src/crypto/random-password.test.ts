import { describe, expect, it } from 'vitest';
import { PASSWORD_CLASSES, randomPassword } from './random-password.js';
import type { PasswordClass, PasswordPolicy } from './random-password.js';

const policy = (overrides: Partial<PasswordPolicy> = {}): PasswordPolicy => ({
  length: 32,
  exclude: new Set<PasswordClass>(),
  excludeCharacters: '',
  requireEachIncludedType: true,
  ...overrides,
});

describe('random passwords', () => {
  it('has the requested length and one of each included class', () => {
    for (let i = 0; i < 200; i++) {
      const password = randomPassword(policy({ length: 8 })) ?? '';
      expect(password).toHaveLength(8);
      for (const alphabet of Object.values(PASSWORD_CLASSES)) {
        expect(Array.from(password).some((c) => alphabet.includes(c))).toBe(true);
      }
    }
  });

  it('honours excluded classes and characters', () => {
    const password =
      randomPassword(
        policy({ length: 128, exclude: new Set(['punctuation', 'numbers']), excludeCharacters: 'aA' }),
      ) ?? '';
    expect(password).toMatch(/^[b-zB-Z]{128}$/);
  });

  it('returns undefined when nothing is left to choose from', () => {
    expect(
      randomPassword(policy({ exclude: new Set(['lowercase', 'uppercase', 'numbers', 'punctuation']) })),
    ).toBeUndefined();
    expect(
      randomPassword(
        policy({
          exclude: new Set(['uppercase', 'numbers', 'punctuation']),
          excludeCharacters: PASSWORD_CLASSES.lowercase,
        }),
      ),
    ).toBeUndefined();
  });

  it('spreads choices evenly over the alphabet (no modulo bias)', () => {
    const counts = new Map<string, number>();
    const sample = Array.from({ length: 400 }, () =>
      randomPassword(
        policy({
          length: 100,
          exclude: new Set(['lowercase', 'uppercase', 'punctuation']),
          requireEachIncludedType: false,
        }),
      ),
    ).join('');
    for (const c of sample) counts.set(c, (counts.get(c) ?? 0) + 1);
    // 40,000 draws over 10 digits: each expected 4,000; ±10 % is over 6 standard deviations.
    for (const digit of PASSWORD_CLASSES.numbers)
      expect(Math.abs((counts.get(digit) ?? 0) - 4000)).toBeLessThan(400);
  });
});

describe('random passwords with spaces (AWS IncludeSpace)', () => {
  it('may contain spaces only when asked, and never requires one', () => {
    const without = randomPassword(policy({ length: 4096, requireEachIncludedType: false })) ?? '';
    expect(without).not.toContain(' ');
    const only = randomPassword(
      policy({
        length: 64,
        exclude: new Set(['lowercase', 'uppercase', 'numbers', 'punctuation']),
        includeSpace: true,
        requireEachIncludedType: false,
      }),
    );
    expect(only).toBe(' '.repeat(64));
    const mixed = randomPassword(policy({ length: 4096, includeSpace: true })) ?? '';
    expect(mixed).toContain(' ');
  });

  it('leaves the space out when ExcludeCharacters names it', () => {
    const password =
      randomPassword(policy({ length: 4096, includeSpace: true, excludeCharacters: ' ' })) ?? '';
    expect(password).not.toContain(' ');
  });
});
