/**
 * What `/v1/authz` answers, for every proxy: allow is an exact 200 with the identity headers (Envoy allows only
 * 200); deny carries its code in `X-Tessera-Code`. Two modes change only the deny shape:
 * - `nginx`: `auth_request` relays only 401 and 403 (anything else becomes 500), so 440 and 503 become 401 with
 *   the code (and `Retry-After`) in headers, and the login redirect (when TESSERA_AUTHZ_LOGIN_URL is set) in
 *   `X-Tessera-Location`, for an `error_page` to act on;
 * - `redirect`: a browser that is not signed in (401, 440) on a GET or HEAD gets a 302 to TESSERA_AUTHZ_LOGIN_URL
 *   with `rd` = the original URL (Caddy, Traefik and Envoy relay it; nginx cannot, use `error_page` there).
 */
import type { Session } from '../../core/session.js';
import type { Header } from '../../transport/request-session.js';
import type { HttpReply } from '../../transport/reply.js';
import type { Reply } from '../context.js';
import { HttpError } from '../http-errors.js';

export type AuthzMode = 'standard' | 'nginx' | 'redirect';

const MODES: readonly AuthzMode[] = ['standard', 'nginx', 'redirect'];

/** The header that names the mode, for proxies that cannot add a query (`?mode=` works on `/v1/authz` itself). */
export const MODE_HEADER = 'x-tessera-authz-mode';

/** Reads the mode; an unknown one, or `redirect` without a login URL, is a 400 (a proxy misconfiguration). */
export function parseMode(value: string | null, loginUrl: string | null): AuthzMode {
  if (value === null || value === '') return 'standard';
  const mode = MODES.find((known) => known === value.trim().toLowerCase());
  if (mode === undefined) throw new HttpError(400, 'invalid_request', 'mode must be nginx or redirect.');
  if (mode === 'redirect' && loginUrl === null) {
    throw new HttpError(400, 'invalid_request', 'mode=redirect needs TESSERA_AUTHZ_LOGIN_URL.');
  }
  return mode;
}

/** The allow answer: 200, the identity headers, and the session's own headers (a renewed `Set-Cookie`, no-store). */
export function allowReply(session: Session, sessionHeaders: readonly Header[], jwt: string | null): Reply {
  const headers: Header[] = [
    ['x-tessera-subject', encodeSubject(session.subject)],
    ['x-tessera-session-id', session.id],
    ['x-tessera-level', String(session.level)],
    ...sessionHeaders,
  ];
  if (jwt !== null) headers.push(['x-tessera-jwt', jwt]);
  return {
    status: 200,
    headers,
    body: { subject: session.subject, sessionId: session.id, level: session.level },
  };
}

export interface DenyContext {
  readonly mode: AuthzMode;
  readonly method: string;
  /** The original URL (absolute when the proxy told the scheme and host), for `rd`. */
  readonly url: string;
  readonly loginUrl: string | null;
}

/** The deny answer from the request path's refusal, in the mode's shape. */
export function denyReply(refusal: HttpReply, context: DenyContext): Reply {
  const code = codeOf(refusal.body);
  const headers: Header[] = [...refusal.headers, ['x-tessera-code', code]];
  const signIn = refusal.status === 401 || refusal.status === 440;
  const safe = context.method === 'GET' || context.method === 'HEAD';
  if (context.mode === 'redirect' && signIn && safe && context.loginUrl !== null) {
    const kept = headers.filter(
      ([name]) => name === 'set-cookie' || name === 'vary' || name === 'x-tessera-code',
    );
    return {
      status: 302,
      headers: [...kept, ['location', loginLocation(context.loginUrl, context.url)]],
      raw: '',
    };
  }
  if (context.mode !== 'nginx') return { status: refusal.status, headers, raw: refusal.body };
  // nginx cannot relay a 302 from auth_request either: the login URL goes in a header for `return 302`.
  if (signIn && safe && context.loginUrl !== null) {
    headers.push(['x-tessera-location', loginLocation(context.loginUrl, context.url)]);
  }
  const status = refusal.status === 440 || refusal.status === 503 ? 401 : refusal.status;
  return { status, headers, raw: refusal.body };
}

/** The login URL with `rd` (the original URL) added to its query. */
export function loginLocation(loginUrl: string, original: string): string {
  const url = new URL(loginUrl);
  url.searchParams.set('rd', original);
  return url.href;
}

/**
 * The subject as a header value: visible ASCII except `%` stays as is (`user-42`, `ada@example.com`), every
 * other byte of its UTF-8 is percent-encoded, so one percent-decoding gives the subject back exactly and no
 * subject can break the header (CR, LF) or be trimmed by a proxy (spaces).
 */
export function encodeSubject(subject: string): string {
  let out = '';
  for (const byte of Buffer.from(subject, 'utf8')) {
    out +=
      byte > 0x20 && byte < 0x7f && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function codeOf(body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : 'internal';
  } catch {
    return 'internal';
  }
}
