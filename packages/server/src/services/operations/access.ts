/**
 * The access checks of one operation, handed to its use case by the pipeline (pipeline.ts). This object
 * gathers the facts — who calls (the administrator is the account root, anyone else a RAM user with its
 * policies), the connection (source address, TLS, the clock), and each resource's ARN, tags and secret
 * policy — and asks the domain (`decideAccess` in domain/access-decision.ts) for the decision.
 *
 * A refusal is the domain error `access_denied`, whether or not the resource exists (docs/permissions.md):
 * a secret or key that is missing is decided on its ARN alone, with no tags and no policy, so a condition
 * that needs the resource is not met and the answer is the same refusal. Only a caller allowed on that
 * ARN learns that the resource does not exist.
 *
 * Operations on the account, a container or a RAM identity are decided by the pipeline before the use
 * case runs (`requireUnscoped`); use cases on named secrets and keys call this object once they know the
 * resource. Reads take a guard so the resource is loaded once.
 */
import type { AccessOutcome, Permission, ResourceFacts } from '../../domain/access-decision.js';
import { decideAccess } from '../../domain/access-decision.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import type { Key } from '../../domain/key.js';
import { validateAliasName } from '../../domain/key.js';
import type { OperationSpec } from '../../domain/operations.js';
import type { ResourceIds } from '../../domain/permissions.js';
import { aliasArn, keyArn, resourcesToAuthorize, secretArn } from '../../domain/permissions.js';
import type { Caller } from '../../domain/policy-evaluation.js';
import type { ParsedPolicy, RequestContext } from '../../domain/ram-policy.js';
import type { Secret } from '../../domain/secret.js';
import type { Tag } from '../../domain/validation.js';
import { ADMINISTRATOR } from '../access-key-service.js';
import type { KeyGuard } from '../key-crypto.js';
import type { SecretGuard } from '../secret-transactions.js';
import type { InstanceIdentity, Services } from '../services.js';
import type { Principal } from './request.js';

/** Where a user's RAM policies come from (IdentityService). */
export interface PolicySource {
  policiesFor(userName: string): Promise<readonly ParsedPolicy[] | undefined>;
}

export interface AccessOptions {
  readonly services: Pick<Services, 'secrets' | 'keys' | 'secretPolicies'>;
  readonly identity: InstanceIdentity;
  readonly policies: PolicySource;
  /** The operation's catalog name and entry. */
  readonly name: string;
  readonly operation: OperationSpec;
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

/** The ARN a missing key reference is decided on: the alias's for an alias, else the key's. */
function missingKeyArn(identity: InstanceIdentity, reference: string): string {
  const arnTail = /^acs:kms:[^:]*:[^:]*:(key|alias)\/(.+)$/.exec(reference);
  const kind = arnTail ? arnTail[1] : reference.startsWith('alias/') ? 'alias' : 'key';
  const name = arnTail ? (arnTail[2] ?? '') : reference;
  return kind === 'alias'
    ? aliasArn(identity.region, identity.accountId, name.startsWith('alias/') ? name : `alias/${name}`)
    : keyArn(identity.region, identity.accountId, name);
}

/** What a secret's access check reads of it (listings have no versions). */
type SecretFacts = Pick<Secret, 'id' | 'name' | 'tags'>;

const tagMap = (tags: readonly Tag[]): ReadonlyMap<string, string> =>
  new Map(tags.map((t) => [t.key, t.value]));

/** One operation's access checks. */
export class OperationAccess {
  readonly #options: AccessOptions;
  readonly #caller: Caller;
  readonly #permission: Permission;
  #identityPolicies: Promise<readonly ParsedPolicy[]> | undefined;
  #settled = false;
  /** The permissions of the guards handed out, for deciding on a resource the guarded read did not find. */
  #secretGuardPermission: Permission | undefined;
  #keyGuardPermission: Permission | undefined;

  constructor(options: AccessOptions) {
    this.#options = options;
    this.#permission = options.operation.permission;
    this.#caller = callerOf(options.principal, options.identity.accountId);
  }

  /** Whether the operation's authorization was decided (or set up, for guards and filters). */
  get settled(): boolean {
    return this.#settled;
  }

