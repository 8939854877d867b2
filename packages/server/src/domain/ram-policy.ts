/**
 * RAM policies: the identity-based policy documents attached to users, and their parsing.
 * Evaluation, alone and together with a secret's resource policy, is in `policy-evaluation.ts`; the
 * semantics below cover both. Pure: no I/O, no clock (the caller passes `currentTime`), no regular
 * expressions built from policy text.
 *
 * Semantics, with the Alibaba Cloud pages they follow (docs/permissions.md repeats them for users):
 * - Deny by default; an explicit Deny in any applicable policy beats every Allow ("How RAM evaluates
 *   policies", help.aliyun.com/en/ram/policy-evaluation-process).
 * - A statement has `Action` or `NotAction`, `Resource` or `NotResource`, optional `Condition`
 *   ("Permission policy elements", alibabacloud.com/help/document_detail/93738.html). `Principal` only
 *   exists in resource policies, so a RAM policy carrying one is refused.
 * - `*` matches any run of characters (also none), `?` exactly one (code point). Actions match
 *   case-insensitively (the elements page: action values are "in most cases" case-insensitive);
 *   resources match case-sensitively, because secret names are case-sensitive.
 * - Condition operators (alibabacloud.com/help/en/ram/conditional-operator): the string family,
 *   `Bool`, `IpAddress`/`NotIpAddress` (IPv4 and IPv6 CIDR), and the four ordered `Date…` operators.
 *   Operators AND together, keys within an operator AND together, values of one key OR together; a
 *   negated operator (`StringNotEquals`, `NotIpAddress`, …) is true when no value matches.
 * - A known key that has no value in the request (no source IP, a resource without that tag): the
 *   positive operators are false, the negated ones true (the documented IAM rule RAM mirrors).
 * - A key Tessera does not know (`acs:SourceVpc`, `acs:MFAPresent`, …) cannot be evaluated. We fail
 *   closed: an Allow statement carrying one never applies, a Deny statement carrying one always does
 *   (when its action and resource match). RAM itself documents no rule for keys a service does not
 *   supply; this is our decision, made so that importing a foreign policy can only ever grant less.
 */
import { invalidArgument } from './errors.js';
import { objectAt, onlyMembers, parsePolicyEnvelope } from './policy-json.js';
import type { CidrRange, Glob } from './policy-patterns.js';
import { compileGlob, parseCidr } from './policy-patterns.js';
import type { EpochMs } from './secret.js';

/** RAM's limit on a policy document: 6,144 bytes of UTF-8 (RAM "Limits": policy document size). */
export const MAX_RAM_POLICY_BYTES = 6_144;
/** Values one condition key may list; documents are small anyway, this bounds work per request. */
export const MAX_CONDITION_VALUES = 100;

const FIELD = 'policyDocument';
const MAX_ITEM_LENGTH = 1024;
const ACTION = /^(?:\*|[A-Za-z0-9-]{1,64}:[A-Za-z0-9*?]{1,128})$/;
const RESOURCE = /^acs:[^:\s]*:[^:\s]*:[^:\s]*:\S+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export type Decision = 'allow' | 'deny' | 'implicit_deny';
export type Effect = 'allow' | 'deny';

/** Operators Tessera evaluates, by the names policies spell them. */
export const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'Bool',
  'IpAddress',
  'NotIpAddress',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'DateLessThan',
  'DateLessThanEquals',
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** What a request carries for conditions to test. */
export interface RequestContext {
  /** The caller's address as the server saw it (IPv4, IPv6 or IPv4-mapped IPv6). */
  readonly sourceIp?: string;
  /** Whether the request came over TLS. */
  readonly secureTransport: boolean;
  /** Tags of the resources in the request (`kms:tag/<TagKey>`). Requests whose resources carry
   * different tags are evaluated once per resource (BatchGetSecretValue items, for instance). */
  readonly tags?: ReadonlyMap<string, string>;
  /** For `acs:CurrentTime`; without it, date conditions see no value. */
  readonly currentTime?: EpochMs;
}

