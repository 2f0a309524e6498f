import { type AeadKey, aesGcmOpen, aesGcmSeal } from '#crypto';

export type { AeadKey } from '#crypto';

/** AES-256-GCM with a 96-bit nonce and a 128-bit tag (NIST SP 800-38D), the only shape Tessera uses. */
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/**
 * Encrypts `plaintext`; returns ciphertext followed by the tag. The caller supplies a fresh random nonce. `key`
 * is 32 raw bytes, or a key prepared once by the crypto provider (`SealKeyRing` keeps its keys prepared).
 */
export function aesGcmEncrypt(
  key: AeadKey | Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  if (nonce.byteLength !== NONCE_BYTES) throw new TypeError('tessera: AES-GCM nonce must be 12 bytes');
  return aesGcmSeal(key, nonce, plaintext, aad);
}

/**
 * Decrypts ciphertext-with-tag. Returns null when authentication fails (tampered ciphertext, tag, nonce or
 * additional data, or a wrong key): callers answer that as an invalid token, never as a fault.
 */
export function aesGcmDecrypt(
  key: AeadKey | Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null {
  if (nonce.byteLength !== NONCE_BYTES || sealed.byteLength < TAG_BYTES) return null;
  return aesGcmOpen(key, nonce, sealed, aad);
}

/**
 * Decrypts a seal laid out as `aad | nonce | ciphertext | tag` in one buffer: the hot path of sealed-cookie
 * validation. The tag is always exactly the last 16 bytes (sliced by the provider), so a truncated tag can
 * never be accepted. Returns null on any failure.
 */
export function aesGcmOpenLayout(key: AeadKey, bytes: Uint8Array, aadLength: number): Uint8Array | null {
  const bodyStart = aadLength + NONCE_BYTES;
  if (bytes.byteLength - TAG_BYTES < bodyStart) return null;
  return aesGcmOpen(
    key,
    bytes.subarray(aadLength, bodyStart),
    bytes.subarray(bodyStart),
    bytes.subarray(0, aadLength),
  );
}
