/** Conformance cases for `ConsoleLoginRepository`. */
import { describe, expect, it } from 'vitest';

import type { ConsoleSession, LoginProfile } from '../../domain/console-login.js';
import { T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

function profile(userName: string, overrides: Partial<LoginProfile> = {}): LoginProfile {
  return {
    userName,
    passwordHash: 'scrypt$15$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
    passwordResetRequired: false,
    mfaBindRequired: false,
    sealedMfaSecret: null,
    mfaLastStep: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function session(idHash: string, userName: string, overrides: Partial<ConsoleSession> = {}): ConsoleSession {
  return { idHash, userName, csrfToken: `csrf-${idHash}`, createdAt: T0, lastSeenAt: T0, ...overrides };
}

/** Registers the console login cases. */
export function describeConsoleLoginCases(store: StoreRef): void {
  describe('console logins', () => {
    it('stores, replaces and deletes a login profile field for field', async () => {
      const bare = profile('alice');
      const full = profile('alice', {
        passwordResetRequired: true,
        mfaBindRequired: true,
        sealedMfaSecret: new Uint8Array([1, 2, 3, 250]),
        mfaLastStep: 56_666_666,
        updatedAt: T0 + 5,
      });
      await store().consoleLogins.putProfile(bare);
      expect(await store().consoleLogins.getProfile('alice')).toEqual(bare);
      await store().consoleLogins.putProfile(full);
      expect(await store().consoleLogins.getProfile('alice')).toEqual(full);
      expect(await store().consoleLogins.getProfile('bob')).toBeUndefined();
      expect(await store().consoleLogins.deleteProfile('alice')).toBe(true);
      expect(await store().consoleLogins.deleteProfile('alice')).toBe(false);
      expect(await store().consoleLogins.getProfile('alice')).toBeUndefined();
    });

    it('keeps sessions by token hash, touches, ends one, all of a user, and stale ones', async () => {
      const logins = store().consoleLogins;
      await logins.insertSession(session('h1', 'alice'));
      await logins.insertSession(session('h2', 'alice', { createdAt: T0 + 10, lastSeenAt: T0 + 10 }));
      await logins.insertSession(session('h3', 'bob', { createdAt: T0 + 20, lastSeenAt: T0 + 20 }));
      expect(await logins.getSession('h1')).toEqual(session('h1', 'alice'));
      await logins.touchSession('h1', T0 + 30);
      expect((await logins.getSession('h1'))?.lastSeenAt).toBe(T0 + 30);
      expect(await logins.deleteSession('h1')).toBe(true);
      expect(await logins.getSession('h1')).toBeUndefined();
      // Idle: h2 last seen at T0+10; absolute: nothing created at or before T0.
      expect(await logins.deleteStaleSessions(T0 + 10, T0)).toBe(1);
      expect(await logins.getSession('h3')).toBeDefined();
      expect(await logins.deleteSessionsOf('bob')).toBe(1);
      expect(await logins.getSession('h3')).toBeUndefined();
    });

    it('moves a renamed user’s profile and sessions, and deleting the profile ends the sessions', async () => {
      const logins = store().consoleLogins;
      await logins.putProfile(profile('carol'));
      await logins.insertSession(session('c1', 'carol'));
      await logins.renameUser('carol', 'caroline');
      expect(await logins.getProfile('carol')).toBeUndefined();
      expect((await logins.getProfile('caroline'))?.userName).toBe('caroline');
      expect((await logins.getSession('c1'))?.userName).toBe('caroline');
      await logins.deleteProfile('caroline');
      expect(await logins.getSession('c1')).toBeUndefined();
    });
  });
}
