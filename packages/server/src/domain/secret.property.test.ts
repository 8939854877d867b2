/**
 * Model-based property tests of the secret aggregate (docs/behaviour.md rules
 * 1–12). Random sequences of puts, re-puts, stage updates, tag changes, deletes and restores run
 * against the real functions and, side by side, against a small reference model written in a different
 * shape (a label *set* per version instead of a label → version map). After every step the test checks
 * that
 *  - the real functions did not mutate their input, and a step that threw left the old state in place;
 *  - the real result equals the model (versions in order, every label's holder, tags, deletion state)
 *    and a thrown error is one the model allows;
 *  - the invariants hold on their own: every label points at an existing version, `$current` is always
 *    there and on exactly one version, a move of `$current` from A to B puts `$previous` on A, evicted
 *    versions carried no label and were the oldest unlabeled ones, the version and label caps hold,
 *    version ids are unique and in creation order;
 *  - every surviving version reads back (by id, by stage, by id + stage) with the value the test wrote.
 *
 * PutSecretValue with an existing version id is decided by the service (docs/behaviour.md rule 2): the domain answers
 * `secret_version_conflict`, and the harness, like the service, treats the same value as an idempotent
 * no-op and a different value as rejected, keeping a side map of version id → value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from './errors.js';
import { isDomainError } from './errors.js';
import type { Secret, SecretLimits } from './secret.js';
import {
  DEFAULT_SECRET_LIMITS,
  STAGE_CURRENT,
  STAGE_PREVIOUS,
  createSecret,
  deleteSecret,
  listVersions,
  putVersion,
  resolveVersion,
  restoreSecret,
  stagesOf,
  tagSecret,
  untagSecret,
  updateVersionStage,
} from './secret.js';
import type { SecretDataType, Tag } from './validation.js';

const CUR = STAGE_CURRENT;
const PREV = STAGE_PREVIOUS;
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

/** Two built-ins and seven custom labels: nine in all, so the 8-label cap is reachable. */
const VALID_LABELS = [CUR, PREV, 'Pending', 'Staging', 'Blue', 'Green', 'Canary', 'Old', 'Test'] as const;
/** Labels the model must reject; the model knows them by name, not by re-implementing the regex. */
const INVALID_LABELS = ['', 'has space', 'ACSCurrent$', 'x'.repeat(65), 'ünicode'] as const;
const INVALID_LABEL_SET: ReadonlySet<string> = new Set(INVALID_LABELS);
const TAG_KEYS = ['env', 'team', 'app', 'tier', 'owner', 'cost'] as const;
const RESERVED_TAG_KEYS = ['aliyun-x', 'acs:owner'] as const;
const RESERVED_TAG_KEY_SET: ReadonlySet<string> = new Set(RESERVED_TAG_KEYS);
const VALUES: Record<SecretDataType, readonly string[]> = {
  text: ['alpha', 'beta'],
  binary: ['YWxwaGE=', 'YmV0YQ=='],
};

// ---------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------

/** Which version an operation names; indices are taken modulo the live list so shrinking stays valid. */
type VersionRef =
  | { readonly kind: 'index'; readonly index: number }
  /** Whichever version holds the stage the operation is about (the valid removeFrom most of the time). */
  | { readonly kind: 'holder' }
  | { readonly kind: 'unknown' };

type PutId =
  | { readonly kind: 'fresh' }
  /** Any id issued before: a live one (re-put) or an evicted one (a new version again). */
  | { readonly kind: 'reuse'; readonly index: number }
  | { readonly kind: 'invalid' };

type Op =
  | {
      readonly kind: 'put';
      readonly id: PutId;
      readonly dataType: SecretDataType;
      readonly valueIndex: number;
      readonly stages: readonly string[] | undefined;
    }
  | {
      readonly kind: 'update';
      readonly stage: string;
      readonly move: VersionRef | undefined;
      readonly removeFrom: VersionRef | undefined;
    }
  | { readonly kind: 'delete'; readonly days: number | undefined; readonly force: boolean }
  | { readonly kind: 'restore' }
  | { readonly kind: 'tag'; readonly tags: readonly Tag[] }
  | { readonly kind: 'untag'; readonly keys: readonly string[] };

const labelArb = fc.constantFrom(...VALID_LABELS);
const anyLabelArb = fc.oneof(
  { weight: 12, arbitrary: labelArb },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID_LABELS) },
);

