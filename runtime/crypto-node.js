// @ts-check
// The crypto provider for Node, Bun and Deno: node:crypto and Buffer, synchronous and native. The contract and
// its documentation are in crypto.d.ts; crypto-web.js is the same for platforms without node: built-ins.
import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';

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

const TAG_BYTES = 16;

/** @param {Uint8Array} raw @returns {import('./crypto.js').AeadKey} */
export function aesGcmKey(raw) {
  return /** @type {any} */ (crypto.createSecretKey(raw));
}

/**
 * @param {import('./crypto.js').AeadKey | Uint8Array} key @param {Uint8Array} nonce
 * @param {Uint8Array} plaintext @param {Uint8Array} aad @returns {Uint8Array}
 */
export function aesGcmSeal(key, nonce, plaintext, aad) {
  const cipher = crypto.createCipheriv('aes-256-gcm', /** @type {any} */ (key), nonce, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return Buffer.concat([head, tail, cipher.getAuthTag()]);
}

/**
 * @param {import('./crypto.js').AeadKey | Uint8Array} key @param {Uint8Array} nonce
 * @param {Uint8Array} sealed @param {Uint8Array} aad @returns {Uint8Array | null}
 */
export function aesGcmOpen(key, nonce, sealed, aad) {
  const split = sealed.byteLength - TAG_BYTES;
  if (split < 0) return null;
  try {
    // The tag is sliced to exactly 16 bytes here, so `authTagLength` (measurably slower) is not needed.
    const decipher = crypto.createDecipheriv('aes-256-gcm', /** @type {any} */ (key), nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(split));
    const head = decipher.update(sealed.subarray(0, split));
    const tail = decipher.final();
    return tail.byteLength === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    return null;
  }
}

/** @param {Uint8Array} bytes @returns {Uint8Array} */
export function deflateRaw(bytes) {
  return zlib.deflateRawSync(bytes);
}

/** @param {Uint8Array} bytes @param {number} maxBytes @returns {Uint8Array | null} */
export function inflateRaw(bytes, maxBytes) {
  let out;
  try {
    // zlib stops (throws) past maxOutputLength, which must be at least 1.
    out = zlib.inflateRawSync(bytes, { maxOutputLength: Math.max(1, maxBytes) });
  } catch {
    return null;
  }
  return out.byteLength > maxBytes ? null : out;
}

/** @param {string} text @returns {Uint8Array} */
export function utf8Encode(text) {
  return Buffer.from(text, 'utf8');
}

/** @param {Uint8Array} bytes @param {number} [start] @param {number} [end] @returns {string} */
export function utf8Decode(bytes, start = 0, end = bytes.byteLength) {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.toString('utf8', start, end);
}

/** @param {number} length @returns {Uint8Array} */
export function bytesToFill(length) {
  return Buffer.allocUnsafe(length);
}
