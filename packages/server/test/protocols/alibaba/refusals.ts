/**
 * "A refused call changes nothing": snapshots of what is stored about a secret, and a check that a call
 * fails with the expected status and code and leaves the named secrets exactly as they were.
 */
import { expect } from 'vitest';
import { isDomainError } from '../../../src/domain/errors.js';
import type { ManualClock } from '../../fakes/manual-clock.js';
import type { ApiError, ApiServer } from './harness.js';
import { errorOf } from './harness.js';

/** Everything stored about a secret (metadata, versions, stages, policy), or "absent". */
export async function secretSnapshot(server: ApiServer, name: string): Promise<unknown> {
  const { secrets } = server.instance.tessera.services;
  try {
    const secret = await secrets.describeSecret(name);
    // A secret in its deletion window refuses GetSecretPolicy; its policy cannot change then either.
    const { policy } = await secrets.getSecretPolicy(name).catch(() => ({ policy: 'n/a' }));
    return { ...secret, stages: [...secret.stages], policy };
  } catch (error) {
    if (isDomainError(error, 'secret_not_found')) return 'absent';
    throw error;
  }
}

export interface Refusal {
  readonly code: string;
  readonly status: number;
  /** A parameter the message must name, in quotes. */
  readonly parameter?: string;
}

export type RefusalCheck = (
  call: () => Promise<unknown>,
  expected: Refusal,
  names: string | readonly string[],
) => Promise<ApiError>;

/**
 * A check for calls that must fail with a status and code and leave the named secrets untouched. The
 * clock moves before the call, so a stray write would show in UpdateTime. `context` is read at each
 * check (the server and clock are made in `beforeAll`).
 */
export function refusalCheck(context: () => { server: ApiServer; clock: ManualClock }): RefusalCheck {
  return async (call, expected, names) => {
    const { server, clock } = context();
    const list = typeof names === 'string' ? [names] : names;
    const snapshots = () => Promise.all(list.map((name) => secretSnapshot(server, name)));
    const before = await snapshots();
    clock.advance(1000);
    const error = await errorOf(call());
    expect({ code: error.code, status: error.status }).toEqual({
      code: expected.code,
      status: expected.status,
    });
    if (expected.parameter !== undefined) expect(error.message).toContain(`"${expected.parameter}"`);
    expect(await snapshots()).toEqual(before);
    return error;
  };
}
