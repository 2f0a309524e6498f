const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function fromBase64Url(text: string): Uint8Array | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64url');
  // Reject non-canonical encodings (extra low bits in the last character): one value, one spelling.
  return bytes.toString('base64url') === text ? bytes : null;
}

export function isBase64Url(text: string): boolean {
  return BASE64URL.test(text);
}
