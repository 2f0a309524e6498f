import type { LevelRequirement } from '../core/manager.js';
import type { ValidationResult } from '../core/outcome.js';
import type { Session, SessionData } from '../core/session.js';
import type { FormTokenSource } from '../csrf/guard.js';
import { CSRF_VARY } from '../csrf/origin.js';
import type { Authentication } from './authenticator.js';
import type { HttpSessions } from './http-sessions.js';
import { errorReply, failureReply, forbiddenReply, type HttpReply } from './reply.js';
import type { RequestFacts } from './request.js';

export type Header = readonly [string, string];

/**
 * What an adapter does with a request before the app sees it. On `ok`, add `headers` to the response (renewal or
 * clearing cookies with `Cache-Control: no-store`, `Vary` for checked requests) and expose `session` (null for
 * anonymous requests: the route decides with `sessionRequiredReply`). Otherwise answer `reply` as is.
 */
export type GuardResult<Data extends SessionData> =
  | {
      readonly ok: true;
      readonly auth: Authentication<Data>;
      readonly session: Session<Data> | null;
      readonly headers: readonly Header[];
    }
  | { readonly ok: false; readonly reply: HttpReply };

/**
 * Authenticates a request and applies the CSRF defence, with no framework in sight. A missing or refused token
 * is not an error here (public pages stay public); a store fault (503) and a CSRF refusal (403) are.
 */
export async function guardRequest<Data extends SessionData>(
  sessions: HttpSessions<Data>,
  request: RequestFacts,
  input: { formToken?: FormTokenSource } = {},
): Promise<GuardResult<Data>> {
  let auth: Authentication<Data>;
  try {
    auth = await sessions.authenticate(request);
  } catch (error) {
    return { ok: false, reply: errorReply(error) };
  }
  const verdict = await sessions.checkCsrf(request, auth, input);
  const headers = cookieHeaders(auth.setCookies);
  if (verdict.checked) headers.push(['vary', CSRF_VARY]);
  if (!verdict.ok) {
    return { ok: false, reply: forbiddenReply('csrf_rejected', auth.setCookies, [['vary', CSRF_VARY]]) };
  }
  return { ok: true, auth, session: auth.result.ok ? auth.result.session : null, headers };
}

/** `Set-Cookie` headers plus `Cache-Control: no-store` (DESIGN: every response that sets a token). */
export function cookieHeaders(setCookies: readonly string[]): Header[] {
  if (setCookies.length === 0) return [];
  const headers: Header[] = setCookies.map((cookie) => ['set-cookie', cookie] as const);
  headers.push(['cache-control', 'no-store']);
  return headers;
}

/**
 * The refusal for a route that needs a logged-in session, or null when the request has one. Anonymous
 * pre-login sessions do not count. Cookies were already sent with the guard's headers.
 */
export function sessionRequiredReply<Data extends SessionData>(
  sessions: HttpSessions<Data>,
  result: ValidationResult<Data> | undefined,
): HttpReply | null {
  if (result === undefined) return failureReply({ ok: false, code: 'token_missing', status: 401 });
  if (!result.ok) return failureReply(result);
  if (sessions.isAnonymous(result.session))
    return failureReply({ ok: false, code: 'token_missing', status: 401 });
  return null;
}

/** The refusal for a route that needs a level (and how recently it was reached), or null when met. */
export function levelRequiredReply<Data extends SessionData>(
  sessions: HttpSessions<Data>,
  result: ValidationResult<Data> | undefined,
  requirement: LevelRequirement,
): HttpReply | null {
  const missing = sessionRequiredReply(sessions, result);
  if (missing !== null) return missing;
  const session = (result as { session: Session<Data> }).session;
  return sessions.manager.hasLevel(session, requirement) ? null : forbiddenReply('insufficient_level');
}

/** An authenticator that also applies the CSRF defence (`HttpSessions`; stateless modes may add it too). */
export interface CsrfCapable<Data extends SessionData> {
  checkCsrf: HttpSessions<Data>['checkCsrf'];
}

/**
 * The CSRF step for adapters that take any `SessionAuthenticator` (node `authenticateNode`, fetch `protect`):
 * applied when the authenticator offers it. Returns the 403 reply, or the headers to add (`Vary`).
 */
export async function csrfStep<Data extends SessionData>(
  authenticator: object,
  request: RequestFacts,
  auth: Authentication<Data>,
  formToken: FormTokenSource,
): Promise<{ readonly refusal: HttpReply | null; readonly headers: Header[] }> {
  if (!('checkCsrf' in authenticator) || typeof authenticator.checkCsrf !== 'function') {
    return { refusal: null, headers: [] };
  }
  const verdict = await (authenticator as CsrfCapable<Data>).checkCsrf(request, auth, { formToken });
  const headers: Header[] = verdict.checked ? [['vary', CSRF_VARY]] : [];
  if (verdict.ok) return { refusal: null, headers };
  return { refusal: forbiddenReply('csrf_rejected', auth.setCookies, headers), headers };
}
