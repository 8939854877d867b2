/**
 * The secret model's behaviour as any protocol must show it, independent of the wire: versions and
 * stages, caps, idempotent re-puts, deletion and restore, and refusals that reveal nothing
 * (docs/behaviour.md, docs/permissions.md). On the pattern of the storage conformance suite: each
 * protocol adapter supplies a `ContractClient` over its real wire and runs `describeSecretBehaviour`
 * (the Alibaba API: test/protocols/alibaba/behaviour-contract.test.ts; the AWS API plugs in the same way).
 *
 * Stages are named neutrally here: `current`, `previous`, `pending`, or a custom label; the client maps
 * them to its wire names (ACSCurrent, AWSCURRENT, …). Errors are thrown as `ContractError` with the
 * kind of failure, whatever the wire's code for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export type FailureKind = 'not_found' | 'conflict' | 'pending_deletion' | 'denied' | 'invalid' | 'limit';

export class ContractError extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.name = 'ContractError';
    this.kind = kind;
  }
}

export interface VersionView {
  readonly versionId: string;
  readonly value: string;
  readonly stages: readonly string[];
}

export interface ContractClient {
  createSecret(name: string, versionId: string, value: string): Promise<void>;
  putValue(
    name: string,
    versionId: string,
    value: string,
    stages?: readonly string[],
  ): Promise<readonly string[]>;
  getValue(
    name: string,
    select?: { readonly versionId?: string; readonly stage?: string },
  ): Promise<VersionView>;
  moveStage(name: string, stage: string, to: string | undefined, from?: string): Promise<void>;
  /** Version ids with their stages, unlabeled ones too when asked. */
  versions(name: string, includeUnlabeled: boolean): Promise<{ versionId: string; stages: string[] }[]>;
  deleteSecret(name: string, options: { readonly force: boolean }): Promise<void>;
  restoreSecret(name: string): Promise<void>;
}

export interface ContractSubject {
  /** The administrator's client. */
  readonly admin: ContractClient;
  /** A client whose caller holds no permission at all. */
  readonly nobody: ContractClient;
  readonly stop: () => Promise<void>;
}

let names = 0;
const fresh = (prefix: string) => `contract/${prefix}-${process.pid}-${++names}`;

async function failure(promise: Promise<unknown>): Promise<FailureKind> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ContractError) return error.kind;
    throw error;
  }
  throw new Error('expected the call to fail');
}

export function describeSecretBehaviour(protocol: string, start: () => Promise<ContractSubject>): void {
  describe(`${protocol}: secret behaviour contract`, () => {
    let subject: ContractSubject;
    beforeAll(async () => {
      subject = await start();
    });
    afterAll(async () => {
      await subject.stop();
    });

    it('reads the current value; a new version moves current and the old one becomes previous', async () => {
      const { admin } = subject;
      const name = fresh('shift');
      await admin.createSecret(name, 'v1', 'one');
      expect(await admin.getValue(name)).toEqual({ versionId: 'v1', value: 'one', stages: ['current'] });
      expect(await admin.putValue(name, 'v2', 'two')).toEqual(['current']);
      expect(await admin.getValue(name, { stage: 'previous' })).toMatchObject({
        versionId: 'v1',
        value: 'one',
      });
      await admin.moveStage(name, 'current', 'v1');
      expect(await admin.getValue(name)).toMatchObject({ versionId: 'v1', stages: ['current'] });
      expect(await admin.getValue(name, { stage: 'previous' })).toMatchObject({ versionId: 'v2' });
    });

    it('keeps versions write-once: the same value again changes nothing, another value conflicts', async () => {
      const { admin } = subject;
      const name = fresh('once');
      await admin.createSecret(name, 'v1', 'one');
      await admin.putValue(name, 'v2', 'two', ['blue']);
      expect(await admin.putValue(name, 'v2', 'two')).toEqual(['blue']);
      expect(await failure(admin.putValue(name, 'v2', 'other'))).toBe('conflict');
      expect(await admin.getValue(name, { versionId: 'v2' })).toMatchObject({ value: 'two' });
    });

    it('caps versions, evicting the oldest unlabeled one, and labels at eight', async () => {
      const { admin } = subject;
      const name = fresh('caps');
      await admin.createSecret(name, 'v0', 'x0');
      // Each new version takes the `tmp` label from the one before, which is left unlabeled.
      for (let i = 1; i <= 11; i++) await admin.putValue(name, `v${i}`, `x${i}`, ['tmp']);
      const all = await admin.versions(name, true);
      expect(all).toHaveLength(10);
      expect(all.map((v) => v.versionId)).not.toContain('v1');
      expect(await failure(admin.getValue(name, { versionId: 'v1' }))).toBe('not_found');
      expect(await admin.getValue(name)).toMatchObject({ versionId: 'v0' });
      // current, tmp and 6 more labels are 8; a ninth is refused.
      for (let i = 1; i <= 6; i++) await admin.moveStage(name, `label${i}`, `v${i + 4}`);
      expect(await failure(admin.moveStage(name, 'label7', 'v11'))).toBe('limit');
      // Unlabeled versions are listed only when asked for.
      expect((await admin.versions(name, false)).every((v) => v.stages.length > 0)).toBe(true);
    });

    it('moves current and previous but never removes them; custom labels come off', async () => {
      const { admin } = subject;
      const name = fresh('permanent');
      await admin.createSecret(name, 'v1', 'one');
      await admin.putValue(name, 'v2', 'two', ['blue']);
      expect(await failure(admin.moveStage(name, 'current', undefined, 'v1'))).toBe('invalid');
      await admin.moveStage(name, 'blue', undefined, 'v2');
      expect(await failure(admin.getValue(name, { stage: 'blue' }))).toBe('not_found');
    });

    it('answers missing secrets, versions and stages as not found', async () => {
      const { admin } = subject;
      const name = fresh('missing');
      expect(await failure(admin.getValue(name))).toBe('not_found');
      await admin.createSecret(name, 'v1', 'one');
      expect(await failure(admin.getValue(name, { versionId: 'nope' }))).toBe('not_found');
      expect(await failure(admin.getValue(name, { stage: 'nope' }))).toBe('not_found');
    });

    it('holds a deleted secret for its recovery window, restores it, and frees the name on forced deletion', async () => {
      const { admin } = subject;
      const name = fresh('delete');
      await admin.createSecret(name, 'v1', 'one');
      await admin.deleteSecret(name, { force: false });
      expect(await failure(admin.getValue(name))).toBe('pending_deletion');
      expect(await failure(admin.createSecret(name, 'v1', 'again'))).toBe('pending_deletion');
      await admin.restoreSecret(name);
      expect(await admin.getValue(name)).toMatchObject({ value: 'one' });
      await admin.deleteSecret(name, { force: true });
      expect(await failure(admin.getValue(name))).toBe('not_found');
      await admin.createSecret(name, 'v1', 'reborn');
      expect(await admin.getValue(name)).toMatchObject({ value: 'reborn' });
    });

    it('refuses a caller without permission the same whether the secret exists or not', async () => {
      const { admin, nobody } = subject;
      const name = fresh('denied');
      await admin.createSecret(name, 'v1', 'one');
      expect(await failure(nobody.getValue(name))).toBe('denied');
      expect(await failure(nobody.getValue(fresh('never')))).toBe('denied');
      expect(await failure(nobody.putValue(name, 'v2', 'two'))).toBe('denied');
      expect(await failure(nobody.putValue(fresh('never'), 'v2', 'two'))).toBe('denied');
      expect(await admin.getValue(name)).toMatchObject({ versionId: 'v1' });
    });
  });
}