const stageListArb: fc.Arbitrary<readonly string[] | undefined> = fc.option(
  fc.oneof(
    { weight: 10, arbitrary: fc.uniqueArray(labelArb, { minLength: 1, maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(labelArb, { minLength: 2, maxLength: 4 }) }, // duplicates likely
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.tuple(labelArb, fc.constantFrom(...INVALID_LABELS)).map(([a, b]) => [a, b]) },
  ),
  { nil: undefined, freq: 2 },
);

const putIdArb: fc.Arbitrary<PutId> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'fresh' as const }) },
  // Small indices name the oldest ids, the ones most likely evicted by now.
  {
    weight: 3,
    arbitrary: fc.oneof(fc.nat(3), fc.nat(40)).map((index) => ({ kind: 'reuse' as const, index })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'invalid' as const }) },
);

const versionRefArb: fc.Arbitrary<VersionRef> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(20).map((index) => ({ kind: 'index' as const, index })) },
  { weight: 3, arbitrary: fc.constant({ kind: 'holder' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unknown' as const }) },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 16,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      id: putIdArb,
      dataType: fc.constantFrom<SecretDataType>('text', 'binary'),
      valueIndex: fc.nat(1),
      stages: stageListArb,
    }),
  },
  {
    weight: 9,
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      stage: anyLabelArb,
      move: fc.option(versionRefArb, { nil: undefined, freq: 4 }),
      removeFrom: fc.option(versionRefArb, { nil: undefined, freq: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      days: fc.oneof(fc.constant(undefined), fc.integer({ min: 5, max: 32 }), fc.constant(7.5)),
      force: fc.nat(5).map((n) => n === 0),
    }),
  },
  { weight: 4, arbitrary: fc.constant({ kind: 'restore' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tag' as const),
      tags: fc.array(
        fc.record({
          key: fc.oneof(
            { weight: 12, arbitrary: fc.constantFrom<string>(...TAG_KEYS) },
            { weight: 1, arbitrary: fc.constantFrom<string>(...RESERVED_TAG_KEYS) },
          ),
          value: fc.constantFrom('a', 'b'),
        }),
        { minLength: 0, maxLength: 3 },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('untag' as const),
      keys: fc.array(
        fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom<string>(...TAG_KEYS) },
          { weight: 1, arbitrary: fc.constant('') },
        ),
        {
          maxLength: 3,
        },
      ),
    }),
  },
);

/**
 * `size: 'max'` spreads lengths over 0..40 (the default size would cap them near 10, short of the version
 * cap); no minLength, so shrinking can drop every operation after the failing one.
 */
const opsArb = fc.array(opArb, { maxLength: 40, size: 'max' });

// ---------------------------------------------------------------------------------------------------
// Reference model
// ---------------------------------------------------------------------------------------------------

interface WrittenValue {
  readonly value: string;
  readonly dataType: SecretDataType;
  readonly createdAt: number;
}

interface Model {
  /** Version ids, oldest first. */
  readonly order: readonly string[];
  /** Version id → the labels it carries. */
  readonly labels: ReadonlyMap<string, ReadonlySet<string>>;
  /** The side map: version id → what was written, for every version that should still exist. */
  readonly values: ReadonlyMap<string, WrittenValue>;
  readonly tags: ReadonlyMap<string, string>;
  readonly plannedDeleteAt: number | null;
}

type ModelResult =
  | { readonly ok: true; readonly model: Model; readonly evicted: readonly string[] }
  | {
      readonly ok: false;
      readonly codes: readonly ErrorCode[];
      /** The put would pass the version cap with every version labeled (only when maxStages > maxVersions). */
      readonly allLabeled?: true;
    };

const fail = (...codes: ErrorCode[]): ModelResult => ({ ok: false, codes });

function holderIn(labels: ReadonlyMap<string, ReadonlySet<string>>, label: string): string | undefined {
  for (const [id, set] of labels) if (set.has(label)) return id;
  return undefined;
}

