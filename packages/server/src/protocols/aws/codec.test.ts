import { describe, expect, it } from 'vitest';
import {
  AWS_CURRENT,
  epochSeconds,
  kmsKeyReference,
  resolveSecretId,
  secretArn,
  secretCandidates,
  STAGE_PENDING_BUILTIN,
  stageFromWire,
  stageToWire,
  tagsFromWire,
} from './codec.js';
import { AwsError } from './errors.js';
import {
  batchSelectionOf,
  decodeNextToken,
  deletionOf,
  encodeNextToken,
  passwordRequestOf,
  rotationRequestOf,
  rotatorNameOf,
  secretValueOf,
  stageMoveOf,
  versionChoiceOf,
  versionStagesOf,
} from './requests.js';

const HOME = { region: 'eu-central-1', accountId: '123456789012' };

function awsFailure(run: () => unknown): AwsError {
  try {
    run();
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error('expected an AwsError');
}

describe('stage labels', () => {
  it('translates the built-ins both ways and passes custom labels through', () => {
    expect(stageFromWire('AWSCURRENT')).toBe('$current');
    expect(stageFromWire('AWSPREVIOUS')).toBe('$previous');
    expect(stageFromWire('AWSPENDING')).toBe(STAGE_PENDING_BUILTIN);
    expect(stageFromWire('blue')).toBe('blue');
    expect(stageToWire('$current')).toBe(AWS_CURRENT);
    expect(stageToWire(STAGE_PENDING_BUILTIN)).toBe('AWSPENDING');
    expect(stageToWire('blue')).toBe('blue');
  });

  it("refuses the Alibaba API's built-in names as custom labels", () => {
    expect(awsFailure(() => stageFromWire('ACSCurrent')).code).toBe('InvalidParameterException');
    expect(awsFailure(() => versionStagesOf(['ACSPending'])).code).toBe('InvalidParameterException');
  });
});

describe('timestamps and ARNs', () => {
  it('sends epoch seconds with fractions', () => {
    expect(epochSeconds(1_700_000_000_123)).toBe(1_700_000_000.123);
  });

  it('resolves a name, a full ARN and a partial ARN, in that order of candidates', () => {
    const arn = secretArn(HOME, 'prod/db-main', 'AbC123');
    expect(arn).toBe('arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/db-main-AbC123');
    expect(secretCandidates('prod/db-main', HOME)).toEqual([{ name: 'prod/db-main' }]);
    expect(secretCandidates(arn, HOME)).toEqual([
      { name: 'prod/db-main', arnSuffix: 'AbC123' },
      { name: 'prod/db-main-AbC123' },
    ]);
    expect(secretCandidates('arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/db', HOME)).toEqual(
      [{ name: 'prod/db' }],
    );
  });

  it('names nothing with an ARN of another region, account, partition or service', () => {
    for (const other of [
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123',
      'arn:aws:secretsmanager:eu-central-1:999999999999:secret:prod/db-AbC123',
      'arn:aws-cn:secretsmanager:eu-central-1:123456789012:secret:prod/db-AbC123',
      'arn:aws:ssm:eu-central-1:123456789012:parameter/prod/db',
      'arn:nonsense',
    ]) {
      expect(secretCandidates(other, HOME), other).toEqual([]);
    }
  });

  it('checks the suffix of a full ARN against the secret found', async () => {
    const secrets = new Map([
      ['prod/db', { name: 'prod/db', arnSuffix: 'AbC123' }],
      ['prod/db-XyZ789', { name: 'prod/db-XyZ789', arnSuffix: 'qqqqqq' }],
    ]);
    const lookup = (name: string) => Promise.resolve(secrets.get(name));
    const resolve = (id: string) => resolveSecretId(id, HOME, lookup).then((s) => s?.name);
    await expect(resolve(secretArn(HOME, 'prod/db', 'AbC123'))).resolves.toBe('prod/db');
    await expect(resolve(secretArn(HOME, 'prod/db', 'Wrong1'))).resolves.toBeUndefined();
    // A partial ARN of a name that itself ends like a suffix.
    await expect(
      resolve('arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/db-XyZ789'),
    ).resolves.toBe('prod/db-XyZ789');
  });

  it('reads KmsKeyId as the default key, a key id, an alias or an ARN in either vocabulary', () => {
    expect(kmsKeyReference('alias/aws/secretsmanager')).toEqual({ kind: 'default' });
    expect(kmsKeyReference('key-1')).toEqual({ kind: 'key', keyId: 'key-1' });
    expect(kmsKeyReference('alias/app')).toEqual({ kind: 'alias', alias: 'alias/app' });
    expect(kmsKeyReference('arn:aws:kms:eu-central-1:123456789012:key/key-1')).toEqual({
      kind: 'key',
      keyId: 'key-1',
    });
    expect(kmsKeyReference('acs:kms:cn-hangzhou:123:key/key-2')).toEqual({ kind: 'key', keyId: 'key-2' });
    expect(kmsKeyReference('arn:aws:kms:eu-central-1:123456789012:alias/app')).toEqual({
      kind: 'alias',
      alias: 'alias/app',
    });
    expect(kmsKeyReference('arn:aws:kms:eu-central-1:123456789012:alias/aws/secretsmanager')).toEqual({
      kind: 'default',
    });
  });

  it('reads tags, a missing Value as empty', () => {
    expect(tagsFromWire([{ Key: 'a', Value: 'b' }, { Key: 'c' }])).toEqual([
      { key: 'a', value: 'b' },
      { key: 'c', value: '' },
    ]);
    expect(awsFailure(() => tagsFromWire([{ Value: 'x' }])).code).toBe('InvalidParameterException');
  });
});

describe('request rules beyond the model', () => {
  it('takes a string or a binary value, not both', () => {
    expect(secretValueOf({ SecretString: 's' })).toEqual({ data: 's', dataType: 'text' });
    expect(secretValueOf({ SecretBinary: Buffer.from([1, 2]) })).toEqual({
      data: 'AQI=',
      dataType: 'binary',
    });
    expect(secretValueOf({})).toBeUndefined();
    expect(
      awsFailure(() => secretValueOf({ SecretString: 's', SecretBinary: Buffer.from('b') })).message,
    ).toBe("You can't specify both a binary secret value and a string secret value in the same secret.");
  });

  it('deletes after 7–30 days (30 by default) or at once, never both', () => {
    expect(deletionOf({ SecretId: 's' })).toEqual({ kind: 'scheduled', recoveryWindowInDays: 30 });
    expect(deletionOf({ SecretId: 's', RecoveryWindowInDays: 7 })).toEqual({
      kind: 'scheduled',
      recoveryWindowInDays: 7,
    });
    expect(deletionOf({ SecretId: 's', ForceDeleteWithoutRecovery: true })).toEqual({ kind: 'force' });
    expect(awsFailure(() => deletionOf({ SecretId: 's', RecoveryWindowInDays: 6 })).message).toBe(
      'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
    );
    expect(
      awsFailure(() =>
        deletionOf({ SecretId: 's', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }),
      ).code,
    ).toBe('InvalidParameterException');
  });

  it('chooses AWSCURRENT when neither version id nor stage is given', () => {
    expect(versionChoiceOf({})).toEqual({ stage: '$current' });
    expect(versionChoiceOf({ VersionStage: 'AWSPREVIOUS' })).toEqual({
      versionId: undefined,
      stage: '$previous',
    });
    expect(versionStagesOf(undefined)).toEqual(['$current']);
    expect(versionStagesOf(['AWSPENDING', 'blue'])).toEqual([STAGE_PENDING_BUILTIN, 'blue']);
  });

  it('moves a stage only when told where from or to', () => {
    expect(stageMoveOf({ SecretId: 's', VersionStage: 'AWSCURRENT', MoveToVersionId: 'v2' })).toEqual({
      stage: '$current',
      moveToVersionId: 'v2',
      removeFromVersionId: undefined,
    });
    expect(awsFailure(() => stageMoveOf({ SecretId: 's', VersionStage: 'blue' })).code).toBe(
      'InvalidParameterException',
    );
  });

  it('takes ids or filters for BatchGetSecretValue, exactly one', () => {
    expect(batchSelectionOf({ SecretIdList: ['a'] })).toEqual({ kind: 'ids', secretIds: ['a'] });
    expect(batchSelectionOf({ Filters: [{ Key: 'name', Values: ['a'] }] })).toEqual({
      kind: 'filters',
      filters: [{ key: 'name', values: ['a'] }],
    });
    expect(awsFailure(() => batchSelectionOf({})).code).toBe('InvalidParameterException');
    expect(awsFailure(() => batchSelectionOf({ SecretIdList: ['a'], Filters: [] })).code).toBe(
      'InvalidParameterException',
    );
  });

  it('maps GetRandomPassword parameters with AWS defaults', () => {
    expect(passwordRequestOf({})).toMatchObject({
      length: 32,
      exclude: [],
      includeSpace: false,
      requireEachIncludedType: true,
      lengthBounds: { min: 1, max: 4096 },
    });
    expect(
      passwordRequestOf({
        ExcludeNumbers: true,
        ExcludeLowercase: true,
        IncludeSpace: true,
        PasswordLength: 4,
      }),
    ).toMatchObject({ length: 4, exclude: ['numbers', 'lowercase'], includeSpace: true });
  });

  it('reads RotateSecret rules and names a rotator by name or Lambda-style ARN', () => {
    const request = rotationRequestOf({
      SecretId: 's',
      RotationLambdaARN: 'arn:aws:lambda:eu-central-1:123456789012:function:db-rotator',
      RotationRules: { ScheduleExpression: 'rate(10 days)', Duration: '2h' },
      RotateImmediately: false,
    });
    expect(request).toMatchObject({
      rotatorName: 'db-rotator',
      rotateImmediately: false,
      rules: { schedule: { kind: 'interval', intervalSeconds: 864_000 }, windowHours: 2 },
    });
    expect(rotatorNameOf('my-webhook')).toBe('my-webhook');
    expect(rotatorNameOf(undefined)).toBeUndefined();
    expect(awsFailure(() => rotatorNameOf('arn:aws:iam::1:role/x')).code).toBe('InvalidParameterException');
  });

  it('round-trips paging tokens and refuses forged ones', () => {
    expect(decodeNextToken(encodeNextToken('prod/db'))).toBe('prod/db');
    expect(decodeNextToken(undefined)).toBeUndefined();
    expect(awsFailure(() => decodeNextToken('garbage')).code).toBe('InvalidNextTokenException');
  });
});
