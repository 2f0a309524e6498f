import { decodeBase64url, toBase64url } from '#crypto';

/** base64url without padding, and UTF-8 lengths (Buffer.byteLength where there is no Buffer): the provider's own. */
export { toBase64url as toBase64Url, utf8ByteLength as byteLengthOf } from '#crypto';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function fromBase64Url(text: string): Uint8Array | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  const bytes = decodeBase64url(text);
  // Reject non-canonical encodings (extra low bits in the last character): one value, one spelling.
  return toBase64url(bytes) === text ? bytes : null;
}

export function isBase64Url(text: string): boolean {
  return BASE64URL.test(text);
}
