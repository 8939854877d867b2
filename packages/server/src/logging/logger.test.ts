import { describe, expect, it } from 'vitest';
import { LogCapture } from '../../test/helpers.js';
import { createLogger } from './logger.js';

describe('logger', () => {
  it('redacts secret-bearing fields at any depth up to two levels', () => {
    const capture = new LogCapture();
    const logger = createLogger('info', capture);
    logger.info(
      {
        secretData: 'top-level-value',
        input: { SecretData: 'nested-value', name: 'visible-name' },
        call: { params: { plaintext: 'deep-value' } },
        accessKeySecret: 'ak-secret-value',
      },
      'message',
    );
    const line = capture.text;
    for (const hidden of ['top-level-value', 'nested-value', 'deep-value', 'ak-secret-value']) {
      expect(line).not.toContain(hidden);
    }
    expect(line).toContain('visible-name');
    expect(line).toContain('[redacted]');
  });

  it('logs requests by method and route, never by URL or headers', () => {
    const capture = new LogCapture();
    const logger = createLogger('info', capture);
    const req = {
      id: 'R1',
      method: 'GET',
      url: '/?SecretData=leaked',
      headers: { authorization: 'ACS3-HMAC-SHA256 Credential=x' },
      routeOptions: { url: '/' },
      ip: '127.0.0.1',
    };
    logger.info({ req }, 'request');
    expect(capture.text).not.toContain('leaked');
    expect(capture.text).not.toContain('Credential');
    expect(capture.text).toContain('"route":"/"');
  });
});
