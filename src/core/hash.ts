import * as crypto from 'node:crypto';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// One-shot crypto.hash (Node >= 20.12) skips building a Hash object: about twice as fast for a 43-character
// secret, and every validation hashes one. Older Node 20 releases fall back to createHash (same digest).
const oneShotHash: typeof crypto.hash | undefined =
  typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** SHA-256 of a UTF-8 string, base64url-encoded: what the stores keep instead of a secret. */
export function sha256(text: string): string {
  if (oneShotHash !== undefined) return oneShotHash('sha256', text, 'base64url');
  return createHash('sha256').update(text).digest('base64url');
}

/** HMAC-SHA256 of a UTF-8 string, base64url-encoded. */
export function hmacSha256(key: Uint8Array | string, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** Compares two strings in time that depends only on their length (OWASP: compare secrets in constant time). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    // Still spend the comparison so a length mismatch is not a faster path.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