function cloneLabels(labels: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Set<string>> {
  return new Map([...labels].map(([id, set]) => [id, new Set(set)]));
}

function distinctLabels(labels: ReadonlyMap<string, ReadonlySet<string>>): number {
  let n = 0;
  for (const set of labels.values()) n += set.size;
  return n;
}

function detach(labels: Map<string, Set<string>>, label: string): void {
  for (const set of labels.values()) set.delete(label);
}

function modelPut(
  m: Model,
  versionId: string,
  written: WrittenValue,
  stages: readonly string[] | undefined,
  limits: SecretLimits,
): ModelResult {
  if (m.plannedDeleteAt !== null) return fail('secret_pending_deletion');
  const listed = stages ?? [CUR];
  if (
    listed.length === 0 ||
    listed.some((l) => INVALID_LABEL_SET.has(l)) ||
    new Set(listed).size !== listed.length
  ) {
    return fail('invalid_argument');
  }
  const labels = cloneLabels(m.labels);
  const oldCurrent = holderIn(labels, CUR);
  for (const label of listed) detach(labels, label);
  if (listed.includes(CUR) && !listed.includes(PREV) && oldCurrent !== undefined) {
    detach(labels, PREV);
    labels.get(oldCurrent)?.add(PREV);
  }
  labels.set(versionId, new Set(listed));
  if (distinctLabels(labels) > limits.maxStages) return fail('limit_exceeded');

  const order = [...m.order, versionId];
  const evicted: string[] = [];
  while (order.length > limits.maxVersions) {
    const oldestUnlabeled = order.findIndex((id) => labels.get(id)?.size === 0);
    if (oldestUnlabeled < 0) return { ok: false, codes: ['limit_exceeded'], allLabeled: true };
    evicted.push(...order.splice(oldestUnlabeled, 1));
  }
  const values = new Map(m.values).set(versionId, written);
  for (const id of evicted) {
    labels.delete(id);
    values.delete(id);
  }
  return { ok: true, model: { ...m, order, labels, values }, evicted };
}

function modelUpdate(
  m: Model,
  stage: string,
  move: string | undefined,
  removeFrom: string | undefined,
  limits: SecretLimits,
): ModelResult {
  if (m.plannedDeleteAt !== null) return fail('secret_pending_deletion');
  const codes: ErrorCode[] = [];
  const builtin = stage === CUR || stage === PREV;
  const holder = holderIn(m.labels, stage);
  if (INVALID_LABEL_SET.has(stage)) codes.push('invalid_argument');
  if (move === undefined && removeFrom === undefined) codes.push('missing_argument');
  if (builtin && move === undefined) codes.push('invalid_argument'); // built-ins move, never go away
  if (
    (move !== undefined && !m.values.has(move)) ||
    (removeFrom !== undefined && !m.values.has(removeFrom))
  ) {
    codes.push('secret_version_not_found');
  }
  if (removeFrom !== undefined && holder !== removeFrom) codes.push('invalid_argument');
  if (codes.length > 0) return fail(...codes);

  const labels = cloneLabels(m.labels);
  detach(labels, stage);
  if (move !== undefined) {
    if (stage === CUR && holder !== undefined && holder !== move) {
      detach(labels, PREV);
      labels.get(holder)?.add(PREV);
    }
    labels.get(move)?.add(stage);
  }
  if (distinctLabels(labels) > limits.maxStages) return fail('limit_exceeded');
  return { ok: true, model: { ...m, labels }, evicted: [] };
}

function modelDelete(m: Model, days: number | undefined, now: number): ModelResult {
  if (m.plannedDeleteAt !== null) return fail('secret_pending_deletion');
  const window = days ?? 30;
  if (!Number.isInteger(window) || window < 7 || window > 30) return fail('invalid_argument');
  return { ok: true, model: { ...m, plannedDeleteAt: now + window * DAY_MS }, evicted: [] };
}

function modelTag(m: Model, tags: readonly Tag[], limits: SecretLimits): ModelResult {
  if (m.plannedDeleteAt !== null) return fail('secret_pending_deletion');
  const keys = tags.map((t) => t.key);
  if (keys.some((k) => RESERVED_TAG_KEY_SET.has(k)) || new Set(keys).size !== keys.length)
    return fail('invalid_argument');
  const merged = new Map(m.tags);
  for (const t of tags) merged.set(t.key, t.value);
  if (merged.size > limits.maxTags) return fail('limit_exceeded');
  return { ok: true, model: { ...m, tags: merged }, evicted: [] };
}

function modelUntag(m: Model, keys: readonly string[]): ModelResult {
  if (m.plannedDeleteAt !== null) return fail('secret_pending_deletion');
  if (keys.includes('')) return fail('invalid_argument');
  const tags = new Map(m.tags);
  for (const k of keys) tags.delete(k);
  return { ok: true, model: { ...m, tags }, evicted: [] };
}

// ---------------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------------

interface World {
  readonly secret: Secret;
  readonly model: Model;
  /**
   * What a service would have persisted, driven only by the domain's answers: values written on a
   * successful put, deleted when the domain reports them evicted.
   */
  readonly store: ReadonlyMap<string, WrittenValue>;
  /** Every version id ever issued, for re-puts of live and evicted ids. */
  readonly issued: readonly string[];
  readonly now: number;
  readonly fresh: number;
}

/** How often each interesting path was taken, so the test can prove the generator reaches it. */
interface Coverage {
  evictions: number;
  labelLimit: number;
  idempotentReputs: number;
  conflictingReputs: number;
  reputOfEvicted: number;
  builtinRemovalRejected: number;
  currentMoves: number;
  pendingRejections: number;
  tagLimit: number;
  allLabeled: number;
  steps: number;
}

const newCoverage = (): Coverage => ({
  evictions: 0,
  labelLimit: 0,
  idempotentReputs: 0,
  conflictingReputs: 0,
  reputOfEvicted: 0,
  builtinRemovalRejected: 0,
  currentMoves: 0,
  pendingRejections: 0,
  tagLimit: 0,
  allLabeled: 0,
  steps: 0,
});

class PropertyViolation extends Error {
  override name = 'PropertyViolation';
}

function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new PropertyViolation(message());
}

