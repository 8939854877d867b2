/**
 * The mapping between the typed methods' camelCase shapes and the API's wire shapes:
 *
 * - a field is its wire name with the leading capital (or capital run) lower-cased: `SecretName` ↔
 *   `secretName`, `DKMSInstanceId` ↔ `dkmsInstanceId`;
 * - list wrappers are removed: `"VersionStages":{"VersionStage":["ACSCurrent"]}` becomes
 *   `versionStages: ['ACSCurrent']`;
 * - parameters the API takes as JSON text (`Tags`, `VersionStages`, `Filters`, …) take structured
 *   values, and "repeat lists" (`ResourceId.1`, `Tag.1.Key`) take arrays.
 */

/** Request parameters as the wire carries them: every value a string. */
export type WireParams = Record<string, string>;

/** A value for one request parameter; `undefined` leaves the parameter out. */
export type WireScalar = string | number | boolean | undefined;

/** Wire parameters from scalars: numbers and booleans as decimal and `true`/`false`, undefined dropped. */
export function params(values: Readonly<Record<string, WireScalar>>): WireParams {
  const out: WireParams = {};
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) out[name] = String(value);
  }
  return out;
}

/** A JSON-text parameter; undefined stays undefined. */
export function json(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

/** `Name.1`, `Name.2`, … (1-based) for a list of strings. */
export function repeatList(name: string, values: readonly string[] | undefined): WireParams {
  const out: WireParams = {};
  values?.forEach((value, index) => {
    out[`${name}.${index + 1}`] = value;
  });
  return out;
}

/** `Name.1.Field`, … for a list of objects whose camelCase fields become the wire's PascalCase ones. */
export function repeatObjects(
  name: string,
  items: readonly Readonly<Record<string, string>>[] | undefined,
): WireParams {
  const out: WireParams = {};
  items?.forEach((item, index) => {
    for (const [field, value] of Object.entries(item))
      out[`${name}.${index + 1}.${pascalCase(field)}`] = value;
  });
  return out;
}

/** The wire name of a camelCase field: `secretName` → `SecretName`, `dkmsInstanceId` → `DKMSInstanceId`. */
export function pascalCase(name: string): string {
  return name.startsWith('dkms') ? `DKMS${name.slice(4)}` : name.charAt(0).toUpperCase() + name.slice(1);
}

/** The SDK name of a wire field: a leading run of capitals is lower-cased, except the start of the next word. */
export function camelCase(name: string): string {
  const run = /^[A-Z]+/.exec(name)?.[0].length ?? 0;
  if (run <= 1) return name.charAt(0).toLowerCase() + name.slice(1);
  const keep = run === name.length ? run : run - 1;
  return name.slice(0, keep).toLowerCase() + name.slice(keep);
}

/** Wrapper object → the name of the array inside it (spec §1.5). */
const LIST_WRAPPERS: Readonly<Record<string, string>> = {
  VersionStages: 'VersionStage',
  VersionIds: 'VersionId',
  SecretList: 'Secret',
  Tags: 'Tag',
  Keys: 'Key',
  KeyVersions: 'KeyVersion',
  Aliases: 'Alias',
  TagResources: 'TagResource',
  Regions: 'Region',
  Users: 'User',
  AccessKeys: 'AccessKey',
  Policies: 'Policy',
};

/** A response body in the SDK's shape: camelCase fields, list wrappers removed, recursively. */
export function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    const inner = LIST_WRAPPERS[name];
    out[camelCase(name)] = fromWire(inner === undefined ? field : unwrap(field, inner));
  }
  return out;
}

function unwrap(field: unknown, inner: string): unknown {
  if (typeof field !== 'object' || field === null || Array.isArray(field)) return field;
  const items = (field as Record<string, unknown>)[inner];
  return items === undefined ? [] : Array.isArray(items) ? items : [items];
}
