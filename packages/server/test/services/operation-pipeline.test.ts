/**
 * The operation pipeline (services/operations/pipeline.ts) driven by a sketch of a protocol adapter: a
 * few dozen lines that parse, name the operation, and render — with full authorization and an audit
 * trail it never writes itself. This is what the AWS adapter and the console build on.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DomainError, isDomainError } from '../../src/domain/errors.js';
import type { OperationName } from '../../src/domain/operations.js';
import { parseRamPolicy } from '../../src/domain/ram-policy.js';
import { OperationPipeline } from '../../src/services/operations/pipeline.js';
import type { TestInstance } from '../helpers.js';
import { startTessera } from '../helpers.js';

let instance: TestInstance;
let pipeline: OperationPipeline;

const readApp = parseRamPolicy(
  JSON.stringify({
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: ['kms:GetSecretValue'], Resource: ['acs:kms:*:*:secret/app/*'] }],
  }),
);

beforeAll(async () => {
  instance = await startTessera();
  const { services, identity } = instance.tessera;
  await services.secrets.createSecret({ name: 'app/db', versionId: 'v1', data: 'pw', dataType: 'text' });
  await services.secrets.createSecret({ name: 'ops/db', versionId: 'v1', data: 'ops', dataType: 'text' });
  pipeline = new OperationPipeline({
    services,
    identity,
    clock: { now: () => Date.now() },
    policies: { policiesFor: (user) => Promise.resolve(user === 'sketchy' ? [readApp] : undefined) },
  });
});

afterAll(async () => {
  await instance.stop();
});

// ---- The sketch adapter: a JSON protocol `{"op": …, "input": {…}}` → `{"status", "body"}`. ----------
const SKETCH_ERRORS: Partial<Record<string, number>> = { access_denied: 403, secret_not_found: 404 };
const statusOf = (error: unknown) =>
  error instanceof DomainError ? (SKETCH_ERRORS[error.code] ?? 400) : 500;

async function sketch(wire: string, user: string): Promise<{ status: number; body: unknown }> {
  const { op, input } = JSON.parse(wire) as { op: OperationName; input: { name: string } };
  try {
    const body = await pipeline.execute(
      {
        operation: op,
        principal: { accessKeyId: `AK-${user}`, userName: user },
        connection: { sourceIp: '127.0.0.1', secureTransport: true },
        protocol: 'console',
        requestId: `req-${Math.random()}`,
        subject: { secretName: input.name },
        outcomeOf: (error) => ({
          code: error instanceof DomainError ? error.code : 'internal',
          status: statusOf(error),
        }),
      },
      async ({ services, access, noteResource }) => {
        noteResource(input.name);
        const value = await services.secrets.getSecretValue({ name: input.name }, access.secretGuard());
        return { value: value.data };
      },
    );
    return { status: 200, body };
  } catch (error) {
    return {
      status: statusOf(error),
      body: { error: error instanceof DomainError ? error.code : 'internal' },
    };
  }
}
// ---- End of the sketch. ------------------------------------------------------------------------------

async function outcomesOf(user: string) {
  const page = await instance.tessera.services.audit.lookup({ principal: user, limit: 50 });
  return page.events
    .map((e) => [e.protocol, e.phase, e.action, e.resultCode, e.httpStatus, e.resource])
    .reverse();
}

describe('a sketch adapter over the pipeline', () => {
  it('serves an allowed read, refuses the rest the same whether it exists or not, and audits each', async () => {
    const read = (name: string) =>
      sketch(JSON.stringify({ op: 'GetSecretValue', input: { name } }), 'sketchy');
    expect(await read('app/db')).toEqual({ status: 200, body: { value: 'pw' } });
    expect(await read('ops/db')).toEqual({ status: 403, body: { error: 'access_denied' } });
    expect(await read('ops/none')).toEqual({ status: 403, body: { error: 'access_denied' } });
    expect(await read('app/none')).toEqual({ status: 404, body: { error: 'secret_not_found' } });
    const { region, accountId } = instance.tessera.identity;
    const arn = (name: string) => `acs:kms:${region}:${accountId}:secret/${name}`;
    expect(await outcomesOf('sketchy')).toEqual([
      ['console', 'outcome', 'GetSecretValue', 'Success', 200, 'app/db'],
      ['console', 'outcome', 'GetSecretValue', 'access_denied', 403, arn('ops/db')],
      ['console', 'outcome', 'GetSecretValue', 'access_denied', 403, arn('ops/none')],
      ['console', 'outcome', 'GetSecretValue', 'secret_not_found', 404, 'app/none'],
    ]);
  });

  it('records an attempt before a write, and refuses the write before it runs when not allowed', async () => {
    let ran = false;
    const write = (user: string) =>
      pipeline.execute(
        {
          operation: 'ListSecrets',
          principal: { accessKeyId: 'AK', userName: user },
          connection: { secureTransport: false },
          protocol: 'console',
          requestId: `w-${user}`,
          subject: {},
          outcomeOf: () => ({ code: 'x', status: 403 }),
        },
        () => {
          ran = true;
          return Promise.resolve(1);
        },
      );
    // ListSecrets is decided before the use case runs (a container); sketchy may not list.
    const refused = await write('sketchy').catch((error: unknown) => error);
    expect(isDomainError(refused, 'access_denied')).toBe(true);
    expect(ran).toBe(false);
    const put = await pipeline
      .execute(
        {
          operation: 'PutSecretValue',
          principal: { accessKeyId: 'AK', userName: 'administrator' },
          connection: { secureTransport: false },
          protocol: 'console',
          requestId: 'put-1',
          subject: { secretName: 'app/db' },
          outcomeOf: () => ({ code: 'x', status: 500 }),
        },
        // A use case that forgets its access check is refused, never answered.
        () => Promise.resolve('answered'),
      )
      .catch((error: unknown) => error);
    expect(isDomainError(put, 'internal')).toBe(true);
    const events = await instance.tessera.services.audit.lookup({ requestId: 'put-1', limit: 10 });
    expect(events.events.map((e) => [e.phase, e.resultCode]).reverse()).toEqual([
      ['attempt', null],
      ['outcome', 'x'],
    ]);
  });

  it("marks the events of requests that change nothing, and only those, as a read's", async () => {
    const { audit } = instance.tessera.services;
    const spy = vi.spyOn(audit, 'record');
    try {
      await sketch(JSON.stringify({ op: 'GetSecretValue', input: { name: 'app/db' } }), 'sketchy');
      await sketch(JSON.stringify({ op: 'GetSecretValue', input: { name: 'ops/db' } }), 'sketchy');
      await pipeline
        .execute(
          {
            operation: 'PutSecretValue',
            principal: { accessKeyId: 'AK', userName: 'administrator' },
            connection: { secureTransport: false },
            protocol: 'console',
            requestId: 'put-2',
            subject: { secretName: 'app/db' },
            outcomeOf: () => ({ code: 'x', status: 500 }),
          },
          () => Promise.resolve('answered'),
        )
        .catch(() => undefined);
      await pipeline.recordRefusal({
        protocol: 'console',
        requestId: 'refused-1',
        operation: 'GetSecretValue',
        subject: {},
        outcome: { code: 'IncompleteSignature', status: 400 },
      });
      expect(
        spy.mock.calls.map(([event, options]) => [event.action, event.phase, options?.changesNothing]),
      ).toEqual([
        ['GetSecretValue', 'outcome', true],
        ['GetSecretValue', 'outcome', true], // refused by access control: still a read
        ['PutSecretValue', 'attempt', undefined],
        ['PutSecretValue', 'outcome', false],
        ['GetSecretValue', 'outcome', undefined], // refused before the pipeline: always durable
      ]);
    } finally {
      spy.mockRestore();
    }
  });
});
