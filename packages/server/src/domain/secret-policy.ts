/**
 * Secret policies: a resource policy attached to a secret under a name. Only the name
 * `default` exists. The model checks the document's shape and keeps it as the exact text the caller
 * sent, so reading it back returns the same bytes; evaluating policies is a later step, which will work
 * on the parsed `PolicyDocument` below.
 *
 * The document language is the one Alibaba Cloud KMS uses (`Version`, `Statement`, `Effect`,
 * `Principal.RAM`, `Action`, `Resource`, `Condition`). Those names are the document's own syntax, the
 * way SQL keywords are a query's; the parsed form is camelCase like the rest of the model.
 */
import { DomainError, invalidArgument } from './errors.js';
import { objectAt, onlyMembers, parsePolicyEnvelope } from './policy-json.js';
import type { EpochMs, Secret } from './secret.js';
import { assertNotPendingDeletion } from './secret.js';

/** The one policy name secrets have. */
export const DEFAULT_POLICY_NAME = 'default';
/** UTF-8 bytes of a policy document. */
export const MAX_POLICY_BYTES = 32_768;

const FIELD = 'policy';
const SID = /^[A-Za-z0-9_/+=.@-]{1,128}$/;
const ACTION = /^kms:[A-Za-z*]{1,128}$/;
const CONDITION_OPERATOR = /^[A-Za-z][A-Za-z0-9:]{0,127}$/;
const MAX_ITEM_LENGTH = 1024;

/** A policy as stored: one per secret and name. */
export interface SecretPolicy {
  readonly secretId: string;
  readonly name: string;
  /** The JSON document exactly as it was set. */
  readonly document: string;
  readonly updatedAt: EpochMs;
}

export type PolicyEffect = 'allow' | 'deny';
export type ConditionValue = string | number | boolean;

export interface PolicyStatement {
  readonly sid: string | undefined;
  readonly effect: PolicyEffect;
  /** RAM principals (ARNs such as `acs:ram::<account>:user/alice`, or `*`). */
  readonly ramPrincipals: readonly string[];
  /** `kms:<Action>` patterns; `*` is a wildcard. */
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** Operator → condition key → accepted values. */
  readonly conditions: ReadonlyMap<string, ReadonlyMap<string, readonly ConditionValue[]>>;
}

export interface PolicyDocument {
  readonly version: '1';
  readonly statements: readonly PolicyStatement[];
}

/**
 * Parses and checks a policy document: at most `MAX_POLICY_BYTES`, `{"Version":"1","Statement":[…]}`
 * with at least one statement, each `{Sid?, Effect: "Allow"|"Deny", Principal: {RAM: [...]},
 * Action: ["kms:…"], Resource: [...], Condition?}`. Unknown members are refused rather than ignored:
 * a misspelt `Condition` silently dropped would grant more than its author meant.
 */
export function parsePolicyDocument(text: string): PolicyDocument {
  const statements = parsePolicyEnvelope(text, MAX_POLICY_BYTES, FIELD);
  return {
    version: '1',
    statements: statements.map((s, i) => parseStatement(s, `Statement[${i}]`)),
  };
}

function parseStatement(value: unknown, where: string): PolicyStatement {
  const statement = objectAt(value, where, FIELD);
  onlyMembers(statement, ['Sid', 'Effect', 'Principal', 'Action', 'Resource', 'Condition'], where, FIELD);
  const { Sid: sid, Effect: effect } = statement;
  if (sid !== undefined && (typeof sid !== 'string' || !SID.test(sid))) {
    throw invalidArgument(
      FIELD,
      `${where}.Sid must be 1 to 128 characters of letters, digits and _ / + = . @ -.`,
    );
  }
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw invalidArgument(FIELD, `${where}.Effect must be "Allow" or "Deny".`);
  }
  const principal = objectAt(statement.Principal, `${where}.Principal`, FIELD);
  onlyMembers(principal, ['RAM'], `${where}.Principal`, FIELD);
  const ramPrincipals = stringList(principal.RAM, `${where}.Principal.RAM`);
  for (const item of ramPrincipals) {
    if (item !== '*' && !item.startsWith('acs:ram:')) {
      throw invalidArgument(FIELD, `${where}.Principal.RAM lists "${item}", which is not a RAM ARN or "*".`);
    }
  }
  const actions = stringList(statement.Action, `${where}.Action`);
  for (const action of actions) {
    if (!ACTION.test(action)) {
      throw invalidArgument(
        FIELD,
        `${where}.Action lists "${action}"; actions look like "kms:GetSecretValue".`,
      );
    }
  }
  const resources = stringList(statement.Resource, `${where}.Resource`);
  const conditions =
    statement.Condition === undefined
      ? new Map()
      : parseConditions(statement.Condition, `${where}.Condition`);
  return {
    sid,
    effect: effect === 'Allow' ? 'allow' : 'deny',
    ramPrincipals,
    actions,
    resources,
    conditions,
  };
}

