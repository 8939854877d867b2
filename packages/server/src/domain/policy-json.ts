/**
 * Reading policy documents strictly, shared by RAM policies (`ram-policy.ts`) and secret policies
 * (`secret-policy.ts`): the size limit, the `{"Version":"1","Statement":[…]}` envelope (an IAM-vocabulary
 * document read through `policy-vocabulary.ts`), and the member checks. Every failure is an `invalid_argument` naming where in the document it is.
 */
import { invalidArgument } from './errors.js';
import { inEngineVocabulary } from './policy-vocabulary.js';

/** Checks size, JSON and envelope; returns the statements, still unparsed. */
export function parsePolicyEnvelope(text: string, maxBytes: number, field: string): unknown[] {
  // The UTF-16 length bounds the UTF-8 length from below, so huge inputs are refused without encoding them.
  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw invalidArgument(field, `A policy document is at most ${maxBytes} bytes.`);
  }
  let parsed: unknown;
  try {
    // A document in AWS's IAM vocabulary is read as the same document in the engine's (docs/permissions.md).
    parsed = inEngineVocabulary(JSON.parse(text));
  } catch {
    throw invalidArgument(field, 'The policy document is not valid JSON.');
  }
  const root = objectAt(parsed, 'The policy document', field);
  onlyMembers(root, ['Version', 'Statement'], 'The policy document', field);
  if (root.Version !== '1') throw invalidArgument(field, 'The policy "Version" must be "1".');
  const statements = root.Statement;
  if (!Array.isArray(statements) || statements.length === 0) {
    throw invalidArgument(field, 'The policy "Statement" must be a non-empty array.');
  }
  return statements as unknown[];
}

export function objectAt(value: unknown, where: string, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(field, `${where} must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}

export function onlyMembers(
  value: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
  field: string,
): void {
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    const shown = unknown.length > 64 ? `${unknown.slice(0, 64)}…` : unknown;
    throw invalidArgument(field, `${where} has an unknown member "${shown}"; use ${allowed.join(', ')}.`);
  }
}
