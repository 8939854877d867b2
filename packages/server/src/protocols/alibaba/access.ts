/**
 * Access control at the edge (issue 5). This file only gathers facts — who calls (the administrator is
 * the account root, anyone else a RAM user with its policies), the connection (TCP peer address, TLS,
 * the injected clock), and each resource's ARN, tags and secret policy — and asks the domain
 * (`decideAccess` in domain/access-decision.ts) for the decision. It then turns a refusal into the wire
 * answer: the not-found answer of the resource when the caller may not learn that it exists, else 403.
 *
 * The plugin checks actions whose resource is the account or a container, and RAM actions (from their
 * UserName and PolicyName), before dispatch; KMS actions on named secrets and keys call this object once
 * they know the resource. Secret and key reads take a guard so the resource is loaded once.
 */
import type { AccessOutcome, Permission, ResourceFacts } from '../../domain/access-decision.js';
import { decideAccess } from '../../domain/access-decision.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import type { Key } from '../../domain/key.js';
import { validateAliasName } from '../../domain/key.js';
import type { Product, ResourceIds } from '../../domain/permissions.js';
import {
  RAM_PERMISSIONS,
  aliasArn,
  keyArn,
  permissionFor,
  resourcesToAuthorize,
  secretArn,
  VISIBLE_WITH,
} from '../../domain/permissions.js';
import type { Caller } from '../../domain/policy-evaluation.js';
import type { ParsedPolicy, RequestContext } from '../../domain/ram-policy.js';
import type { Secret } from '../../domain/secret.js';
import type { Tag } from '../../domain/validation.js';
import { ADMINISTRATOR } from '../../services/access-key-service.js';
import type { KeyGuard } from '../../services/key-crypto.js';
import type { SecretGuard } from '../../services/secret-transactions.js';
import type { InstanceIdentity, Services } from '../../services/services.js';
import type { Principal } from './action.js';
import { ProtocolError } from './errors.js';
import type { Params } from './params.js';

/** Where a user's RAM policies come from (IdentityService on the `ram` branch). */
export interface PolicySource {
  policiesFor(userName: string): Promise<readonly ParsedPolicy[] | undefined>;
}

/** What the audit trail records about a refusal: the true outcome and the refused ARN. */
export interface Denial {
  readonly code: string;
  readonly resource: string | undefined;
}

/** Refusals by the error they were answered with; a masked one looks like a not-found error. */
const denials = new WeakMap<object, Denial>();

/** The refusal behind an error, when the error is one (masked or not). */
export function denialOf(error: unknown): Denial | undefined {
  return typeof error === 'object' && error !== null ? denials.get(error) : undefined;
}

/** A refusal with no not-found answer: KMS documents `Forbidden.NoPermission`, RAM and ActionTrail `NoPermission`. */
function forbidden(product: Product, message: string): ProtocolError {
  return product === 'kms'
    ? new ProtocolError(403, 'Forbidden.NoPermission', message)
    : new ProtocolError(403, 'NoPermission', message);
}

export interface AccessOptions {
  readonly services: Pick<Services, 'secrets' | 'keys' | 'secretPolicies'>;
  readonly identity: InstanceIdentity;
  readonly policies: PolicySource;
  readonly product: Product;
  readonly action: string;
  readonly principal: Principal;
  /** The connection's facts (source address, TLS, time); resources add their tags. */
  readonly context: Omit<RequestContext, 'tags'>;
}

/** The caller as policies see it: the administrator is the account root, anyone else a RAM user. */
export function callerOf(principal: Principal, accountId: string): Caller {
  return principal.userName === ADMINISTRATOR
    ? { kind: 'root', accountId }
    : { kind: 'user', accountId, userName: principal.userName };
}

/**
 * What conditions see of the connection: the TCP peer's address (never a forwarded header, which the
 * caller writes), whether the socket is TLS, and the server's clock.
 */
export function connectionFacts(
  socket: { readonly remoteAddress?: string | undefined; readonly encrypted?: boolean },
  now: number,
): Omit<RequestContext, 'tags'> {
  const secureTransport = socket.encrypted === true;
  return socket.remoteAddress === undefined
    ? { secureTransport, currentTime: now }
    : { sourceIp: socket.remoteAddress, secureTransport, currentTime: now };
}

/** RAM's access-key actions act on the caller's own keys when UserName is omitted. */
const OWN_KEY_ACTIONS: ReadonlySet<string> = new Set([
  'CreateAccessKey',
  'ListAccessKeys',
  'UpdateAccessKey',
  'DeleteAccessKey',
]);

/**
 * The identities a RAM action is about, read from its parameters (UserName, PolicyName) as
 * `RAM_PERMISSIONS` says; missing ones are the same MissingParameter the action itself would answer.
 */
