import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';

/** AES-256-GCM with a 96-bit nonce and a 128-bit tag (NIST SP 800-38D), the only shape Tessera uses. */
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** Encrypts `plaintext`; returns ciphertext followed by the tag. The caller supplies a fresh random nonce. */
export function aesGcmEncrypt(
  key: KeyObject | Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Buffer {
  if (nonce.byteLength !== NONCE_BYTES) throw new TypeError('tessera: AES-GCM nonce must be 12 bytes');
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return Buffer.concat([head, tail, cipher.getAuthTag()]);
}

/**
 * Decrypts ciphertext-with-tag. Returns null when authentication fails (tampered ciphertext, tag, nonce or
 * additional data, or a wrong key): callers answer that as an invalid token, never as a fault.
 */
export function aesGcmDecrypt(
  key: KeyObject | Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Buffer | null {
  if (nonce.byteLength !== NONCE_BYTES || sealed.byteLength < TAG_BYTES) return null;
  const split = sealed.byteLength - TAG_BYTES;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(split));
    const head = decipher.update(sealed.subarray(0, split));
    const tail = decipher.final();
    return tail.byteLength === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    return null;
  }
}

/**
 * Decrypts a seal laid out as `aad | nonce | ciphertext | tag` in one buffer: the hot path of sealed-cookie
 * validation. The tag is always exactly the last 16 bytes (sliced here), so a truncated tag can never be
 * accepted, and the `authTagLength` option (measurably slower) is not needed. Returns null on any failure.
 */
export function aesGcmOpenLayout(key: KeyObject, bytes: Buffer, aadLength: number): Buffer | null {
  const bodyStart = aadLength + NONCE_BYTES;
  const tagStart = bytes.byteLength - TAG_BYTES;
  if (tagStart < bodyStart) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(aadLength, bodyStart));
    decipher.setAAD(bytes.subarray(0, aadLength));
    decipher.setAuthTag(bytes.subarray(tagStart));
    const head = decipher.update(bytes.subarray(bodyStart, tagStart));
    const tail = decipher.final();
    return tail.byteLength === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    return null;
  }
}