export interface AccessRequest {
  /** The permission, `kms:GetSecretValue`, `ram:CreateUser`, … (see permissions.ts). */
  readonly action: `${string}:${string}`;
  /** ARNs the action touches; all of them must be allowed (see permissions.ts). */
  readonly resources: readonly string[];
  readonly context: RequestContext;
}

export interface PatternSet {
  /** `NotAction` / `NotResource`: the statement covers everything the patterns do not match. */
  readonly negated: boolean;
  readonly patterns: readonly Glob[];
}

export type ContextKey =
  | { readonly kind: 'sourceIp' }
  | { readonly kind: 'secureTransport' }
  | { readonly kind: 'currentTime' }
  | { readonly kind: 'tag'; readonly tagKey: string }
  | { readonly kind: 'unknown'; readonly name: string };

export type Condition =
  | {
      readonly type: 'string';
      readonly key: ContextKey;
      readonly negated: boolean;
      readonly mode: 'equals' | 'ignoreCase' | 'like';
      /** Lower-cased for `ignoreCase`. */
      readonly values: readonly string[];
      readonly globs: readonly Glob[];
    }
  | { readonly type: 'bool'; readonly key: ContextKey; readonly values: readonly boolean[] }
  | {
      readonly type: 'ip';
      readonly key: ContextKey;
      readonly negated: boolean;
      readonly ranges: readonly CidrRange[];
    }
  | {
      readonly type: 'date';
      readonly key: ContextKey;
      readonly compare: 'gt' | 'ge' | 'lt' | 'le';
      readonly values: readonly EpochMs[];
    }
  /** Only from stored secret policies, which were accepted before evaluation existed: an operator or
   * value Tessera cannot evaluate. Treated like an unknown key (fail closed). */
  | { readonly type: 'unevaluable'; readonly reason: string };

export interface ParsedStatement {
  readonly sid: string | undefined;
  readonly effect: Effect;
  readonly actions: PatternSet;
  readonly resources: PatternSet;
  readonly conditions: readonly Condition[];
}

export interface ParsedPolicy {
  readonly version: '1';
  readonly statements: readonly ParsedStatement[];
}

// ---------------------------------------------------------------------------------------------------
// Parsing RAM policy documents

/**
 * Parses and checks a RAM policy document: at most `MAX_RAM_POLICY_BYTES` bytes,
 * `{"Version":"1","Statement":[…]}` with at least one statement. Unknown members are refused (a
 * misspelt `Condition` silently dropped would grant more than its author meant); so are operators
 * Tessera does not evaluate, values an operator cannot use, and known condition keys paired with an
 * operator of the wrong type. Unknown condition keys are accepted and fail closed at evaluation.
 */
export function parseRamPolicy(text: string): ParsedPolicy {
  const statements = parsePolicyEnvelope(text, MAX_RAM_POLICY_BYTES, FIELD);
  return {
    version: '1',
    statements: statements.map((s, i) => parseStatement(s, `Statement[${i}]`)),
  };
}

