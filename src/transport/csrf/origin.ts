import type { RequestFacts } from '../request.js';
import { normalizeOrigin, type ResolvedCsrfOptions } from './options.js';

/** Why a request was refused as cross-site. Logged in events; clients only see `csrf_rejected`. */
export type CsrfReason =
  | 'cross_site'
  | 'same_site'
  | 'fetch_metadata_unknown'
  | 'origin_null'
  | 'origin_mismatch'
  | 'referer_mismatch'
  | 'origin_missing'
  | 'token_missing'
  | 'token_invalid';

/**
 * Safe methods (RFC 9110 section 9.2.1) must not change state, so they are not checked; every other method is.
 * OWASP CSRF Prevention Cheat Sheet: "do not use GET requests for state changing operations".
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** The request headers an unsafe request's answer depends on, for `Vary` (so no cache mixes them up). */
export const CSRF_VARY = 'Sec-Fetch-Site, Origin, Referer';

/**
 * Checks where an unsafe request comes from, in the order of the OWASP CSRF Prevention Cheat Sheet:
 * 1. Fetch Metadata (`Sec-Fetch-Site`, a header pages cannot forge): `same-origin` and `none` (a user typing or
 *    bookmarking) pass, `cross-site` is refused, `same-site` only when allowed.
 * 2. Without it (older browsers), "verifying origin with standard headers": `Origin`, else `Referer`, must be
 *    a trusted origin; `Origin: null` (sandboxed or privacy-redirected requests) is refused.
 * 3. With neither, refuse unless non-browser clients are explicitly allowed.
 */
export function checkRequestOrigin(request: RequestFacts, options: ResolvedCsrfOptions): CsrfReason | null {
  const site = request.header('sec-fetch-site');
  if (site !== null) {
    switch (site.trim().toLowerCase()) {
      case 'same-origin':
      case 'none':
        return null;
      case 'same-site':
        return options.allowSameSite ? null : 'same_site';
      case 'cross-site':
        return 'cross_site';
      default:
        return 'fetch_metadata_unknown';
    }
  }
  const origin = request.header('origin');
  if (origin !== null) {
    if (origin.trim() === 'null') return 'origin_null';
    return isTrusted(normalizeOrigin(origin.trim()), request, options) ? null : 'origin_mismatch';
  }
  const referer = request.header('referer');
  if (referer !== null && referer !== '') {
    return isTrusted(normalizeOrigin(referer.trim()), request, options) ? null : 'referer_mismatch';
  }
  return options.allowMissingOrigin ? null : 'origin_missing';
}

function isTrusted(origin: string | null, request: RequestFacts, options: ResolvedCsrfOptions): boolean {
  if (origin === null) return false;
  if (options.trustedOrigins.has(origin)) return true;
  if (!options.trustHost) return false;
  const own = ownHost(request);
  if (own === null) return false;
  const url = new URL(origin);
  if (url.host !== own.host) return false;
  // Scheme, host and port: an `http:` page on the same host is another origin than the `https:` site.
  if (own.protocol !== null) return url.protocol === own.protocol;
  // The request's scheme is unknown (a path-only URL, no TLS socket, no trusted proxy header): only an
  // `https:` origin is taken as the site's own, or `http:` on a loopback host (local development).
  return url.protocol === 'https:' || isLoopbackHost(url.hostname);
}

/** The request's own host, and its scheme when known, for comparing with `Origin`. */
function ownHost(request: RequestFacts): { host: string; protocol: string | null } | null {
  if (/^https?:\/\//i.test(request.url)) {
    try {
      const url = new URL(request.url);
      return { host: url.host, protocol: url.protocol };
    } catch {
      return null;
    }
  }
  const host = request.header('host');
  if (host === null || host === '') return null;
  try {
    // Normalizes case and drops default ports the same way the Origin side does.
    const protocol = request.protocol ?? null;
    return { host: new URL(`${protocol ?? 'https:'}//${host.trim()}`).host, protocol };
  } catch {
    return null;
  }
}

function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\./.test(hostname) ||
    hostname === '[::1]'
  );
}
