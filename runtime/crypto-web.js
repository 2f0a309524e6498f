// @ts-check
// The crypto provider for workerd, edge-light and browser bundles: no node: built-in and no Buffer. Random bytes
// come from WebCrypto's getRandomValues; SHA-256, HMAC and HKDF from @noble/hashes (audited, pure JS, no
// dependencies), AES-256-GCM from @noble/ciphers (audited, pure JS) and raw DEFLATE from fflate, because
// WebCrypto's digest and encrypt are asynchronous and these are called on synchronous paths. The
// contract and its documentation are in crypto.d.ts; crypto-node.js is the same over node:crypto.
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { deflateSync, inflateSync } from 'fflate';

export const providerName = 'web';

const encoder = new TextEncoder();
/** @param {Uint8Array | string} value @returns {Uint8Array} */
const bytesOf = (value) => (typeof value === 'string' ? encoder.encode(value) : value);

// getRandomValues fills at most 65,536 bytes a call (WebCrypto).
const RANDOM_CHUNK = 65_536;

/** @param {number} length @returns {Uint8Array} */
export function randomBytes(length) {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += RANDOM_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(at, Math.min(length, at + RANDOM_CHUNK)));
  }
  return out;
}

/** @param {string} text @returns {string} */
export function sha256Base64url(text) {
  return toBase64url(sha256(encoder.encode(text)));
}

/** @param {Uint8Array | string} key @param {string} text @returns {string} */
export function hmacSha256Base64url(key, text) {
  return toBase64url(hmac(sha256, bytesOf(key), encoder.encode(text)));
}

/**
 * @param {Uint8Array | string} ikm @param {Uint8Array | string} salt @param {Uint8Array | string} info
 * @param {number} length @returns {Uint8Array}
 */
export function hkdfSha256(ikm, salt, info, length) {
  return hkdf(sha256, bytesOf(ikm), bytesOf(salt), bytesOf(info), length);
}

/** @param {string} a @param {string} b @returns {boolean} */
export function constantTimeEqual(a, b) {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  // A length mismatch still walks the left side, so it is not a faster path.
  const other = left.length === right.length ? right : left;
  let difference = left.length ^ right.length;
  for (let i = 0; i < left.length; i++) difference |= (left[i] ?? 0) ^ (other[i] ?? 0);
  return difference === 0;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE_OF = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) VALUE_OF[ALPHABET.charCodeAt(i)] = i;

/** @param {Uint8Array} bytes @returns {string} */
export function toBase64url(bytes) {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out +=
      ALPHABET.charAt(n >> 18) +
      ALPHABET.charAt((n >> 12) & 63) +
      ALPHABET.charAt((n >> 6) & 63) +
      ALPHABET.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63);
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63);
  }
  return out;
}

/** @param {string} text @returns {Uint8Array} */
export function decodeBase64url(text) {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let count = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    bits = (bits << 6) | (VALUE_OF[text.charCodeAt(i) & 127] ?? 0);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[at++] = (bits >> count) & 255;
    }
  }
  return at === out.length ? out : out.subarray(0, at);
}

/** @param {string} text @returns {number} */
export function utf8ByteLength(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

const TAG_BYTES = 16;

/** @param {Uint8Array} raw @returns {import('./crypto.js').AeadKey} */
export function aesGcmKey(raw) {
  if (raw.byteLength !== 32) throw new TypeError('tessera: an AES-256 key is 32 bytes');
  return /** @type {any} */ (Uint8Array.from(raw));
}

/**
 * @param {import('./crypto.js').AeadKey | Uint8Array} key @param {Uint8Array} nonce
 * @param {Uint8Array} plaintext @param {Uint8Array} aad @returns {Uint8Array}
 */
export function aesGcmSeal(key, nonce, plaintext, aad) {
  return gcm(/** @type {Uint8Array} */ (key), nonce, aad).encrypt(plaintext);
}

/**
 * @param {import('./crypto.js').AeadKey | Uint8Array} key @param {Uint8Array} nonce
 * @param {Uint8Array} sealed @param {Uint8Array} aad @returns {Uint8Array | null}
 */
export function aesGcmOpen(key, nonce, sealed, aad) {
  if (sealed.byteLength < TAG_BYTES) return null;
  try {
    return gcm(/** @type {Uint8Array} */ (key), nonce, aad).decrypt(sealed);
  } catch {
    return null;
  }
}

/** @param {Uint8Array} bytes @returns {Uint8Array} */
export function deflateRaw(bytes) {
  return deflateSync(bytes);
}

/** @param {Uint8Array} bytes @param {number} maxBytes @returns {Uint8Array | null} */
export function inflateRaw(bytes, maxBytes) {
  // fflate truncates output to the buffer it is given: one byte more than allowed tells an overflow.
  const out = new Uint8Array(Math.max(0, maxBytes) + 1);
  let inflated;
  try {
    inflated = inflateSync(bytes, { out });
  } catch {
    return null;
  }
  return inflated.byteLength > maxBytes ? null : inflated;
}

/** @param {string} text @returns {Uint8Array} */
export function utf8Encode(text) {
  return encoder.encode(text);
}

const decoder = new TextDecoder();

/** @param {Uint8Array} bytes @param {number} [start] @param {number} [end] @returns {string} */
export function utf8Decode(bytes, start = 0, end = bytes.byteLength) {
  return decoder.decode(start === 0 && end === bytes.byteLength ? bytes : bytes.subarray(start, end));
}

/** @param {number} length @returns {Uint8Array} */
export function bytesToFill(length) {
  return new Uint8Array(length);
}
