/**
 * Random passwords for GetRandomPassword and for rotation (docs/behaviour.md rule 13): uniform choices from a CSPRNG
 * (`crypto.randomInt` rejects biased draws, so there is no modulo bias), and at least one character of
 * each included class when asked.
 */
import { randomInt } from 'node:crypto';

export const PASSWORD_CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
} as const;

export type PasswordClass = keyof typeof PASSWORD_CLASSES;

export interface PasswordPolicy {
  readonly length: number;
  readonly exclude: ReadonlySet<PasswordClass>;
  readonly excludeCharacters: string;
  readonly requireEachIncludedType: boolean;
  /**
   * Whether the space character may appear (AWS's `IncludeSpace`). It joins the full alphabet but is
   * not a class of its own: `requireEachIncludedType` never forces a space, as in AWS.
   */
  readonly includeSpace?: boolean | undefined;
}

/** The characters each included class still offers after exclusions; empty classes are left out. */
export function passwordAlphabets(policy: PasswordPolicy): string[] {
  const banned = new Set(policy.excludeCharacters);
  return (Object.keys(PASSWORD_CLASSES) as PasswordClass[])
    .filter((name) => !policy.exclude.has(name))
    .map((name) =>
      Array.from(PASSWORD_CLASSES[name])
        .filter((c) => !banned.has(c))
        .join(''),
    )
    .filter((alphabet) => alphabet.length > 0);
}

/** Returns undefined when the policy leaves no character or needs more classes than the length allows. */
export function randomPassword(policy: PasswordPolicy): string | undefined {
  const alphabets = passwordAlphabets(policy);
  const space = policy.includeSpace === true && !policy.excludeCharacters.includes(' ') ? ' ' : '';
  const all = alphabets.join('') + space;
  if (all.length === 0) return undefined;
  if (policy.requireEachIncludedType && alphabets.length > policy.length) return undefined;
  const chars = Array.from({ length: policy.length }, () => pick(all));
  if (policy.requireEachIncludedType) {
    // One guaranteed character per class at distinct random positions keeps every position uniform-ish
    // while meeting the requirement; the rest stay independent uniform draws over the full alphabet.
    const positions = shuffle([...chars.keys()]).slice(0, alphabets.length);
    alphabets.forEach((alphabet, i) => {
      chars[positions[i] ?? 0] = pick(alphabet);
    });
  }
  return chars.join('');
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)] ?? '';
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
