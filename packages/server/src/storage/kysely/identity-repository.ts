/** `IdentityRepository` over Kysely: users, custom RAM policies and user ↔ policy attachments. */
import type { Selectable } from 'kysely';

import { DomainError } from '../../domain/errors.js';
import type { Attachment, Policy, PolicyRef, PolicyType, User } from '../../domain/identity.js';
import { POLICY_TYPES } from '../../domain/identity.js';
import type { RamPoliciesTable, UserPoliciesTable, UsersTable } from '../schema.js';
import type { IdentityRepository, NameListQuery, ReadOptions } from '../store.js';
import { oneOf, toCount } from './rows.js';
import type { Scope } from './scope.js';

export class KyselyIdentityRepository implements IdentityRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async insertUser(user: User): Promise<void> {
    await this.#scope.run((db) => db.insertInto('users').values(userRow(user)).execute(), {
      unique: () => userExists(user.name),
    });
  }

  async getUser(name: string, options: ReadOptions = {}): Promise<User | undefined> {
    const lock = this.#scope.lockRows(options.forUpdate);
    const row = await this.#scope.run((db) => {
      let query = db.selectFrom('users').selectAll().where('name', '=', name);
      if (lock) query = query.forUpdate();
      return query.executeTakeFirst();
    });
    return row && toUser(row);
  }

  async listUsers(query: NameListQuery): Promise<User[]> {
    const rows = await this.#scope.run((db) => {
      let select = db.selectFrom('users').selectAll();
      if (query.after !== undefined) select = select.where('name', '>', query.after);
      return select.orderBy('name').limit(query.limit).execute();
    });
    return rows.map(toUser);
  }

  async saveUser(previousName: string, user: User): Promise<void> {
    const row = userRow(user);
    await this.#scope.atomic(
      async (db) => {
        await db
          .updateTable('users')
          .set({
            name: row.name,
            display_name: row.display_name,
            comments: row.comments,
            email: row.email,
            mobile_phone: row.mobile_phone,
            updated_at: row.updated_at,
          })
          .where('name', '=', previousName)
          .execute();
        if (previousName === user.name) return;
        await db
          .updateTable('access_keys')
          .set({ user_name: user.name })
          .where('user_name', '=', previousName)
          .execute();
        await db
          .updateTable('user_policies')
          .set({ user_name: user.name })
          .where('user_name', '=', previousName)
          .execute();
      },
      { unique: () => userExists(user.name) },
    );
  }

  async deleteUser(name: string): Promise<boolean> {
    const result = await this.#scope.run((db) =>
      db.deleteFrom('users').where('name', '=', name).executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }

  async insertPolicy(policy: Policy): Promise<void> {
    await this.#scope.run(
      (db) =>
        db
          .insertInto('ram_policies')
          .values({
            name: policy.name,
            description: policy.description,
            document: policy.document,
            created_at: policy.createdAt,
            updated_at: policy.updatedAt,
          })
          .execute(),
      {
        unique: () =>
          new DomainError('policy_already_exists', `The policy "${policy.name}" already exists.`, {
            resource: policy.name,
          }),
      },
    );
  }

  async getPolicy(name: string, options: ReadOptions = {}): Promise<Policy | undefined> {
    const lock = this.#scope.lockRows(options.forUpdate);
    const row = await this.#scope.run((db) => {
      let query = db.selectFrom('ram_policies').selectAll().where('name', '=', name);
      if (lock) query = query.forUpdate();
      return query.executeTakeFirst();
    });
    return row && toPolicy(row);
  }

  async listPolicies(query: NameListQuery): Promise<Policy[]> {
    const rows = await this.#scope.run((db) => {
      let select = db.selectFrom('ram_policies').selectAll();
      if (query.after !== undefined) select = select.where('name', '>', query.after);
      return select.orderBy('name').limit(query.limit).execute();
    });
    return rows.map(toPolicy);
  }

  async deletePolicy(name: string): Promise<boolean> {
    const result = await this.#scope.run((db) =>
      db.deleteFrom('ram_policies').where('name', '=', name).executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }

  async attach(attachment: Attachment): Promise<void> {
    await this.#scope.run(
      (db) =>
        db
          .insertInto('user_policies')
          .values({
            user_name: attachment.userName,
            policy_type: attachment.type,
            policy_name: attachment.name,
            attached_at: attachment.attachedAt,
          })
          .execute(),
      {
        unique: () =>
          new DomainError(
            'policy_already_attached',
            `The policy "${attachment.name}" is already attached to the user "${attachment.userName}".`,
            { resource: attachment.name },
          ),
      },
    );
  }

  async detach(userName: string, policy: PolicyRef): Promise<boolean> {
    const result = await this.#scope.run((db) =>
      db
        .deleteFrom('user_policies')
        .where('user_name', '=', userName)
        .where('policy_type', '=', policy.type)
        .where('policy_name', '=', policy.name)
        .executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }

  async listAttachments(userName: string): Promise<Attachment[]> {
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('user_policies')
        .selectAll()
        .where('user_name', '=', userName)
        .orderBy('attached_at')
        .orderBy('policy_type')
        .orderBy('policy_name')
        .execute(),
    );
    return rows.map(toAttachment);
  }

  async attachmentCounts(type: PolicyType, names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('user_policies')
        .select((eb) => ['policy_name', eb.fn.countAll().as('count')])
        .where('policy_type', '=', type)
        .where('policy_name', 'in', [...names])
        .groupBy('policy_name')
        .execute(),
    );
    return new Map(rows.map((row) => [row.policy_name, toCount(row.count)]));
  }
}

function userExists(name: string): DomainError {
  return new DomainError('user_already_exists', `The user "${name}" already exists.`, { resource: name });
}

function userRow(user: User): Selectable<UsersTable> {
  return {
    id: user.id,
    name: user.name,
    display_name: user.displayName,
    comments: user.comments,
    email: user.email,
    mobile_phone: user.mobilePhone,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    comments: row.comments,
    email: row.email,
    mobilePhone: row.mobile_phone,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toPolicy(row: Selectable<RamPoliciesTable>): Policy {
  return {
    name: row.name,
    type: 'custom',
    description: row.description,
    document: row.document,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toAttachment(row: Selectable<UserPoliciesTable>): Attachment {
  return {
    userName: row.user_name,
    type: oneOf(row.policy_type, POLICY_TYPES, 'policy type'),
    name: row.policy_name,
    attachedAt: row.attached_at,
  };
}
