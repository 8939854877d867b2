/**
 * The rotation state machine against random runs: starts with fresh or repeated tokens, steps that
 * succeed, fail (retryably or not) or crash between the label write and the run write, and time
 * passing. The driver does what the engine does, in the same order, with the domain's functions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDomainError } from './errors.js';
import type { RotationRun } from './rotation.js';
import {
  completeStep,
  decideStart,
  failStep,
  hasPromoted,
  isRunActive,
  reconcileLabels,
  STAGE_PENDING,
} from './rotation.js';
import type { Secret } from './secret.js';
import { createSecret, findVersion, putVersion, STAGE_CURRENT } from './secret.js';

type Command =
  | { readonly kind: 'start'; readonly token: number }
  | { readonly kind: 'step'; readonly outcome: 'ok' | 'retry' | 'fatal' | 'crash' }
  | { readonly kind: 'wait'; readonly ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('start' as const), token: fc.integer({ min: 1, max: 6 }) }),
  fc.record({
    kind: fc.constant('step' as const),
    outcome: fc.constantFrom(
      'ok' as const,
      'ok' as const,
      'retry' as const,
      'fatal' as const,
      'crash' as const,
    ),
  }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 7_200_000 }) }),
);

interface World {
  secret: Secret;
  /** Versions whose value a test step accepted. */
  tested: Set<string>;
  runs: RotationRun[];
  now: number;
}

function activeRuns(world: World): RotationRun[] {
  return world.runs.filter(isRunActive);
}

function replace(world: World, run: RotationRun): void {
  world.runs = world.runs.map((r) => (r.id === run.id ? run : r));
}

function apply(world: World, cmd: Command): void {
  if (cmd.kind === 'wait') {
    world.now += cmd.ms;
    return;
  }
  if (cmd.kind === 'start') {
    const versionId = `p${cmd.token}`;
    const active = activeRuns(world)[0];
    try {
      const decision = decideStart(
        world.secret,
        { runWithToken: world.runs.find((r) => r.versionId === versionId), active },
        { id: `run-${world.runs.length}`, versionId, trigger: 'manual', now: world.now },
      );
      if (decision.kind === 'start') world.runs.push(decision.run);
      if (decision.kind === 'existing') expect(decision.run.versionId).toBe(versionId);
    } catch (error) {
      expect(isDomainError(error, 'rotation_in_progress')).toBe(true);
      expect(active).toBeDefined();
    }
    return;
  }
  const run = activeRuns(world)[0];
  if (!run || run.nextAttemptAt > world.now) return;
  // The engine reconciles first on every pass (a resume after a crash).
  world.secret = reconcileLabels(world.secret, run, world.now);
  if (cmd.outcome === 'retry' || cmd.outcome === 'fatal') {
    const failed = failStep(run, { message: 'no', retryable: cmd.outcome === 'retry' }, world.now);
    world.secret = reconcileLabels(world.secret, failed, world.now);
    replace(world, failed);
    return;
  }
  // The step's effect on the target and the store.
  if (run.step === 'create' && !findVersion(world.secret, run.versionId)) {
    world.secret = putVersion(world.secret, {
      versionId: run.versionId,
      dataType: 'text',
      stages: [STAGE_PENDING],
      now: world.now,
    }).secret;
  }
  if (run.step === 'test') world.tested.add(run.versionId);
  const next = completeStep(run, world.now);
  if (hasPromoted(next) || next.status === 'failed') {
    world.secret = reconcileLabels(world.secret, next, world.now);
  }
  // A crash after the label write loses the run write; the next pass resumes at the old step.
  if (cmd.outcome !== 'crash') replace(world, next);
}

describe('rotation state machine (property)', () => {
  it('keeps ACSCurrent on a tested value, one run at a time, and no ACSPending after a run ends', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        const world: World = {
          secret: createSecret({
            id: 's',
            name: 'db',
            description: '',
            encryptionKeyId: 'k',
            tags: [],
            versionId: 'v0',
            dataType: 'text',
            now: 0,
            arnSuffix: 'Ab12Cd',
          }),
          tested: new Set(['v0']),
          runs: [],
          now: 0,
        };
        for (const cmd of commands) {
          apply(world, cmd);
          const current = world.secret.stages.get(STAGE_CURRENT);
          expect(current !== undefined && world.tested.has(current)).toBe(true);
          expect(activeRuns(world).length).toBeLessThanOrEqual(1);
          for (const run of world.runs) {
            if (run.status === 'succeeded') {
              expect(world.secret.stages.get(STAGE_PENDING)).not.toBe(run.versionId);
            }
            if (run.status === 'failed' && !hasPromoted(run)) {
              expect(world.secret.stages.get(STAGE_PENDING)).not.toBe(run.versionId);
            }
            // Promotion happens only after the version's value passed its test.
            if (hasPromoted(run)) expect(world.tested.has(run.versionId)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
