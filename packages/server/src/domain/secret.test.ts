/**
 * Example tests of the secret aggregate, one rule each (docs/behaviour.md rules 1–12). The random-sequence tests live in secret.property.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from './errors.js';
import { DomainError } from './errors.js';
import type { Secret, SecretLimits } from './secret.js';
import {
  DEFAULT_SECRET_LIMITS,
  STAGE_CURRENT,
  STAGE_PREVIOUS,
  createSecret,
  deleteSecret,
  isExpired,
  listVersions,
  putVersion,
  resolveVersion,
  restoreSecret,
  stagesOf,
  tagSecret,
  untagSecret,
  updateDescription,
  updateVersionStage,
} from './secret.js';
import type { Tag } from './validation.js';
import {
  MAX_SECRET_DATA_BYTES,
  validateCustomStage,
  validateDescription,
  validateSecretData,
  validateSecretName,
  validateVersionId,
} from './validation.js';

const CUR = STAGE_CURRENT;
const PREV = STAGE_PREVIOUS;
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

function newSecret(overrides: { tags?: readonly Tag[]; limits?: SecretLimits } = {}): Secret {
  return createSecret(
    {
      id: 'sec-1',
      name: 'db/password',
      description: 'database password',
      encryptionKeyId: 'key-1',
      tags: overrides.tags ?? [],
      versionId: 'v1',
      dataType: 'text',
      now: T0,
      arnSuffix: 'Ab12Cd',
    },
    overrides.limits,
  );
}

let clock = T0;
function tick(): number {
  clock += 1_000;
  return clock;
}

function put(secret: Secret, versionId: string, stages?: readonly string[], limits?: SecretLimits): Secret {
  return putVersion(secret, { versionId, dataType: 'text', stages, now: tick() }, limits).secret;
}

/** A secret with versions v1..vN put one after the other without stages. */
function withVersions(n: number, limits?: SecretLimits): Secret {
  let secret = newSecret(limits === undefined ? {} : { limits });
  for (let i = 2; i <= n; i++) secret = put(secret, `v${i}`, undefined, limits);
  return secret;
}

function move(secret: Secret, stage: string, moveToVersion?: string, removeFromVersion?: string): Secret {
  return updateVersionStage(secret, { stage, moveToVersion, removeFromVersion, now: tick() });
}

/** Label → holder, as a plain object for readable assertions. */
function labels(secret: Secret): Record<string, string> {
  return Object.fromEntries(secret.stages);
}

function ids(secret: Secret): string[] {
  return secret.versions.map((v) => v.versionId);
}

function domainError(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, the call succeeded');
}

function expectCode(run: () => unknown, code: ErrorCode, field?: string): DomainError {
  const error = domainError(run);
  expect(error.code).toBe(code);
  if (field !== undefined) expect(error.details.field).toBe(field);
  return error;
}

function deepFreeze(secret: Secret): Secret {
  for (const v of secret.versions) Object.freeze(v);
  for (const t of secret.tags) Object.freeze(t);
  Object.freeze(secret.versions);
  Object.freeze(secret.tags);
  return Object.freeze(secret);
}

describe('createSecret', () => {
  it('labels the first version current and nothing else', () => {
    const secret = newSecret();
    expect(ids(secret)).toEqual(['v1']);
    expect(labels(secret)).toEqual({ [CUR]: 'v1' });
    expect(secret.plannedDeleteAt).toBeNull();
    expect(secret.createdAt).toBe(T0);
    expect(secret.updatedAt).toBe(T0);
    expect(resolveVersion(secret, {}).versionId).toBe('v1');
  });

  it('validates the name, the version id, the description and the tags', () => {
    const base = {
      id: 's',
      name: 'ok',
      description: '',
      encryptionKeyId: 'k',
      tags: [],
      versionId: 'v1',
      dataType: 'text',
      now: T0,
      arnSuffix: 'Ab12Cd',
    } as const;
    expectCode(() => createSecret({ ...base, name: 'acs/reserved' }), 'invalid_argument', 'secretName');
    expectCode(() => createSecret({ ...base, versionId: 'bad id' }), 'invalid_argument', 'versionId');
    expectCode(
      () => createSecret({ ...base, description: 'x'.repeat(1025) }),
      'invalid_argument',
      'description',
    );
    expectCode(
      () => createSecret({ ...base, tags: [{ key: 'aliyun:x', value: 'v' }] }),
      'invalid_argument',
      'tags',
    );
    const tooMany = Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expectCode(() => createSecret({ ...base, tags: tooMany }), 'limit_exceeded', 'tags');
  });
});

