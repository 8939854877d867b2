/**
 * ListSecrets / BatchGetSecretValue filters as AWS defines them: each filter names a key and up to
 * ten values; a secret is listed when it passes every filter. Within one filter a secret passes when
 * it matches any of the plain values and none of the `!` (negated) values. Matching is by prefix:
 * case-sensitive for name, tag-key, tag-value, primary-region and owning-service; not case-sensitive
 * for description; `all` splits the value into words, each of which must prefix-match some attribute
 * (case-insensitively). Pure.
 */
import type { Tag } from './validation.js';

export const SECRET_FILTER_KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
] as const;
export type SecretFilterKey = (typeof SECRET_FILTER_KEYS)[number];

export interface SecretFilter {
  readonly key: SecretFilterKey;
  readonly values: readonly string[];
}

/** What filters look at. Region and owning service are absent for most secrets. */
export interface FilterableSecret {
  readonly name: string;
  readonly description: string;
  readonly tags: readonly Tag[];
  readonly primaryRegion?: string | null | undefined;
  readonly owningService?: string | null | undefined;
}

export function matchesSecretFilters(secret: FilterableSecret, filters: readonly SecretFilter[]): boolean {
  return filters.every((filter) => matchesFilter(secret, filter));
}

function matchesFilter(secret: FilterableSecret, filter: SecretFilter): boolean {
  const positive = filter.values.filter((v) => !v.startsWith('!'));
  const negated = filter.values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  if (negated.some((value) => matchesValue(secret, filter.key, value))) return false;
  return positive.length === 0 || positive.some((value) => matchesValue(secret, filter.key, value));
}

function matchesValue(secret: FilterableSecret, key: SecretFilterKey, value: string): boolean {
  switch (key) {
    case 'name':
      return secret.name.startsWith(value);
    case 'description':
      return secret.description.toLowerCase().startsWith(value.toLowerCase());
    case 'tag-key':
      return secret.tags.some((tag) => tag.key.startsWith(value));
    case 'tag-value':
      return secret.tags.some((tag) => tag.value.startsWith(value));
    case 'primary-region':
      return (secret.primaryRegion ?? '').startsWith(value) && secret.primaryRegion != null;
    case 'owning-service':
      return (secret.owningService ?? '').startsWith(value) && secret.owningService != null;
    case 'all':
      return matchesAll(secret, value);
  }
}

/** Every word of the value prefix-matches a word of some attribute, ignoring case. */
function matchesAll(secret: FilterableSecret, value: string): boolean {
  const attributes = [
    secret.name,
    secret.description,
    ...secret.tags.flatMap((tag) => [tag.key, tag.value]),
    secret.primaryRegion ?? '',
    secret.owningService ?? '',
  ].map((text) => text.toLowerCase());
  const words = attributes.flatMap((text) => [text, ...text.split(/[\s/_.:@=+-]+/)]).filter((w) => w !== '');
  return value
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '')
    .every((word) => words.some((candidate) => candidate.startsWith(word)));
}
