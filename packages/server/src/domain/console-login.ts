/**
 * Console sign-in for people: RAM-style login profiles (a console password per user, optional TOTP MFA)
 * and the sessions a sign-in opens. Pure rules and values; hashing, sealing and clocks are the caller's.
 *
 * Passwords follow NIST SP 800-63B rather than composition rules: 8–128 characters, any characters but
 * control characters, checked for length only. Sessions end after `SESSION_IDLE_MS` without a request
 * and `SESSION_ABSOLUTE_MS` after sign-in, whichever comes first.
 */
import { DomainError, invalidArgument } from './errors.js';
import type { EpochMs } from './secret.js';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;
export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

export interface LoginProfile {
  readonly userName: string;
  /** `scrypt$…` (crypto/password-hash.ts); never the password. */
  readonly passwordHash: string;
  /** RAM's PasswordResetRequired: kept and answered for RAM clients; sign-in does not enforce it yet. */
  readonly passwordResetRequired: boolean;
  /** RAM's MFABindRequired: kept and answered for RAM clients; sign-in does not enforce it yet. */
  readonly mfaBindRequired: boolean;
  /** The TOTP secret sealed under the root key; null while no MFA device is bound. */
  readonly sealedMfaSecret: Uint8Array | null;
  /** The last TOTP step accepted: a code is good once. */
  readonly mfaLastStep: number | null;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export interface ConsoleSession {
  /** SHA-256 (hex) of the session token: the cookie holds the token, the store only this. */
  readonly idHash: string;
  readonly userName: string;
  /** Sent back by the page with every state-changing call (double submit bound to the session). */
  readonly csrfToken: string;
  readonly createdAt: EpochMs;
  readonly lastSeenAt: EpochMs;
}

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001F\u007F]/;

export function validatePassword(password: string): void {
  const length = Array.from(password).length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new DomainError(
      'invalid_argument',
      `The password must be ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters long.`,
      { field: 'password', rule: 'length' },
    );
  }
  if (CONTROL.test(password)) {
    throw new DomainError('invalid_argument', 'The password must not contain control characters.', {
      field: 'password',
      rule: 'chars',
    });
  }
}

/** Whether a session is still good at `now`: neither idle too long nor too old. */
export function sessionAlive(session: ConsoleSession, now: EpochMs): boolean {
  return now - session.lastSeenAt < SESSION_IDLE_MS && now - session.createdAt < SESSION_ABSOLUTE_MS;
}

/** A TOTP step is accepted only after the last one accepted (no replay of a code). */
export function acceptsMfaStep(profile: LoginProfile, step: number): boolean {
  return profile.mfaLastStep === null || step > profile.mfaLastStep;
}

export function loginProfileNotFound(userName: string): DomainError {
  return new DomainError('login_profile_not_found', `The user "${userName}" has no login profile.`, {
    resource: userName,
  });
}

export function requireTotpCode(code: string | undefined): string {
  if (code === undefined || !/^\d{6}$/.test(code))
    throw invalidArgument('totpCode', 'Give the six-digit code.');
  return code;
}
