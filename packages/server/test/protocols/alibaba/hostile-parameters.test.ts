/**
 * Nothing a client sends makes an action fail with anything but a typed 4xx error (docs/behaviour.md
 * rule 17): every action, each parameter name the API uses, and values chosen to break parsers (JSON
 * `null`, numbers, `__proto__`, lone surrogates, huge numbers, empty and blank strings, odd ARNs,
 * forged ciphertext). The handlers are called directly, which is fast enough to try them all; the wire
 * in front of them (signatures, parameter merging) has its own tests in `transport` and `auth`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import { OPERATIONS } from '../../../src/domain/operations.js';
import type { OperationName } from '../../../src/domain/operations.js';
import { OperationAccess } from '../../../src/services/operations/access.js';
import type { ActionContext } from '../../../src/protocols/alibaba/action.js';
import { KMS_ACTIONS } from '../../../src/protocols/alibaba/actions/index.js';
import { DOMAIN_ERRORS, ProtocolError } from '../../../src/protocols/alibaba/errors.js';
import { Params } from '../../../src/protocols/alibaba/params.js';
import type { TestInstance } from '../../helpers.js';
import { startTessera } from '../../helpers.js';

/** Parameter names of the API's actions; each action also gets the ones it does not read. */
const PARAMETERS = `
  SecretName VersionId SecretData SecretDataType VersionStage VersionStages MoveToVersion
  RemoveFromVersion Description Tags TagKeys KeyId AliasName Plaintext CiphertextBlob
  EncryptionContext EncryptionContext.k NumberOfBytes KeySpec PageNumber PageSize Filters
  IncludeDeprecated FetchTags RecoveryWindowInDays ForceDeleteWithoutRecovery Policy PolicyName
  PasswordLength ExcludeCharacters RequireEachIncludedType SecretsList ResourceType ResourceId.1
  Tag.1.Key Tag.1.Value TagKey.1 All NextToken PendingWindowInDays KeyVersionId DryRun
  EncryptionKeyId SecretType ExtendedConfig CertificateId Origin ProtectionLevel KeyUsage
`
  .trim()
  .split(/\s+/);

const VALUES = [
  '',
  ' ',
  'null',
  '0',
  '-1',
  '1.5',
  '1e400',
  '99999999999999999999',
  '[]',
  '{}',
  '[null]',
  '[{}]',
  '[1]',
  '{"__proto__":{"x":"1"}}',
  '["__proto__"]',
  '[{"Key":"__proto__","Values":["x"]}]',
  '[{"TagKey":"constructor","TagValue":"x"}]',
  '["\\ud800"]',
  '[{"SecretName":"\\ud800"}]',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  'constructor',
  '__proto__',
  'hasOwnProperty',
  'acs:kms:a:b:secret/',
  'acs:kms:a:b:key/',
  'alias/',
  '\u0000',
  '\uFFFF',
  'é😀',
  'x'.repeat(40_000),
  'AAAA',
  Buffer.from([1, 3, 65, 65, 65, 2, 66, 66, 0, 0]).toString('base64'),
  'TRUE',
  '$current',
];

let instance: TestInstance;
let keyId: string;

beforeAll(async () => {
  instance = await startTessera();
  const { secrets, keys } = instance.tessera.services;
  await secrets.createSecret({ name: 'hostile', versionId: 'v1', data: 'x', dataType: 'text' });
  keyId = (await keys.createKey({ description: '', tags: [] })).id;
});

afterAll(async () => {
  await instance.stop();
});

function context(action: string, params: Record<string, string>): ActionContext {
  const { services, identity } = instance.tessera;
  const principal = { accessKeyId: 'HostileTester', userName: 'administrator' };
  return {
    params: new Params(new Map(Object.entries(params))),
    services,
    identity,
    principal,
    requestId: 'hostile',
    method: 'POST',
    serviceKeyId: 'none',
    noteResource: () => undefined,
    markDryRun: () => undefined,
    access: new OperationAccess({
      services,
      identity,
      policies: { policiesFor: () => Promise.resolve([]) },
      name: action,
      operation: OPERATIONS[action as OperationName],
      principal,
      context: { secureTransport: false },
    }),
  };
}

/** How the plugin would answer the error: its HTTP status, or 500 for anything untyped. */
function statusOf(error: unknown): number {
  if (error instanceof ProtocolError) return error.status;
  if (error instanceof DomainError) return DOMAIN_ERRORS[error.code].status;
  return 500;
}

it('answers every hostile parameter of every action with success or a 4xx, never a 5xx', async () => {
  const failures: string[] = [];
  for (const [action, handler] of Object.entries(KMS_ACTIONS)) {
    for (const parameter of PARAMETERS) {
      for (const value of VALUES) {
        const params = {
          SecretName: 'hostile',
          KeyId: keyId,
          RegionId: 'cn-hangzhou',
          ResourceType: 'secret',
          'ResourceId.1': 'hostile',
          [parameter]: value,
        };
        try {
          await handler(context(action, params));
        } catch (error) {
          const status = statusOf(error);
          if (status >= 500) {
            failures.push(`${action} ${parameter}=${JSON.stringify(value).slice(0, 40)}: ${String(error)}`);
          }
        }
      }
    }
  }
  expect(failures).toEqual([]);
}, 120_000);