function parseConditions(value: unknown, where: string): Map<string, Map<string, readonly ConditionValue[]>> {
  const operators = new Map<string, Map<string, readonly ConditionValue[]>>();
  for (const [operator, block] of Object.entries(objectAt(value, where, FIELD))) {
    if (!CONDITION_OPERATOR.test(operator)) {
      throw invalidArgument(FIELD, `${where} has an operator that is not a name.`);
    }
    const keys = new Map<string, readonly ConditionValue[]>();
    for (const [key, raw] of Object.entries(objectAt(block, `${where}.${operator}`, FIELD))) {
      if (key.length === 0 || key.length > MAX_ITEM_LENGTH) {
        throw invalidArgument(FIELD, `${where}.${operator} has an empty or over-long condition key.`);
      }
      const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
      if (values.length === 0 || !values.every(isConditionValue)) {
        throw invalidArgument(
          FIELD,
          `${where}.${operator}.${key} must be a string, number or boolean, or a non-empty array of them.`,
        );
      }
      keys.set(key, values);
    }
    if (keys.size === 0) throw invalidArgument(FIELD, `${where}.${operator} names no condition key.`);
    operators.set(operator, keys);
  }
  if (operators.size === 0) throw invalidArgument(FIELD, `${where} is empty; leave it out instead.`);
  return operators;
}

function isConditionValue(value: unknown): value is ConditionValue {
  return (
    (typeof value === 'string' && value.length <= MAX_ITEM_LENGTH) ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'boolean'
  );
}

function stringList(value: unknown, where: string): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_ITEM_LENGTH)
  ) {
    throw invalidArgument(FIELD, `${where} must be a non-empty array of non-empty strings.`);
  }
  return value as string[];
}

export interface SetPolicyInput {
  readonly name: string;
  readonly document: string;
  readonly now: EpochMs;
}

/**
 * Attaches (or replaces) a secret's policy. The secret's update time moves, as for any change of its
 * metadata. A secret waiting out its recovery window takes no changes (docs/behaviour.md rule 10).
 */
export function setSecretPolicy(
  secret: Secret,
  input: SetPolicyInput,
): { readonly secret: Secret; readonly policy: SecretPolicy } {
  assertNotPendingDeletion(secret);
  if (input.name !== DEFAULT_POLICY_NAME) {
    throw invalidArgument('policyName', `Secrets have one policy, named "${DEFAULT_POLICY_NAME}".`);
  }
  parsePolicyDocument(input.document);
  return {
    secret: { ...secret, updatedAt: input.now },
    policy: { secretId: secret.id, name: input.name, document: input.document, updatedAt: input.now },
  };
}

/**
 * Checks that a secret can have a policy of this name before it is read: only `default` exists, so any
 * other name is a resource that is not there (the wire answer is "not found").
 */
export function assertPolicyName(secret: Secret, name: string): void {
  if (name !== DEFAULT_POLICY_NAME) {
    throw new DomainError(
      'secret_not_found',
      `The secret "${secret.name}" has no policy named "${name}"; secrets have one policy, "${DEFAULT_POLICY_NAME}".`,
      { resource: name },
    );
  }
}

/**
 * The policy a secret has before anyone sets one: every RAM identity of the owning account may use it
 * (CreateSecret's documented default when no policy is given; the text follows the KMS default key policy, with a Sid
 * inside the documented Sid alphabet so the default can be read, edited and set back).
 */
export function defaultSecretPolicy(accountId: string): string {
  return JSON.stringify({
    Version: '1',
    Statement: [
      {
        Sid: 'kms-default-secret-policy',
        Effect: 'Allow',
        Principal: { RAM: [`acs:ram::${accountId}:*`] },
        Action: ['kms:*'],
        Resource: ['*'],
      },
    ],
  });
}