const show = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v));

/** Equal lists of strings (cheaper than comparing JSON, which matters at ~10^5 checks per run). */
function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Everything observable on a secret, flattened, to compare before and after a call. */
function snapshot(secret: Secret): string {
  const { id, name, description, encryptionKeyId, createdAt, updatedAt, plannedDeleteAt } = secret;
  const parts = [
    id,
    name,
    description,
    encryptionKeyId,
    String(createdAt),
    String(updatedAt),
    String(plannedDeleteAt),
  ];
  for (const v of secret.versions) parts.push(`v ${v.versionId} ${v.createdAt} ${v.dataType}`);
  for (const [label, holder] of secret.stages) parts.push(`s ${label} ${holder}`);
  for (const t of secret.tags) parts.push(`t ${t.key} ${t.value}`);
  return parts.join('\n');
}

function initialWorld(limits: SecretLimits): World {
  const written: WrittenValue = { value: 'alpha', dataType: 'text', createdAt: T0 };
  const secret = createSecret(
    {
      id: 'sec-1',
      name: 'db/password',
      description: '',
      encryptionKeyId: 'key-1',
      tags: [],
      versionId: 'v0',
      dataType: 'text',
      now: T0,
      arnSuffix: 'Ab12Cd',
    },
    limits,
  );
  return {
    secret,
    model: {
      order: ['v0'],
      labels: new Map([['v0', new Set([CUR])]]),
      values: new Map([['v0', written]]),
      tags: new Map(),
      plannedDeleteAt: null,
    },
    store: new Map([['v0', written]]),
    issued: ['v0'],
    now: T0,
    fresh: 1,
  };
}

function resolveRef(model: Model, ref: VersionRef | undefined, stage: string): string | undefined {
  if (ref === undefined) return undefined;
  switch (ref.kind) {
    case 'index':
      return model.order[ref.index % model.order.length];
    case 'holder':
      return holderIn(model.labels, stage) ?? model.order[model.order.length - 1];
    case 'unknown':
      return 'no-such-version';
  }
}

type Outcome =
  | { readonly ok: true; readonly secret: Secret; readonly evicted: readonly string[] }
  | { readonly ok: false; readonly code: ErrorCode };

/** Runs one real call; a DomainError becomes a failed outcome, anything else propagates. */
function attempt(run: () => { secret: Secret; evicted?: readonly string[] }): Outcome {
  try {
    const { secret, evicted = [] } = run();
    return { ok: true, secret, evicted };
  } catch (error) {
    if (isDomainError(error)) return { ok: false, code: error.code };
    throw error;
  }
}

/** Which reads that must fail a check covers (see `checkWorld`). */
type Reads = 'step' | 'sample' | 'all';

interface StepContext {
  readonly world: World;
  readonly op: Op;
  readonly limits: SecretLimits;
  readonly coverage: Coverage;
  readonly reads: Reads;
}

