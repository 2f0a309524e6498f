/** RFC 3986 2.3 unreserved characters: their percent-encoding means the same as the character itself. */
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * The HTTP target URI as a DPoP proof's `htu` is compared (RFC 9449 4.3 step 9): scheme and host lower-cased,
 * the default port dropped, dot segments removed (the WHATWG URL parser does these), percent-encodings of
 * unreserved characters decoded and the others upper-cased (RFC 3986 6.2.2), query and fragment left out.
 * Null when the text is not an absolute http(s) URL.
 */
export function normalizeHtu(text: string): string | null {
  if (typeof text !== 'string' || text.length > 4096) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  const path = url.pathname.replace(/%[0-9A-Fa-f]{2}/g, (encoded) => {
    const char = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
    return UNRESERVED.test(char) ? char : encoded.toUpperCase();
  });
  return `${url.protocol}//${url.host}${path}`;
}
