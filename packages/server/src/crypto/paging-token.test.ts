import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openPagingToken, pagingTokenKey, sealPagingToken } from './paging-token.js';

const key = pagingTokenKey(randomBytes(32));
const binding = ['ListTagResources', 'AccessKey1', '["secret",[],[]]'];

describe('paging tokens', () => {
  it('open to the sealed position with the same binding only', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 20 }), (position, other) => {
        const token = sealPagingToken(key, binding, position);
        expect(openPagingToken(key, binding, token)).toBe(position);
        expect(
          openPagingToken(key, ['ListTagResources', `AccessKey1${other}x`, binding[2] ?? ''], token),
        ).toBe(undefined);
        expect(openPagingToken(pagingTokenKey(randomBytes(32)), binding, token)).toBeUndefined();
      }),
    );
  });

  it('have one length for every short position, so the length tells nothing', () => {
    const lengths = new Set(
      ['0:0', '7:3', '123456789:199', '1'.repeat(30)].map((p) => sealPagingToken(key, binding, p).length),
    );
    expect(lengths.size).toBe(1);
  });

  it('refuse any edited, truncated or malformed token', () => {
    const token = sealPagingToken(key, binding, '257:0');
    for (let i = 0; i < token.length; i++) {
      const edited = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      // The last character may carry only padding bits of base64url; an edit there can decode equal.
      if (Buffer.from(edited, 'base64url').equals(Buffer.from(token, 'base64url'))) continue;
      expect(openPagingToken(key, binding, edited)).toBeUndefined();
    }
    expect(openPagingToken(key, binding, token.slice(0, -4))).toBeUndefined();
    expect(openPagingToken(key, binding, 'garbage!')).toBeUndefined();
    expect(openPagingToken(key, binding, '')).toBeUndefined();
    expect(openPagingToken(key, binding, 'A'.repeat(5000))).toBeUndefined();
  });
});
