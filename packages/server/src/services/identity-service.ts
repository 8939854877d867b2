/**
 * Users, RAM policies and attachments, plus `policiesFor`, which the authorization of every
 * request asks: the parsed policies attached to a user, cached in memory and dropped on every change to
 * that user's attachments (policy documents never change once created, so only attachments matter).
 * The change feed tells the other nodes sharing the database (topic `identity`), which drop every
 * user's; where other nodes make changes an entry is also read again after the feed's `maxStalenessMs`
 * (docs/caching.md).
 *
 * The administrator is the account itself (root in `authorize()`): its row is created at start-up, it
 * cannot be deleted or renamed, and keeps at least one active access key (see `AccessKeyService`).
 * Policies may be attached to it, but cannot narrow it: root has full rights on its own resources.
 */
import { DomainError } from '../domain/errors.js';
import type {
  Attachment,
  Policy,
  PolicyRef,
  PolicyType,
  User,
  UserChanges,
  UserProfile,
} from '../domain/identity.js';
import {
  ADMINISTRATOR,
  attachPolicy,
  checkUserDeletable,
  newPolicy,
  newUser,
  parsePolicyDocument,
  updateUser,
  validatePolicyName,
  validateUserName,
} from '../domain/identity.js';
import type { ParsedPolicy } from '../domain/ram-policy.js';
import { SYSTEM_POLICIES } from '../domain/system-policies.js';
import type { Repositories, Store } from '../storage/store.js';
import type { AccessKeyService } from './access-key-service.js';
import { CacheEntries } from './cache-entries.js';
import type { ChangeFeed } from './change-feed.js';
import { LOCAL_CHANGE_FEED } from './change-feed.js';
import type { Clock } from './clock.js';
import { newUserId } from './ids.js';
import type { MetricsRecorder } from './metrics.js';
import { NO_METRICS } from './metrics.js';

/** Users whose parsed policies are kept at most; the oldest entry goes first. */
const MAX_CACHED_USERS = 10_000;

export interface PolicyWithUsage {
  readonly policy: Policy;
  /** Users the policy is attached to. */
  readonly attachmentCount: number;
}

export interface UserPolicy {
  readonly policy: Policy;
  readonly attachedAt: number;
}

export interface UserPage {
  readonly users: User[];
  /** The last name of this page when more follow. */
  readonly next: string | undefined;
}

export interface PolicyPage {
  readonly policies: PolicyWithUsage[];
  /** The last policy of this page when more follow. */
  readonly next: PolicyRef | undefined;
}

