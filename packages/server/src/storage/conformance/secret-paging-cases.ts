/**
 * Conformance cases for paging through long secret listings: by position (offset, as page numbers
 * are) and by name (`after`, as continuation tokens are). Enough secrets that pages lie past several
 * page boundaries a store may keep (storage/kysely/page-boundaries.ts), with filters, and with
 * secrets created, changed and destroyed between pages.
 */
import { beforeEach, describe, expect, it } from 'vitest';

import { deleteSecret, restoreSecret, tagSecret } from '../../domain/secret.js';
import type { Secret } from '../../domain/secret.js';
import type { SecretListQuery } from '../store.js';
import { ciphertextFor, makeSecret, T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

const COUNT = 250;
const DAY = 86_400_000;
/** First characters spread over code-point order: punctuation, digits, upper case, `_`, lower case. */
const LEADS = ['a', 'B', 'z', 'A/', 'a-', 'a.', 'a_', 'a@', 'a=', 'a+', '0', '9x', 'Z', '_'];

/** Secret `i`: scattered names, a `team` tag on every third, description `five` on every fifth. */
function seed(i: number): Secret {
  const name = `${LEADS[i % LEADS.length] ?? ''}${((i * 7919) % 1000).toString(36)}-${i}`;
  return makeSecret({
    name,
    description: i % 5 === 0 ? 'five' : '',
    tags: i % 3 === 0 ? [{ key: 'team', value: i % 2 === 0 ? 'red' : 'blue' }] : [],
    now: T0 + i,
  });
}

/** Code-point order (the listing's), not UTF-16 order: the names here are ASCII, where both agree. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Registers the paging cases. */
export function describeSecretPagingCases(store: StoreRef): void {
  describe('secret listings paged', () => {
    /** The stored secrets by name, kept in step with what each case changes. */
    let secrets: Map<string, Secret>;

    beforeEach(async () => {
      secrets = new Map();
      const all = Array.from({ length: COUNT }, (_, i) => seed(i));
      await store().transaction(async (tx) => {
        for (const [i, secret] of all.entries()) await tx.secrets.insert(secret, ciphertextFor(i));
      });
      for (const secret of all) secrets.set(secret.name, secret);
    });

    const sorted = (keep: (s: Secret) => boolean = () => true) =>
      [...secrets.values()]
        .filter(keep)
        .map((s) => s.name)
        .sort(byName);

    async function page(query: Partial<SecretListQuery>, offset: number, limit: number) {
      const result = await store().secrets.list({ ...query, offset, limit });
      return { names: result.items.map((s) => s.name), total: result.total };
    }

    /** Every page by position until one comes back short; checks each page's total. */
    async function walk(
      query: Partial<SecretListQuery>,
      limit: number,
      expected: string[],
    ): Promise<string[]> {
      const names: string[] = [];
      for (let offset = 0; ; offset += limit) {
        const result = await page(query, offset, limit);
        expect(result.total).toBe(expected.length);
        expect(result.names).toEqual(expected.slice(offset, offset + limit));
        names.push(...result.names);
        if (result.names.length < limit) return names;
      }
    }

    it('pages by position hold every secret exactly once, in code-point order, at any page size', async () => {
      const expected = sorted();
      expect(expected).toHaveLength(COUNT);
      for (const limit of [7, 100, 101, COUNT, COUNT + 50]) {
        expect(await walk({}, limit, expected)).toEqual(expected);
      }
      // A page read again (a store may answer it from kept boundaries now) is the same page.
      expect(await page({}, 200, 10)).toEqual({ names: expected.slice(200, 210), total: COUNT });
      expect(await page({}, 200, 10)).toEqual({ names: expected.slice(200, 210), total: COUNT });
      // Past the end: nothing, with the total.
      expect(await page({}, COUNT, 10)).toEqual({ names: [], total: COUNT });
      expect(await page({}, COUNT + 1_000, 10)).toEqual({ names: [], total: COUNT });
    });

    it('pages by position honour every filter, deep pages included', async () => {
      const tagged = (s: Secret, value?: string) =>
        s.tags.some((t) => t.key === 'team' && (value === undefined || t.value === value));
      const cases: [Partial<SecretListQuery>, (s: Secret) => boolean][] = [
        [{ tagKeys: ['team'] }, (s) => tagged(s)],
        [{ tagValues: ['red'] }, (s) => tagged(s, 'red')],
        [{ descriptions: ['five'] }, (s) => s.description === 'five'],
        [{ namePrefixes: ['a', 'Z'] }, (s) => s.name.startsWith('a') || s.name.startsWith('Z')],
        [{ namePrefixes: ['a'], tagKeys: ['team'] }, (s) => s.name.startsWith('a') && tagged(s)],
        [{ secretTypes: ['Generic'] }, () => true],
        [{ secretTypes: [] }, () => false],
      ];
      for (const [query, keep] of cases) {
        const expected = sorted(keep);
        expect(await walk(query, 9, expected)).toEqual(expected);
      }
    });

    it('pages by name (after) hold every secret once; the total ignores the position', async () => {
      const expected = sorted();
      const names: string[] = [];
      let after: string | undefined;
      for (;;) {
        const result = await store().secrets.list({ after, offset: 0, limit: 40 });
        expect(result.total).toBe(COUNT);
        names.push(...result.items.map((s) => s.name));
        if (result.items.length < 40) break;
        after = result.items[result.items.length - 1]?.name;
      }
      expect(names).toEqual(expected);
      // After a name that is not stored: from the next one on; after the last: nothing.
      const between = `${expected[99] ?? ''}0`;
      const next = await store().secrets.list({ after: between, offset: 0, limit: 3 });
      expect(next.items.map((s) => s.name)).toEqual(expected.filter((n) => n > between).slice(0, 3));
      const end = await store().secrets.list({ after: expected[COUNT - 1], offset: 0, limit: 3 });
      expect(end).toEqual({ items: [], total: COUNT });
      // Filters and a skip after the position.
      const teams = sorted((s) => s.tags.length > 0);
      const teamPage = await store().secrets.list({
        tagKeys: ['team'],
        after: teams[40],
        offset: 2,
        limit: 5,
      });
      expect(teamPage.items.map((s) => s.name)).toEqual(teams.slice(43, 48));
      expect(teamPage.total).toBe(teams.length);
    });

    it('a secret created, changed or destroyed between pages moves later positions at once', async () => {
      expect(await page({}, 150, 20)).toEqual({ names: sorted().slice(150, 170), total: COUNT });
      // Created: sorts before every other name (`+` comes before digits and letters).
      const early = makeSecret({ name: '+early' });
      await store().secrets.insert(early, ciphertextFor(1));
      secrets.set(early.name, early);
      expect(await page({}, 150, 20)).toEqual({ names: sorted().slice(150, 170), total: COUNT + 1 });
      // Destroyed: two from the first page.
      for (const name of sorted().slice(1, 3)) {
        await store().secrets.destroy(secrets.get(name)?.id ?? '');
        secrets.delete(name);
      }
      expect(await page({}, 150, 20)).toEqual({ names: sorted().slice(150, 170), total: COUNT - 1 });

      // Changed: a tag added moves a secret into a filtered listing.
      const team = (s: Secret) => s.tags.some((t) => t.key === 'team');
      expect(await page({ tagKeys: ['team'] }, 60, 10)).toEqual({
        names: sorted(team).slice(60, 70),
        total: sorted(team).length,
      });
      const untagged = secrets.get(sorted((s) => !team(s))[0] ?? '');
      if (untagged === undefined) throw new Error('no untagged secret');
      const tagged = tagSecret(untagged, [{ key: 'team', value: 'green' }], T0 + DAY);
      await store().secrets.save(tagged);
      secrets.set(tagged.name, tagged);
      expect(await page({ tagKeys: ['team'] }, 60, 10)).toEqual({
        names: sorted(team).slice(60, 70),
        total: sorted(team).length,
      });
    });

    it('deletion dates move positions: when scheduled, restored, and when the window ends', async () => {
      const names = sorted();
      const schedule = async (name: string, days: number) => {
        const secret = secrets.get(name);
        const outcome = secret && deleteSecret(secret, { force: false, recoveryWindowDays: days, now: T0 });
        if (outcome?.kind !== 'scheduled') throw new Error('expected a scheduled deletion');
        await store().secrets.save(outcome.secret);
        secrets.set(name, outcome.secret);
      };
      const existing = (at: number) => (s: Secret) => s.plannedDeleteAt === null || s.plannedDeleteAt > at;
      const pending = (s: Secret) => s.plannedDeleteAt === null;
      expect(await page({ excludePendingDeletion: true }, 120, 10)).toEqual({
        names: names.slice(120, 130),
        total: COUNT,
      });
      expect(await page({ existingAt: T0 }, 120, 10)).toEqual({ names: names.slice(120, 130), total: COUNT });
      await schedule(names[3] ?? '', 7);
      await schedule(names[5] ?? '', 30);
      expect(await page({ excludePendingDeletion: true }, 120, 10)).toEqual({
        names: sorted(pending).slice(120, 130),
        total: COUNT - 2,
      });
      // No write between these: only time passes, and secrets whose window ended leave the listing.
      for (const at of [T0 + DAY, T0 + 7 * DAY - 1, T0 + 7 * DAY, T0 + 30 * DAY, T0 + 31 * DAY]) {
        expect(await page({ existingAt: at }, 120, 10)).toEqual({
          names: sorted(existing(at)).slice(120, 130),
          total: sorted(existing(at)).length,
        });
      }
      const restored = restoreSecret(secrets.get(names[3] ?? '') as Secret, T0 + DAY);
      await store().secrets.save(restored);
      secrets.set(restored.name, restored);
      expect(await page({ excludePendingDeletion: true }, 120, 10)).toEqual({
        names: sorted(pending).slice(120, 130),
        total: COUNT - 1,
      });
    });

    it('pages by name see each secret that exists throughout once while others come and go', async () => {
      const first = await store().secrets.list({ offset: 0, limit: 100 });
      const seen = first.items.map((s) => s.name);
      const position = seen[seen.length - 1] ?? '';
      // Between pages: one created behind the position, one ahead of it, one ahead destroyed.
      const behind = makeSecret({ name: '+behind' });
      const ahead = makeSecret({ name: 'zz-ahead' });
      const gone = sorted().filter((n) => n > position)[10] ?? '';
      await store().secrets.insert(behind, ciphertextFor(2));
      await store().secrets.insert(ahead, ciphertextFor(3));
      await store().secrets.destroy(secrets.get(gone)?.id ?? '');
      for (let after = position; ;) {
        const next = await store().secrets.list({ after, offset: 0, limit: 100 });
        seen.push(...next.items.map((s) => s.name));
        if (next.items.length < 100) break;
        after = next.items[next.items.length - 1]?.name ?? '';
      }
      const expected = [...sorted().filter((n) => n !== gone), ahead.name].sort(byName);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('a page read while secrets are created is the page of one state, never a mix', async () => {
      for (let round = 0; round < 8; round += 1) {
        const before = sorted();
        const created = makeSecret({ name: `+during-${round}` });
        // Read once alone first, so a store that keeps page boundaries has them when the write begins.
        await page({}, 150, 20);
        const pages = await Promise.all([
          page({}, 150, 20),
          page({}, 0, 5),
          page({}, 150, 20),
          store()
            .secrets.insert(created, ciphertextFor(round))
            .then(() => page({}, 150, 20)),
        ]);
        secrets.set(created.name, created);
        const after = sorted();
        for (const [i, result] of pages.entries()) {
          const [offset, limit] = i === 1 ? [0, 5] : [150, 20];
          // The read after the write ended sees it.
          if (i === 3) expect(result).toEqual({ names: after.slice(150, 170), total: after.length });
          const states = [before, after].map((names) => ({
            names: names.slice(offset, offset + limit),
            total: names.length,
          }));
          expect(states).toContainEqual(result);
        }
      }
    });

    it('a transaction changes pages once it commits, and not at all when it rolls back', async () => {
      const before = await page({}, 200, 10);
      const early = makeSecret({ name: '+rolled-back' });
      await expect(
        store().transaction(async (tx) => {
          await tx.secrets.insert(early, ciphertextFor(4));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await page({}, 200, 10)).toEqual(before);
      const kept = makeSecret({ name: '+committed' });
      await store().transaction((tx) => tx.secrets.insert(kept, ciphertextFor(5)));
      secrets.set(kept.name, kept);
      expect(await page({}, 200, 10)).toEqual({ names: sorted().slice(200, 210), total: COUNT + 1 });
    });
  });
}