describe('putVersion', () => {
  it('without stages makes the new version current and the old current previous (seed table)', () => {
    const s1 = newSecret();
    const s2 = put(s1, 'v2');
    expect(labels(s2)).toEqual({ [CUR]: 'v2', [PREV]: 'v1' });
    const s3 = put(s2, 'v3');
    expect(labels(s3)).toEqual({ [CUR]: 'v3', [PREV]: 'v2' });
    // v1 is now unlabeled ("deprecated") but still there and readable by id.
    expect(stagesOf(s3, 'v1')).toEqual([]);
    expect(ids(s3)).toEqual(['v1', 'v2', 'v3']);
    expect(resolveVersion(s3, { versionId: 'v1' }).versionId).toBe('v1');
  });

  it('with ["MyPendingLabel"] labels only the new version and leaves current and previous alone', () => {
    const s2 = withVersions(2);
    const s3 = put(s2, 'v3', ['MyPendingLabel']);
    expect(labels(s3)).toEqual({ [CUR]: 'v2', [PREV]: 'v1', MyPendingLabel: 'v3' });
    expect(resolveVersion(s3, {}).versionId).toBe('v2');
  });

  it('takes a listed label away from the version that held it (one label, one version)', () => {
    const s = put(put(newSecret(), 'v2', ['Blue']), 'v3', ['Blue']);
    expect(labels(s)).toEqual({ [CUR]: 'v1', Blue: 'v3' });
  });

  it('with a list containing the current stage shifts current to previous', () => {
    const s = put(withVersions(2), 'v3', [CUR, 'Green']);
    expect(labels(s)).toEqual({ [CUR]: 'v3', [PREV]: 'v2', Green: 'v3' });
  });

  it('with both built-ins listed gives both to the new version (explicit previous wins)', () => {
    const s = put(withVersions(2), 'v3', [CUR, PREV]);
    expect(labels(s)).toEqual({ [CUR]: 'v3', [PREV]: 'v3' });
    expect(stagesOf(s, 'v3')).toEqual([CUR, PREV]);
  });

  it('with only the previous stage listed moves previous and leaves current', () => {
    const s = put(withVersions(2), 'v3', [PREV]);
    expect(labels(s)).toEqual({ [CUR]: 'v2', [PREV]: 'v3' });
  });

  it('refuses an existing version id: the service decides idempotency by comparing values', () => {
    const s = withVersions(2);
    const error = expectCode(() => put(s, 'v1'), 'secret_version_conflict');
    expect(error.details.resource).toBe('v1');
    expect(error.message).toContain('v1');
  });

  it('rejects an empty, duplicated or malformed stage list', () => {
    const s = newSecret();
    expectCode(() => put(s, 'v2', []), 'invalid_argument', 'versionStages');
    expectCode(() => put(s, 'v2', ['Blue', 'Blue']), 'invalid_argument', 'versionStages');
    expectCode(() => put(s, 'v2', ['no spaces']), 'invalid_argument', 'versionStages');
    expectCode(() => put(s, 'v2', ['ACSCurrent$']), 'invalid_argument', 'versionStages');
    expectCode(() => put(s, 'bad id'), 'invalid_argument', 'versionId');
  });

  it('rejects a 9th distinct label and leaves the secret as it was', () => {
    let s = newSecret();
    s = put(s, 'v2'); // current + previous
    for (const label of ['A', 'B', 'C', 'D', 'E', 'F']) s = put(s, `v-${label}`, [label]);
    expect(s.stages.size).toBe(8);
    const before = deepFreeze(s);
    const error = expectCode(() => put(before, 'v9', ['G']), 'limit_exceeded', 'versionStages');
    expect(error.message).toContain('8');
    expect(s.stages.size).toBe(8);
    // Reusing one of the 8 labels is fine.
    expect(labels(put(s, 'v9', ['A'])).A).toBe('v9');
  });

  it('counts the built-ins in the label cap', () => {
    const s = put(put(newSecret(), 'v2'), 'v3', ['A', 'B', 'C', 'D', 'E', 'F']);
    expect(s.stages.size).toBe(8);
    expectCode(() => put(s, 'v4', ['G']), 'limit_exceeded');
  });

  it('evicts the oldest unlabeled version past 10 versions, and reports it', () => {
    const s10 = withVersions(10);
    expect(ids(s10)).toHaveLength(10);
    const change = putVersion(s10, { versionId: 'v11', dataType: 'text', now: tick() });
    expect(change.evicted).toEqual(['v1']);
    expect(ids(change.secret)).toEqual(['v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v11']);
    expectCode(() => resolveVersion(change.secret, { versionId: 'v1' }), 'secret_version_not_found');
  });

  it('never evicts a labeled version: the oldest unlabeled one goes instead', () => {
    let s = put(newSecret(), 'v2', ['Keep']); // v1 current, v2 Keep
    for (let i = 3; i <= 10; i++) s = put(s, `v${i}`);
    // v1 lost current at v3 and previous at v4: unlabeled, the oldest. Label it to protect it.
    s = move(s, 'Pin', 'v1');
    const change = putVersion(s, { versionId: 'v11', dataType: 'text', now: tick() });
    expect(change.evicted).toEqual(['v3']);
    expect(ids(change.secret)).toContain('v1');
    expect(ids(change.secret)).toContain('v2');
  });

  it('evicts the version that just lost its last label in the same write', () => {
    const limits = { maxVersions: 2, maxStages: 8, maxTags: 20 };
    const s2 = withVersions(2, limits); // v1 previous, v2 current
    const change = putVersion(s2, { versionId: 'v3', dataType: 'text', now: tick() }, limits);
    expect(change.evicted).toEqual(['v1']);
    expect(labels(change.secret)).toEqual({ [CUR]: 'v3', [PREV]: 'v2' });
  });

  it('with smaller limits passed explicitly evicts at that cap', () => {
    const limits = { maxVersions: 3, maxStages: 3, maxTags: 20 };
    const s = withVersions(5, limits);
    expect(ids(s)).toEqual(['v3', 'v4', 'v5']);
  });

  it('does not mutate its input', () => {
    const s = deepFreeze(withVersions(10));
    const stages = [...s.stages];
    putVersion(s, { versionId: 'v11', dataType: 'binary', now: tick() });
    expect([...s.stages]).toEqual(stages);
    expect(ids(s)).toHaveLength(10);
  });

  it('stamps the version and the secret with the time of the write', () => {
    const change = putVersion(newSecret(), { versionId: 'v2', dataType: 'binary', now: T0 + 5 });
    expect(change.secret.updatedAt).toBe(T0 + 5);
    expect(resolveVersion(change.secret, { versionId: 'v2' })).toEqual({
      versionId: 'v2',
      createdAt: T0 + 5,
      dataType: 'binary',
    });
  });
});