/** Applies one operation to the world: the real functions, the service-side re-put rule and the model. */
function step({ world, op, limits, coverage, reads }: StepContext): World {
  const now = world.now + 1_000;
  const before = world.secret;
  const beforeSnapshot = snapshot(before);
  let expected: ModelResult;
  let actual: Outcome;
  let newId: string | undefined;
  const store = new Map(world.store);
  let { issued, fresh } = world;

  switch (op.kind) {
    case 'put': {
      const versionId =
        op.id.kind === 'fresh'
          ? `v${fresh++}`
          : op.id.kind === 'invalid'
            ? 'bad version id!'
            : (world.issued[op.id.index % world.issued.length] ?? 'v0');
      const written: WrittenValue = {
        value: VALUES[op.dataType][op.valueIndex] ?? 'alpha',
        dataType: op.dataType,
        createdAt: now,
      };
      const call = () =>
        putVersion(before, { versionId, dataType: op.dataType, stages: op.stages, now }, limits);
      const stored = world.store.get(versionId);
      if (stored === undefined) {
        if (op.id.kind === 'reuse') coverage.reputOfEvicted++;
        newId = versionId;
        expected =
          op.id.kind === 'invalid'
            ? world.model.plannedDeleteAt === null
              ? fail('invalid_argument')
              : fail('secret_pending_deletion')
            : modelPut(world.model, versionId, written, op.stages, limits);
        actual = attempt(call);
        if (actual.ok) {
          if (op.id.kind === 'fresh') issued = [...issued, versionId];
          store.set(versionId, written);
          for (const id of actual.evicted) store.delete(id);
        }
      } else {
        // The service path of docs/behaviour.md rule 2: the domain refuses an existing id, the service compares values.
        const same = stored.value === written.value && stored.dataType === written.dataType;
        const modelStored = world.model.values.get(versionId);
        expected =
          world.model.plannedDeleteAt !== null
            ? fail('secret_pending_deletion')
            : modelStored === undefined
              ? fail() // the model thinks the version is gone: the store disagrees, flagged below
              : modelStored.value === written.value && modelStored.dataType === written.dataType
                ? { ok: true, model: world.model, evicted: [] }
                : fail('secret_version_conflict');
        const domain = attempt(call);
        check(!domain.ok, () => `putVersion accepted the existing version id "${versionId}"`);
        if (domain.code === 'secret_version_conflict' && same) {
          coverage.idempotentReputs++;
          actual = { ok: true, secret: before, evicted: [] };
        } else {
          if (domain.code === 'secret_version_conflict') coverage.conflictingReputs++;
          actual = domain;
        }
      }
      break;
    }
    case 'update': {
      const move = resolveRef(world.model, op.move, op.stage);
      const removeFrom = resolveRef(world.model, op.removeFrom, op.stage);
      expected = modelUpdate(world.model, op.stage, move, removeFrom, limits);
      actual = attempt(() => ({
        secret: updateVersionStage(
          before,
          { stage: op.stage, moveToVersion: move, removeFromVersion: removeFrom, now },
          limits,
        ),
      }));
      if (
        (op.stage === CUR || op.stage === PREV) &&
        move === undefined &&
        removeFrom !== undefined &&
        !actual.ok
      ) {
        coverage.builtinRemovalRejected++;
      }
      break;
    }
    case 'delete': {
      if (op.force) {
        // Destroys at once, pending or not; the sequence goes on with the secret as it was (another branch).
        const outcome = deleteSecret(before, { force: true, recoveryWindowDays: op.days, now });
        check(
          outcome.kind === 'destroyed' && outcome.deletedAt === now,
          () => `forced delete answered ${show(outcome)}`,
        );
        expected = { ok: true, model: world.model, evicted: [] };
        actual = { ok: true, secret: before, evicted: [] };
        break;
      }
      expected = modelDelete(world.model, op.days, now);
      actual = attempt(() => {
        const outcome = deleteSecret(before, { force: false, recoveryWindowDays: op.days, now });
        check(outcome.kind === 'scheduled', () => `a deletion with a window answered ${show(outcome)}`);
        return { secret: outcome.secret };
      });
      break;
    }
    case 'restore':
      expected = { ok: true, model: { ...world.model, plannedDeleteAt: null }, evicted: [] };
      actual = attempt(() => ({ secret: restoreSecret(before, now) }));
      break;
    case 'tag':
      expected = modelTag(world.model, op.tags, limits);
      actual = attempt(() => ({ secret: tagSecret(before, op.tags, now, limits) }));
      break;
    case 'untag':
      expected = modelUntag(world.model, op.keys);
      actual = attempt(() => ({ secret: untagSecret(before, op.keys, now) }));
      break;
  }

  // Pure functions: the input is untouched whatever happened.
  check(snapshot(before) === beforeSnapshot, () => `${op.kind} mutated its input secret`);

  if (!actual.ok) {
    check(
      !expected.ok && expected.codes.includes(actual.code),
      () =>
        `${op.kind} failed with ${actual.code}; the model expected ${expected.ok ? 'success' : expected.codes.join(' or ')}`,
    );
    if (actual.code === 'limit_exceeded') {
      if (op.kind === 'tag') coverage.tagLimit++;
      else if (expected.allLabeled === true) coverage.allLabeled++;
      else coverage.labelLimit++;
    }
    if (actual.code === 'secret_pending_deletion') coverage.pendingRejections++;
    // A failed step leaves the old state as the state.
    checkWorld({ ...world, now }, limits, reads);
    return { ...world, now, fresh, issued };
  }
  check(
    expected.ok,
    () => `${op.kind} succeeded; the model expected ${expected.ok ? '' : expected.codes.join(' or ')}`,
  );

  const after = actual.secret;
  if (op.kind === 'put' && newId !== undefined) {
    checkEviction(before, after, newId, actual.evicted, limits);
    if (actual.evicted.length > 0) coverage.evictions++;
  }
  checkCurrentShift(before, after, op, newId);
  if (before.stages.get(CUR) !== after.stages.get(CUR)) coverage.currentMoves++;
  check(
    same(actual.evicted, expected.evicted),
    () => `evicted ${show(actual.evicted)}, model ${show(expected.evicted)}`,
  );
  if (actual.secret !== before) check(after.updatedAt === now, () => `${op.kind} did not stamp updatedAt`);

  const next: World = { secret: after, model: expected.model, store, issued, now, fresh };
  checkWorld(next, limits, reads, actual.evicted);
  coverage.steps++;
  return next;
}

