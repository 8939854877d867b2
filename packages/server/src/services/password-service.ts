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
}

export class PasswordService {
  generate(request: PasswordRequest): string {
    const length = request.length ?? 32;
    if (!Number.isInteger(length) || length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
      throw invalidArgument(
        'passwordLength',
        `A password is ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`,
      );
    }
    const password = randomPassword({
      length,
      exclude: new Set(request.exclude ?? []),
      excludeCharacters: request.excludeCharacters ?? '',
      requireEachIncludedType: request.requireEachIncludedType ?? true,
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
