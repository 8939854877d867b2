import * as SecretsManager from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { AwsError } from './errors.js';
import { AWS_OPERATIONS, operationOf, parseOperationInput } from './operations.js';

function failure(run: () => unknown): AwsError {
  try {
    run();
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error('expected an AwsError');
}

describe('the operation list', () => {
  it('is every command of @aws-sdk/client-secrets-manager', () => {
    const commands = Object.keys(SecretsManager)
      .filter((name) => /^[A-Z]\w+Command$/.test(name))
      .map((name) => name.slice(0, -'Command'.length))
      .sort();
    expect([...AWS_OPERATIONS].sort()).toEqual(commands);
  });

  it('is named by X-Amz-Target', () => {
    expect(operationOf('secretsmanager.GetSecretValue')).toBe('GetSecretValue');
    for (const target of [undefined, 'GetSecretValue', 'secretsmanager.toString', 'kms.Encrypt']) {
      expect(failure(() => operationOf(target)).code).toBe('UnknownOperationException');
    }
  });
});

describe('input parsing', () => {
  it('reads typed members, ignores unknown ones and treats null as absent', () => {
    const input = parseOperationInput(
      'PutSecretValue',
      JSON.stringify({
        SecretId: 'prod/db',
        SecretBinary: Buffer.from('bytes').toString('base64'),
        VersionStages: ['AWSCURRENT', null],
        ClientRequestToken: null,
        Unknown: { deep: true },
      }),
    );
    expect(input.SecretId).toBe('prod/db');
    expect(input.SecretBinary?.toString()).toBe('bytes');
    expect(input.VersionStages).toEqual(['AWSCURRENT']);
    expect(input.ClientRequestToken).toBeUndefined();
    expect(parseOperationInput('ListSecrets', '')).toEqual({});
  });

  it('answers SerializationException for a body that is not a JSON object or a member of the wrong type', () => {
    for (const body of ['{', '[]', '"x"', 'null']) {
      expect(failure(() => parseOperationInput('ListSecrets', body)).code).toBe('SerializationException');
    }
    const wrong = failure(() => parseOperationInput('GetSecretValue', '{"SecretId": 5}'));
    expect(wrong).toMatchObject({ status: 400, code: 'SerializationException' });
    expect(wrong.message).toMatch(/^NUMBER_VALUE cannot be converted to String/);
    for (const body of [
      '{"MaxResults": "10"}',
      '{"MaxResults": 1.5}',
      '{"IncludePlannedDeletion": "true"}',
      '{"Filters": {"Key": "name"}}',
      '{"Filters": ["name"]}',
    ]) {
      expect(failure(() => parseOperationInput('ListSecrets', body)).code, body).toBe(
        'SerializationException',
      );
    }
    expect(
      failure(() => parseOperationInput('CreateSecret', '{"Name": "a", "SecretBinary": "not base64!"}')).code,
    ).toBe('SerializationException');
  });

  it('collects every broken constraint into one ValidationException, in AWS wording, without values', () => {
    const error = failure(() =>
      parseOperationInput(
        'ListSecrets',
        JSON.stringify({
          MaxResults: 101,
          SortOrder: 'up',
          Filters: [{ Key: 'name', Values: ['ok', 'bad*value'] }],
        }),
      ),
    );
    expect(error.code).toBe('ValidationException');
    expect(error.message).toBe(
      '3 validation errors detected: ' +
        "Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100; " +
        "Value at 'filters.1.member.values.2.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^!?[a-zA-Z0-9 :_@/+=.\\-!]*$; " +
        "Value at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]",
    );
    const missing = failure(() => parseOperationInput('GetSecretValue', '{}'));
    expect(missing.message).toBe(
      "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
    );
    const secret = 'x'.repeat(65537);
    const long = failure(() =>
      parseOperationInput('CreateSecret', JSON.stringify({ Name: 'n', SecretString: secret })),
    );
    expect(long.message).toBe(
      "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536",
    );
    expect(
      failure(() =>
        parseOperationInput('GetSecretValue', JSON.stringify({ SecretId: 's', VersionId: 'short' })),
      ).message,
    ).toMatch(
      /'versionId' failed to satisfy constraint: Member must have length greater than or equal to 32/,
    );
    expect(
      failure(() =>
        parseOperationInput(
          'RotateSecret',
          JSON.stringify({ SecretId: 's', RotationRules: { AutomaticallyAfterDays: 0 } }),
        ),
      ).message,
    ).toMatch(
      /'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have value greater than or equal to 1/,
    );
  });
});
