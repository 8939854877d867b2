/** Conformance cases for secret policies: `SecretRepository.getPolicy`, `savePolicy`, and `destroy`. */
import { describe, expect, it } from 'vitest';

import type { SecretPolicy } from '../../domain/secret-policy.js';
import { DEFAULT_POLICY_NAME, defaultSecretPolicy, setSecretPolicy } from '../../domain/secret-policy.js';
import { ciphertextFor, expectDomainError, insertSecret, makeSecret, T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

/** A document near the size limit, with multi-byte characters and JSON escapes that must survive as sent. */
function bigDocument(): string {
  const head = '{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1:*"]},';
  const resource = (i: number) => `"secret/é€😀\\"\\u0041\\n-${i}"`;
  const resources: string[] = [];
  const build = () => `${head}"Action":["kms:*"],"Resource":[${resources.join(',')}]}]}`;
  while (Buffer.byteLength(build(), 'utf8') + 40 <= 32_768) resources.push(resource(resources.length));
  return build();
}

/** Registers the secret policy cases. */
export function describeSecretPolicyCases(store: StoreRef): void {
  describe('secret policies', () => {
    it('answers undefined before a policy is set', async () => {
      const { secret } = await insertSecret(store());
      expect(await store().secrets.getPolicy(secret.id, DEFAULT_POLICY_NAME)).toBeUndefined();
      expect(await store().secrets.getPolicy('no-such-secret', DEFAULT_POLICY_NAME)).toBeUndefined();
    });

    it('round-trips a policy, then replaces it in place', async () => {
      const { secret } = await insertSecret(store());
      const first = setSecretPolicy(secret, {
        name: DEFAULT_POLICY_NAME,
        document: defaultSecretPolicy('1234'),
        now: T0 + 1,
      });
      await store().secrets.savePolicy(first.policy);
      expect(await store().secrets.getPolicy(secret.id, DEFAULT_POLICY_NAME)).toEqual(first.policy);

      const replaced = setSecretPolicy(first.secret, {
        name: DEFAULT_POLICY_NAME,
        document: defaultSecretPolicy('5678'),
        now: T0 + 2,
      });
      await store().secrets.savePolicy(replaced.policy);
      expect(await store().secrets.getPolicy(secret.id, DEFAULT_POLICY_NAME)).toEqual(replaced.policy);
      // A policy is not part of the aggregate a read returns; the secret itself is unchanged.
      expect(await store().secrets.getByName(secret.name)).toEqual(secret);
    });

    it('keeps a document at the size limit byte for byte, multi-byte characters and escapes included', async () => {
      const { secret } = await insertSecret(store());
      const document = bigDocument();
      expect(Buffer.byteLength(document, 'utf8')).toBeLessThanOrEqual(32_768);
      const { policy } = setSecretPolicy(secret, { name: DEFAULT_POLICY_NAME, document, now: T0 });
      await store().secrets.savePolicy(policy);
      const read = await store().secrets.getPolicy(secret.id, DEFAULT_POLICY_NAME);
      expect(read?.document).toBe(document);
    });

    it('keeps each secret’s policy apart', async () => {
      const a = await insertSecret(store());
      const b = await insertSecret(store());
      const policy: SecretPolicy = {
        secretId: a.secret.id,
        name: DEFAULT_POLICY_NAME,
        document: defaultSecretPolicy('a'),
        updatedAt: T0,
      };
      await store().secrets.savePolicy(policy);
      expect(await store().secrets.getPolicy(a.secret.id, DEFAULT_POLICY_NAME)).toEqual(policy);
      expect(await store().secrets.getPolicy(b.secret.id, DEFAULT_POLICY_NAME)).toBeUndefined();
    });

    it('refuses a policy for a secret that is not stored with secret_not_found', async () => {
      const ghost = makeSecret();
      await expectDomainError(
        store().secrets.savePolicy({
          secretId: ghost.id,
          name: DEFAULT_POLICY_NAME,
          document: defaultSecretPolicy('x'),
          updatedAt: T0,
        }),
        'secret_not_found',
      );
      expect(await store().secrets.getPolicy(ghost.id, DEFAULT_POLICY_NAME)).toBeUndefined();
    });

    it('writes the policy and the secret together in one transaction, or neither', async () => {
      const { secret } = await insertSecret(store());
      const change = setSecretPolicy(secret, {
        name: DEFAULT_POLICY_NAME,
        document: defaultSecretPolicy('tx'),
        now: T0 + 5,
      });
      const failure = new Error('work failed');
      await expect(
        store().transaction(async (tx) => {
          await tx.secrets.save(change.secret);
          await tx.secrets.savePolicy(change.policy);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await store().secrets.getPolicy(secret.id, DEFAULT_POLICY_NAME)).toBeUndefined();
      expect(await store().secrets.getByName(secret.name)).toEqual(secret);

      await store().transaction(async (tx) => {
        await tx.secrets.save(change.secret);
        await tx.secrets.savePolicy(change.policy);
      });
      expect(await store().secrets.getPolicy(secret.id, DEFAULT_POLICY_NAME)).toEqual(change.policy);
      expect((await store().secrets.getByName(secret.name))?.updatedAt).toBe(T0 + 5);
    });

    it('destroys the policy with its secret; a secret reborn under the name has none', async () => {
      const { secret } = await insertSecret(store());
      const { policy } = setSecretPolicy(secret, {
        name: DEFAULT_POLICY_NAME,
        document: defaultSecretPolicy('gone'),
        now: T0,
      });
      await store().secrets.savePolicy(policy);
      await store().secrets.destroy(secret.id);
      expect(await store().secrets.getPolicy(secret.id, DEFAULT_POLICY_NAME)).toBeUndefined();

      const reborn = makeSecret({ name: secret.name });
      await store().secrets.insert(reborn, ciphertextFor(3));
      expect(await store().secrets.getPolicy(reborn.id, DEFAULT_POLICY_NAME)).toBeUndefined();
    });
  });
}
