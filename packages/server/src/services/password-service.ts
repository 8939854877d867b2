/** Random passwords (GetRandomPassword, and later rotation), with the policy rules of docs/behaviour.md rule 13. */
import { invalidArgument } from '../domain/errors.js';
import type { PasswordClass } from '../crypto/random-password.js';
import { randomPassword } from '../crypto/random-password.js';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

export interface PasswordRequest {
  readonly length?: number | undefined;
  readonly exclude?: readonly PasswordClass[] | undefined;
  readonly excludeCharacters?: string | undefined;
  readonly requireEachIncludedType?: boolean | undefined;
  readonly includeSpace?: boolean | undefined;
  /** Allowed lengths; each API has its own (Alibaba 8–128, AWS 1–4096). Default Alibaba's. */
  readonly lengthBounds?: { readonly min: number; readonly max: number } | undefined;
}

/** AWS GetRandomPassword's `PasswordLength` range. */
export const AWS_PASSWORD_LENGTH_BOUNDS = { min: 1, max: 4096 } as const;

export class PasswordService {
  generate(request: PasswordRequest): string {
    const length = request.length ?? 32;
    const { min, max } = request.lengthBounds ?? { min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH };
    if (!Number.isInteger(length) || length < min || length > max) {
      throw invalidArgument('passwordLength', `A password is ${min} to ${max} characters long.`);
    }
    const password = randomPassword({
      length,
      exclude: new Set(request.exclude ?? []),
      excludeCharacters: request.excludeCharacters ?? '',
      requireEachIncludedType: request.requireEachIncludedType ?? true,
      includeSpace: request.includeSpace ?? false,
    });
    if (password === undefined) {
      throw invalidArgument(
        'excludeCharacters',
        'The exclusions leave no characters (or fewer classes than the length needs).',
      );
    }
    return password;
  }
}