describe('updateVersionStage', () => {
  it('moving current gives previous to the old holder (docs/behaviour.md rule 1)', () => {
    const s = move(withVersions(3), CUR, 'v1');
    expect(labels(s)).toEqual({ [CUR]: 'v1', [PREV]: 'v3' });
  });

  it('moving current with removeFrom naming its holder does the same', () => {
    const s = move(withVersions(3), CUR, 'v1', 'v3');
    expect(labels(s)).toEqual({ [CUR]: 'v1', [PREV]: 'v3' });
  });

  it('moving a label to the version that already holds it changes nothing', () => {
    const s = withVersions(3);
    expect(labels(move(s, CUR, 'v3'))).toEqual(labels(s));
    expect(labels(move(s, PREV, 'v2'))).toEqual(labels(s));
    const blue = put(s, 'v4', ['Blue']);
    expect(labels(move(blue, 'Blue', 'v4', 'v4'))).toEqual(labels(blue));
  });

  it('moving previous leaves current alone', () => {
    const s = move(withVersions(3), PREV, 'v1');
    expect(labels(s)).toEqual({ [CUR]: 'v3', [PREV]: 'v1' });
  });

  it('attaches a new custom label, and moving it detaches it from its old holder', () => {
    const s1 = move(withVersions(3), 'Blue', 'v1');
    expect(labels(s1)).toMatchObject({ Blue: 'v1' });
    const s2 = move(s1, 'Blue', 'v2', 'v1');
    expect(stagesOf(s2, 'v1')).toEqual([]);
    expect(stagesOf(s2, 'v2')).toEqual([PREV, 'Blue']);
  });

  it('removing a custom label (removeFrom only) detaches it', () => {
    const s = move(withVersions(2), 'Blue', 'v1');
    const removed = move(s, 'Blue', undefined, 'v1');
    expect(removed.stages.has('Blue')).toBe(false);
    expect(labels(removed)).toEqual({ [CUR]: 'v2', [PREV]: 'v1' });
  });

  it('rejects removing a built-in label', () => {
    const s = withVersions(2);
    expectCode(() => move(s, CUR, undefined, 'v2'), 'invalid_argument', 'moveToVersion');
    expectCode(() => move(s, PREV, undefined, 'v1'), 'invalid_argument', 'moveToVersion');
  });

  it('rejects removeFrom naming a version that does not carry the label', () => {
    const s = move(withVersions(3), 'Blue', 'v1');
    expectCode(() => move(s, 'Blue', undefined, 'v2'), 'invalid_argument', 'removeFromVersion');
    expectCode(() => move(s, 'Blue', 'v3', 'v2'), 'invalid_argument', 'removeFromVersion');
    expectCode(() => move(s, CUR, 'v1', 'v2'), 'invalid_argument', 'removeFromVersion');
    // A label nobody carries cannot be removed from anyone either.
    expectCode(() => move(s, 'Green', undefined, 'v1'), 'invalid_argument', 'removeFromVersion');
  });

  it('rejects a call naming neither version', () => {
    expectCode(() => move(withVersions(2), 'Blue'), 'missing_argument');
  });

  it('rejects unknown versions and malformed labels', () => {
    const s = withVersions(2);
    expectCode(() => move(s, 'Blue', 'v9'), 'secret_version_not_found');
    expectCode(() => move(s, CUR, 'v2', 'v9'), 'secret_version_not_found');
    expectCode(() => move(s, 'bad label', 'v1'), 'invalid_argument', 'versionStage');
  });

  it('rejects a 9th label', () => {
    let s = withVersions(2);
    for (const label of ['A', 'B', 'C', 'D', 'E', 'F']) s = move(s, label, 'v1');
    expect(s.stages.size).toBe(8);
    expectCode(() => move(s, 'G', 'v1'), 'limit_exceeded', 'versionStages');
    // Moving one of the 8 is fine, and a removal frees a slot.
    expect(labels(move(s, 'A', 'v2')).A).toBe('v2');
    expect(labels(move(move(s, 'A', undefined, 'v1'), 'G', 'v2')).G).toBe('v2');
  });

  it('a version that loses its last label becomes deprecated but stays readable', () => {
    const s = move(move(withVersions(2), CUR, 'v1'), PREV, 'v1');
    expect(stagesOf(s, 'v2')).toEqual([]);
    expect(resolveVersion(s, { versionId: 'v2' }).versionId).toBe('v2');
    expect(listVersions(s, false).map((v) => v.versionId)).toEqual(['v1']);
  });

  it('does not mutate its input', () => {
    const s = deepFreeze(withVersions(3));
    const stages = [...s.stages];
    move(s, CUR, 'v1');
    expect([...s.stages]).toEqual(stages);
  });
});