function parseStatement(value: unknown, where: string): ParsedStatement {
  const statement = objectAt(value, where, FIELD);
  if ('Principal' in statement) {
    throw invalidArgument(
      FIELD,
      `${where}.Principal belongs in resource policies such as a secret policy; a RAM policy applies to the identity it is attached to.`,
    );
  }
  onlyMembers(
    statement,
    ['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'],
    where,
    FIELD,
  );
  const { Sid: sid, Effect: effect } = statement;
  if (sid !== undefined && (typeof sid !== 'string' || sid.length > 128 || hasControl(sid))) {
    throw invalidArgument(FIELD, `${where}.Sid must be a string of at most 128 characters.`);
  }
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw invalidArgument(FIELD, `${where}.Effect must be "Allow" or "Deny".`);
  }
  const actions = patternSet(statement, 'Action', where, (item, at) => {
    if (!ACTION.test(item)) {
      throw invalidArgument(
        FIELD,
        `${at} lists ${quote(item)}; actions look like "kms:GetSecretValue", "kms:Get*" or "*".`,
      );
    }
    return compileGlob(item, true);
  });
  const resources = patternSet(statement, 'Resource', where, (item, at) => {
    if (item !== '*' && !RESOURCE.test(item)) {
      throw invalidArgument(
        FIELD,
        `${at} lists ${quote(item)}; resources are "*" or ARNs such as "acs:kms:*:*:secret/app/*".`,
      );
    }
    return compileGlob(item);
  });
  const conditions =
    statement.Condition === undefined ? [] : parseConditionBlock(statement.Condition, `${where}.Condition`);
  return { sid, effect: effect === 'Allow' ? 'allow' : 'deny', actions, resources, conditions };
}

function patternSet(
  statement: Record<string, unknown>,
  name: 'Action' | 'Resource',
  where: string,
  compile: (item: string, at: string) => Glob,
): PatternSet {
  const positive = statement[name];
  const negative = statement[`Not${name}`];
  if (positive !== undefined && negative !== undefined) {
    throw invalidArgument(FIELD, `${where} has both ${name} and Not${name}; use one.`);
  }
  if (positive === undefined && negative === undefined) {
    throw invalidArgument(FIELD, `${where} needs ${name} or Not${name}.`);
  }
  const negated = positive === undefined;
  const at = `${where}.${negated ? 'Not' : ''}${name}`;
  const items = stringOrList(negated ? negative : positive, at);
  return { negated, patterns: items.map((item) => compile(item, at)) };
}

function parseConditionBlock(value: unknown, where: string): Condition[] {
  const out: Condition[] = [];
  const block = objectAt(value, where, FIELD);
  const operators = Object.entries(block);
  if (operators.length === 0) throw invalidArgument(FIELD, `${where} is empty; leave it out instead.`);
  for (const [operator, keysValue] of operators) {
    if (!isOperator(operator)) {
      throw invalidArgument(
        FIELD,
        `${where} uses the operator ${quote(operator)}, which Tessera does not evaluate; use one of ${CONDITION_OPERATORS.join(', ')}.`,
      );
    }
    const keys = Object.entries(objectAt(keysValue, `${where}.${operator}`, FIELD));
    if (keys.length === 0) throw invalidArgument(FIELD, `${where}.${operator} names no condition key.`);
    for (const [key, raw] of keys) {
      const at = `${where}.${operator}.${key.length > 64 ? `${key.slice(0, 64)}…` : key}`;
      if (key.length === 0 || key.length > MAX_ITEM_LENGTH) {
        throw invalidArgument(FIELD, `${where}.${operator} has an empty or over-long condition key.`);
      }
      const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
      if (values.length === 0 || values.length > MAX_CONDITION_VALUES || !values.every(isScalar)) {
        throw invalidArgument(
          FIELD,
          `${at} must be a string, number or boolean, or an array of 1 to ${MAX_CONDITION_VALUES} of them.`,
        );
      }
      const compiled = compileCondition(operator, key, values);
      if (typeof compiled === 'string') throw invalidArgument(FIELD, `${at}: ${compiled}`);
      out.push(compiled);
    }
  }
  return out;
}

type Scalar = string | number | boolean;

function isScalar(value: unknown): value is Scalar {
  return (
    (typeof value === 'string' && value.length <= MAX_ITEM_LENGTH) ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'boolean'
  );
}

export function isOperator(name: string): name is ConditionOperator {
  return (CONDITION_OPERATORS as readonly string[]).includes(name);
}

