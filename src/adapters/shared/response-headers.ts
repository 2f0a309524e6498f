import type { Header } from '../../transport/guard.js';

/**
 * Adds the guard's headers to a Web `Response` the handler already built (copying it if its headers are
 * immutable). If the handler set the session cookie itself (login, rotation, logout), that cookie is the
 * newer decision: the guard's renewal or clearing of the old one is dropped, or it would undo the new one.
 */
export function addGuardHeaders(
  response: Response,
  headers: readonly Header[],
  cookieName: string,
): Response {
  if (headers.length === 0) return response;
  const prefix = `${cookieName}=`;
  const handlerSetCookie = response.headers.getSetCookie().some((cookie) => cookie.startsWith(prefix));
  const wanted = handlerSetCookie
    ? headers.filter(([name, value]) => !(name === 'set-cookie' && value.startsWith(prefix)))
    : headers;
  let target = response;
  try {
    append(target, wanted);
  } catch {
    target = new Response(response.body, response);
    append(target, wanted);
  }
  return target;
}

function append(response: Response, headers: readonly Header[]): void {
  for (const [name, value] of headers) {
    if (name === 'set-cookie' || name === 'vary') response.headers.append(name, value);
    else response.headers.set(name, value);
  }
}
