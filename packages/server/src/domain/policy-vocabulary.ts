/**
 * One policy engine, two vocabularies (docs/permissions.md): a document written in AWS's IAM
 * vocabulary (`"Version": "2012-10-17"`, `secretsmanager:GetSecretValue`,
 * `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>`, `"Principal": {"AWS": …}`,
 * `aws:SourceIp`) is read as the same document in Alibaba's (`"Version": "1"`, `kms:GetSecretValue`,
 * `acs:kms:<region>:<account>:secret/<name>`, `"Principal": {"RAM": …}`, `acs:SourceIp`). The stored
 * text stays as its author wrote it; the engine only ever evaluates the translation.
 */

/** The IAM policy language versions AWS accepts. */
const IAM_VERSIONS: ReadonlySet<unknown> = new Set(['2012-10-17', '2008-10-17']);

/** AWS actions whose permission the catalog names otherwise (domain/operations.ts). */
const RENAMED_ACTIONS: Readonly<Record<string, string>> = {
  getresourcepolicy: 'GetSecretPolicy',
  listresourcepolicies: 'GetSecretPolicy',
  putresourcepolicy: 'SetSecretPolicy',
  deleteresourcepolicy: 'SetSecretPolicy',
  validateresourcepolicy: 'GetSecretPolicy',
  cancelrotatesecret: 'UpdateSecretRotationPolicy',
};

/** `secretsmanager:X` → `kms:X` (renamed where the catalog differs); other services pass through. */
export function translateAction(action: string): string {
  const match = /^secretsmanager:(.*)$/i.exec(action);
  if (!match) return action;
  const name = match[1] ?? '';
  return `kms:${RENAMED_ACTIONS[name.toLowerCase()] ?? name}`;
}

const SECRET_ARN = /^arn:aws:secretsmanager:([^:]*):([^:]*):secret:(.*)$/;
const KMS_ARN = /^arn:aws:kms:([^:]*):([^:]*):(.*)$/;
const IAM_ARN = /^arn:aws:iam::([^:]*):(.*)$/;

/**
 * A resource in Alibaba's spelling. A secret ARN's random suffix is not part of a secret's name: a
 * trailing `-??????` (AWS's documented wildcard for it) is dropped; a trailing `-` and six letters or
 * digits may be a suffix or the end of the name, so both readings are listed.
 */
export function translateResource(resource: string): string[] {
  const secret = SECRET_ARN.exec(resource);
  if (secret) {
    const [, region, account, rest] = secret as unknown as [string, string, string, string];
    const prefix = `acs:kms:${region}:${account}:secret/`;
    if (rest.endsWith('-??????')) return [`${prefix}${rest.slice(0, -7)}`];
    const suffixed = /^(.+)-[A-Za-z0-9]{6}$/.exec(rest);
    return suffixed ? [`${prefix}${rest}`, `${prefix}${suffixed[1] ?? ''}`] : [`${prefix}${rest}`];
  }
  const kms = KMS_ARN.exec(resource);
  if (kms) return [`acs:kms:${kms[1] ?? ''}:${kms[2] ?? ''}:${kms[3] ?? ''}`];
  return [resource];
}

/** `arn:aws:iam::<account>:user/<name>` → `acs:ram::<account>:user/<name>`; `…:root` is the whole account. */
export function translatePrincipal(principal: string): string {
  const iam = IAM_ARN.exec(principal);
  if (!iam) return /^\d+$/.test(principal) ? `acs:ram::${principal}:*` : principal;
  const [, account, rest] = iam as unknown as [string, string, string];
  return rest === 'root' ? `acs:ram::${account}:*` : `acs:ram::${account}:${rest}`;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const strings = (value: unknown, map: (item: string) => string | string[]): unknown =>
  value === undefined
    ? undefined
    : list(value).flatMap((item) => (typeof item === 'string' ? map(item) : [item]));

function translateCondition(condition: unknown): unknown {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return condition;
  return Object.fromEntries(
    Object.entries(condition).map(([operator, keys]) => [
      operator,
      typeof keys !== 'object' || keys === null || Array.isArray(keys)
        ? keys
        : Object.fromEntries(
            Object.entries(keys as Record<string, unknown>).map(([key, v]) => [
              key.replace(/^aws:/i, 'acs:'),
              v,
            ]),
          ),
    ]),
  );
}

function translatePrincipalMember(principal: unknown): unknown {
  if (principal === '*') return { RAM: ['*'] };
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) return principal;
  const { AWS: aws, ...others } = principal as Record<string, unknown>;
  if (aws === undefined) return principal;
  return { ...others, RAM: strings(aws, translatePrincipal) };
}

function translateStatement(statement: unknown): unknown {
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) return statement;
  const out: Record<string, unknown> = { ...(statement as Record<string, unknown>) };
  if ('Action' in out) out.Action = strings(out.Action, translateAction);
  if ('Resource' in out) out.Resource = strings(out.Resource, translateResource);
  if ('Principal' in out) out.Principal = translatePrincipalMember(out.Principal);
  if ('Condition' in out) out.Condition = translateCondition(out.Condition);
  return out;
}

/**
 * The document as the engine reads it: an IAM-vocabulary document translated, anything else (an
 * Alibaba document, or text that is not JSON, which the parser then refuses) unchanged.
 */
export function inEngineVocabulary(parsed: unknown): unknown {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return parsed;
  const root = parsed as Record<string, unknown>;
  if (!IAM_VERSIONS.has(root.Version)) return parsed;
  // `Id` names an IAM document and has no counterpart: the engine's envelope has no such member.
  const rest = Object.fromEntries(Object.entries(root).filter(([key]) => key !== 'Id'));
  return {
    ...rest,
    Version: '1',
    Statement: root.Statement === undefined ? undefined : list(root.Statement).map(translateStatement),
  };
}
