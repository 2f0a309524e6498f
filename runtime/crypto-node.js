// @ts-check
// The crypto provider for Node, Bun and Deno: node:crypto and Buffer, synchronous and native. The contract and
// its documentation are in crypto.d.ts; crypto-web.js is the same for platforms without node: built-ins.
import * as crypto from 'node:crypto';

export const providerName = 'node';

// One-shot crypto.hash (Node >= 20.12) skips building a Hash object: about twice as fast for a 43-character
// secret, and every validation hashes one. Older Node 20 releases fall back to createHash (same digest).
const oneShotHash = typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** @param {number} length @returns {Uint8Array} */
export function randomBytes(length) {
  return crypto.randomBytes(length);
}

/** @param {string} text @returns {string} */
export function sha256Base64url(text) {
  if (oneShotHash !== undefined) return oneShotHash('sha256', text, 'base64url');
  return crypto.createHash('sha256').update(text).digest('base64url');
}

/** @param {Uint8Array | string} key @param {string} text @returns {string} */
export function hmacSha256Base64url(key, text) {
  return crypto.createHmac('sha256', key).update(text).digest('base64url');
}

/**
 * @param {Uint8Array | string} ikm @param {Uint8Array | string} salt @param {Uint8Array | string} info
 * @param {number} length @returns {Uint8Array}
 */
export function hkdfSha256(ikm, salt, info, length) {
  return new Uint8Array(crypto.hkdfSync('sha256', ikm, salt, info, length));
}

/** @param {string} a @param {string} b @returns {boolean} */
export function constantTimeEqual(a, b) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    // Still spend the comparison so a length mismatch is not a faster path.
    crypto.timingSafeEqual(left, left);
    return false;
  }
  return crypto.timingSafeEqual(left, right);
}

/** @param {Uint8Array} bytes @returns {string} */
export function toBase64url(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** @param {string} text @returns {Uint8Array} */
export function decodeBase64url(text) {
  return Buffer.from(text, 'base64url');
}

/** @param {string} text @returns {number} */
export function utf8ByteLength(text) {
  return Buffer.byteLength(text);
}