describe('resolveVersion', () => {
  const s = put(withVersions(3), 'v4', ['Blue']); // v3 current, v2 previous, v4 Blue, v1 none

  it('reads current without a selector, and by stage or id', () => {
    expect(resolveVersion(s, {}).versionId).toBe('v3');
    expect(resolveVersion(s, { stage: PREV }).versionId).toBe('v2');
    expect(resolveVersion(s, { stage: 'Blue' }).versionId).toBe('v4');
    expect(resolveVersion(s, { versionId: 'v1' }).versionId).toBe('v1');
  });

  it('with id and stage returns the version only if it carries the stage (docs/behaviour.md rule 6)', () => {
    expect(resolveVersion(s, { versionId: 'v4', stage: 'Blue' }).versionId).toBe('v4');
    expectCode(
      () => resolveVersion(s, { versionId: 'v3', stage: 'Blue' }),
      'invalid_argument',
      'versionStage',
    );
    expectCode(() => resolveVersion(s, { versionId: 'v1', stage: CUR }), 'invalid_argument');
  });

  it('reports an unknown version as secret_version_not_found naming it', () => {
    const error = expectCode(() => resolveVersion(s, { versionId: 'v9' }), 'secret_version_not_found');
    expect(error.details.resource).toBe('v9');
    expectCode(() => resolveVersion(s, { versionId: 'v9', stage: CUR }), 'secret_version_not_found');
  });

  it('reports an unknown stage as secret_stage_not_found naming it', () => {
    const error = expectCode(() => resolveVersion(s, { stage: 'Green' }), 'secret_stage_not_found');
    expect(error.details.resource).toBe('Green');
    expectCode(() => resolveVersion(newSecret(), { stage: PREV }), 'secret_stage_not_found');
  });
});

