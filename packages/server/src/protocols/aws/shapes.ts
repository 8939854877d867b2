/**
 * A small description of AWS JSON 1.1 input shapes (strings, integers, booleans, base64 blobs, lists,
 * structures, with the model's length, range, pattern and enumeration constraints) and the reader
 * that checks a request body against one, answering as AWS does:
 *   - a body that is not a JSON object, or a member of the wrong JSON type → `SerializationException`;
 *   - every broken constraint, collected → one `ValidationException` ("2 validation errors detected:
 *     Value at 'secretId' failed to satisfy constraint: Member must …").
 * Members the model does not know are ignored and `null` counts as absent, as in AWS. The parsed
 * value's TypeScript type is inferred from the shape, so operation code reads typed input.
 */
import { serializationError, validationError } from './errors.js';

export interface StringShape {
  readonly type: 'string';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  readonly values?: readonly string[];
}
export interface IntegerShape {
  readonly type: 'integer';
  readonly min?: number;
  readonly max?: number;
}
export interface BooleanShape {
  readonly type: 'boolean';
}
/** Base64 text on the wire, bytes once parsed; lengths count bytes. */
export interface BlobShape {
  readonly type: 'blob';
  readonly min?: number;
  readonly max?: number;
}
export interface ListShape<M extends Shape = Shape> {
  readonly type: 'list';
  readonly member: M;
  readonly min?: number;
  readonly max?: number;
}
export interface StructureShape<M extends Members = Members> {
  readonly type: 'structure';
  readonly members: M;
}
export type Shape = StringShape | IntegerShape | BooleanShape | BlobShape | ListShape | StructureShape;
export type Member = Shape & { readonly required?: true };
export type Members = Readonly<Record<string, Member>>;

/** The parsed value of a shape. */
export type Infer<S> = S extends { type: 'string'; values: readonly (infer V)[] }
  ? V
  : S extends { type: 'string' }
    ? string
    : S extends { type: 'integer' }
      ? number
      : S extends { type: 'boolean' }
        ? boolean
        : S extends { type: 'blob' }
          ? Buffer
          : S extends { type: 'list'; member: infer M }
            ? Infer<M>[]
            : S extends { type: 'structure'; members: infer M }
              ? InferMembers<M>
              : never;

type RequiredKeys<M> = { [K in keyof M]: M[K] extends { required: true } ? K : never }[keyof M];
type InferMembers<M> = { readonly [K in RequiredKeys<M>]: Infer<M[K]> } & {
  readonly [K in Exclude<keyof M, RequiredKeys<M>>]?: Infer<M[K]> | undefined;
};

// Constructors keep literal types (enumerations, `required`) without `as const` at every use.
export const string = <const O extends Omit<StringShape, 'type'>>(options?: O): { type: 'string' } & O =>
  ({ type: 'string', ...options }) as { type: 'string' } & O;
export const integer = (options: Omit<IntegerShape, 'type'> = {}): IntegerShape => ({
  type: 'integer',
  ...options,
});
export const boolean = (): BooleanShape => ({ type: 'boolean' });
export const blob = (options: Omit<BlobShape, 'type'> = {}): BlobShape => ({ type: 'blob', ...options });
export const list = <M extends Shape>(
  member: M,
  options: { min?: number; max?: number } = {},
): ListShape<M> => ({
  type: 'list',
  member,
  ...options,
});
export const structure = <const M extends Members>(members: M): StructureShape<M> => ({
  type: 'structure',
  members,
});
export const required = <S extends Shape>(shape: S): S & { readonly required: true } => ({
  ...shape,
  required: true,
});

/** Parses a request body (empty counts as `{}`) against a structure shape. */
export function parseBody<M extends Members>(
  shape: StructureShape<M>,
  body: Buffer | string,
): InferMembers<M> {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw serializationError('The request body is not valid JSON.');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw serializationError('Start of structure or map expected: the request body must be a JSON object.');
  const problems: string[] = [];
  const parsed = readStructure(shape, value as Record<string, unknown>, '', problems);
  if (problems.length > 0) throw validationError(problems);
  return parsed as InferMembers<M>;
}

function readStructure(
  shape: StructureShape,
  value: Record<string, unknown>,
  path: string,
  problems: string[],
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(shape.members)) {
    const memberPath = `${path}${name.charAt(0).toLowerCase()}${name.slice(1)}`;
    const raw = Object.hasOwn(value, name) ? value[name] : undefined;
    if (raw === undefined || raw === null) {
      if (member.required)
        problems.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    result[name] = readValue(member, raw, memberPath, problems);
  }
  return result;
}

function readValue(shape: Shape, raw: unknown, path: string, problems: string[]): unknown {
  const fail = (constraint: string) =>
    problems.push(`Value at '${path}' failed to satisfy constraint: ${constraint}`);
  switch (shape.type) {
    case 'string': {
      if (typeof raw !== 'string')
        throw serializationError(`${jsonKind(raw)} cannot be converted to String (at '${path}')`);
      checkLength(raw.length, shape, fail);
      if (shape.values && !shape.values.includes(raw))
        fail(`Member must satisfy enum value set: [${shape.values.join(', ')}]`);
      if (shape.pattern && !shape.pattern.test(raw))
        fail(`Member must satisfy regular expression pattern: ${shape.pattern.source}`);
      return raw;
    }
    case 'integer': {
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw))
        throw serializationError(`${jsonKind(raw)} cannot be converted to Long (at '${path}')`);
      if (shape.min !== undefined && raw < shape.min)
        fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && raw > shape.max)
        fail(`Member must have value less than or equal to ${shape.max}`);
      return raw;
    }
    case 'boolean':
      if (typeof raw !== 'boolean')
        throw serializationError(`${jsonKind(raw)} cannot be converted to Boolean (at '${path}')`);
      return raw;
    case 'blob': {
      if (typeof raw !== 'string')
        throw serializationError(`${jsonKind(raw)} cannot be converted to Blob (at '${path}')`);
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(raw))
        throw serializationError(`The value at '${path}' is not valid base64.`);
      const bytes = Buffer.from(raw, 'base64');
      checkLength(bytes.length, shape, fail);
      return bytes;
    }
    case 'list': {
      if (!Array.isArray(raw))
        throw serializationError(`${jsonKind(raw)} cannot be converted to a list (at '${path}')`);
      checkLength(raw.length, shape, fail);
      return raw.flatMap((item: unknown, index) =>
        item === null || item === undefined
          ? []
          : [readValue(shape.member, item, `${path}.${index + 1}.member`, problems)],
      );
    }
    case 'structure':
      if (typeof raw !== 'object' || Array.isArray(raw))
        throw serializationError(`${jsonKind(raw)} cannot be converted to a structure (at '${path}')`);
      return readStructure(shape, raw as Record<string, unknown>, `${path}.`, problems);
  }
}

function checkLength(
  length: number,
  shape: { min?: number; max?: number },
  fail: (constraint: string) => void,
): void {
  if (shape.min !== undefined && length < shape.min)
    fail(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max)
    fail(`Member must have length less than or equal to ${shape.max}`);
}

/** The JSON token a value is, in the words of AWS's deserializer. */
function jsonKind(value: unknown): string {
  if (typeof value === 'string') return 'STRING_VALUE';
  if (typeof value === 'number') return 'NUMBER_VALUE';
  if (typeof value === 'boolean') return 'BOOLEAN_VALUE';
  if (Array.isArray(value)) return 'Start of list';
  return 'Start of structure or map';
}
