/** `ConsoleLoginRepository` over Kysely: login profiles and console sessions. */
import type { Selectable } from 'kysely';

import type { ConsoleSession, LoginProfile } from '../../domain/console-login.js';
import type { EpochMs } from '../../domain/secret.js';
import type { ConsoleSessionsTable, LoginProfilesTable } from '../schema.js';
import type { ConsoleLoginRepository, ReadOptions } from '../store.js';
import { toCount } from './rows.js';
import type { Db, Scope } from './scope.js';

export class KyselyConsoleLoginRepository implements ConsoleLoginRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async getProfile(userName: string, options: ReadOptions = {}): Promise<LoginProfile | undefined> {
    const query = (db: Db) => db.selectFrom('login_profiles').selectAll().where('user_name', '=', userName);
    const row = await this.#scope.run((db) =>
      (this.#scope.lockRows(options.forUpdate) ? query(db).forUpdate() : query(db)).executeTakeFirst(),
    );
    return row && toProfile(row);
  }

  async putProfile(profile: LoginProfile): Promise<void> {
    const row = toProfileRow(profile);
    await this.#scope.atomic(async (db) => {
      await db.deleteFrom('login_profiles').where('user_name', '=', profile.userName).execute();
      await db.insertInto('login_profiles').values(row).execute();
    });
  }

  async deleteProfile(userName: string): Promise<boolean> {
    return this.#scope.atomic(async (db) => {
      await db.deleteFrom('console_sessions').where('user_name', '=', userName).execute();
      const result = await db
        .deleteFrom('login_profiles')
        .where('user_name', '=', userName)
        .executeTakeFirst();
      return toCount(result.numDeletedRows) > 0;
    });
  }

  async renameUser(previousName: string, newName: string): Promise<void> {
    await this.#scope.atomic(async (db) => {
      await db
        .updateTable('login_profiles')
        .set({ user_name: newName })
        .where('user_name', '=', previousName)
        .execute();
      await db
        .updateTable('console_sessions')
        .set({ user_name: newName })
        .where('user_name', '=', previousName)
        .execute();
    });
  }

  async insertSession(session: ConsoleSession): Promise<void> {
    await this.#scope.run((db) =>
      db
        .insertInto('console_sessions')
        .values({
          id_hash: session.idHash,
          user_name: session.userName,
          csrf_token: session.csrfToken,
          created_at: session.createdAt,
          last_seen_at: session.lastSeenAt,
        })
        .execute(),
    );
  }

  async getSession(idHash: string): Promise<ConsoleSession | undefined> {
    const row = await this.#scope.run((db) =>
      db.selectFrom('console_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst(),
    );
    return row && toSession(row);
  }

  async touchSession(idHash: string, lastSeenAt: EpochMs): Promise<void> {
    await this.#scope.run((db) =>
      db
        .updateTable('console_sessions')
        .set({ last_seen_at: lastSeenAt })
        .where('id_hash', '=', idHash)
        .execute(),
    );
  }

  async deleteSession(idHash: string): Promise<boolean> {
    const result = await this.#scope.run((db) =>
      db.deleteFrom('console_sessions').where('id_hash', '=', idHash).executeTakeFirst(),
    );
    return toCount(result.numDeletedRows) > 0;
  }

  async deleteSessionsOf(userName: string): Promise<number> {
    const result = await this.#scope.run((db) =>
      db.deleteFrom('console_sessions').where('user_name', '=', userName).executeTakeFirst(),
    );
    return toCount(result.numDeletedRows);
  }

  async deleteStaleSessions(idleBefore: EpochMs, createdBefore: EpochMs): Promise<number> {
    const result = await this.#scope.run((db) =>
      db
        .deleteFrom('console_sessions')
        .where((eb) => eb.or([eb('last_seen_at', '<=', idleBefore), eb('created_at', '<=', createdBefore)]))
        .executeTakeFirst(),
    );
    return toCount(result.numDeletedRows);
  }
}

function toProfileRow(profile: LoginProfile): LoginProfilesTable {
  return {
    user_name: profile.userName,
    password_hash: profile.passwordHash,
    password_reset_required: profile.passwordResetRequired ? 1 : 0,
    mfa_bind_required: profile.mfaBindRequired ? 1 : 0,
    sealed_mfa_secret: profile.sealedMfaSecret,
    mfa_last_step: profile.mfaLastStep,
    created_at: profile.createdAt,
    updated_at: profile.updatedAt,
  };
}

function toProfile(row: Selectable<LoginProfilesTable>): LoginProfile {
  return {
    userName: row.user_name,
    passwordHash: row.password_hash,
    passwordResetRequired: row.password_reset_required === 1,
    mfaBindRequired: row.mfa_bind_required === 1,
    sealedMfaSecret: row.sealed_mfa_secret === null ? null : new Uint8Array(row.sealed_mfa_secret),
    mfaLastStep: row.mfa_last_step,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toSession(row: Selectable<ConsoleSessionsTable>): ConsoleSession {
  return {
    idHash: row.id_hash,
    userName: row.user_name,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
  };
}
