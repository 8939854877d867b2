/**
 * Evaluating RAM policies (parsed by `ram-policy.ts`) and combining them with a secret's resource
 * policy. The semantics are documented at the top of `ram-policy.ts`.
 */
import type {
  AccessRequest,
  Condition,
  ContextKey,
  Decision,
  ParsedPolicy,
  ParsedStatement,
  PatternSet,
  RequestContext,
} from './ram-policy.js';
import { compileCondition, isOperator, quote } from './ram-policy.js';
import {
  cidrContains,
  codePoints,
  compileGlob,
  globMatches,
  matchGlob,
  parseIpAddress,
  wildcardMatch,
} from './policy-patterns.js';
import type { PolicyDocument, PolicyStatement } from './secret-policy.js';
// ---------------------------------------------------------------------------------------------------
// Evaluation

type Tri = boolean | 'unknown';

/** The request's value for a key, as text; `undefined` when it has none (unknown keys never get here). */
function contextString(key: ContextKey, context: RequestContext): string | undefined {
  switch (key.kind) {
    case 'sourceIp':
      return context.sourceIp;
    case 'secureTransport':
      return String(context.secureTransport);
    case 'currentTime':
      return context.currentTime === undefined ? undefined : new Date(context.currentTime).toISOString();
    case 'tag':
      return context.tags?.get(key.tagKey);
    case 'unknown':
      return undefined;
  }
}

function testCondition(condition: Condition, context: RequestContext): Tri {
  if (condition.type === 'unevaluable') return 'unknown';
  if (condition.key.kind === 'unknown') return 'unknown';
  switch (condition.type) {
    case 'string': {
      const actual = contextString(condition.key, context);
      if (actual === undefined) return condition.negated;
      let any: boolean;
      if (condition.mode === 'like') {
        const chars = Array.from(actual);
        any = condition.globs.some((g) => globMatches(g.chars, chars));
      } else {
        const subject = condition.mode === 'ignoreCase' ? actual.toLowerCase() : actual;
        any = condition.values.includes(subject);
      }
      return condition.negated ? !any : any;
    }
    case 'bool': {
      if (condition.key.kind !== 'secureTransport') return 'unknown';
      return condition.values.includes(context.secureTransport);
    }
    case 'ip': {
      const address =
        condition.key.kind === 'sourceIp' && context.sourceIp !== undefined
          ? parseIpAddress(context.sourceIp)
          : undefined;
      if (address === undefined) return condition.negated;
      const any = condition.ranges.some((range) => cidrContains(range, address));
      return condition.negated ? !any : any;
    }
    case 'date': {
      const now = condition.key.kind === 'currentTime' ? context.currentTime : undefined;
      if (now === undefined) return false;
      return condition.values.some((t) => {
        switch (condition.compare) {
          case 'gt':
            return now > t;
          case 'ge':
            return now >= t;
          case 'lt':
            return now < t;
          case 'le':
            return now <= t;
        }
      });
    }
  }
}

/** All conditions hold; an unknown one counts against an Allow and for a Deny (fail closed). */
function conditionsHold(statement: ParsedStatement, context: RequestContext): boolean {
  return statement.conditions.every((condition) => {
    const result = testCondition(condition, context);
    return result === 'unknown' ? statement.effect === 'deny' : result;
  });
}

function setCovers(set: PatternSet, subject: string, chars: () => ArrayLike<string>): boolean {
  const any = set.patterns.some((glob) => matchGlob(glob, subject, chars));
  return set.negated ? !any : any;
}

/** The subject of one request, with its code points computed at most once. */
function lazyChars(subject: string): () => ArrayLike<string> {
  let chars: ArrayLike<string> | undefined;
  return () => (chars ??= codePoints(subject));
}

function statementApplies(
  statement: ParsedStatement,
  action: string,
  actionChars: () => ArrayLike<string>,
  resource: string,
  resourceChars: () => ArrayLike<string>,
  context: RequestContext,
): boolean {
  return (
    setCovers(statement.actions, action, actionChars) &&
    setCovers(statement.resources, resource, resourceChars) &&
    conditionsHold(statement, context)
  );
}

/**
 * Decides one request against identity policies. Every resource must be allowed: the answer is `deny`
 * when any statement explicitly denies any resource, `allow` when each resource has a matching Allow,
 * and `implicit_deny` otherwise (also for a request naming no resource). Statement and policy order
 * never matter.
 */
export function evaluate(policies: readonly ParsedPolicy[], request: AccessRequest): Decision {
  // A plain loop: Array#flatMap is several times slower, and this runs on every request.
  const statements: ParsedStatement[] = [];
  for (const policy of policies) for (const statement of policy.statements) statements.push(statement);
  return evaluateStatements(statements, request);
}

function evaluateStatements(statements: readonly ParsedStatement[], request: AccessRequest): Decision {
  if (request.resources.length === 0) return 'implicit_deny';
  const action = request.action.toLowerCase();
  const actionChars = lazyChars(action);
  let allowedAll = true;
  for (const resource of request.resources) {
    const resourceChars = lazyChars(resource);
    let allowed = false;
    for (const statement of statements) {
      if (!statementApplies(statement, action, actionChars, resource, resourceChars, request.context))
        continue;
      if (statement.effect === 'deny') return 'deny';
      allowed = true;
    }
    if (!allowed) allowedAll = false;
  }
  return allowedAll ? 'allow' : 'implicit_deny';
}