export class IdentityService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #accessKeys: Pick<AccessKeyService, 'forgetUser'>;
  /** By user name; a load that overlapped an attachment change is not kept (`CacheEntries`). */
  readonly #policies: CacheEntries<string, readonly ParsedPolicy[]>;
  readonly #changes: ChangeFeed;
  readonly #metrics: MetricsRecorder;

  constructor(options: {
    store: Store;
    clock: Clock;
    accessKeys: Pick<AccessKeyService, 'forgetUser'>;
    /** How identity changes reach other nodes' caches and theirs this one's (default: a single node). */
    changes?: ChangeFeed;
    metrics?: MetricsRecorder;
  }) {
    this.#changes = options.changes ?? LOCAL_CHANGE_FEED;
    this.#metrics = options.metrics ?? NO_METRICS;
    this.#policies = new CacheEntries({
      maxEntries: MAX_CACHED_USERS,
      maxAgeMs: this.#changes.maxStalenessMs,
    });
    this.#changes.subscribe((topic) => {
      if (topic === undefined || topic === 'identity') this.#policies.forgetAll();
    });
    this.#store = options.store;
    this.#clock = options.clock;
    this.#accessKeys = options.accessKeys;
  }

  /** Creates the administrator's user row on the first start (and on data folders from before users existed). */
  async ensureAdministrator(): Promise<void> {
    if (await this.#store.identities.getUser(ADMINISTRATOR)) return;
    try {
      await this.#store.identities.insertUser(
        newUser({
          id: newUserId(),
          name: ADMINISTRATOR,
          displayName: 'Administrator',
          now: this.#clock.now(),
        }),
      );
    } catch (error) {
      // Another process sharing the database created it first.
      if (!(error instanceof DomainError && error.code === 'user_already_exists')) throw error;
    }
  }

  async createUser(input: { readonly name: string } & UserProfile): Promise<User> {
    const user = newUser({ ...input, id: newUserId(), now: this.#clock.now() });
    await this.#store.identities.insertUser(user);
    return user;
  }

  async getUser(name: string): Promise<User> {
    validateUserName(name);
    return requireUser(this.#store, name);
  }

  /** Users by name; `after` is the previous page's `next`. */
  async listUsers(query: { readonly after?: string | undefined; readonly limit: number }): Promise<UserPage> {
    const users = await this.#store.identities.listUsers({ after: query.after, limit: query.limit + 1 });
    const more = users.length > query.limit;
    const page = users.slice(0, query.limit);
    return { users: page, next: more ? page.at(-1)?.name : undefined };
  }

  async updateUser(name: string, changes: UserChanges): Promise<User> {
    validateUserName(name);
    const updated = await this.#store.transaction(async (tx) => {
      const user = await requireUser(tx, name, true);
      const next = updateUser(user, changes, this.#clock.now());
      await tx.identities.saveUser(name, next);
      // The console password and sessions follow the user (docs/console.md).
      if (next.name !== name) await tx.consoleLogins.renameUser(name, next.name);
      return next;
    });
    if (updated.name !== name) {
      this.#forget(name);
      this.#accessKeys.forgetUser(name);
    }
    return updated;
  }

  /** Refused while the user has access keys or policies (RAM's DeleteConflict), and for the administrator. */
  async deleteUser(name: string): Promise<void> {
    validateUserName(name);
    try {
      await this.#store.transaction(async (tx) => {
        const user = await requireUser(tx, name, true);
        checkUserDeletable(user, {
          accessKeys: (await tx.accessKeys.listForUser(name)).length,
          attachments: (await tx.identities.listAttachments(name)).length,
        });
        await tx.identities.deleteUser(name);
        // A user made later under the same name must not inherit this one's console password.
        await tx.consoleLogins.deleteProfile(name);
      });
    } finally {
      this.#forget(name);
    }
  }

  async createPolicy(input: {
    readonly name: string;
    readonly description?: string | undefined;
    readonly document: string;
  }): Promise<Policy> {
    const { policy } = newPolicy({ ...input, now: this.#clock.now() });
    if (SYSTEM_POLICIES.has(policy.name)) {
      throw new DomainError(
        'policy_already_exists',
        `"${policy.name}" is the name of a system policy; choose another.`,
        { resource: policy.name },
      );
    }
    await this.#store.identities.insertPolicy(policy);
    return policy;
  }

  async getPolicy(ref: PolicyRef): Promise<PolicyWithUsage> {
    validatePolicyName(ref.name);
    const policy = await requirePolicy(this.#store, ref);
    const counts = await this.#store.identities.attachmentCounts(ref.type, [ref.name]);
    return { policy, attachmentCount: counts.get(ref.name) ?? 0 };
  }

  /**
   * System policies first, then custom ones, each by name; `type` keeps one kind only. `after` is the
   * previous page's `next`.
   */
  async listPolicies(query: {
    readonly type?: PolicyType | undefined;
    readonly after?: PolicyRef | undefined;
    readonly limit: number;
  }): Promise<PolicyPage> {
    const { after, limit } = query;
    const found: Policy[] = [];
    if (query.type !== 'custom' && after?.type !== 'custom') {
      for (const { policy } of SYSTEM_POLICIES.values()) {
        if (after === undefined || policy.name > after.name) found.push(policy);
      }
    }
    if (query.type !== 'system' && found.length <= limit) {
      const custom = await this.#store.identities.listPolicies({
        after: after?.type === 'custom' ? after.name : undefined,
        limit: limit + 1 - found.length,
      });
      found.push(...custom);
    }
    const page = found.slice(0, limit);
    const counts = new Map<string, number>();
    for (const type of ['system', 'custom'] as const) {
      const names = page.filter((p) => p.type === type).map((p) => p.name);
      const byName = await this.#store.identities.attachmentCounts(type, names);
      for (const [name, count] of byName) counts.set(`${type}:${name}`, count);
    }
    const last = page.at(-1);
    return {
      policies: page.map((policy) => ({
        policy,
        attachmentCount: counts.get(`${policy.type}:${policy.name}`) ?? 0,
      })),
      next: found.length > limit && last ? { type: last.type, name: last.name } : undefined,
    };
  }

  /** Custom policies only; refused while attached to any user (RAM's DeleteConflict.Policy.User). */
  async deletePolicy(name: string): Promise<void> {
    validatePolicyName(name);
    await this.#store.transaction(async (tx) => {
      await requirePolicy(tx, { type: 'custom', name }, true);
      const count = (await tx.identities.attachmentCounts('custom', [name])).get(name) ?? 0;
      if (count > 0) {
        throw new DomainError(
          'policy_in_use',
          `The policy "${name}" is attached to ${count} user(s); detach it first.`,
          { resource: name },
        );
      }
      await tx.identities.deletePolicy(name);
    });
  }

  async attachPolicy(userName: string, ref: PolicyRef): Promise<Attachment> {
    validateUserName(userName);
    validatePolicyName(ref.name);
    try {
      return await this.#store.transaction(async (tx) => {
        // Lock order: user, then policy (DeletePolicy locks the policy alone).
        await requireUser(tx, userName, true);
        await requirePolicy(tx, ref, true);
        const attachment = attachPolicy(
          await tx.identities.listAttachments(userName),
          ref,
          userName,
          this.#clock.now(),
        );
        await tx.identities.attach(attachment);
        return attachment;
      });
    } finally {
      this.#forget(userName);
    }
  }

  async detachPolicy(userName: string, ref: PolicyRef): Promise<void> {
    validateUserName(userName);
    validatePolicyName(ref.name);
    try {
      await this.#store.transaction(async (tx) => {
        await requireUser(tx, userName, true);
        await requirePolicy(tx, ref);
        if (!(await tx.identities.detach(userName, ref))) {
          throw new DomainError(
            'policy_not_attached',
            `The policy "${ref.name}" is not attached to the user "${userName}".`,
            { resource: ref.name },
          );
        }
      });
    } finally {
      this.#forget(userName);
    }
  }

  /** The policies attached to a user, oldest attachment first. */
  async listPoliciesForUser(userName: string): Promise<UserPolicy[]> {
    validateUserName(userName);
    return this.#store.transaction(async (tx) => {
      await requireUser(tx, userName);
      const attachments = await tx.identities.listAttachments(userName);
      const out: UserPolicy[] = [];
      for (const attachment of attachments) {
        const policy = await findPolicy(tx, attachment);
        // A custom policy cannot be deleted while attached, so a missing one is damaged data.
        if (!policy) throw new DomainError('internal');
        out.push({ policy, attachedAt: attachment.attachedAt });
      }
      return out;
    });
  }

  /** The parsed policies attached to the user; undefined when there is no such user. */
  async policiesFor(userName: string): Promise<readonly ParsedPolicy[] | undefined> {
    const cached = this.#policies.get(userName);
    this.#metrics.cacheLookup('identity_policies', cached !== undefined);
    if (cached !== undefined) return cached.value;
    const ticket = this.#policies.ticket();
    const parsed = await this.#store.transaction(async (tx) => {
      if (!(await tx.identities.getUser(userName))) return undefined;
      const out: ParsedPolicy[] = [];
      for (const attachment of await tx.identities.listAttachments(userName)) {
        if (attachment.type === 'system') {
          const system = SYSTEM_POLICIES.get(attachment.name);
          if (system) out.push(system.parsed);
          continue;
        }
        const policy = await tx.identities.getPolicy(attachment.name);
        if (!policy) throw new DomainError('internal');
        out.push(parsePolicyDocument(policy.document));
      }
      return out;
    });
    if (parsed !== undefined) this.#policies.keep(userName, parsed, ticket);
    return parsed;
  }

  /** Forgets the user's policies here, and every user's on the other nodes (the feed names no user). */
  #forget(userName: string): void {
    this.#policies.forget(userName);
    this.#changes.announce('identity');
  }
}

async function requireUser(repositories: Repositories, name: string, forUpdate = false): Promise<User> {
  const user = await repositories.identities.getUser(name, { forUpdate });
  if (!user)
    throw new DomainError('user_not_found', `The user "${name}" does not exist.`, { resource: name });
  return user;
}

async function findPolicy(
  repositories: Repositories,
  ref: PolicyRef,
  forUpdate = false,
): Promise<Policy | undefined> {
  if (ref.type === 'system') return SYSTEM_POLICIES.get(ref.name)?.policy;
  return repositories.identities.getPolicy(ref.name, { forUpdate });
}

async function requirePolicy(repositories: Repositories, ref: PolicyRef, forUpdate = false): Promise<Policy> {
  const policy = await findPolicy(repositories, ref, forUpdate);
  if (!policy) {
    throw new DomainError('policy_not_found', `The ${ref.type} policy "${ref.name}" does not exist.`, {
      resource: ref.name,
    });
  }
  return policy;
}
