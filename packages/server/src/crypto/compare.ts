/** Comparison of secret strings without leaking, through timing, where they differ. */
import { timingSafeEqual } from 'node:crypto';

/** Whether two strings have the same UTF-8 bytes, in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
