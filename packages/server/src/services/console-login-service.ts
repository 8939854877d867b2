/**
 * Console sign-in (docs/console.md): login profiles with scrypt-hashed passwords and optional TOTP MFA,
 * and server-side sessions. A session token is 32 random bytes in an HttpOnly cookie; the store keeps
 * only its SHA-256, so a copy of the database opens no session. Every session carries its own CSRF
 * token, which the page sends back in a header with each state-changing call.
 *
 * Failed sign-ins are counted per user name and per source address and slowed like failed signatures;
 * an unknown user costs the same scrypt as a wrong password, and both get the same answer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleSession, LoginProfile } from '../domain/console-login.js';
import {
  acceptsMfaStep,
  loginProfileNotFound,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  sessionAlive,
  validatePassword,
} from '../domain/console-login.js';
import { DomainError } from '../domain/errors.js';
import { ADMINISTRATOR } from '../domain/identity.js';
import { openMfaSecret, sealMfaSecret } from '../crypto/envelope.js';
import { decoyHash, hashPassword, verifyPassword } from '../crypto/password-hash.js';
import { matchTotp, newTotpSecret, base32Encode, totpUri } from '../crypto/totp.js';
import type { Store } from '../storage/store.js';
import type { Clock } from './clock.js';

export const BOOTSTRAP_CONSOLE_FILE = 'bootstrap-console-password.json';
/** Sessions are touched at most this often, so a busy page does not write on every call. */
const TOUCH_INTERVAL_MS = 60_000;

/** Why a sign-in failed; callers answer all of `credentials` alike. */
export type SignInFailure = 'credentials' | 'mfa_code_required' | 'mfa_code_invalid';

export type SignInResult =
  | { readonly ok: true; readonly token: string; readonly session: ConsoleSession }
  | { readonly ok: false; readonly reason: SignInFailure };

export interface LoginProfileView {
  readonly userName: string;
  readonly passwordResetRequired: boolean;
  readonly mfaBindRequired: boolean;
  readonly mfaEnabled: boolean;
  readonly createdAt: number;
}