/** Evicted ids carried no label after the write and were the oldest unlabeled versions. */
function checkEviction(
  before: Secret,
  after: Secret,
  newId: string,
  evicted: readonly string[],
  limits: SecretLimits,
): void {
  const labeled = new Set(after.stages.values());
  const candidates = [...before.versions.map((v) => v.versionId), newId];
  const overflow = Math.max(0, candidates.length - limits.maxVersions);
  const oldestUnlabeled = candidates.filter((id) => !labeled.has(id)).slice(0, overflow);
  for (const id of evicted)
    check(!labeled.has(id), () => `evicted "${id}" while it carries ${show(stagesOf(after, id))}`);
  check(
    same(evicted, oldestUnlabeled),
    () => `evicted ${show(evicted)}; the oldest unlabeled versions were ${show(oldestUnlabeled)}`,
  );
  check(
    same(
      after.versions.map((v) => v.versionId),
      candidates.filter((id) => !evicted.includes(id)),
    ),
    () => 'the version list is not the old list plus the new version minus the evicted ones',
  );
}

/** A move of `$current` from A to B leaves `$previous` on A, unless a put named `$previous` itself. */
function checkCurrentShift(before: Secret, after: Secret, op: Op, newId: string | undefined): void {
  const a = before.stages.get(CUR);
  const b = after.stages.get(CUR);
  if (a === undefined || a === b) return;
  if (op.kind === 'put' && op.stages?.includes(PREV) === true) {
    check(after.stages.get(PREV) === newId, () => `a put naming ${PREV} did not give it to the new version`);
    return;
  }
  check(
    after.stages.get(PREV) === a,
    () => `${CUR} moved from "${a}" to "${String(b)}" but ${PREV} is on "${String(after.stages.get(PREV))}"`,
  );
}