  /** Whether the operation needs no resource loaded to be authorized: the pipeline checks these itself. */
  static checkedBeforeRun(operation: OperationSpec): boolean {
    const kind = operation.resource;
    return kind !== 'secret' && kind !== 'key' && kind !== 'alias-and-key' && kind !== 'secret-or-key';
  }

  /**
   * Operations on the account, a container, a name that does not exist yet (CreateSecret) or RAM
   * identities: ARNs only, no tags or policies. Operations that are not access-controlled pass.
   */
  async requireUnscoped(ids: Omit<ResourceIds, 'region' | 'accountId'> = {}): Promise<void> {
    const { region, accountId } = this.#options.identity;
    const { product } = this.#options.operation;
    const authorization = resourcesToAuthorize(product, this.#options.name, { ...ids, region, accountId });
    if (!authorization.requiresAuthorization) {
      this.#settled = true;
      return;
    }
    await this.#require(authorization.resources.map((arn) => ({ arn })));
  }

  /**
   * A secret the caller named: loaded (pending deletion included), checked, returned. `permission` is the
   * operation's own unless given (e.g. `kms:GetSecretValue` on a secret whose value the operation hands
   * to Tessera to use on the caller's behalf).
   */
  async requireSecret(name: string, permission: Permission = this.#permission): Promise<Secret> {
    let secret: Secret;
    try {
      secret = await this.#options.services.secrets.describeSecret(name);
    } catch (error) {
      throw await this.#missing(error, permission);
    }
    await this.#require([await this.#secretFacts(secret)], permission);
    return secret;
  }

  /**
   * A permission on a secret that does not exist yet (CreateSecret binding it to a rotator): checked on
   * its ARN alone.
   */
  async requireNewSecret(name: string, permission: Permission): Promise<void> {
    const { region, accountId } = this.#options.identity;
    await this.#require([{ arn: secretArn(region, accountId, name) }], permission);
  }

  /**
   * For reads through a service: checks the secret the read found, before anything else happens.
   * `alwaysMask`: a refused secret answers as a missing one (BatchGetSecretValue's items, where both
   * answers are per item and reveal nothing either way).
   */
  secretGuard(options: { readonly alwaysMask?: boolean } = {}): SecretGuard {
    this.#settled = true;
    this.#secretGuardPermission = this.#permission;
    return async (secret) => {
      const outcome = await this.#decide([await this.#secretFacts(secret)]);
      if (outcome.allowed) return;
      if (options.alwaysMask) {
        throw new DomainError('secret_not_found', `The secret "${secret.name}" does not exist.`, {
          resource: secret.name,
        });
      }
      throw this.#refusal(outcome);
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
   * is the operation's own unless the key is a second resource with its own permission (CreateSecret's
   * EncryptionKeyId needs `kms:GenerateDataKey` on it).
   */
  async requireKey(reference: string, permission: Permission = this.#permission): Promise<Key> {
    let key: Key;
    try {
      key = await this.#options.services.keys.describeKey(reference);
    } catch (error) {
      throw await this.#missing(error, permission);
    }
    await this.#require([this.#keyFacts(key)], permission, missingKeyArn(this.#options.identity, reference));
    return key;
  }

  /**
   * For cryptographic calls: checks the key the call resolved (Decrypt: the key inside the blob), for
   * the operation's own permission unless given (ReEncrypt checks one on each of its two keys). A
   * refusal names the key as the caller did (`reference`), so an alias's target is not revealed.
   */
  keyGuard(reference?: string, permission: Permission = this.#permission): KeyGuard {
    this.#settled = true;
    this.#keyGuardPermission ??= permission;
    return async (key) => {
      const named = reference === undefined ? undefined : missingKeyArn(this.#options.identity, reference);
      await this.#require([this.#keyFacts(key)], permission, named);
    };
  }

  async allowsKey(key: Key): Promise<boolean> {
    this.#settled = true;
    return (await this.#decide([this.#keyFacts(key)])).allowed;
  }

  /**
   * The alias operations: the alias and a key. `keyReference` is the key the alias will point at
   * (CreateAlias, UpdateAlias); without it the key the alias points at now (DeleteAlias).
   */
  async requireAlias(aliasName: string, keyReference?: string): Promise<void> {
    validateAliasName(aliasName);
    const { region, accountId } = this.#options.identity;
    const alias: ResourceFacts = { arn: aliasArn(region, accountId, aliasName) };
    let key: Key | undefined;
    if (keyReference !== undefined) {
      try {
        key = await this.#options.services.keys.describeKey(keyReference);
      } catch (error) {
        // A missing target key: decided on the alias and the key's ARN alone.
        if (!isDomainError(error, 'key_not_found') && !isDomainError(error, 'alias_not_found')) throw error;
        const missingKey = { arn: missingKeyArn(this.#options.identity, keyReference) };
        await this.#require([alias, missingKey]);
        throw error;
      }
    } else key = await this.#aliasTarget(aliasName);
    await this.#require(key === undefined ? [alias] : [alias, this.#keyFacts(key)]);
  }

  /**
   * What a not-found error from a guarded read becomes: `access_denied` when the caller may not use the
   * guard's permission on the missing resource's ARN, else the error itself. The pipeline runs every
   * failure of a use case through this.
   */
  async settleMissing(error: unknown): Promise<unknown> {
    if (isDomainError(error, 'secret_not_found') && this.#secretGuardPermission !== undefined)
      return this.#missing(error, this.#secretGuardPermission);
    if (
      (isDomainError(error, 'key_not_found') || isDomainError(error, 'alias_not_found')) &&
      this.#keyGuardPermission !== undefined
    )
      return this.#missing(error, this.#keyGuardPermission);
    return error;
  }

  /** A secret or key that was not found: refused on its bare ARN, or the not-found error when allowed. */
  async #missing(error: unknown, permission: Permission): Promise<unknown> {
    if (!(error instanceof DomainError)) return error;
    const reference = error.details.resource;
    if (reference === undefined) return error;
    const { region, accountId } = this.#options.identity;
    let arn: string;
    if (error.code === 'secret_not_found') arn = secretArn(region, accountId, reference);
    else if (error.code === 'key_not_found' || error.code === 'alias_not_found')
      arn = missingKeyArn(this.#options.identity, reference);
    else return error;
    this.#settled = true;
    const outcome = await this.#decide([{ arn }], permission);
    return outcome.allowed ? error : this.#refusal(outcome, permission);
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
    };
  }

  #keyFacts(key: Key): ResourceFacts {
    const { region, accountId } = this.#options.identity;
    return { arn: keyArn(region, accountId, key.id), tags: tagMap(key.tags) };
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

  /** `named`: the ARN of the resource as the caller named it, when that is not the resource's own. */
  async #require(
    resources: readonly ResourceFacts[],
    permission: Permission = this.#permission,
    named?: string,
  ): Promise<void> {
    this.#settled = true;
    const outcome = await this.#decide(resources, permission);
    if (!outcome.allowed) throw this.#refusal(outcome, permission, named);
  }

  /**
   * The refusal: the same for a resource that exists and one that does not. The message names the
   * resource as the caller named it; the trail records the refused resource's own ARN (`resource`).
   */
  #refusal(
    outcome: Exclude<AccessOutcome, { allowed: true }>,
    permission: Permission = this.#permission,
    named?: string,
  ): DomainError {
    const arn = outcome.refused?.arn;
    const shown = arn === undefined ? undefined : (named ?? arn);
    const why = outcome.decision === 'deny' ? 'a policy denies it' : 'no policy allows it';
    return new DomainError(
      'access_denied',
      `You are not authorized to do ${permission}${shown === undefined ? '' : ` on ${shown}`}: ${why}.`,
      arn === undefined ? {} : { resource: arn },
    );
  }

  /** The caller's RAM policies, read once per request; none for the root, none for a user that is gone. */
  #policies(): Promise<readonly ParsedPolicy[]> {
    if (this.#caller.kind === 'root') return Promise.resolve([]);
    const userName = this.#caller.userName;
    this.#identityPolicies ??= this.#options.policies.policiesFor(userName).then((found) => found ?? []);
    return this.#identityPolicies;
  }
}
