import type { SessionData } from '../../core/session.js';
import { parseSetCookie } from '../../transport/cookie.js';
import type { RequestSession } from '../../transport/request-session.js';
import { type CookieJar, nextCookieOptions } from './request-api.js';

/**
 * Writes the session's cookie decision through Next's `cookies()`: each `Set-Cookie` Tessera decided, read
 * back into its fields (`parseSetCookie`, the inverse of the one serialiser) so Next writes the same
 * attributes. Next cannot take `Cache-Control` or `Clear-Site-Data` from a Server Action; its action responses
 * are not cacheable anyway, and the clearing cookie ends the session in the browser.
 */
export function writeSessionCookies<Data extends SessionData>(
  jar: CookieJar,
  session: RequestSession<Data>,
): void {
  for (const [name, value] of session.headers()) {
    if (name !== 'set-cookie') continue;
    const cookie = parseSetCookie(value);
    if (cookie === null)
      throw new TypeError(`tessera: cannot write this Set-Cookie through cookies(): ${name}`);
    jar.set(cookie.name, cookie.value, nextCookieOptions(cookie.options));
  }
}