/** Compares the real secret with the model and checks every invariant and every read. */
function checkWorld(
  world: World,
  limits: SecretLimits,
  reads: Reads,
  justEvicted: readonly string[] = [],
): void {
  const { secret, model, store } = world;
  const ids = secret.versions.map((v) => v.versionId);

  // Same state as the model.
  check(same(ids, model.order), () => `versions ${show(ids)}, model ${show(model.order)}`);
  for (const id of ids) {
    const modelLabels = [...(model.labels.get(id) ?? [])].sort();
    const realLabels = [...secret.stages]
      .filter(([, holder]) => holder === id)
      .map(([label]) => label)
      .sort();
    check(
      same(realLabels, modelLabels),
      () => `"${id}" carries ${show(realLabels)}, model ${show(modelLabels)}`,
    );
  }
  check(
    secret.plannedDeleteAt === model.plannedDeleteAt,
    () => `plannedDeleteAt ${String(secret.plannedDeleteAt)}, model ${String(model.plannedDeleteAt)}`,
  );
  const realTags = secret.tags.map((t) => `${t.key}=${t.value}`).sort();
  const modelTags = [...model.tags].map(([k, v]) => `${k}=${v}`).sort();
  check(same(realTags, modelTags), () => `tags ${show(realTags)}, model ${show(modelTags)}`);
  check(new Set(secret.tags.map((t) => t.key)).size === secret.tags.length, () => 'a tag key appears twice');
  check(secret.tags.length <= limits.maxTags, () => `${secret.tags.length} tags, cap ${limits.maxTags}`);

  // Invariants that hold whatever the model says.
  check(new Set(ids).size === ids.length, () => `duplicate version ids ${show(ids)}`);
  for (let i = 1; i < secret.versions.length; i++) {
    const prev = secret.versions[i - 1]!;
    const cur = secret.versions[i]!;
    check(prev.createdAt < cur.createdAt, () => `versions out of creation order at "${cur.versionId}"`);
  }
  check(
    ids.length >= 1 && ids.length <= limits.maxVersions,
    () => `${ids.length} versions, cap ${limits.maxVersions}`,
  );
  check(
    secret.stages.size <= limits.maxStages,
    () => `${secret.stages.size} labels, cap ${limits.maxStages}`,
  );
  for (const [label, holder] of secret.stages)
    check(ids.includes(holder), () => `label ${label} points at missing "${holder}"`);
  const currentHolders = ids.filter((id) => stagesOf(secret, id).includes(CUR));
  check(currentHolders.length === 1, () => `${currentHolders.length} versions carry ${CUR}`);
  const current = currentHolders[0]!;
  check(secret.stages.get(CUR) === current, () => `${CUR} is not on "${current}"`);

  // Reads: every surviving version by id, with the value written for it; the store agrees with the model.
  check(
    same([...store.keys()].sort(), [...model.values.keys()].sort()),
    () => `stored ${show([...store.keys()])}, model ${show([...model.values.keys()])}`,
  );
  for (const [id, written] of model.values) {
    const version = resolveVersion(secret, { versionId: id });
    check(
      version.versionId === id &&
        version.createdAt === written.createdAt &&
        version.dataType === written.dataType,
      () => `"${id}" reads back as ${show(version)}, written ${show(written)}`,
    );
    check(
      store.get(id)?.value === written.value,
      () => `"${id}" holds ${String(store.get(id)?.value)}, written ${written.value}`,
    );
  }
  check(
    resolveVersion(secret, {}).versionId === current,
    () => 'a read without selector does not return the current version',
  );
  for (const [label, holder] of secret.stages) {
    check(
      resolveVersion(secret, { stage: label }).versionId === holder,
      () => `stage ${label} does not read "${holder}"`,
    );
    check(
      resolveVersion(secret, { versionId: holder, stage: label }).versionId === holder,
      () => `id+stage ${label} fails`,
    );
  }
  // Reads that must fail. They throw, and throwing is what a step spends most time on: after each step
  // only the versions it evicted; every few steps each label and missing stage too; at the end all.
  if (reads !== 'step') {
    for (const [label, holder] of secret.stages) {
      const other = ids.find((id) => id !== holder);
      if (other !== undefined) {
        expectCode(() => resolveVersion(secret, { versionId: other, stage: label }), 'invalid_argument');
      }
    }
    for (const label of VALID_LABELS) {
      if (!secret.stages.has(label)) {
        expectCode(() => resolveVersion(secret, { stage: label }), 'secret_stage_not_found');
      }
    }
  }
  const gone =
    reads === 'all' ? [...world.issued.filter((id) => !model.values.has(id)), 'never-issued'] : justEvicted;
  for (const id of gone) {
    expectCode(() => resolveVersion(secret, { versionId: id }), 'secret_version_not_found');
  }

  // Listings: newest first, deprecated (unlabeled) versions only on request.
  const labeled = new Set(secret.stages.values());
  check(
    same(
      listVersions(secret, true).map((v) => v.versionId),
      [...ids].reverse(),
    ),
    () => 'listVersions(true) is not newest first',
  );
  check(
    same(
      listVersions(secret, false).map((v) => v.versionId),
      ids.filter((id) => labeled.has(id)).reverse(),
    ),
    () => 'listVersions(false) does not hide exactly the unlabeled versions',
  );
}

function expectCode(run: () => unknown, code: ErrorCode): void {
  try {
    run();
  } catch (error) {
    check(isDomainError(error, code), () => `expected ${code}, got ${String(error)}`);
    return;
  }
  throw new PropertyViolation(`expected ${code}, the call succeeded`);
}

function runSequence(ops: readonly Op[], limits: SecretLimits, coverage: Coverage): void {
  let world = initialWorld(limits);
  checkWorld(world, limits, 'all');
  ops.forEach((op, i) => {
    world = step({ world, op, limits, coverage, reads: i % 8 === 7 ? 'sample' : 'step' });
  });
  checkWorld(world, limits, 'all');
}

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