export function ramResourceIds(
  action: string,
  params: Params,
  principal: Principal,
): Pick<ResourceIds, 'userName' | 'policyName'> {
  const kind = Object.hasOwn(RAM_PERMISSIONS, action)
    ? RAM_PERMISSIONS[action as keyof typeof RAM_PERMISSIONS].resource
    : undefined;
  const ids: { userName?: string; policyName?: string } = {};
  if (kind === 'user' || kind === 'user-and-policy') {
    ids.userName = OWN_KEY_ACTIONS.has(action)
      ? (params.optional('UserName') ?? principal.userName)
      : params.required('UserName');
  }
  if (kind === 'policy' || kind === 'user-and-policy') ids.policyName = params.required('PolicyName');
  return ids;
}

/** The answer a missing key gets for the reference the caller used (KeyService.resolve's errors). */
export function keyNotFound(reference: string): DomainError {
  const arnTail = /^acs:kms:[^:]*:[^:]*:(key|alias)\/(.+)$/.exec(reference);
  const kind = arnTail ? arnTail[1] : reference.startsWith('alias/') ? 'alias' : 'key';
  if (kind === 'alias') {
    const name = arnTail ? (arnTail[2] ?? '') : reference;
    const aliasName = name.startsWith('alias/') ? name : `alias/${name}`;
    return new DomainError('alias_not_found', `The alias "${aliasName}" does not exist.`, {
      resource: aliasName,
    });
  }
  return new DomainError('key_not_found', `The key "${reference}" does not exist.`, { resource: reference });
}

/** The answer a missing secret gets (SecretService's `#live`). */
export function secretNotFound(name: string): DomainError {
  return new DomainError('secret_not_found', `The secret "${name}" does not exist.`, { resource: name });
}

/** What a secret's access check reads of it (listings have no versions). */
type SecretFacts = Pick<Secret, 'id' | 'name' | 'tags'>;

const tagMap = (tags: readonly Tag[]): ReadonlyMap<string, string> =>
  new Map(tags.map((t) => [t.key, t.value]));

/** One request's access checks. */
export class RequestAccess {
  readonly #options: AccessOptions;
  readonly #caller: Caller;
  readonly #permission: Permission;
  #identityPolicies: Promise<readonly ParsedPolicy[]> | undefined;
  #settled = false;

  constructor(options: AccessOptions) {
    const entry = permissionFor(options.product, options.action);
    if (entry === undefined)
      throw new DomainError('internal', `No permission is defined for ${options.action}.`);
    this.#options = options;
    this.#permission = entry.permission;
    this.#caller = callerOf(options.principal, options.identity.accountId);
  }

  /** Whether the request's authorization was decided (or set up, for guards and filters). */
  get settled(): boolean {
    return this.#settled;
  }

  /** Whether the action needs no resource loaded to be authorized: the plugin checks these itself. */
  static checkedBeforeDispatch(product: Product, action: string): boolean {
    const kind = permissionFor(product, action)?.resource;
    return kind !== 'secret' && kind !== 'key' && kind !== 'alias-and-key' && kind !== 'secret-or-key';
  }

