/** References (`SECRET[#KEY][?stage=STAGE]`), JSON key selection and durations, as `run` and `agent` read them. */
import { describe, expect, it } from 'vitest';
import { CliError, UsageError } from '../src/errors.js';
import { parseDuration, parseRef, selectKey } from '../src/secret-refs.js';

describe('parseRef', () => {
  it('reads the secret, the key and the stage', () => {
    expect(parseRef('app/db', 'u')).toMatchObject({
      secretName: 'app/db',
      key: undefined,
      versionStage: 'ACSCurrent',
    });
    expect(parseRef('app/db#password?stage=ACSPrevious', 'u')).toMatchObject({
      secretName: 'app/db',
      key: 'password',
      versionStage: 'ACSPrevious',
    });
    expect(parseRef('acs:kms:cn-hangzhou:1:secret/a=b@c#k', 'u')).toMatchObject({
      secretName: 'acs:kms:cn-hangzhou:1:secret/a=b@c',
      key: 'k',
    });
  });

  it('refuses an empty name or key and anything but stage= after "?"', () => {
    for (const text of ['#k', 'app/db#', 'app/db?version=1', 'app/db?stage=']) {
      expect(() => parseRef(text, 'u'), text).toThrow(UsageError);
    }
  });
});

describe('selectKey', () => {
  const ref = { text: 'app/db#k', key: 'k' };
  it('returns strings as they are and other JSON values as JSON text', () => {
    expect(selectKey('{"k":"v"}', ref)).toBe('v');
    expect(selectKey('{"k":5432}', ref)).toBe('5432');
    expect(selectKey('{"k":{"a":[1]}}', ref)).toBe('{"a":[1]}');
    expect(selectKey('not json', { text: 'x', key: undefined })).toBe('not json');
  });

  it('names the keys, never the value, when the key is missing or the value is not an object', () => {
    const missing = (() => {
      try {
        selectKey('{"user":"s3cret-value"}', ref);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(missing).toBeInstanceOf(CliError);
    expect((missing as Error).message).toContain('"user"');
    expect((missing as Error).message).not.toContain('s3cret-value');
    expect(() => selectKey('["k"]', ref)).toThrow('is not a JSON object');
    expect(() => selectKey('s3cret', ref)).toThrow(/^(?!.*s3cret:).*not a JSON object/);
  });
});

describe('parseDuration', () => {
  it('takes ms, s, m and h, at least 100 ms', () => {
    expect(parseDuration('500ms', '--x', 'u')).toBe(500);
    expect(parseDuration('30s', '--x', 'u')).toBe(30_000);
    expect(parseDuration('5m', '--x', 'u')).toBe(300_000);
    expect(parseDuration('1h', '--x', 'u')).toBe(3_600_000);
    for (const text of ['10ms', '1d', 's', '1.5s', ''])
      expect(() => parseDuration(text, '--x', 'u')).toThrow(UsageError);
  });
});