/** Condition keys are matched case-insensitively (tag keys keep their case). */
export function contextKey(name: string): ContextKey {
  const lower = name.toLowerCase();
  if (lower === 'acs:sourceip') return { kind: 'sourceIp' };
  if (lower === 'acs:securetransport') return { kind: 'secureTransport' };
  if (lower === 'acs:currenttime') return { kind: 'currentTime' };
  if (lower.startsWith('kms:tag/') && name.length > 'kms:tag/'.length) {
    return { kind: 'tag', tagKey: name.slice('kms:tag/'.length) };
  }
  return { kind: 'unknown', name };
}

type OperatorFamily = 'string' | 'bool' | 'ip' | 'date';

function familyOf(operator: ConditionOperator): OperatorFamily {
  if (operator.startsWith('String')) return 'string';
  if (operator === 'Bool') return 'bool';
  if (operator.endsWith('IpAddress')) return 'ip';
  return 'date';
}

const KEY_FAMILIES: Readonly<Record<Exclude<ContextKey['kind'], 'unknown'>, readonly OperatorFamily[]>> = {
  sourceIp: ['ip', 'string'],
  secureTransport: ['bool', 'string'],
  currentTime: ['date'],
  tag: ['string'],
};

/** Builds one condition, or returns why it cannot be evaluated. */
export function compileCondition(
  operator: ConditionOperator,
  keyName: string,
  values: readonly Scalar[],
): Condition | string {
  const key = contextKey(keyName);
  const family = familyOf(operator);
  if (key.kind !== 'unknown' && !KEY_FAMILIES[key.kind].includes(family)) {
    return `the key ${quote(keyName)} cannot be tested with ${operator}; use ${KEY_FAMILIES[key.kind].join(' or ')} operators.`;
  }
  switch (family) {
    case 'string': {
      const mode = operator.includes('IgnoreCase')
        ? 'ignoreCase'
        : operator.includes('Like')
          ? 'like'
          : 'equals';
      const strings = values.map(String);
      return {
        type: 'string',
        key,
        negated: operator.startsWith('StringNot'),
        mode,
        values: mode === 'ignoreCase' ? strings.map((v) => v.toLowerCase()) : strings,
        globs: mode === 'like' ? strings.map((v) => compileGlob(v)) : [],
      };
    }
    case 'bool': {
      const bools: boolean[] = [];
      for (const v of values) {
        const b = typeof v === 'boolean' ? v : typeof v === 'string' ? parseBool(v) : undefined;
        if (b === undefined) return 'Bool takes true or false.';
        bools.push(b);
      }
      return { type: 'bool', key, values: bools };
    }
    case 'ip': {
      const ranges: CidrRange[] = [];
      for (const v of values) {
        const range = typeof v === 'string' ? parseCidr(v) : undefined;
        if (range === undefined) return `${quote(String(v))} is not an IPv4 or IPv6 address or CIDR block.`;
        ranges.push(range);
      }
      return { type: 'ip', key, negated: operator === 'NotIpAddress', ranges };
    }
    case 'date': {
      const times: EpochMs[] = [];
      for (const v of values) {
        const t = typeof v === 'string' && ISO_TIME.test(v) ? Date.parse(v) : Number.NaN;
        if (Number.isNaN(t)) return `${quote(String(v))} is not a time like "2025-01-31T12:00:00Z".`;
        times.push(t);
      }
      const compare = operator.startsWith('DateGreater')
        ? operator.endsWith('Equals')
          ? 'ge'
          : 'gt'
        : operator.endsWith('Equals')
          ? 'le'
          : 'lt';
      return { type: 'date', key, compare, values: times };
    }
  }
}

function parseBool(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Quotes caller text in a message, cut to a readable length. */
export function quote(text: string): string {
  return `"${text.length > 64 ? `${text.slice(0, 64)}…` : text}"`;
}

function stringOrList(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_ITEM_LENGTH && !hasControl(v))
  ) {
    throw invalidArgument(
      FIELD,
      `${where} must be a non-empty string or a non-empty array of non-empty strings.`,
    );
  }
  return list as string[];
}
