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

/**
 * An AES-256 key prepared once for many seals and opens: a `KeyObject` on Node, the raw bytes on the web. Made
 * by `aesGcmKey`; opaque to callers.
 */
export type AeadKey = { readonly __tesseraAeadKey: true };

/** Prepares a 32-byte AES-256 key for `aesGcmSeal` and `aesGcmOpen`. */
export declare function aesGcmKey(raw: Uint8Array): AeadKey;

/**
 * AES-256-GCM (NIST SP 800-38D) with a 12-byte nonce: the ciphertext followed by the 16-byte tag. The caller
 * supplies a fresh random nonce for every call.
 */
export declare function aesGcmSeal(
  key: AeadKey | Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array;

/**
 * Opens ciphertext-with-tag; the tag is always exactly the last 16 bytes, so a truncated tag never
 * authenticates. Null when authentication fails (any changed byte, a wrong key, nonce or additional data).
 */
export declare function aesGcmOpen(
  key: AeadKey | Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null;

/** DEFLATE without a wrapper (RFC 1951). The bytes may differ between providers; both inflate either. */
export declare function deflateRaw(bytes: Uint8Array): Uint8Array;

/** Inflates raw DEFLATE; null for data that is not DEFLATE or inflates to more than `maxBytes` bytes. */
export declare function inflateRaw(bytes: Uint8Array, maxBytes: number): Uint8Array | null;

/** The UTF-8 bytes of `text` (a lone surrogate becomes U+FFFD). */
export declare function utf8Encode(text: string): Uint8Array;

/** `bytes[start, end)` decoded as UTF-8 (invalid sequences become U+FFFD). */
export declare function utf8Decode(bytes: Uint8Array, start?: number, end?: number): string;

/**
 * `length` bytes for the caller to overwrite entirely: on Node from Buffer's pool, unzeroed (cheaper than a new
 * ArrayBuffer for small sizes); elsewhere zeroed. Never hand out bytes that are not all written.
 */
export declare function bytesToFill(length: number): Uint8Array;
