import type { SessionData } from '../../core/session.js';
import { cookieNameOf, type Header, type RequestSession } from '../../transport/request-session.js';
import { applyHeaders, webHeaderTarget } from './header-target.js';

/**
 * Adds the session's header decision to a Web `Response` the handler built (copying it if its headers are
 * immutable). A `Set-Cookie` the handler put on the response itself for one of the session's cookies is kept:
 * the handler wrote it last.
 */
export function withSessionHeaders<Data extends SessionData>(
  response: Response,
  session: RequestSession<Data>,
): Response {
  return addHeaders(response, session.headers());
}

/** Merges headers into a Web `Response`, keeping the handler's own `Set-Cookie` for a cookie it set. */
export function addHeaders(response: Response, decided: readonly Header[]): Response {
  if (decided.length === 0) return response;
  const own = new Set(response.headers.getSetCookie().map(cookieNameOf));
  const wanted =
    own.size === 0
      ? decided
      : decided.filter(([name, value]) => !(name === 'set-cookie' && own.has(cookieNameOf(value))));
  try {
    applyHeaders(webHeaderTarget(response.headers), wanted);
    return response;
  } catch {
    // `Response.redirect()` and fetched responses have immutable headers.
    const copy = new Response(response.body, response);
    applyHeaders(webHeaderTarget(copy.headers), wanted);
    return copy;
  }
}
