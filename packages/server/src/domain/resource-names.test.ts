import { describe, expect, it } from 'vitest';
import { acsNamer, awsNamer } from './resource-names.js';

const names = { region: 'cn-hangzhou', accountId: '123' };

describe('resource namers', () => {
  it("spell Alibaba's ARNs, aliases always with their prefix", () => {
    const acs = acsNamer(names);
    expect(acs.secret({ name: 'app/db', arnSuffix: 'Ab12Cd' })).toBe('acs:kms:cn-hangzhou:123:secret/app/db');
    expect(acs.key('key-1')).toBe('acs:kms:cn-hangzhou:123:key/key-1');
    expect(acs.alias('alias/dev')).toBe('acs:kms:cn-hangzhou:123:alias/dev');
    expect(acs.alias('dev')).toBe('acs:kms:cn-hangzhou:123:alias/dev');
  });

  it("spell AWS's ARNs with the secret's immutable suffix", () => {
    const aws = awsNamer({ region: 'us-east-1', accountId: '123456789012' });
    expect(aws.secret({ name: 'app/db', arnSuffix: 'Ab12Cd' })).toBe(
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-Ab12Cd',
    );
    expect(aws.key('k')).toBe('arn:aws:kms:us-east-1:123456789012:key/k');
    expect(aws.alias('dev')).toBe('arn:aws:kms:us-east-1:123456789012:alias/dev');
  });
});