// ---------------------------------------------------------------------------------------------------
// Secret policies (resource policies) together with identity policies

/** Who is calling: the account itself (root) or one of its RAM users. */
export type Caller =
  | { readonly kind: 'root'; readonly accountId: string }
  | { readonly kind: 'user'; readonly accountId: string; readonly userName: string };

export function callerArn(caller: Caller): string {
  return caller.kind === 'root'
    ? `acs:ram::${caller.accountId}:root`
    : `acs:ram::${caller.accountId}:user/${caller.userName}`;
}

interface ResourceStatement extends ParsedStatement {
  readonly principals: readonly string[];
}

/** A secret policy made ready for evaluation. */
export interface ResourcePolicy {
  readonly statements: readonly ResourceStatement[];
}

/**
 * Turns a stored secret policy (already shape-checked by `parsePolicyDocument`) into its evaluable
 * form. That parser accepts any operator name and any scalar values, so a condition Tessera cannot
 * evaluate here becomes `unevaluable` and fails closed instead of being refused: the document is
 * already stored, and refusing would lock its owner out.
 */
export function compileSecretPolicy(document: PolicyDocument): ResourcePolicy {
  return { statements: document.statements.map(compileResourceStatement) };
}

function compileResourceStatement(statement: PolicyStatement): ResourceStatement {
  const conditions: Condition[] = [];
  for (const [operator, keys] of statement.conditions) {
    for (const [key, values] of keys) {
      const compiled = isOperator(operator)
        ? compileCondition(operator, key, values)
        : `Tessera does not evaluate the operator ${quote(operator)}.`;
      conditions.push(typeof compiled === 'string' ? { type: 'unevaluable', reason: compiled } : compiled);
    }
  }
  return {
    sid: statement.sid,
    effect: statement.effect,
    principals: statement.ramPrincipals,
    actions: { negated: false, patterns: statement.actions.map((a) => compileGlob(a, true)) },
    resources: { negated: false, patterns: statement.resources.map((r) => compileGlob(r)) },
    conditions,
  };
}

/** Entries that stand for a whole account rather than one identity (`acs:ram::<account>:*`, `…:root`). */
function accountWide(entry: string, accountId: string): boolean {
  return entry === `acs:ram::${accountId}:*` || entry === `acs:ram::${accountId}:root`;
}

/**
 * Does the statement name the caller? A Deny reaches everyone its entries cover: `*`, the caller's
 * whole account, or a pattern matching the caller's ARN. An Allow grants only to identities it names
 * exactly; `*`, account-wide entries and patterns in an Allow delegate to the caller's RAM policies
 * (the way the default policy `acs:ram::<account>:*` "enables RAM user permissions") and grant nothing
 * by themselves. Without this, the default policy would hand every user `kms:*` on every secret.
 */
function principalCovered(statement: ResourceStatement, caller: Caller): boolean {
  const arn = callerArn(caller);
  if (statement.effect === 'allow') return statement.principals.some((p) => p === arn && !/[*?]/.test(p));
  return statement.principals.some(
    (p) => p === '*' || accountWide(p, caller.accountId) || wildcardMatch(p, arn),
  );
}

/** Decides a request against a secret policy alone. */
export function evaluateResourcePolicy(
  policy: ResourcePolicy,
  caller: Caller,
  request: AccessRequest,
): Decision {
  return evaluateStatements(
    policy.statements.filter((s) => principalCovered(s, caller)),
    request,
  );
}

export interface AuthorizeInput {
  readonly caller: Caller;
  /** The RAM policies attached to the caller (none for the account root). */
  readonly identityPolicies: readonly ParsedPolicy[];
  /** The secret policy of the resource, when the request is about one secret. */
  readonly resourcePolicy?: ResourcePolicy;
  /** The account that owns the resources. */
  readonly resourceAccountId: string;
  readonly request: AccessRequest;
}

/**
 * The combined decision, following KMS's "key policy and RAM policy" rule (alibabacloud.com/help/…/
 * overview-of-key-policies; KMS applies the same model to secret policies):
 * 1. an explicit Deny in the identity policies or in the secret policy wins;
 * 2. a caller of the owning account is allowed when either the identity policies or the secret policy
 *    allow; a caller from another account needs both;
 * 3. otherwise implicit deny.
 * The owning account's root has full permissions on its resources (KMS RAM authorization page, "Alibaba
 * Cloud accounts have full permissions on their own resources"), so its identity side is an Allow; an
 * explicit Deny in the secret policy still applies to it.
 */
export function authorize(input: AuthorizeInput): Decision {
  const { caller, request } = input;
  const sameAccount = caller.accountId === input.resourceAccountId;
  const identity: Decision =
    caller.kind === 'root' && sameAccount ? 'allow' : evaluate(input.identityPolicies, request);
  const resource: Decision =
    input.resourcePolicy === undefined
      ? 'implicit_deny'
      : evaluateResourcePolicy(input.resourcePolicy, caller, request);
  if (identity === 'deny' || resource === 'deny') return 'deny';
  if (
    sameAccount ? identity === 'allow' || resource === 'allow' : identity === 'allow' && resource === 'allow'
  ) {
    return 'allow';
  }
  return 'implicit_deny';
}
