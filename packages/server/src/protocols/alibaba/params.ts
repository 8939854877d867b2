/**
 * Request parameters: the query string and a form body merged (body wins), every value a string as the
 * wire sends it. Readers turn them into typed values or raise the API's own MissingParameter /
 * InvalidParameter naming the parameter. Nothing here knows any action.
 */
import { invalidParameter, missingParameter } from './errors.js';

/** Filters per call and values per filter in `Filters` (ListSecrets, ListKeys; §3.6). */
const MAX_FILTERS = 10;
const MAX_FILTER_VALUES = 10;

/** One entry of a `Filters` parameter; values of one key are OR-ed. */
export interface Filter {
  readonly key: string;
  readonly values: string[];
}

export class Params {
  readonly #values: ReadonlyMap<string, string>;

  constructor(values: ReadonlyMap<string, string>) {
    this.#values = values;
  }

  /** Every parameter, for signature checks (which sign all of them, known or not). */
  entries(): [string, string][] {
    return [...this.#values];
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** The raw value, empty string included; undefined when absent. */
  raw(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** A value that must be present and non-empty. */
  required(name: string): string {
    const value = this.#values.get(name);
    if (value === undefined || value === '') throw missingParameter(name);
    return value;
  }

  /** Absent or empty is undefined (the SDKs send unset optional fields as nothing). */
  optional(name: string): string | undefined {
    const value = this.#values.get(name);
    return value === undefined || value === '' ? undefined : value;
  }

  /** One of a fixed set of values, compared case-sensitively. */
  oneOf<const T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) throw invalidParameter(name, `Use one of: ${allowed.join(', ')}.`);
    return match;
  }

  /** `true`/`false`, case-insensitively (the Python client sends `True`). */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw invalidParameter(name, 'Use true or false.');
  }

  integer(name: string, range: { min: number; max: number; fallback: number }): number;
  integer(name: string, range: { min: number; max: number }): number | undefined;
  integer(name: string, range: { min: number; max: number; fallback?: number }): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return range.fallback;
    const parsed = /^-?\d{1,15}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < range.min || parsed > range.max) {
      throw invalidParameter(name, `Use a whole number from ${range.min} to ${range.max}.`);
    }
    return parsed;
  }

  /** A JSON document in a string parameter; `shape` checks and converts the parsed value. */
  json<T>(name: string, shape: (value: unknown) => T | undefined): T | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalidParameter(name, 'It is not valid JSON.');
    }
    const result = shape(parsed);
    if (result === undefined) throw invalidParameter(name, 'The JSON does not have the expected shape.');
    return result;
  }

  /**
   * `[{"Key":"k","Values":["a","b"]}]`: at most 10 filters, each with a key and 1 to 10 string values,
   * and nothing else. Which keys and values mean something is the action's to check.
   */
  filters(name = 'Filters'): Filter[] {
    const entries = this.json(name, (value) => shapes.objectArray(value)) ?? [];
    if (entries.length > MAX_FILTERS) throw invalidParameter(name, `Give at most ${MAX_FILTERS} filters.`);
    return entries.map((entry) => {
      const extra = Object.keys(entry).find((member) => member !== 'Key' && member !== 'Values');
      if (extra !== undefined) {
        throw invalidParameter(name, `A filter has "Key" and "Values" only, not "${extra}".`);
      }
      if (typeof entry.Key !== 'string') throw invalidParameter(name, 'A filter has no "Key".');
      const values = shapes.stringArray(entry.Values);
      if (values === undefined || values.length === 0 || values.length > MAX_FILTER_VALUES) {
        throw invalidParameter(
          name,
          `The "${entry.Key}" filter needs 1 to ${MAX_FILTER_VALUES} string values.`,
        );
      }
      return { key: entry.Key, values };
    });
  }

  /**
   * A "repeat list" (`Name.1`, `Name.2`, …), 1-based and without gaps; `field` reads a sub-key
   * (`Tag.1.Key`). Returns the values in order.
   */
  repeated(name: string, field?: string): string[] {
    const values: string[] = [];
    for (let index = 1; ; index++) {
      const value = this.#values.get(field === undefined ? `${name}.${index}` : `${name}.${index}.${field}`);
      if (value === undefined) break;
      values.push(value);
    }
    return values;
  }

  /** Parameters named `prefix.<key>`, as a map of key → value (the 1.2.0 SDK flattens maps that way). */
  flattenedMap(prefix: string): Map<string, string> {
    const map = new Map<string, string>();
    for (const [name, value] of this.#values) {
      if (name.startsWith(`${prefix}.`)) map.set(name.slice(prefix.length + 1), value);
    }
    return map;
  }
}

/** Shape helpers for `Params.json`. */
export const shapes = {
  stringArray(value: unknown): string[] | undefined {
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
  },
  stringRecord(value: unknown): Record<string, string> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const entries = Object.entries(value);
    return entries.every(([, v]) => typeof v === 'string') ? Object.fromEntries(entries) : undefined;
  },
  objectArray(value: unknown): Record<string, unknown>[] | undefined {
    return Array.isArray(value) &&
      value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
      ? (value as Record<string, unknown>[])
      : undefined;
  },
};