describe('listVersions', () => {
  const s = put(withVersions(4), 'v5', ['Blue']); // v4 current, v3 previous, v5 Blue; v1, v2 deprecated

  it('hides deprecated (unlabeled) versions unless asked, newest first', () => {
    expect(listVersions(s, false).map((v) => v.versionId)).toEqual(['v5', 'v4', 'v3']);
    expect(listVersions(s, true).map((v) => v.versionId)).toEqual(['v5', 'v4', 'v3', 'v2', 'v1']);
  });

  it('does not reorder the secret itself', () => {
    listVersions(s, true);
    expect(ids(s)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
  });

  it('lists built-ins first, then custom labels in order, for each version', () => {
    const t = move(move(move(s, 'Zed', 'v4'), 'Alpha', 'v4'), PREV, 'v4');
    expect(stagesOf(t, 'v4')).toEqual([CUR, PREV, 'Alpha', 'Zed']);
  });
});

describe('deleteSecret and restoreSecret', () => {
  it('schedules deletion after a window of 7 to 30 days, default 30', () => {
    const s = newSecret();
    for (const days of [7, 15, 30]) {
      const outcome = deleteSecret(s, { recoveryWindowDays: days, force: false, now: T0 });
      expect(outcome).toEqual({
        kind: 'scheduled',
        secret: { ...s, plannedDeleteAt: T0 + days * DAY_MS, updatedAt: T0 },
      });
    }
    const byDefault = deleteSecret(s, { force: false, now: T0 });
    expect(byDefault.kind === 'scheduled' && byDefault.secret.plannedDeleteAt).toBe(T0 + 30 * DAY_MS);
  });

  it('rejects windows outside 7–30 or not whole days', () => {
    const s = newSecret();
    for (const days of [6, 31, 7.5, 0, -7, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectCode(
        () => deleteSecret(s, { recoveryWindowDays: days, force: false, now: T0 }),
        'invalid_argument',
        'recoveryWindowInDays',
      );
    }
  });

  it('force destroys at once, with the current time, even a secret pending deletion', () => {
    const s = newSecret();
    expect(deleteSecret(s, { force: true, now: T0 + 9 })).toEqual({ kind: 'destroyed', deletedAt: T0 + 9 });
    const pending = scheduled(s);
    expect(deleteSecret(pending, { force: true, now: T0 + 9 })).toEqual({
      kind: 'destroyed',
      deletedAt: T0 + 9,
    });
    // The window is irrelevant when forced.
    expect(deleteSecret(s, { force: true, recoveryWindowDays: 2, now: T0 }).kind).toBe('destroyed');
  });

  it('refuses every change to a secret pending deletion (docs/behaviour.md rule 10)', () => {
    const pending = scheduled(withVersions(2));
    const code = 'secret_pending_deletion';
    expectCode(() => put(pending, 'v3'), code);
    expectCode(() => put(pending, 'v1'), code); // even a re-put of an existing id
    expectCode(() => move(pending, CUR, 'v1'), code);
    expectCode(() => move(pending, 'Blue', 'v1'), code);
    expectCode(() => updateDescription(pending, 'x', T0), code);
    expectCode(() => tagSecret(pending, [{ key: 'k', value: 'v' }], T0), code);
    expectCode(() => untagSecret(pending, ['k'], T0), code);
    expectCode(() => deleteSecret(pending, { recoveryWindowDays: 7, force: false, now: T0 }), code);
  });

  it('restore brings a pending secret back as it was', () => {
    const s = withVersions(3);
    const restored = restoreSecret(scheduled(s), T0 + 100);
    expect(restored.plannedDeleteAt).toBeNull();
    expect(restored.updatedAt).toBe(T0 + 100);
    expect(restored.versions).toEqual(s.versions);
    expect(restored.stages).toEqual(s.stages);
    expect(ids(put(restored, 'v4'))).toContain('v4');
  });

  it('restore of a secret that is not pending deletion changes nothing (docs/behaviour.md rule 12)', () => {
    const s = newSecret();
    expect(restoreSecret(s, T0 + 100)).toBe(s);
  });

  it('a secret is expired once its planned deletion time has come', () => {
    const pending = scheduled(newSecret(), 7);
    expect(isExpired(pending, T0 + 7 * DAY_MS - 1)).toBe(false);
    expect(isExpired(pending, T0 + 7 * DAY_MS)).toBe(true);
    expect(isExpired(newSecret(), T0 + 365 * DAY_MS)).toBe(false);
  });
});

function scheduled(secret: Secret, days = 30): Secret {
  const outcome = deleteSecret(secret, { recoveryWindowDays: days, force: false, now: T0 });
  if (outcome.kind !== 'scheduled') throw new Error('expected a scheduled deletion');
  return outcome.secret;
}

describe('tags', () => {
  const tags = (secret: Secret) => Object.fromEntries(secret.tags.map((t) => [t.key, t.value]));

  it('merges new keys and overwrites the value of an existing key', () => {
    const s = tagSecret(
      newSecret({ tags: [{ key: 'env', value: 'dev' }] }),
      [
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'core' },
      ],
      T0 + 1,
    );
    expect(tags(s)).toEqual({ env: 'prod', team: 'core' });
    expect(s.tags).toHaveLength(2);
    expect(s.updatedAt).toBe(T0 + 1);
  });

  it('allows 20 tags, including overwrites at 20, and rejects the 21st', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    const s = newSecret({ tags: twenty });
    expect(tags(tagSecret(s, [{ key: 'k0', value: 'new' }], T0)).k0).toBe('new');
    expectCode(() => tagSecret(s, [{ key: 'k20', value: 'v' }], T0), 'limit_exceeded', 'tags');
    const nineteen = newSecret({ tags: twenty.slice(0, 19) });
    expectCode(
      () =>
        tagSecret(
          nineteen,
          [
            { key: 'a', value: 'v' },
            { key: 'b', value: 'v' },
          ],
          T0,
        ),
      'limit_exceeded',
    );
    expect(DEFAULT_SECRET_LIMITS.maxTags).toBe(20);
  });

  it('rejects reserved key prefixes, bad characters, bad lengths and a key named twice', () => {
    const s = newSecret();
    for (const tag of [
      { key: 'aliyun', value: 'v' },
      { key: 'aliyunTeam', value: 'v' },
      { key: 'acs:owner', value: 'v' },
      { key: 'k', value: '' },
      { key: '', value: 'v' },
      { key: 'k'.repeat(129), value: 'v' },
      { key: 'k', value: 'v'.repeat(129) },
      { key: 'k#', value: 'v' },
      { key: 'k', value: 'é' },
    ]) {
      expectCode(() => tagSecret(s, [tag], T0), 'invalid_argument', 'tags');
    }
    expectCode(
      () =>
        tagSecret(
          s,
          [
            { key: 'k', value: 'a' },
            { key: 'k', value: 'b' },
          ],
          T0,
        ),
      'invalid_argument',
      'tags',
    );
  });

  it('accepts the whole documented alphabet and the unreserved neighbours of the reserved prefixes', () => {
    const s = tagSecret(
      newSecret(),
      [
        { key: 'a-Z_0.9+=:@/\\ x', value: 'k'.repeat(128) },
        { key: 'acs', value: 'v' },
        { key: 'acs-team', value: 'v' },
        { key: 'ali', value: 'v' },
      ],
      T0,
    );
    expect(s.tags).toHaveLength(4);
  });

  it('untag removes the named keys and ignores keys the secret does not carry', () => {
    const s = newSecret({
      tags: [
        { key: 'env', value: 'dev' },
        { key: 'team', value: 'core' },
      ],
    });
    const u = untagSecret(s, ['env', 'missing'], T0 + 2);
    expect(tags(u)).toEqual({ team: 'core' });
    expect(u.updatedAt).toBe(T0 + 2);
    expectCode(() => untagSecret(s, [''], T0), 'invalid_argument', 'tagKeys');
    expectCode(() => untagSecret(s, ['k'.repeat(129)], T0), 'invalid_argument', 'tagKeys');
  });
});

