/**
 * A property: whatever sequence of version puts and stage moves the domain allows, the stored
 * aggregate read back equals the domain's, and exactly the live versions have ciphertext.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { DomainError } from '../../domain/errors.js';
import { putVersion, STAGE_CURRENT, STAGE_PREVIOUS, updateVersionStage } from '../../domain/secret.js';
import type { Secret, SecretLimits } from '../../domain/secret.js';
import type { SecretCiphertext, SecretWrite } from '../store.js';
import { ciphertextFor, expectSameCiphertext, insertSecret, T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

const LIMITS: SecretLimits = { maxVersions: 4, maxStages: 3, maxTags: 20 };
const LABELS = [STAGE_CURRENT, STAGE_PREVIOUS, 'blue', 'green'];

// Puts weigh most, so most runs go past the version cap and evict.
const operation = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      stages: fc.option(fc.subarray(LABELS, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      stage: fc.constantFrom(...LABELS),
      target: fc.nat(8),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('remove' as const), stage: fc.constantFrom('blue', 'green') }),
  },
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

interface Step {
  readonly secret: Secret;
  readonly write: SecretWrite;
}

function apply(secret: Secret, op: Operation, n: number): Step | undefined {
  const now = T0 + n;
  switch (op.kind) {
    case 'put': {
      const versionId = `p${n}`;
      const change = putVersion(secret, { versionId, dataType: 'text', stages: op.stages, now }, LIMITS);
      return {
        secret: change.secret,
        write: { added: { versionId, ciphertext: ciphertextFor(n) }, evicted: change.evicted },
      };
    }
    case 'move': {
      const target = secret.versions[op.target % secret.versions.length];
      if (!target) return undefined;
      const next = updateVersionStage(
        secret,
        { stage: op.stage, moveToVersion: target.versionId, now },
        LIMITS,
      );
      return { secret: next, write: {} };
    }
    case 'remove': {
      const holder = secret.stages.get(op.stage);
      if (holder === undefined) return undefined;
      return {
        secret: updateVersionStage(secret, { stage: op.stage, removeFromVersion: holder, now }, LIMITS),
        write: {},
      };
    }
  }
}

/** Registers the model-based property over secret changes. */
export function describeSecretModelProperty(store: StoreRef): void {
  describe('secret aggregate against the domain model', () => {
    it('reads back what the domain produced after any sequence of puts and stage moves', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { minLength: 4, maxLength: 16 }), async (operations) => {
          const inserted = await insertSecret(store(), {}, 1);
          let secret = inserted.secret;
          const written = new Map<string, SecretCiphertext>([['v1', inserted.ciphertext]]);
          const evicted: string[] = [];
          for (const [i, op] of operations.entries()) {
            let step: Step | undefined;
            try {
              step = apply(secret, op, i + 2);
            } catch (error) {
              // The domain refused the change (limits, unknown stage holder): nothing to store.
              if (error instanceof DomainError) continue;
              throw error;
            }
            if (!step) continue;
            await store().secrets.save(step.secret, step.write);
            secret = step.secret;
            if (step.write.added) written.set(step.write.added.versionId, step.write.added.ciphertext);
            evicted.push(...(step.write.evicted ?? []));
            expect(await store().secrets.getByName(secret.name)).toEqual(secret);
          }
          for (const version of secret.versions) {
            const expected = written.get(version.versionId);
            if (!expected) throw new Error(`no ciphertext recorded for ${version.versionId}`);
            expectSameCiphertext(await store().secrets.getCiphertext(secret.id, version.versionId), expected);
          }
          for (const versionId of evicted) {
            expect(await store().secrets.getCiphertext(secret.id, versionId)).toBeUndefined();
          }
        }),
        { numRuns: 30 },
      );
    });
  });
}