export class ConsoleLoginService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #rootKey: Uint8Array;

  constructor(options: { store: Store; clock: Clock; rootKey: Uint8Array }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#rootKey = options.rootKey;
  }

  async createProfile(
    caller: string,
    userName: string,
    password: string,
    options: { passwordResetRequired?: boolean; mfaBindRequired?: boolean } = {},
  ): Promise<LoginProfileView> {
    protectAdministrator(caller, userName);
    validatePassword(password);
    await this.#requireUser(userName);
    if (await this.#store.consoleLogins.getProfile(userName)) {
      throw new DomainError(
        'login_profile_already_exists',
        `The user "${userName}" already has a login profile.`,
        {
          resource: userName,
        },
      );
    }
    const now = this.#clock.now();
    const profile: LoginProfile = {
      userName,
      passwordHash: await hashPassword(password),
      passwordResetRequired: options.passwordResetRequired ?? false,
      mfaBindRequired: options.mfaBindRequired ?? false,
      sealedMfaSecret: null,
      mfaLastStep: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.#store.consoleLogins.putProfile(profile);
    return view(profile);
  }

  /** A new password ends every session of the user. */
  async updateProfile(
    caller: string,
    userName: string,
    changes: {
      password?: string | undefined;
      passwordResetRequired?: boolean | undefined;
      mfaBindRequired?: boolean | undefined;
    },
  ): Promise<LoginProfileView> {
    protectAdministrator(caller, userName);
    if (changes.password !== undefined) validatePassword(changes.password);
    const current = await this.#profile(userName);
    const updated: LoginProfile = {
      ...current,
      ...(changes.password === undefined ? {} : { passwordHash: await hashPassword(changes.password) }),
      ...(changes.passwordResetRequired === undefined
        ? {}
        : { passwordResetRequired: changes.passwordResetRequired }),
      ...(changes.mfaBindRequired === undefined ? {} : { mfaBindRequired: changes.mfaBindRequired }),
      updatedAt: this.#clock.now(),
    };
    await this.#store.consoleLogins.putProfile(updated);
    if (changes.password !== undefined) await this.#store.consoleLogins.deleteSessionsOf(userName);
    return view(updated);
  }

  async getProfile(userName: string): Promise<LoginProfileView> {
    return view(await this.#profile(userName));
  }

  async deleteProfile(caller: string, userName: string): Promise<void> {
    protectAdministrator(caller, userName);
    if (!(await this.#store.consoleLogins.deleteProfile(userName))) throw loginProfileNotFound(userName);
  }

  /** Binds a new TOTP secret; the answer (base32 and `otpauth://` URI) is shown once. Ends other sessions. */
  async enableMfa(caller: string, userName: string): Promise<{ secret: string; uri: string }> {
    protectAdministrator(caller, userName);
    const current = await this.#profile(userName);
    if (current.sealedMfaSecret !== null) {
      throw new DomainError(
        'mfa_device_already_bound',
        `The user "${userName}" already has MFA; disable it first.`,
        {
          resource: userName,
        },
      );
    }
    const secret = newTotpSecret();
    await this.#store.consoleLogins.putProfile({
      ...current,
      sealedMfaSecret: sealMfaSecret(this.#rootKey, secret),
      mfaLastStep: null,
      updatedAt: this.#clock.now(),
    });
    await this.#store.consoleLogins.deleteSessionsOf(userName);
    return { secret: base32Encode(secret), uri: totpUri('Tessera', userName, secret) };
  }

  async disableMfa(caller: string, userName: string): Promise<void> {
    protectAdministrator(caller, userName);
    const current = await this.#profile(userName);
    if (current.sealedMfaSecret === null) {
      throw new DomainError('mfa_device_not_found', `The user "${userName}" has no MFA.`, {
        resource: userName,
      });
    }
    await this.#store.consoleLogins.putProfile({
      ...current,
      sealedMfaSecret: null,
      mfaLastStep: null,
      updatedAt: this.#clock.now(),
    });
  }

  async signIn(userName: string, password: string, totpCode: string | undefined): Promise<SignInResult> {
    const profile = await this.#store.consoleLogins.getProfile(userName);
    // The same scrypt work whether or not the user has a profile: timing says nothing about which.
    const valid = await verifyPassword(password, profile?.passwordHash ?? (await decoyHash()));
    if (!profile || !valid) return { ok: false, reason: 'credentials' };
    if (profile.sealedMfaSecret !== null) {
      if (totpCode === undefined || totpCode === '') return { ok: false, reason: 'mfa_code_required' };
      const now = this.#clock.now();
      const step = matchTotp(openMfaSecret(this.#rootKey, profile.sealedMfaSecret), totpCode, now);
      if (step === undefined || !acceptsMfaStep(profile, step))
        return { ok: false, reason: 'mfa_code_invalid' };
      await this.#store.consoleLogins.putProfile({ ...profile, mfaLastStep: step });
    }
    const token = randomBytes(32).toString('base64url');
    const now = this.#clock.now();
    const session: ConsoleSession = {
      idHash: hashToken(token),
      userName,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
    };
    await this.#store.consoleLogins.insertSession(session);
    return { ok: true, token, session };
  }

  /** The live session a cookie's token opens, or undefined (unknown, idle too long, too old, user gone). */
  async resolve(token: string): Promise<ConsoleSession | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const idHash = hashToken(token);
    const session = await this.#store.consoleLogins.getSession(idHash);
    if (!session) return undefined;
    const now = this.#clock.now();
    if (!sessionAlive(session, now)) {
      await this.#store.consoleLogins.deleteSession(idHash);
      return undefined;
    }
    if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
      await this.#store.consoleLogins.touchSession(idHash, now);
      return { ...session, lastSeenAt: now };
    }
    return session;
  }

  async signOut(token: string): Promise<void> {
    if (/^[A-Za-z0-9_-]{43}$/.test(token)) await this.#store.consoleLogins.deleteSession(hashToken(token));
  }

  /** Drops sessions past their idle or absolute timeout (the sweeper calls it). */
  async sweep(): Promise<number> {
    const now = this.#clock.now();
    return this.#store.consoleLogins.deleteStaleSessions(now - SESSION_IDLE_MS, now - SESSION_ABSOLUTE_MS);
  }

  /**
   * Gives the administrator a console password on first start: `password` when the operator set one
   * (TESSERA_ROOT_CONSOLE_PASSWORD), else a generated one written to `<dataDir>/bootstrap-console-password.json`
   * (mode 0600). Does nothing when the administrator already has a profile.
   */
  async ensureBootstrapPassword(
    password: string | undefined,
    dataDir: string,
  ): Promise<{ readonly source: 'existing' | 'environment' | 'generated'; readonly file?: string }> {
    if (await this.#store.consoleLogins.getProfile(ADMINISTRATOR)) return { source: 'existing' };
    const chosen = password ?? randomBytes(18).toString('base64url');
    const file = join(dataDir, BOOTSTRAP_CONSOLE_FILE);
    if (password === undefined) {
      writeFileSync(
        file,
        `${JSON.stringify(
          {
            UserName: ADMINISTRATOR,
            Password: chosen,
            Note: 'First console password of the administrator. Sign in, change it, then delete this file.',
          },
          null,
          2,
        )}\n`,
        { mode: 0o600 },
      );
    }
    await this.createProfile(ADMINISTRATOR, ADMINISTRATOR, chosen);
    return password === undefined ? { source: 'generated', file } : { source: 'environment' };
  }

  async #profile(userName: string): Promise<LoginProfile> {
    await this.#requireUser(userName);
    const profile = await this.#store.consoleLogins.getProfile(userName);
    if (!profile) throw loginProfileNotFound(userName);
    return profile;
  }

  async #requireUser(userName: string): Promise<void> {
    if (!(await this.#store.identities.getUser(userName))) {
      throw new DomainError('user_not_found', `The user "${userName}" does not exist.`, {
        resource: userName,
      });
    }
  }
}

/**
 * The administrator is the account itself: only it sets its own console password and MFA. A user
 * allowed `ram:UpdateLoginProfile` on every user must not be able to take over the root that way.
 */
function protectAdministrator(caller: string, userName: string): void {
  if (userName === ADMINISTRATOR && caller !== ADMINISTRATOR) {
    throw new DomainError(
      'administrator_protected',
      "Only the administrator changes the administrator's console password and MFA.",
      { resource: userName },
    );
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function view(profile: LoginProfile): LoginProfileView {
  return {
    userName: profile.userName,
    passwordResetRequired: profile.passwordResetRequired,
    mfaBindRequired: profile.mfaBindRequired,
    mfaEnabled: profile.sealedMfaSecret !== null,
    createdAt: profile.createdAt,
  };
}
