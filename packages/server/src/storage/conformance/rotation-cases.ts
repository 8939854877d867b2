/** Conformance cases for rotation storage: policies, runs (one in progress per secret), leases, webhooks. */
import { describe, expect, it } from 'vitest';

import type { RotationRun } from '../../domain/rotation.js';
import { configureRotation, decideStart, failStep } from '../../domain/rotation.js';
import { expectDomainError, insertSecret, T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

function newRun(secret: Parameters<typeof decideStart>[0], versionId: string, now = T0): RotationRun {
  const decision = decideStart(
    secret,
    { runWithToken: undefined, active: undefined },
    { id: `run-${versionId}-${now}`, versionId, trigger: 'manual', now },
  );
  if (decision.kind !== 'start') throw new Error('expected a new run');
  return decision.run;
}

export function describeRotationCases(store: StoreRef): void {
  describe('rotation', () => {
    it('stores a policy and finds it due, but not for a secret pending deletion', async () => {
      const { secret } = await insertSecret(store());
      const policy = configureRotation(secret.id, undefined, { enabled: true, intervalSeconds: 21_600 }, T0);
      await store().rotation.savePolicy(policy);
      expect(await store().rotation.getPolicy(secret.id)).toEqual(policy);
      expect(await store().rotation.listDuePolicies(T0, 10)).toEqual([]);
      const due = await store().rotation.listDuePolicies(T0 + 21_600_000, 10);
      expect(due).toEqual([{ secretId: secret.id, secretName: secret.name }]);
      await store().secrets.save({ ...secret, plannedDeleteAt: T0 + 1 });
      expect(await store().rotation.listDuePolicies(T0 + 21_600_000, 10)).toEqual([]);
    });

    it('stores a cron schedule beside its next firing, and an interval again without it', async () => {
      const { secret } = await insertSecret(store());
      const cron = configureRotation(
        secret.id,
        undefined,
        { enabled: true, cronExpression: 'cron(0 4 ? * MON *)' },
        T0,
      );
      await store().rotation.savePolicy(cron);
      expect(await store().rotation.getPolicy(secret.id)).toEqual(cron);
      expect(await store().rotation.listDuePolicies(cron.nextRotationAt ?? 0, 10)).toEqual([
        { secretId: secret.id, secretName: secret.name },
      ]);
      const interval = configureRotation(secret.id, cron, { enabled: true, intervalSeconds: 21_600 }, T0);
      await store().rotation.savePolicy(interval);
      expect(await store().rotation.getPolicy(secret.id)).toEqual(interval);
      expect(interval.cronExpression).toBeNull();
    });

    it('keeps one run in progress per secret and one run per token, and lets a new run start after one ends', async () => {
      const { secret } = await insertSecret(store());
      const first = newRun(secret, 'p1');
      await store().rotation.insertRun(first);
      expect(await store().rotation.activeRun(secret.id)).toEqual(first);
      await expectDomainError(
        store().rotation.insertRun(newRun(secret, 'p2', T0 + 1)),
        'rotation_in_progress',
      );
      const failed = failStep(first, { message: 'no', retryable: false }, T0 + 2);
      await store().rotation.saveRun(failed);
      expect(await store().rotation.activeRun(secret.id)).toBeUndefined();
      expect(await store().rotation.findRun(secret.id, 'p1')).toEqual(failed);
      await expectDomainError(
        store().rotation.insertRun({ ...newRun(secret, 'p1', T0 + 3) }),
        'rotation_in_progress',
      );
      const second = newRun(secret, 'p2', T0 + 3);
      await store().rotation.insertRun(second);
      expect(await store().rotation.latestRun(secret.id)).toEqual(second);
      expect((await store().rotation.listDueRuns(T0 + 3, 10)).map((r) => r.id)).toEqual([second.id]);
      await store().secrets.destroy(secret.id);
      expect(await store().rotation.latestRun(secret.id)).toBeUndefined();
    });

    it('gives a lease to one holder until it expires or is released', async () => {
      const leases = store().leases;
      expect(await leases.acquire('job', 'a', T0, 1000)).toBe(true);
      expect(await leases.acquire('job', 'b', T0 + 500, 1000)).toBe(false);
      expect(await leases.acquire('job', 'a', T0 + 500, 1000)).toBe(true); // renewed to T0 + 1500
      expect(await leases.acquire('job', 'b', T0 + 1200, 1000)).toBe(false);
      expect(await leases.acquire('job', 'b', T0 + 1500, 1000)).toBe(true);
      await leases.release('job', 'a'); // not the holder: no effect
      expect(await leases.acquire('job', 'a', T0 + 1600, 1000)).toBe(false);
      await leases.release('job', 'b');
      expect(await leases.acquire('job', 'a', T0 + 1600, 1000)).toBe(true);
    });

    it('lets exactly one of many simultaneous claimants take a lease, and fences out a lapsed one', async () => {
      const leases = store().leases;
      // Executors of one run claim it under tokens of their own, at once (compare-and-set in one statement).
      const tokens = Array.from({ length: 8 }, (_, i) => `process/${i}`);
      const won = await Promise.all(tokens.map((t) => leases.acquire('rotation-run:x', t, T0, 1000)));
      expect(won.filter(Boolean)).toHaveLength(1);
      const [owner = '', other = '', third = ''] = [
        ...tokens.filter((_, i) => won[i]),
        ...tokens.filter((_, i) => !won[i]),
      ];
      // The owner's claim lapses and another takes it: the first can neither renew nor release it.
      expect(await leases.acquire('rotation-run:x', other, T0 + 1000, 1000)).toBe(true);
      expect(await leases.acquire('rotation-run:x', owner, T0 + 1100, 1000)).toBe(false);
      await leases.release('rotation-run:x', owner);
      expect(await leases.acquire('rotation-run:x', third, T0 + 1100, 1000)).toBe(false);
      expect(await leases.acquire('rotation-run:x', other, T0 + 1100, 1000)).toBe(true);
    });

    it('stores webhooks with their sealed key and refuses a taken name', async () => {
      const record = {
        name: 'hook',
        url: 'https://rotator.example/run',
        encryptedSigningKey: new Uint8Array([1, 2, 3, 250]),
        timeoutMs: 10_000,
        createdAt: T0,
      };
      await store().rotationWebhooks.insert(record);
      const read = await store().rotationWebhooks.get('hook');
      expect({ ...read, encryptedSigningKey: [...(read?.encryptedSigningKey ?? [])] }).toEqual({
        ...record,
        encryptedSigningKey: [1, 2, 3, 250],
      });
      await expectDomainError(store().rotationWebhooks.insert(record), 'rotation_webhook_already_exists');
      expect((await store().rotationWebhooks.list()).map((w) => w.name)).toEqual(['hook']);
      expect(await store().rotationWebhooks.delete('hook')).toBe(true);
      expect(await store().rotationWebhooks.delete('hook')).toBe(false);
    });
  });
}
