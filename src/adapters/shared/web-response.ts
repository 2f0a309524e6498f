import type { SessionData } from '../../core/session.js';
import { mergeHeaderLists } from '../../transport/pipeline.js';
import { cookieNameOf, type Header, type RequestSession } from '../../transport/request-session.js';

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
  const own = response.headers.getSetCookie();
  const ownNames = new Set(own.map(cookieNameOf));
  const wanted = decided.filter(
    ([name, value]) => !(name === 'set-cookie' && ownNames.has(cookieNameOf(value))),
  );
  const existing: Header[] = own.map((value) => ['set-cookie', value] as const);
  for (const name of ['cache-control', 'vary', 'clear-site-data']) {
    const value = response.headers.get(name);
    if (value !== null) existing.push([name, value]);
  }
  const merged = mergeHeaderLists(existing, wanted);
  let target = response;
  try {
    write(target.headers, merged);
  } catch {
    target = new Response(response.body, response);
    write(target.headers, merged);
  }
  return target;
}

function write(headers: Headers, merged: readonly Header[]): void {
  for (const name of ['set-cookie', 'cache-control', 'vary', 'clear-site-data']) headers.delete(name);
  for (const [name, value] of merged) headers.append(name, value);
}
