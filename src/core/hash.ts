import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a UTF-8 string, base64url-encoded: what the stores keep instead of a secret. */
export function sha256(text: string): string {
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
