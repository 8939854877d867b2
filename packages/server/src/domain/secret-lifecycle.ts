/**
 * The deletion lifecycle of a secret (docs/behaviour.md rules 10–12): scheduled deletion after a recovery window,
 * forced deletion, restore, and expiry. A secret pending deletion refuses every change but these.
 */
import { DomainError } from './errors.js';
import type { Secret } from './secret-types.js';
import type { EpochMs } from './time.js';
import { validateRecoveryWindow } from './validation.js';

const DAY_MS = 86_400_000;

export type DeletionOutcome =
  | { readonly kind: 'scheduled'; readonly secret: Secret }
  | { readonly kind: 'destroyed'; readonly deletedAt: EpochMs };

export interface DeleteSecretInput {
  readonly recoveryWindowDays?: number | undefined;
  readonly force: boolean;
  readonly now: EpochMs;
}

/** Schedules deletion after a recovery window, or destroys at once when forced (docs/behaviour.md rules 10, 11). */
export function deleteSecret(secret: Secret, input: DeleteSecretInput): DeletionOutcome {
  if (input.force) return { kind: 'destroyed', deletedAt: input.now };
  assertNotPendingDeletion(secret);
  const days = input.recoveryWindowDays ?? 30;
  validateRecoveryWindow(days);
  return {
    kind: 'scheduled',
    secret: { ...secret, plannedDeleteAt: input.now + days * DAY_MS, updatedAt: input.now },
  };
}

/** Brings a secret back from its recovery window; a secret not scheduled for deletion is unchanged (docs/behaviour.md rule 12). */
export function restoreSecret(secret: Secret, now: EpochMs): Secret {
  if (secret.plannedDeleteAt === null) return secret;
  return { ...secret, plannedDeleteAt: null, updatedAt: now };
}

/** A secret whose recovery window has run out is gone, whether or not the sweeper has purged it yet. */
export function isExpired(secret: Secret, now: EpochMs): boolean {
  return secret.plannedDeleteAt !== null && secret.plannedDeleteAt <= now;
}

export function assertNotPendingDeletion(secret: Secret): void {
  if (secret.plannedDeleteAt !== null) {
    throw new DomainError(
      'secret_pending_deletion',
      `The secret "${secret.name}" is scheduled for deletion.`,
      {
        resource: secret.name,
      },
    );
  }
}
