/**
 * The key-state matrix on the wire: for a key that is Enabled, Disabled or
 * PendingDeletion, each operation either succeeds or answers the listed 409 code — and a refused call
 * changes nothing (state, deletion date, description, primary version, aliases).
 * Calls rotate over the five real clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiServer, Body } from './harness.js';
import { ApiError, startApiServer, toApiError } from './harness.js';

let server: ApiServer;
let rpc: ApiClient;
/** An enabled key that UpdateAlias cases move aliases away from. */
let foreignKeyId: string;

beforeAll(async () => {
  server = await startApiServer();
  rpc = server.client('kms20160120');
  foreignKeyId = await createKey('foreign');
});

afterAll(async () => {
  await server.stop();
});

const STATES = ['Enabled', 'Disabled', 'PendingDeletion'] as const;
type State = (typeof STATES)[number];

const OK = 'ok';
const DISABLED = 'Rejected.Disabled';
const PENDING = 'Rejected.PendingDeletion';
const STATE_MODIFIED = 'Rejected.StateModifiedFailed';
type Outcome = typeof OK | typeof DISABLED | typeof PENDING | typeof STATE_MODIFIED;

/** A test key in some state, plus what an operation needs, made while the key was still enabled. */
interface Fixture {
  readonly keyId: string;
  /** An Encrypt blob under the key. */
  readonly blob: string;
  /** An alias on the key. */
  readonly alias: string;
  /** An alias on the foreign key (UpdateAlias moves it onto this one). */
  readonly foreignAlias: string;
}

type Need = 'blob' | 'alias' | 'foreignAlias';

interface Operation {
  readonly name: string;
  readonly expected: Record<State, Outcome>;
  readonly run: (client: ApiClient, fixture: Fixture) => Promise<Body>;
  /** Fixture parts the operation uses (only those are made, to keep the matrix fast). */
  readonly needs?: readonly Need[];
  /** The state a successful call leaves; unchanged when absent. */
  readonly leaves?: State;
}

const crypto = { Enabled: OK, Disabled: DISABLED, PendingDeletion: PENDING } as const;
const always = { Enabled: OK, Disabled: OK, PendingDeletion: OK } as const;
const changeState = { Enabled: OK, Disabled: OK, PendingDeletion: STATE_MODIFIED } as const;
const modify = { Enabled: OK, Disabled: OK, PendingDeletion: PENDING } as const;

let aliasCounter = 0;

const OPERATIONS: readonly Operation[] = [
  {
    name: 'Encrypt',
    expected: crypto,
    run: (c, f) => c.call('Encrypt', { KeyId: f.keyId, Plaintext: 'p', EncryptionContext: '{"k":"v"}' }),
  },
  {
    name: 'Decrypt',
    expected: crypto,
    needs: ['blob'],
    run: (c, f) => c.call('Decrypt', { CiphertextBlob: f.blob, EncryptionContext: '{"k":"v"}' }),
  },
  { name: 'GenerateDataKey', expected: crypto, run: (c, f) => c.call('GenerateDataKey', { KeyId: f.keyId }) },
  {
    name: 'GenerateDataKeyWithoutPlaintext',
    expected: crypto,
    run: (c, f) => c.call('GenerateDataKeyWithoutPlaintext', { KeyId: f.keyId }),
  },
  { name: 'DescribeKey', expected: always, run: (c, f) => c.call('DescribeKey', { KeyId: f.keyId }) },
  {
    name: 'DescribeKey by alias',
    expected: always,
    needs: ['alias'],
    run: (c, f) => c.call('DescribeKey', { KeyId: f.alias }),
  },
  { name: 'ListKeys', expected: always, run: (c) => c.call('ListKeys', { PageSize: 100 }) },
  { name: 'ListAliases', expected: always, run: (c) => c.call('ListAliases', {}) },
  {
    name: 'ListAliasesByKeyId',
    expected: always,
    run: (c, f) => c.call('ListAliasesByKeyId', { KeyId: f.keyId }),
  },
  { name: 'ListKeyVersions', expected: always, run: (c, f) => c.call('ListKeyVersions', { KeyId: f.keyId }) },
  {
    name: 'DeleteAlias',
    expected: always,
    needs: ['alias'],
    run: (c, f) => c.call('DeleteAlias', { AliasName: f.alias }),
  },
  {
    name: 'EnableKey',
    expected: changeState,
    leaves: 'Enabled',
    run: (c, f) => c.call('EnableKey', { KeyId: f.keyId }),
  },
  {
    name: 'DisableKey',
    expected: changeState,
    leaves: 'Disabled',
    run: (c, f) => c.call('DisableKey', { KeyId: f.keyId }),
  },
  {
    name: 'ScheduleKeyDeletion',
    expected: changeState,
    leaves: 'PendingDeletion',
    run: (c, f) => c.call('ScheduleKeyDeletion', { KeyId: f.keyId, PendingWindowInDays: 30 }),
  },
  {
    name: 'CancelKeyDeletion',
    expected: { Enabled: STATE_MODIFIED, Disabled: STATE_MODIFIED, PendingDeletion: OK },
    leaves: 'Enabled', // docs/behaviour.md rule 16
    run: (c, f) => c.call('CancelKeyDeletion', { KeyId: f.keyId }),
  },
  {
    name: 'CreateAlias',
    expected: changeState,
    run: (c, f) => c.call('CreateAlias', { AliasName: `alias/new-${++aliasCounter}`, KeyId: f.keyId }),
  },
  {
    name: 'UpdateKeyDescription',
    expected: modify,
    run: (c, f) => c.call('UpdateKeyDescription', { KeyId: f.keyId, Description: 'changed' }),
  },
  {
    name: 'UpdateAlias (target key)',
    expected: modify,
    needs: ['foreignAlias'],
    run: (c, f) => c.call('UpdateAlias', { AliasName: f.foreignAlias, KeyId: f.keyId }),
  },
  {
    // Not in the published matrix; Tessera treats rotation like any other change of a key.
    name: 'CreateKeyVersion',
    expected: modify,
    run: (c, f) => c.call('CreateKeyVersion', { KeyId: f.keyId }),
  },
];

