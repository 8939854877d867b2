import { randomInt } from 'node:crypto';

const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random id of lower-case letters and digits, from the CSPRNG without modulo bias. */
export function randomId(length: number, alphabet: string = LOWER_ALPHANUMERIC): string {
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[randomInt(alphabet.length)] ?? '';
  return id;
}

/** Access key ids look like the cloud's (`LTAI…`) but carry Tessera's own prefix. */
export function newAccessKeyId(): string {
  return `TSRA${randomId(20, ALPHANUMERIC)}`;
}

/** 30 characters of letters and digits: about 178 bits. */
export function newAccessKeySecret(): string {
  return randomId(30, ALPHANUMERIC);
}

/** Alibaba account ids are 16 digits. */
export function newAccountId(): string {
  return randomId(16, '0123456789').replace(/^0/, '1');
}

/** RAM user ids are 16 digits, like account ids. */
export function newUserId(): string {
  return randomId(16, '0123456789').replace(/^0/, '1');
}

/** A secret's immutable ARN suffix: six letters and digits (`Secret.arnSuffix`). */
export function newSecretSuffix(): string {
  return randomId(6, ALPHANUMERIC);
}
