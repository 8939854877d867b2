/** Result bodies read back by the official client, as every AWS tool will read them. */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { parseScheduleExpression } from '../../domain/rotation-schedule.js';
import { STAGE_PENDING_BUILTIN } from './codec.js';
import { renderResult } from './render.js';
import type { SecretView } from './responses.js';
import { describeSecretBody, rotationRulesBody, secretValueBody, versionListEntry } from './responses.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 15, 13, 30);

function clientAnswering(body: object): SecretsManagerClient {
  const answer = renderResult(body, 'req');
  return new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
    requestHandler: {
      handle: () =>
        Promise.resolve({
          response: { statusCode: 200, headers: answer.headers, body: Buffer.from(answer.body) },
        }),
    } as never,
  });
}

const view: SecretView = {
  arn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:app/db-AbC123',
  name: 'app/db',
  description: '',
  kmsKeyId: null,
  tags: [{ key: 'team', value: 'ops' }],
  stages: new Map([
    ['$current', 'v2'],
    ['$previous', 'v1'],
    [STAGE_PENDING_BUILTIN, 'v3'],
  ]),
  createdAt: NOW - 10 * DAY,
  lastChangedAt: NOW - DAY,
  lastAccessedAt: NOW - 2 * DAY + 5000,
  plannedDeleteAt: null,
  rotation: {
    enabled: true,
    rotatorArn: 'arn:aws:lambda:eu-central-1:123456789012:function:hook',
    schedule: parseScheduleExpression('cron(0 4 * * ? *)'),
    windowHours: 2,
    lastRotatedAt: NOW - DAY,
    nextRotationAt: NOW + DAY,
  },
  owningService: null,
  primaryRegion: null,
};

describe('result bodies', () => {
  it('DescribeSecret: dates, rotation fields, stages and omitted members as the SDK reads them', async () => {
    const output = await clientAnswering(describeSecretBody(view, NOW)).send(
      new DescribeSecretCommand({ SecretId: 'app/db' }),
    );
    expect(output).toMatchObject({
      ARN: view.arn,
      Name: 'app/db',
      RotationEnabled: true,
      RotationLambdaARN: view.rotation?.rotatorArn,
      RotationRules: { AutomaticallyAfterDays: 1, ScheduleExpression: 'cron(0 4 * * ? *)', Duration: '2h' },
      Tags: [{ Key: 'team', Value: 'ops' }],
      VersionIdsToStages: { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'], v3: ['AWSPENDING'] },
    });
    expect(output.NextRotationDate?.getTime()).toBe(NOW + DAY);
    expect(output.LastAccessedDate?.toISOString()).toBe('2026-06-13T00:00:00.000Z');
    expect(output.Description).toBeUndefined();
    expect(output.KmsKeyId).toBeUndefined();
    expect(output.DeletedDate).toBeUndefined();
  });

  it('reports an Alibaba interval in hours as a rate, and in days as AutomaticallyAfterDays', () => {
    expect(
      rotationRulesBody({ kind: 'interval', intervalSeconds: 6 * 3600, expression: null }, null, NOW),
    ).toEqual({
      ScheduleExpression: 'rate(6 hours)',
    });
    expect(
      rotationRulesBody({ kind: 'interval', intervalSeconds: 7 * 86_400, expression: null }, null, NOW),
    ).toEqual({
      AutomaticallyAfterDays: 7,
    });
  });

  it('GetSecretValue and ListSecretVersionIds', async () => {
    const value = await clientAnswering(
      secretValueBody(view, {
        versionId: 'v3',
        stages: [STAGE_PENDING_BUILTIN],
        createdAt: NOW,
        data: 'AAEC',
        dataType: 'binary',
      }),
    ).send(new GetSecretValueCommand({ SecretId: 'app/db' }));
    expect(Array.from(value.SecretBinary ?? [])).toEqual([0, 1, 2]);
    expect(value.VersionStages).toEqual(['AWSPENDING']);
    const versions = await clientAnswering({
      Versions: [
        versionListEntry({
          versionId: 'v1',
          stages: [],
          createdAt: NOW,
          lastAccessedAt: null,
          kmsKeyIds: ['k'],
        }),
      ],
    }).send(new ListSecretVersionIdsCommand({ SecretId: 'app/db' }));
    expect(versions.Versions).toEqual([
      { VersionId: 'v1', VersionStages: [], CreatedDate: new Date(NOW), KmsKeyIds: ['k'] },
    ]);
  });
});