describe('updateDescription', () => {
  it('sets the description up to 1,024 characters', () => {
    const s = updateDescription(newSecret(), 'd'.repeat(1024), T0 + 3);
    expect(s.description).toHaveLength(1024);
    expect(s.updatedAt).toBe(T0 + 3);
    expectCode(() => updateDescription(newSecret(), 'd'.repeat(1025), T0), 'invalid_argument', 'description');
  });
});

/** Every value passes `validate`. */
function acceptsAll(validate: (value: string) => void, values: readonly string[]): void {
  for (const value of values) {
    expect(
      () => {
        validate(value);
      },
      value.slice(0, 40),
    ).not.toThrow();
  }
}

/** Every value fails `validate` with invalid_argument on `field`. */
function rejectsAll(validate: (value: string) => void, values: readonly string[], field: string): void {
  for (const value of values) {
    const error = domainError(() => {
      validate(value);
    });
    expect([error.code, error.details.field], value.slice(0, 40)).toEqual(['invalid_argument', field]);
  }
}

const asText = (data: string): void => {
  validateSecretData(data, 'text');
};
const asBinary = (data: string): void => {
  validateSecretData(data, 'binary');
};

describe('validation', () => {
  it('secret names: 1–192 of letters, digits and _ / + = . @ -; "acs/" is reserved', () => {
    acceptsAll(validateSecretName, ['a', 'n'.repeat(192), 'db/prod_1+x=y.z@host-2', 'acs', 'my/acs/x']);
    rejectsAll(
      validateSecretName,
      ['', 'n'.repeat(193), 'has space', 'semi;colon', 'ü', 'acs/x', 'acs/'],
      'secretName',
    );
  });

  it('version ids: 1–64 of letters, digits and _ . + = @ : / -', () => {
    acceptsAll(validateVersionId, [
      'v',
      'i'.repeat(64),
      'a_b.c+d=e@f:g/h-i',
      '00000000-0000-0000-0000-000000000000',
    ]);
    rejectsAll(validateVersionId, ['', 'i'.repeat(65), 'v 1', '$current', 'v#1', 'vé'], 'versionId');
  });

  it('custom stage labels: the version-id alphabet, so never a built-in ($...)', () => {
    acceptsAll(validateCustomStage, ['MyPendingLabel', 'ACSCurrent', 'l'.repeat(64), 'a:b/c']);
    rejectsAll(validateCustomStage, ['', 'l'.repeat(65), CUR, PREV, 'has space'], 'versionStage');
  });

  it('descriptions: at most 1,024 characters', () => {
    acceptsAll(validateDescription, ['', 'd'.repeat(1024)]);
    rejectsAll(validateDescription, ['d'.repeat(1025)], 'description');
  });

  it('secret data: at most 30,720 bytes of UTF-8, multi-byte characters counted as bytes', () => {
    expect(MAX_SECRET_DATA_BYTES).toBe(30_720);
    acceptsAll(asText, ['', 'a'.repeat(30_720)]);
    rejectsAll(asText, ['a'.repeat(30_721)], 'secretData');
    // "é" is 2 bytes: 15,360 of them fill the limit; 15,361 (far fewer than 30,720 characters) pass it.
    // "€" is 3 bytes; "😀" is 4 bytes and 2 UTF-16 code units.
    acceptsAll(asText, [
      'é'.repeat(15_360),
      '€'.repeat(10_240),
      '😀'.repeat(7_680),
      `${'a'.repeat(30_718)}é`,
    ]);
    rejectsAll(
      asText,
      ['é'.repeat(15_361), '€'.repeat(10_241), '😀'.repeat(7_681), `${'a'.repeat(30_719)}é`],
      'secretData',
    );
  });

  it('binary data: standard padded base64, size counted on the base64 text', () => {
    acceptsAll(asBinary, ['', 'YQ==', 'YWI=', 'YWJj', 'AAECAwQFBgc+/w==', 'A'.repeat(30_720)]);
    rejectsAll(
      asBinary,
      ['YQ', 'YQ=', 'Y', 'YWJj\n', 'YW Jj', 'YWJj====', '-_8=', 'YQ==YQ==', 'é', 'A'.repeat(30_724)],
      'secretData',
    );
    // Text is not held to base64.
    acceptsAll(asText, ['not base64!']);
  });
});
