/** Conformance cases for `SecretRepository.list`: filters, order, paging and totals. */
import { beforeEach, describe, expect, it } from 'vitest';

import { deleteSecret } from '../../domain/secret.js';
import type { Tag } from '../../domain/validation.js';
import type { SecretListQuery } from '../store.js';
import { insertSecret, T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

interface Seed {
  readonly name: string;
  readonly description: string;
  readonly tags: readonly Tag[];
}

/** Inserted in this (unsorted) order; listings must sort them by code point. */
const SEEDS: readonly Seed[] = [
  { name: 'billing/db', description: 'primary', tags: [{ key: 'team', value: 'money' }] },
  { name: 'app_1', description: 'primary db', tags: [] },
  { name: 'zeta', description: '', tags: [{ key: 'env', value: 'prod' }] },
  { name: 'App/web', description: 'primary', tags: [{ key: 'env', value: 'dev' }] },
  {
    name: 'app/db',
    description: 'primary',
    tags: [
      { key: 'team', value: 'core' },
      { key: 'env', value: 'prod' },
    ],
  },
  { name: 'appx', description: 'other', tags: [{ key: 'prod', value: 'yes' }] },
  { name: 'app/api', description: 'other', tags: [{ key: 'team', value: 'prod' }] },
];

/** Code-point order: upper case before lower case, `/` before `_` before letters. */
const ALL_SORTED = ['App/web', 'app/api', 'app/db', 'app_1', 'appx', 'billing/db', 'zeta'];

/** Registers the secret listing cases. */
export function describeSecretListCases(store: StoreRef): void {
  describe('secret listings', () => {
    beforeEach(async () => {
      for (const seed of SEEDS) await insertSecret(store(), seed);
    });

    async function names(query: Partial<SecretListQuery>): Promise<string[]> {
      const page = await store().secrets.list({ offset: 0, limit: 100, ...query });
      expect(page.total).toBe(page.items.length);
      return page.items.map((s) => s.name);
    }

    it('lists every secret ordered by name, by code point', async () => {
      expect(await names({})).toEqual(ALL_SORTED);
    });

    it('returns summaries with tags in saved order and no versions or stages', async () => {
      const page = await store().secrets.list({ namePrefixes: ['app/db'], offset: 0, limit: 10 });
      expect(page.items).toHaveLength(1);
      const [item] = page.items;
      expect(item?.tags).toEqual(SEEDS[4]?.tags);
      expect(item?.description).toBe('primary');
      expect(item).not.toHaveProperty('versions');
      expect(item).not.toHaveProperty('stages');
    });

    it('matches name prefixes case-sensitively and literally, OR-ing several', async () => {
      expect(await names({ namePrefixes: ['app/'] })).toEqual(['app/api', 'app/db']);
      // `_` is a literal character, not a wildcard: `appx` does not match `app_`.
      expect(await names({ namePrefixes: ['app_'] })).toEqual(['app_1']);
      expect(await names({ namePrefixes: ['App'] })).toEqual(['App/web']);
      expect(await names({ namePrefixes: ['app/', 'zet'] })).toEqual(['app/api', 'app/db', 'zeta']);
      expect(await names({ namePrefixes: ['zeta'] })).toEqual(['zeta']);
      expect(await names({ namePrefixes: ['zeta-longer'] })).toEqual([]);
    });

    it('matches descriptions exactly, OR-ing several', async () => {
      expect(await names({ descriptions: ['primary'] })).toEqual(['App/web', 'app/db', 'billing/db']);
      expect(await names({ descriptions: ['other', ''] })).toEqual(['app/api', 'appx', 'zeta']);
    });

    it('matches tag keys and tag values, each OR-ing its list', async () => {
      expect(await names({ tagKeys: ['team'] })).toEqual(['app/api', 'app/db', 'billing/db']);
      expect(await names({ tagKeys: ['team', 'prod'] })).toEqual(['app/api', 'app/db', 'appx', 'billing/db']);
      expect(await names({ tagValues: ['prod'] })).toEqual(['app/api', 'app/db', 'zeta']);
      expect(await names({ tagValues: ['dev', 'money'] })).toEqual(['App/web', 'billing/db']);
    });

    it('AND-s different filters', async () => {
      // A tag with key `team` and a tag with value `prod`, not necessarily the same tag.
      expect(await names({ tagKeys: ['team'], tagValues: ['prod'] })).toEqual(['app/api', 'app/db']);
      expect(await names({ namePrefixes: ['app'], descriptions: ['primary'] })).toEqual(['app/db']);
      expect(await names({ namePrefixes: ['app/'], tagKeys: ['env'] })).toEqual(['app/db']);
      expect(await names({ namePrefixes: ['billing'], tagValues: ['prod'] })).toEqual([]);
    });

    it('treats an empty filter list as no filter', async () => {
      expect(await names({ namePrefixes: [], descriptions: [], tagKeys: [], tagValues: [] })).toEqual(
        ALL_SORTED,
      );
    });

    it('pages with offset and limit and reports the total ignoring them', async () => {
      const first = await store().secrets.list({ offset: 0, limit: 3 });
      expect(first.items.map((s) => s.name)).toEqual(ALL_SORTED.slice(0, 3));
      expect(first.total).toBe(7);
      const middle = await store().secrets.list({ offset: 3, limit: 3 });
      expect(middle.items.map((s) => s.name)).toEqual(ALL_SORTED.slice(3, 6));
      expect(middle.total).toBe(7);
      const last = await store().secrets.list({ offset: 6, limit: 3 });
      expect(last.items.map((s) => s.name)).toEqual(['zeta']);
      const beyond = await store().secrets.list({ offset: 10, limit: 3 });
      expect(beyond).toEqual({ items: [], total: 7 });
      const filtered = await store().secrets.list({ tagKeys: ['team'], offset: 1, limit: 1 });
      expect(filtered.items.map((s) => s.name)).toEqual(['app/db']);
      expect(filtered.total).toBe(3);
    });

    it('filters by recovery window: secrets gone at a time, and secrets pending deletion', async () => {
      const day = 86_400_000;
      const schedule = async (name: string, days: number) => {
        const secret = await store().secrets.getByName(name);
        if (!secret) throw new Error(`seed ${name} missing`);
        const outcome = deleteSecret(secret, { force: false, recoveryWindowDays: days, now: T0 });
        if (outcome.kind !== 'scheduled') throw new Error('expected a scheduled deletion');
        await store().secrets.save(outcome.secret);
      };
      await schedule('app/api', 7);
      await schedule('zeta', 30);
      // Pending secrets are listed like any other unless excluded.
      expect(await names({})).toEqual(ALL_SORTED);
      expect(await names({ existingAt: T0 })).toEqual(ALL_SORTED);
      // A window that ends exactly at `existingAt` has ended.
      expect(await names({ existingAt: T0 + 7 * day })).toEqual(ALL_SORTED.filter((n) => n !== 'app/api'));
      expect(await names({ existingAt: T0 + 7 * day - 1 })).toEqual(ALL_SORTED);
      expect(await names({ existingAt: T0 + 30 * day, namePrefixes: ['app/', 'zeta'] })).toEqual(['app/db']);
      expect(await names({ excludePendingDeletion: true })).toEqual(
        ALL_SORTED.filter((n) => n !== 'app/api' && n !== 'zeta'),
      );
      expect(await names({ excludePendingDeletion: true, tagValues: ['prod'] })).toEqual(['app/db']);
      const page = await store().secrets.list({ existingAt: T0 + 7 * day, offset: 0, limit: 2 });
      expect(page.total).toBe(6);
      expect(page.items.map((s) => s.name)).toEqual(['App/web', 'app/db']);
    });
  });
}