/** `FC_SEED` replays a failure (fast-check prints the seed); `FC_RUNS_FACTOR` scales every run count. */
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const runsFactor = process.env.FC_RUNS_FACTOR === undefined ? 1 : Number(process.env.FC_RUNS_FACTOR);
function params<T>(numRuns: number): fc.Parameters<T> {
  return { numRuns: Math.round(numRuns * runsFactor), ...(seed === undefined ? {} : { seed }) };
}

interface Config {
  readonly name: string;
  readonly limits: SecretLimits;
  readonly runs: number;
  /** Whether the tag cap is small enough for the generator to reach. */
  readonly reachesTagLimit: boolean;
  /** Whether a put can find every version labeled (only when maxStages > maxVersions). */
  readonly reachesAllLabeled: boolean;
}

const CONFIGS: readonly Config[] = [
  {
    name: 'default limits (10 versions, 8 labels, 20 tags)',
    limits: DEFAULT_SECRET_LIMITS,
    runs: 2_000,
    reachesTagLimit: false,
    reachesAllLabeled: false,
  },
  {
    name: 'small limits (4 versions, 3 labels)',
    limits: { maxVersions: 4, maxStages: 3, maxTags: 20 },
    runs: 800,
    reachesTagLimit: false,
    reachesAllLabeled: false,
  },
  {
    name: 'tiny limits (2 versions, 2 labels, 3 tags)',
    limits: { maxVersions: 2, maxStages: 2, maxTags: 3 },
    runs: 800,
    reachesTagLimit: true,
    reachesAllLabeled: false,
  },
  {
    // Outside what the configuration should allow; it drives the "every version is labeled" guard.
    name: 'more labels than versions (3 versions, 5 labels)',
    limits: { maxVersions: 3, maxStages: 5, maxTags: 20 },
    runs: 400,
    reachesTagLimit: false,
    reachesAllLabeled: true,
  },
];

describe('secret aggregate: random operation sequences against a reference model', () => {
  for (const { name, limits, runs, reachesTagLimit, reachesAllLabeled } of CONFIGS) {
    it(`keeps every invariant and matches the model: ${name}`, () => {
      const coverage = newCoverage();
      fc.assert(
        fc.property(opsArb, (ops) => {
          runSequence(ops, limits, coverage);
        }),
        params(runs),
      );
      // The generator really reaches the interesting paths (typically hundreds of times each per run).
      expect(coverage.evictions).toBeGreaterThan(0);
      expect(coverage.labelLimit).toBeGreaterThan(0);
      expect(coverage.idempotentReputs).toBeGreaterThan(0);
      expect(coverage.conflictingReputs).toBeGreaterThan(0);
      expect(coverage.reputOfEvicted).toBeGreaterThan(0);
      expect(coverage.builtinRemovalRejected).toBeGreaterThan(0);
      expect(coverage.currentMoves).toBeGreaterThan(0);
      expect(coverage.pendingRejections).toBeGreaterThan(0);
      expect(coverage.tagLimit > 0).toBe(reachesTagLimit);
      expect(coverage.allLabeled > 0).toBe(reachesAllLabeled);
    });
  }

  it('evicts only unlabeled versions from a secret whose 8 labels are all in use', () => {
    // Six custom labels on six versions, then a plain put: 8 labels on 7 versions. Every later put must
    // still find an unlabeled victim once the cap is reached.
    const limits = DEFAULT_SECRET_LIMITS;
    const prefix: Op[] = [
      ...['Pending', 'Staging', 'Blue', 'Green', 'Canary', 'Old'].map((label) => [label]),
      undefined,
    ].map((stages) => ({ kind: 'put', id: { kind: 'fresh' }, dataType: 'text', valueIndex: 0, stages }));
    const coverage = newCoverage();
    fc.assert(
      fc.property(opsArb, (ops) => {
        let world = initialWorld(limits);
        for (const op of prefix) world = step({ world, op, limits, coverage, reads: 'step' });
        check(world.secret.stages.size === 8, () => `the prefix left ${world.secret.stages.size} labels`);
        for (const op of ops) world = step({ world, op, limits, coverage, reads: 'step' });
        checkWorld(world, limits, 'all');
      }),
      params(400),
    );
    expect(coverage.evictions).toBeGreaterThan(0);
    expect(coverage.labelLimit).toBeGreaterThan(0);
  });
});
