import { describe, expect, it } from 'vitest';
import { evaluate } from './policy-evaluation.js';
import {
  inEngineVocabulary,
  translateAction,
  translatePrincipal,
  translateResource,
} from './policy-vocabulary.js';
import { parseRamPolicy } from './ram-policy.js';
import { parsePolicyDocument } from './secret-policy.js';

describe('IAM-style policy documents read in the engine vocabulary', () => {
  it('names the same permissions, renamed ones included', () => {
    expect(translateAction('secretsmanager:GetSecretValue')).toBe('kms:GetSecretValue');
    expect(translateAction('secretsmanager:PutResourcePolicy')).toBe('kms:SetSecretPolicy');
    expect(translateAction('secretsmanager:DeleteResourcePolicy')).toBe('kms:SetSecretPolicy');
    expect(translateAction('secretsmanager:GetResourcePolicy')).toBe('kms:GetSecretPolicy');
    expect(translateAction('secretsmanager:CancelRotateSecret')).toBe('kms:UpdateSecretRotationPolicy');
    expect(translateAction('secretsmanager:*')).toBe('kms:*');
    expect(translateAction('kms:Decrypt')).toBe('kms:Decrypt');
  });

  it('names the same resources: a secret ARN without its suffix, key ARNs', () => {
    expect(translateResource('arn:aws:secretsmanager:eu-central-1:123:secret:app/*')).toEqual([
      'acs:kms:eu-central-1:123:secret/app/*',
    ]);
    expect(translateResource('arn:aws:secretsmanager:*:*:secret:app/db-??????')).toEqual([
      'acs:kms:*:*:secret/app/db',
    ]);
    expect(translateResource('arn:aws:secretsmanager:r:1:secret:app/db-AbC123')).toEqual([
      'acs:kms:r:1:secret/app/db-AbC123',
      'acs:kms:r:1:secret/app/db',
    ]);
    expect(translateResource('arn:aws:kms:r:1:key/k-1')).toEqual(['acs:kms:r:1:key/k-1']);
    expect(translateResource('*')).toEqual(['*']);
  });

  it('names the same principals', () => {
    expect(translatePrincipal('arn:aws:iam::123:user/alice')).toBe('acs:ram::123:user/alice');
    expect(translatePrincipal('arn:aws:iam::123:root')).toBe('acs:ram::123:*');
    expect(translatePrincipal('123')).toBe('acs:ram::123:*');
  });

  it('leaves an Alibaba document as it is', () => {
    const document = { Version: '1', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
    expect(inEngineVocabulary(document)).toBe(document);
  });

  it('parses an IAM RAM policy and a resource policy, and the engine decides with them', () => {
    const policy = parseRamPolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Id: 'readers',
        Statement: {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: 'arn:aws:secretsmanager:*:*:secret:app/*',
          Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        },
      }),
    );
    const request = (resource: string, sourceIp: string) =>
      evaluate([policy], {
        action: 'kms:GetSecretValue',
        resources: [resource],
        context: { sourceIp, secureTransport: false, currentTime: 0 },
      });
    expect(request('acs:kms:eu-central-1:1:secret/app/db', '10.1.2.3')).toBe('allow');
    expect(request('acs:kms:eu-central-1:1:secret/other/db', '10.1.2.3')).not.toBe('allow');
    expect(request('acs:kms:eu-central-1:1:secret/app/db', '192.168.0.1')).not.toBe('allow');
    const resource = parsePolicyDocument(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::1:user/reader' },
            Action: ['secretsmanager:GetSecretValue'],
            Resource: '*',
          },
        ],
      }),
    );
    expect(resource.statements[0]?.ramPrincipals).toEqual(['acs:ram::1:user/reader']);
  });

  it('refuses what neither vocabulary allows', () => {
    expect(() =>
      parseRamPolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe' }] })),
    ).toThrow();
    expect(() => parseRamPolicy(JSON.stringify({ Version: '2011-01-01', Statement: [] }))).toThrow();
  });
});