  /**
   * Actions on the account, a container, a name that does not exist yet (CreateSecret) or RAM
   * identities: ARNs only, no tags or policies. Not access-controlled actions pass.
   */
  async requireUnscoped(ids: Omit<ResourceIds, 'region' | 'accountId'> = {}): Promise<void> {
    const { region, accountId } = this.#options.identity;
    const authorization = resourcesToAuthorize(this.#options.product, this.#options.action, {
      ...ids,
      region,
      accountId,
    });
    if (!authorization.requiresAuthorization) {
      this.#settled = true;
      return;
    }
    await this.#require(authorization.resources.map((arn) => ({ arn })));
  }

  /**
   * A secret the caller named: loaded (pending deletion included), checked, returned. `permission` is the
   * action's own unless given (e.g. `kms:GetSecretValue` on a secret whose value the action hands to
   * Tessera to use on the caller's behalf).
   */
  async requireSecret(name: string, permission: Permission = this.#permission): Promise<Secret> {
    const secret = await this.#options.services.secrets.describeSecret(name);
    await this.#require([await this.#secretFacts(secret)], () => secretNotFound(secret.name), permission);
    return secret;
  }

  /**
   * A permission on a secret that does not exist yet (CreateSecret binding it to a rotator): checked on
   * its ARN alone, and refused with 403 (there is nothing to hide).
   */
  async requireNewSecret(name: string, permission: Permission): Promise<void> {
    const { region, accountId } = this.#options.identity;
    await this.#require([{ arn: secretArn(region, accountId, name) }], undefined, permission);
  }

  /** For reads through the service: checks the secret the read found, before anything else happens. */
  secretGuard(options: { readonly alwaysMask?: boolean } = {}): SecretGuard {
    this.#settled = true;
    return async (secret) => {
      const outcome = await this.#decide([await this.#secretFacts(secret)]);
      if (!outcome.allowed) {
        throw this.#refusal(options.alwaysMask ? { ...outcome, hidden: true } : outcome, () =>
          secretNotFound(secret.name),
        );
      }
    };
  }

  /** Whether the permission is allowed on this secret (listings skip the ones that are not). */
  async allowsSecret(secret: SecretFacts): Promise<boolean> {
    this.#settled = true;
    return (await this.#decide([await this.#secretFacts(secret)])).allowed;
  }

  /** A listing that checks each resource it shows (`allowsSecret`, `allowsKey`), possibly none. */
  markFiltered(): void {
    this.#settled = true;
  }

  /**
   * A key the caller named by id, ARN or alias: resolved, checked on the real key, returned. `permission`
   * is the action's own unless the key is a second resource with its own permission (CreateSecret's
   * EncryptionKeyId needs `kms:GenerateDataKey` on it).
   */
  async requireKey(reference: string, permission: Permission = this.#permission): Promise<Key> {
    const key = await this.#options.services.keys.describeKey(reference);
    await this.#require([this.#keyFacts(key)], () => keyNotFound(reference), permission);
    return key;
  }

  /**
   * For cryptographic calls: checks the key the call resolved (Decrypt: the key inside the blob), for
   * the action's own permission unless given (ReEncrypt checks one on each of its two keys).
   */
  keyGuard(reference?: string, permission: Permission = this.#permission): KeyGuard {
    this.#settled = true;
    return async (key) => {
      await this.#require([this.#keyFacts(key)], () => keyNotFound(reference ?? key.id), permission);
    };
  }

  async allowsKey(key: Key): Promise<boolean> {
    this.#settled = true;
    return (await this.#decide([this.#keyFacts(key)])).allowed;
  }

  /**
   * The alias actions: the alias and a key. `keyReference` is the key the alias will point at
   * (CreateAlias, UpdateAlias); without it the key the alias points at now (DeleteAlias). Aliases are
   * listed by ListAliases, so a refusal on the alias itself is a plain 403.
   */
  async requireAlias(aliasName: string, keyReference?: string): Promise<void> {
    validateAliasName(aliasName);
    const { region, accountId } = this.#options.identity;
    const alias: ResourceFacts = { arn: aliasArn(region, accountId, aliasName) };
    let key: Key | undefined;
    if (keyReference !== undefined) key = await this.#options.services.keys.describeKey(keyReference);
    else key = await this.#aliasTarget(aliasName);
    const resources = key === undefined ? [alias] : [alias, this.#keyFacts(key)];
    // DeleteAlias names no key: its missing answer is the alias's (keyNotFound of an alias name).
    await this.#require(resources, () => keyNotFound(keyReference ?? aliasName));
  }

  /** The live key an existing alias points at; undefined when the alias exists but its key is gone. */
  async #aliasTarget(aliasName: string): Promise<Key | undefined> {
    try {
      return await this.#options.services.keys.resolve(aliasName);
    } catch (error) {
      if (isDomainError(error, 'key_not_found')) return undefined;
      throw error;
    }
  }

  async #secretFacts(secret: SecretFacts): Promise<ResourceFacts> {
    const { region, accountId } = this.#options.identity;
    const policy = await this.#options.services.secretPolicies.policyOf(secret);
    return {
      arn: secretArn(region, accountId, secret.name),
      tags: tagMap(secret.tags),
      ...(policy === undefined ? {} : { policy }),
      visibleWith: VISIBLE_WITH.secret,
    };
  }

  #keyFacts(key: Key): ResourceFacts {
    const { region, accountId } = this.#options.identity;
    return { arn: keyArn(region, accountId, key.id), tags: tagMap(key.tags), visibleWith: VISIBLE_WITH.key };
  }

  async #decide(
    resources: readonly ResourceFacts[],
    permission: Permission = this.#permission,
  ): Promise<AccessOutcome> {
    return decideAccess({
      caller: this.#caller,
      identityPolicies: await this.#policies(),
      accountId: this.#options.identity.accountId,
      permission,
      context: this.#options.context,
      resources,
    });
  }

  async #require(
    resources: readonly ResourceFacts[],
    notFound?: () => DomainError,
    permission: Permission = this.#permission,
  ): Promise<void> {
    this.#settled = true;
    const outcome = await this.#decide(resources, permission);
    if (!outcome.allowed) throw this.#refusal(outcome, notFound, permission);
  }

  /** The answer to a refusal, registered so the audit trail records the truth behind a masked one. */
  #refusal(
    outcome: Exclude<AccessOutcome, { allowed: true }>,
    notFound?: () => DomainError,
    permission: Permission = this.#permission,
  ): Error {
    const arn = outcome.refused?.arn;
    const why = outcome.decision === 'deny' ? 'a policy denies it' : 'no policy allows it';
    const truth = forbidden(
      this.#options.product,
      `You are not authorized to do ${permission}${arn === undefined ? '' : ` on ${arn}`}: ${why}.`,
    );
    const error = outcome.hidden && notFound ? notFound() : truth;
    denials.set(error, { code: truth.code, resource: arn });
    return error;
  }

  /** The caller's RAM policies, read once per request; none for the root, none for a user that is gone. */
  #policies(): Promise<readonly ParsedPolicy[]> {
    if (this.#caller.kind === 'root') return Promise.resolve([]);
    const userName = this.#caller.userName;
    this.#identityPolicies ??= this.#options.policies.policiesFor(userName).then((found) => found ?? []);
    return this.#identityPolicies;
  }
}
