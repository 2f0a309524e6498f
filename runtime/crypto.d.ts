/**
 * The crypto provider: the few primitives Tessera's web-safe entries need, synchronous on every platform.
 * `#crypto` (package.json `imports`) picks one by export condition: `crypto-node.js` (node:crypto, Buffer) for
 * Node, Bun and Deno; `crypto-web.js` (WebCrypto's CSPRNG and @noble/hashes) for workerd, edge-light and
 * browser bundles. Both give the same bytes for the same input; test/core/crypto-provider.test.ts proves it.
 */

/** Which provider this is. */
export declare const providerName: 'node' | 'web';

/** `length` bytes from the platform's CSPRNG. Never call at module scope: workerd refuses it there. */
export declare function randomBytes(length: number): Uint8Array;

/** SHA-256 of the UTF-8 of `text`, base64url without padding. */
export declare function sha256Base64url(text: string): string;

/** HMAC-SHA256 of the UTF-8 of `text` under `key` (a string key is its UTF-8), base64url without padding. */
export declare function hmacSha256Base64url(key: Uint8Array | string, text: string): string;

/** HKDF-SHA256 (RFC 5869): `length` bytes from `ikm`, `salt` and `info` (strings are their UTF-8). */
export declare function hkdfSha256(
  ikm: Uint8Array | string,
  salt: Uint8Array | string,
  info: Uint8Array | string,
  length: number,
): Uint8Array;

/** Compares the UTF-8 of two strings in time that depends only on their lengths. */
export declare function constantTimeEqual(a: string, b: string): boolean;

/** base64url without padding. */
export declare function toBase64url(bytes: Uint8Array): string;

/**
 * Decodes base64url text whose characters the caller has already checked are all in the alphabet
 * (`A–Z a–z 0–9 - _`, no padding); left-over bits of a last partial character are dropped, as Node does.
 */
export declare function decodeBase64url(text: string): Uint8Array;

/** Bytes of the UTF-8 of `text` (a lone surrogate counts as U+FFFD, 3 bytes), without encoding it. */
export declare function utf8ByteLength(text: string): number;
