import type { InvalidReason } from '../core/outcome.js';
import { containsTokenShape } from '../core/token.js';
import { readCookie } from './cookie.js';
import type { RequestFacts } from './request.js';

export type TokenSourceResult =
  | { readonly kind: 'missing' }
  | { readonly kind: 'present'; readonly token: string; readonly via: 'cookie' | 'bearer' }
  | { readonly kind: 'refused'; readonly reason: InvalidReason };

export interface TokenSourceOptions {
  cookieName: string;
  /** Read `Authorization: Bearer` (non-browser clients). */
  bearer: boolean;
  /** Read the session cookie. */
  cookie: boolean;
}

const MAX_AUTHORIZATION_BYTES = 4096;

/**
 * Where a session token may come from: the session cookie or an `Authorization: Bearer` header, never the URL
 * (OWASP: tokens in URLs leak through logs, history and Referer). A token-shaped value in the URL is refused.
 */
export function readToken(request: RequestFacts, options: TokenSourceOptions): TokenSourceResult {
  if (containsTokenShape(pathAndQuery(request.url))) return { kind: 'refused', reason: 'token_in_url' };
  let fromCookie: string | null = null;
  if (options.cookie) {
    const cookie = readCookie(request.header('cookie'), options.cookieName);
    if (cookie.found === 'too_large') return { kind: 'refused', reason: 'header_too_large' };
    if (cookie.found === true) {
      // Two cookies of the same name: one may have been planted by a sibling domain. Refuse rather than guess.
      if (cookie.duplicate) return { kind: 'refused', reason: 'ambiguous' };
      fromCookie = cookie.value;
    }
  }
  let fromBearer: string | null = null;
  if (options.bearer) {
    const authorization = request.header('authorization');
    if (authorization !== null) {
      if (authorization.length > MAX_AUTHORIZATION_BYTES)
        return { kind: 'refused', reason: 'header_too_large' };
      const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
      if (match !== null) fromBearer = match[1] as string;
    }
  }
  if (fromCookie !== null && fromBearer !== null && fromCookie !== fromBearer) {
    return { kind: 'refused', reason: 'ambiguous' };
  }
  if (fromCookie !== null && fromCookie !== '') return { kind: 'present', token: fromCookie, via: 'cookie' };
  if (fromBearer !== null) return { kind: 'present', token: fromBearer, via: 'bearer' };
  return { kind: 'missing' };
}

/** The path and query of a request target: an absolute URL's scheme and host name the server, not a credential. */
function pathAndQuery(url: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url);
  return scheme === null ? url : url.slice(scheme[0].length);
}
