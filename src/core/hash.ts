import { constantTimeEqual as equalInConstantTime, hmacSha256Base64url, sha256Base64url } from '#crypto';

/** SHA-256 of a UTF-8 string, base64url-encoded: what the stores keep instead of a secret. */
export function sha256(text: string): string {
  return sha256Base64url(text);
}

/** HMAC-SHA256 of a UTF-8 string, base64url-encoded. */
export function hmacSha256(key: Uint8Array | string, text: string): string {
  return hmacSha256Base64url(key, text);
}

/** Compares two strings in time that depends only on their length (OWASP: compare secrets in constant time). */
export function constantTimeEqual(a: string, b: string): boolean {
  return equalInConstantTime(a, b);
}