async function createKey(description: string): Promise<string> {
  const body = await rpc.call('CreateKey', { Description: description });
  return (body.KeyMetadata as { KeyId: string }).KeyId;
}

async function fixtureIn(state: State, needs: readonly Need[] = []): Promise<Fixture> {
  const keyId = await createKey('original');
  const alias = `alias/fixture-${++aliasCounter}`;
  const foreignAlias = `alias/foreign-${++aliasCounter}`;
  if (needs.includes('alias')) await rpc.call('CreateAlias', { AliasName: alias, KeyId: keyId });
  if (needs.includes('foreignAlias'))
    await rpc.call('CreateAlias', { AliasName: foreignAlias, KeyId: foreignKeyId });
  const blob = needs.includes('blob')
    ? String(
        (await rpc.call('Encrypt', { KeyId: keyId, Plaintext: 'p', EncryptionContext: '{"k":"v"}' }))
          .CiphertextBlob,
      )
    : '';
  if (state === 'Disabled') await rpc.call('DisableKey', { KeyId: keyId });
  if (state === 'PendingDeletion')
    await rpc.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
  return { keyId, blob, alias, foreignAlias };
}

/** Everything a refused call must leave as it was: the key (state, dates, description, primary version), its versions, all aliases. */
async function snapshot(fixture: Fixture): Promise<unknown> {
  const described = await rpc.call('DescribeKey', { KeyId: fixture.keyId });
  const aliases = await rpc.call('ListAliases', { PageSize: 100 });
  const versions = await rpc.call('ListKeyVersions', { KeyId: fixture.keyId });
  return { key: described.KeyMetadata, aliases: aliases.Aliases, versions: versions.KeyVersions };
}

async function stateOf(keyId: string): Promise<string> {
  const body = await rpc.call('DescribeKey', { KeyId: keyId });
  return (body.KeyMetadata as { KeyState: string }).KeyState;
}

describe('key state matrix', () => {
  let callIndex = 0;
  for (const operation of OPERATIONS) {
    for (const state of STATES) {
      const expected = operation.expected[state];
      it(`${operation.name} on a ${state} key → ${expected}`, async () => {
        const client = server.clients[callIndex++ % server.clients.length]!;
        const fixture = await fixtureIn(state, operation.needs);
        const before = expected === OK ? undefined : await snapshot(fixture);
        let error: ApiError | undefined;
        try {
          const body = await operation.run(client, fixture);
          expect(body).not.toHaveProperty('Code');
        } catch (caught) {
          error = caught instanceof ApiError ? caught : toApiError(caught);
        }
        if (expected === OK) {
          expect(error?.message, client.name).toBeUndefined();
          expect(await stateOf(fixture.keyId)).toBe(operation.leaves ?? state);
        } else {
          expect({ status: error?.status, code: error?.code }, client.name).toEqual({
            status: 409,
            code: expected,
          });
          expect(await snapshot(fixture)).toEqual(before);
        }
      });
    }
  }

  it('a refused UpdateAlias leaves the alias on its old key', async () => {
    const fixture = await fixtureIn('PendingDeletion', ['foreignAlias']);
    await expect(
      rpc.call('UpdateAlias', { AliasName: fixture.foreignAlias, KeyId: fixture.keyId }),
    ).rejects.toMatchObject({ code: PENDING, status: 409 });
    const body = await rpc.call('DescribeKey', { KeyId: fixture.foreignAlias });
    expect((body.KeyMetadata as { KeyId: string }).KeyId).toBe(foreignKeyId);
  });
});
