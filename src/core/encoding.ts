import { decodeBase64url, toBase64url, utf8ByteLength } from '#crypto';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function toBase64Url(bytes: Uint8Array): string {
  return toBase64url(bytes);
}

export function fromBase64Url(text: string): Uint8Array | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  const bytes = decodeBase64url(text);
  // Reject non-canonical encodings (extra low bits in the last character): one value, one spelling.
  return toBase64url(bytes) === text ? bytes : null;
}

export function isBase64Url(text: string): boolean {
  return BASE64URL.test(text);
}

/** Bytes of the UTF-8 of `text`, without encoding it (Buffer.byteLength where there is no Buffer). */
export function byteLengthOf(text: string): number {
  return utf8ByteLength(text);
}
