import { describe, expect, it } from 'vitest';
import type { FilterableSecret, SecretFilter } from './secret-filters.js';
import { matchesSecretFilters } from './secret-filters.js';

const secrets: FilterableSecret[] = [
  {
    name: 'prod/db/password',
    description: 'Production Database credentials',
    tags: [{ key: 'team', value: 'payments' }],
  },
  {
    name: 'prod/api-key',
    description: 'Stripe key',
    tags: [
      { key: 'team', value: 'web' },
      { key: 'env', value: 'prod' },
    ],
  },
  { name: 'dev/db/password', description: 'Dev database', tags: [], primaryRegion: 'eu-west-1' },
  { name: 'Prod-upper', description: '', tags: [], owningService: 'rds' },
];

const names = (filters: SecretFilter[]) =>
  secrets.filter((secret) => matchesSecretFilters(secret, filters)).map((secret) => secret.name);

describe('ListSecrets filters', () => {
  it('matches names by case-sensitive prefix, any of several values', () => {
    expect(names([{ key: 'name', values: ['prod/'] }])).toEqual(['prod/db/password', 'prod/api-key']);
    expect(names([{ key: 'name', values: ['dev', 'Prod'] }])).toEqual(['dev/db/password', 'Prod-upper']);
    expect(names([{ key: 'name', values: ['db'] }])).toEqual([]);
  });

  it('negates with !, and a negation excludes even when another value matches', () => {
    expect(names([{ key: 'name', values: ['!prod'] }])).toEqual(['dev/db/password', 'Prod-upper']);
    expect(names([{ key: 'name', values: ['prod', '!prod/db'] }])).toEqual(['prod/api-key']);
  });

  it('matches descriptions by prefix, ignoring case', () => {
    expect(names([{ key: 'description', values: ['production'] }])).toEqual(['prod/db/password']);
    expect(names([{ key: 'description', values: ['DEV'] }])).toEqual(['dev/db/password']);
  });

  it('matches tag keys and values by case-sensitive prefix', () => {
    expect(names([{ key: 'tag-key', values: ['te'] }])).toEqual(['prod/db/password', 'prod/api-key']);
    expect(names([{ key: 'tag-value', values: ['pay'] }])).toEqual(['prod/db/password']);
    expect(names([{ key: 'tag-key', values: ['!env'] }])).toEqual([
      'prod/db/password',
      'dev/db/password',
      'Prod-upper',
    ]);
  });

  it('matches primary region and owning service only where a secret has them', () => {
    expect(names([{ key: 'primary-region', values: ['eu-'] }])).toEqual(['dev/db/password']);
    expect(names([{ key: 'owning-service', values: ['rds'] }])).toEqual(['Prod-upper']);
    expect(names([{ key: 'owning-service', values: [''] }])).toEqual(['Prod-upper']);
  });

  it('"all" needs every word to prefix-match a word of some attribute, ignoring case', () => {
    expect(names([{ key: 'all', values: ['database'] }])).toEqual(['prod/db/password', 'dev/db/password']);
    expect(names([{ key: 'all', values: ['PAYMENTS prod'] }])).toEqual(['prod/db/password']);
    expect(names([{ key: 'all', values: ['stripe web'] }])).toEqual(['prod/api-key']);
    expect(names([{ key: 'all', values: ['!db'] }])).toEqual(['prod/api-key', 'Prod-upper']);
  });

  it('combines several filters with AND', () => {
    expect(
      names([
        { key: 'name', values: ['prod'] },
        { key: 'tag-value', values: ['web'] },
      ]),
    ).toEqual(['prod/api-key']);
    expect(names([])).toEqual(secrets.map((s) => s.name));
  });
});
