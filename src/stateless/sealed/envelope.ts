import {
  bytesToFill,
  decodeBase64url,
  deflateRaw,
  inflateRaw,
  toBase64url,
  utf8Decode,
  utf8Encode,
} from '#crypto';
import type { RandomSource } from '../../core/random.js';
import { aesGcmEncrypt, aesGcmOpenLayout, NONCE_BYTES, TAG_BYTES } from './aead.js';
import type { DerivedKey, SealKeyRing } from './keys.js';

/**
 * A seal, before base64url:
 *
 * | bytes | field |
 * |---|---|
 * | 1 | format version (1) |
 * | 1 | flags (bit 0: payload is deflate-raw compressed) |
 * | 1 | chunk count (1 = a single cookie) |
 * | 1 | key id length L |
 * | L | key id (ASCII) |
 * | 12 | nonce (fresh from the CSPRNG for every seal) |
 * | n | AES-256-GCM ciphertext |
 * | 16 | GCM tag |
 *
 * The additional authenticated data is the header (version, flags, count, key id), so a changed flag, chunk
 * count or key id fails authentication. The cookie name is bound into the key itself (see keys.ts), so a seal
 * moved to another cookie fails too.
 */
export const SEAL_VERSION = 1;
export const FLAG_DEFLATE = 1;
const FIXED_HEADER = 4;

export interface OpenedSeal {
  readonly plaintext: Uint8Array;
  readonly keyId: string;
  readonly count: number;
}

export interface PreparedBody {
  readonly body: Uint8Array;
  readonly flags: number;
}

/**
 * Below this many bytes a payload is never compressed: inflating costs about as much as the AES-GCM open
 * itself (measured in bench/stateless.bench.ts), and a few saved bytes do not matter in a small cookie.
 */
export const COMPRESS_MIN_BYTES = 512;

/** Compresses the payload only when that makes it smaller (and it is big enough for that to matter). */
export function prepareBody(plaintext: string | Uint8Array, compress: boolean): PreparedBody {
  const raw = typeof plaintext === 'string' ? utf8Encode(plaintext) : plaintext;
  if (compress && raw.byteLength >= COMPRESS_MIN_BYTES) {
    const packed = deflateRaw(raw);
    if (packed.byteLength < raw.byteLength) return { body: packed, flags: FLAG_DEFLATE };
  }
  return { body: raw, flags: 0 };
}

/** Characters of the base64url text of a seal whose body has `bodyBytes` bytes. */
export function sealedTextLength(key: DerivedKey, bodyBytes: number): number {
  const bytes = FIXED_HEADER + key.idBytes.byteLength + NONCE_BYTES + bodyBytes + TAG_BYTES;
  return Math.ceil((bytes * 4) / 3);
}

export function sealBody(
  key: DerivedKey,
  prepared: PreparedBody,
  count: number,
  random: RandomSource,
): string {
  if (!Number.isInteger(count) || count < 1 || count > 255) throw new RangeError('chunk count out of range');
  const headerLength = FIXED_HEADER + key.idBytes.byteLength;
  const nonce = random(NONCE_BYTES);
  if (nonce.byteLength !== NONCE_BYTES) throw new TypeError('tessera: random source returned too few bytes');
  // Every byte is written below: header, nonce, then ciphertext and tag.
  const out = bytesToFill(headerLength + NONCE_BYTES + prepared.body.byteLength + TAG_BYTES);
  out[0] = SEAL_VERSION;
  out[1] = prepared.flags;
  out[2] = count;
  out[3] = key.idBytes.byteLength;
  out.set(key.idBytes, FIXED_HEADER);
  out.set(nonce, headerLength);
  const sealed = aesGcmEncrypt(key.key, nonce, prepared.body, out.subarray(0, headerLength));
  out.set(sealed, headerLength + NONCE_BYTES);
  return toBase64url(out);
}

/**
 * A seal's only spelling: base64url characters, no padding. Node's `base64url` decoder also takes the standard
 * alphabet (`+`, `/`) and skips what it does not know, so this is checked before any decoding.
 */
export const SEAL_TEXT = /^[A-Za-z0-9_-]+$/;

/** The chunk count a seal declares, read from the start of its text (first chunk), or null. */
export function peekCount(text: string): number | null {
  if (text.length < 4 || !SEAL_TEXT.test(text)) return null;
  const head = decodeBase64url(text.slice(0, 4));
  if (head.byteLength < 3 || head[0] !== SEAL_VERSION) return null;
  return head[2] as number;
}

/**
 * Opens a seal. Returns null for anything that does not authenticate: a changed byte anywhere, truncation,
 * an unknown or retired key id, a seal made for another cookie, or a payload that inflates past `maxBytes`.
 */
export function openSeal(ring: SealKeyRing, text: string, maxBytes: number): OpenedSeal | null {
  // Node's decoder takes `+` and `/` and skips characters outside the alphabet; a seal must be canonical
  // base64url, or it is not ours (one seal, one spelling, one cache slot). The provider's decoder needs it too.
  if (!SEAL_TEXT.test(text)) return null;
  const bytes = decodeBase64url(text);
  if (bytes.byteLength < FIXED_HEADER + 1 + NONCE_BYTES + TAG_BYTES) return null;
  if (bytes[0] !== SEAL_VERSION) return null;
  const flags = bytes[1] as number;
  if ((flags & ~FLAG_DEFLATE) !== 0) return null;
  const idLength = bytes[3] as number;
  const headerLength = FIXED_HEADER + idLength;
  if (idLength === 0 || bytes.byteLength < headerLength + NONCE_BYTES + TAG_BYTES) return null;
  if (Math.ceil((bytes.byteLength * 4) / 3) !== text.length || !canonicalTail(text)) return null;
  // Key ids are ASCII; bytes that are not decode to U+FFFD and name no key.
  const key = ring.get(utf8Decode(bytes, FIXED_HEADER, headerLength));
  if (key === undefined) return null;
  const body = aesGcmOpenLayout(key.key, bytes, headerLength);
  if (body === null) return null;
  // A bound on the inflated size: an authenticated seal is ours, but the bound is cheap insurance.
  const plain = (flags & FLAG_DEFLATE) !== 0 ? inflateRaw(body, maxBytes) : body;
  if (plain === null || plain.byteLength > maxBytes) return null;
  return { plaintext: plain, keyId: key.id, count: bytes[2] as number };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** One seal, one spelling: the unused low bits of a final partial base64url character must be zero. */
function canonicalTail(text: string): boolean {
  const rest = text.length % 4;
  if (rest === 0) return true;
  const value = ALPHABET.indexOf(text[text.length - 1] as string);
  return rest === 2 ? (value & 0x0f) === 0 : (value & 0x03) === 0;
}
