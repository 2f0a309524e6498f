/**
 * The request a proxy asks about, as `RequestFacts` for the request path. Each proxy describes it its own way:
 * - nginx `auth_request` (GET), Caddy `forward_auth` (GET) and Traefik ForwardAuth (GET) send the original
 *   method and URI in `X-Forwarded-Method` / `X-Forwarded-Uri` (nginx configs often `X-Original-Method` /
 *   `X-Original-URI`, ingress-nginx `X-Original-URL`), with `X-Forwarded-Proto` / `X-Forwarded-Host`;
 * - Envoy ext_authz keeps the method and appends the original path to `/v1/authz`, with the original `Host`.
 * Every source that is present must agree: a proxy that sets one header passes the client's copy of another
 * through, so a client could otherwise claim `GET` for its `POST` and skip the CSRF check.
 */
import type { IncomingMessage } from 'node:http';
import { forwardedClient } from '../../core/forwarded.js';
import type { RequestFacts } from '../../transport/request.js';
import { HttpError } from '../http-errors.js';

const METHOD = /^[A-Z]{1,20}$/;
/** A path and query as sent on the wire: no spaces or control characters. */
const URI = /^\/[\x21-\x7e]{0,8191}$/;

/**
 * Facts of the original request. `suffix` is what followed `/v1/authz` in the request target (Envoy), or null.
 * `trusted` are the proxies (TESSERA_AUTHZ_TRUSTED) whose `X-Forwarded-For` entries are skipped.
 */
export function forwardedFacts(
  request: IncomingMessage,
  suffix: string | null,
  trusted: readonly string[],
): RequestFacts {
  const read = headerReader(request);
  const originalUrl = absoluteUrl(read('x-original-url'));
  const method = originalMethod(request.method ?? 'GET', read);
  const uri = agreed('URI', [
    read('x-forwarded-uri'),
    read('x-original-uri'),
    originalUrl === null ? null : originalUrl.pathname + originalUrl.search,
    suffix,
  ]);
  if (uri !== null && !URI.test(uri))
    throw invalid('The forwarded URI is not a path (it must start with /).');
  const host = firstValue(read('x-forwarded-host')) ?? originalUrl?.host ?? read('host');
  const protocol =
    protocolOf(read('x-forwarded-proto')) ?? (originalUrl?.protocol as 'http:' | 'https:' | undefined);
  const path = uri ?? '/';
  const url = protocol !== undefined && host !== null && host !== '' ? `${protocol}//${host}${path}` : path;
  const facts: RequestFacts = {
    method,
    url,
    // `Host` is the original request's, so the CSRF origin check compares `Origin` with the site's own host.
    header: (name) => (name === 'host' ? host : read(name)),
    ip: forwardedClient(read('x-forwarded-for'), request.socket.remoteAddress ?? null, trusted),
  };
  return protocol === undefined ? facts : { ...facts, protocol };
}

/** The original method: `X-Forwarded-Method`, `X-Original-Method`, or the request's own when it is not GET/HEAD. */
function originalMethod(own: string, read: (name: string) => string | null): string {
  // GET and HEAD are what nginx, Caddy and Traefik always send; any other method was kept by the proxy (Envoy).
  const kept = own === 'GET' || own === 'HEAD' ? null : own;
  const method = agreed('method', [read('x-forwarded-method'), read('x-original-method'), kept]);
  if (method === null) return own;
  const upper = method.toUpperCase();
  if (!METHOD.test(upper)) throw invalid('The forwarded method is not an HTTP method.');
  return upper;
}

/** The one value every present source gives, or null when none is present. Disagreement is a 400. */
function agreed(what: string, values: readonly (string | null)[]): string | null {
  let found: string | null = null;
  for (const value of values) {
    if (value === null) continue;
    const normalized = what === 'method' ? value.trim().toUpperCase() : value.trim();
    if (found !== null && found !== normalized) {
      throw invalid(`The request names two different original ${what}s (X-Forwarded-*, X-Original-*, path).`);
    }
    found = normalized;
  }
  return found;
}

/** Reads a header of a node request: repeated values joined (cookies with `; `), null when absent. */
export function headerReader(request: IncomingMessage): (name: string) => string | null {
  return (name) => {
    const value = request.headers[name];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  };
}

function absoluteUrl(value: string | null): URL | null {
  if (value === null) return null;
  const url = URL.canParse(value.trim()) ? new URL(value.trim()) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid('X-Original-URL is not an absolute http(s) URL.');
  }
  return url;
}

/** The scheme the client used: the last `X-Forwarded-Proto` value (the one the nearest proxy set). */
function protocolOf(value: string | null): 'http:' | 'https:' | undefined {
  const last = value?.split(',').at(-1)?.trim().toLowerCase();
  return last === 'https' ? 'https:' : last === 'http' ? 'http:' : undefined;
}

function firstValue(value: string | null): string | null {
  const first = value?.split(',')[0]?.trim();
  return first === undefined || first === '' ? null : first;
}

function invalid(message: string): HttpError {
  return new HttpError(400, 'invalid_request', message);
}

/**
 * The facts of a request the proxy passed on as it is (the DBSC endpoints): its own method, URL and headers, the
 * client address taken from `X-Forwarded-For` past the trusted proxies.
 */
export function proxiedFacts(request: IncomingMessage, trusted: readonly string[]): RequestFacts {
  const read = headerReader(request);
  return {
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    header: read,
    ip: forwardedClient(read('x-forwarded-for'), request.socket.remoteAddress ?? null, trusted),
  };
}
