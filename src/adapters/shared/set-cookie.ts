/**
 * Merges new `Set-Cookie` values into those already queued on a response. A queued value for a cookie the new
 * ones set again (a renewal or clearing of the old token, queued before a login or rotation) is dropped: the
 * newer decision wins, and the response never carries two values for one cookie.
 */
export function mergeSetCookies(queued: readonly string[], incoming: readonly string[]): string[] {
  const names = new Set(incoming.map(cookieName));
  return [...queued.filter((cookie) => !names.has(cookieName(cookie))), ...incoming];
}

/** The queued `Set-Cookie` header of a node-style response as a list. */
export function queuedList(value: number | string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [String(value)];
}

function cookieName(setCookie: string): string {
  const eq = setCookie.indexOf('=');
  return (eq === -1 ? setCookie : setCookie.slice(0, eq)).trim();
}
