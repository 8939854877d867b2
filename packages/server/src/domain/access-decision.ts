/**
 * The access rule of one request: may this caller use this permission on every one of these
 * resources? Pure: the operation pipeline (services/operations/access.ts) gathers the facts (the caller, its RAM policies, the connection, each resource's ARN, tags and secret
 * policy) and turns a refusal into the domain error `access_denied`.
 *
 * Each resource is decided on its own with its own tags and secret policy (`authorize` in
 * `policy-evaluation.ts`), so a `kms:tag/<key>` condition tests the tags of the resource it is about,
 * never those of another resource in the same request.
 */
import type { Caller, ResourcePolicy } from './policy-evaluation.js';
import { authorize } from './policy-evaluation.js';
import type { Decision, ParsedPolicy, RequestContext } from './ram-policy.js';

/** One resource a request touches, with what conditions and secret policies need to know about it. */
export interface ResourceFacts {
  readonly arn: string;
  /** The resource's tags (`kms:tag/<TagKey>`); absent for resources that have none or do not exist yet. */
  readonly tags?: ReadonlyMap<string, string>;
  /** The secret's policy, for secrets that exist. */
  readonly policy?: ResourcePolicy;
}

/** A permission as policies name it: `kms:GetSecretValue`, `ram:CreateUser`, … */
export type Permission = `${string}:${string}`;

export interface AccessQuestion {
  readonly caller: Caller;
  /** The caller's RAM policies (none for the account root). */
  readonly identityPolicies: readonly ParsedPolicy[];
  /** The account that owns the resources. */
  readonly accountId: string;
  readonly permission: Permission;
  /** The connection's facts; each resource's tags are added per resource. */
  readonly context: Omit<RequestContext, 'tags'>;
  readonly resources: readonly ResourceFacts[];
}

export type AccessOutcome =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly decision: Exclude<Decision, 'allow'>;
      /** The first resource, in request order, that was not allowed (undefined: the request named none). */
      readonly refused: ResourceFacts | undefined;
    };

/**
 * Every resource must be allowed. A request naming no resource is refused (implicit deny): actions
 * that are not access-controlled are never asked about. The first refused resource is reported; an
 * explicit Deny on a later resource does not change which one, only `decision`.
 */
export function decideAccess(question: AccessQuestion): AccessOutcome {
  if (question.resources.length === 0) {
    return { allowed: false, decision: 'implicit_deny', refused: undefined };
  }
  let refused: ResourceFacts | undefined;
  let denied = false;
  for (const resource of question.resources) {
    const decision = decideOne(question, question.permission, resource);
    if (decision === 'allow') continue;
    refused ??= resource;
    if (decision === 'deny') denied = true;
  }
  if (refused === undefined) return { allowed: true };
  return {
    allowed: false,
    decision: denied ? 'deny' : 'implicit_deny',
    refused,
  };
}

/**
 * What the account root may always do to its own secrets, whatever their policies say: read and replace
 * the policy. Without it one mistaken Deny would lock the secret away for good, as nobody could then
 * change the policy that denies them (KMS keeps the same escape hatch: the account owns its resources).
 */
const ROOT_LOCKOUT_SAFE: ReadonlySet<string> = new Set(['kms:getsecretpolicy', 'kms:setsecretpolicy']);

/** One permission on one resource, with that resource's tags and secret policy. */
function decideOne(question: AccessQuestion, permission: Permission, resource: ResourceFacts): Decision {
  const { caller } = question;
  if (caller.kind === 'root' && caller.accountId === question.accountId) {
    // What `authorize` answers for the root without a secret policy, without building its request (the
    // administrator's reads are the hot path).
    if (resource.policy === undefined || ROOT_LOCKOUT_SAFE.has(permission.toLowerCase())) return 'allow';
  }
  return authorize({
    caller: question.caller,
    identityPolicies: question.identityPolicies,
    resourceAccountId: question.accountId,
    ...(resource.policy === undefined ? {} : { resourcePolicy: resource.policy }),
    request: {
      action: permission,
      resources: [resource.arn],
      context: resource.tags === undefined ? question.context : { ...question.context, tags: resource.tags },
    },
  });
}
