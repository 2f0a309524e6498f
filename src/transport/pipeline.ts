import type { LevelRequirement } from '../core/session-rules.js';
import type { SessionData } from '../core/session.js';
import type { CsrfGuard, FormTokenSource } from './csrf/guard.js';
import { type CsrfReason, isSafeMethod } from './csrf/origin.js';
import type { Authentication, SessionAuthenticator } from './authenticator.js';
import { errorReply, failureReply, forbiddenReply, type HttpReply } from './reply.js';
import type { RequestFacts } from './request.js';
import { cookieNameOf, type Header, RequestSession } from './request-session.js';
import { type CookieSessionMode, isCookieMode } from './session-mode.js';

/** What the request path decided before the application's handler: go on with the session, or answer. */
export type OpenResult<Data extends SessionData> =
  | { readonly ok: true; readonly session: RequestSession<Data> }
  | { readonly ok: false; readonly reply: HttpReply };

export interface OpenOptions {
  /** The CSRF form field, or a function that reads it from the body only when the check needs it. */
  formToken?: FormTokenSource;
}

/**
 * The request path, the same for every session mode and every adapter: reads and validates the token once,
 * then applies the CSRF defence to every unsafe request that a browser could have sent on its own, that is
 * every request in a cookie mode not authenticated by a bearer header, signed in or not (login CSRF).
 *
 * A missing or refused token is not a refusal here (public pages stay public: routes refuse with
 * `requireSignedIn`); a store fault (503) and a CSRF refusal (403) are. A mode that reads a cookie but offers
 * no CSRF check cannot be checked, so its unsafe cookie-borne requests are refused (fail closed).
 */
export function openRequestSession<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  request: RequestFacts,
  options: OpenOptions = {},
): Promise<OpenResult<Data>> {
  let authenticating: Promise<Authentication<Data>>;
  try {
    authenticating = mode.authenticate(request);
  } catch (error) {
    return Promise.resolve({ ok: false, reply: errorReply(error) });
  }
  // `then`, not `async`/`await`: one promise less on the path every request takes.
  return authenticating.then(
    (auth) => afterAuthentication(mode, request, auth, options),
    (error: unknown) => ({ ok: false, reply: errorReply(error) }),
  );
}

function afterAuthentication<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  request: RequestFacts,
  auth: Authentication<Data>,
  options: OpenOptions,
): OpenResult<Data> | Promise<OpenResult<Data>> {
  const session = new RequestSession(mode, request, auth);
  if (isSafeMethod(request.method) || auth.via === 'bearer') return { ok: true, session };
  if (!isCookieMode(mode)) {
    if (auth.via === 'cookie') return refuseCsrf(session, 'unchecked');
    return { ok: true, session };
  }
  if (mode.csrf === null) return { ok: true, session };
  return checkCsrf(mode, mode.csrf, request, auth, session, options);
}

async function checkCsrf<Data extends SessionData>(
  mode: CookieSessionMode<Data>,
  guard: CsrfGuard,
  request: RequestFacts,
  auth: Authentication<Data>,
  session: RequestSession<Data>,
  options: OpenOptions,
): Promise<OpenResult<Data>> {
  const valid = auth.result.ok ? auth.result.session : null;
  const verdict = await guard.check(request, { session: valid, via: auth.via }, options.formToken);
  if (verdict.checked) session.markCsrfChecked();
  if (verdict.ok) return { ok: true, session };
  mode.emit({
    type: 'csrf-rejected',
    sessionId: valid?.id ?? null,
    subject: valid?.subject ?? null,
    reason: verdict.reason,
    detail: { method: request.method.toUpperCase() },
  });
  return refuseCsrf(session, verdict.reason);
}

/** 403 `csrf_rejected` with its reason (`unchecked`: a cookie mode that offers no CSRF check, fail closed). */
function refuseCsrf<Data extends SessionData>(
  session: RequestSession<Data>,
  reason: CsrfReason | 'unchecked',
): OpenResult<Data> {
  session.markCsrfChecked();
  return {
    ok: false,
    reply: withSessionHeaders(forbiddenReply('csrf_rejected', [], [], reason), session),
  };
}

/**
 * The refusal for a route that needs a signed-in session, or null when the request has one. Anonymous
 * pre-login sessions do not count, in any mode. Marks the response as session-dependent either way.
 */
export function requireSignedIn<Data extends SessionData>(session: RequestSession<Data>): HttpReply | null {
  session.markSessionDependent();
  const result = session.result;
  if (!result.ok) return withSessionHeaders(failureReply(result), session);
  if (!session.signedIn) {
    return withSessionHeaders(failureReply({ ok: false, code: 'token_missing', status: 401 }), session);
  }
  return null;
}

/** The refusal for a route that needs a level (and how recently it was reached), or null when met. */
export function requireLevel<Data extends SessionData>(
  session: RequestSession<Data>,
  requirement: LevelRequirement,
): HttpReply | null {
  const missing = requireSignedIn(session);
  if (missing !== null) return missing;
  return session.hasLevel(requirement)
    ? null
    : withSessionHeaders(forbiddenReply('insufficient_level'), session);
}

/** A reply with the session's header decision merged in (its cookies, `no-store`, `Vary`). */
export function withSessionHeaders<Data extends SessionData>(
  reply: HttpReply,
  session: RequestSession<Data>,
): HttpReply {
  return { ...reply, headers: mergeHeaderLists(reply.headers, session.headers()) };
}

/**
 * Merges a session's header decision into headers already chosen: its `Set-Cookie` values replace any for
 * the same cookie, `Vary` tokens are joined without repeats, `Cache-Control: no-store` and `Clear-Site-Data`
 * are set. The one merge every adapter uses.
 */
export function mergeHeaderLists(existing: readonly Header[], decided: readonly Header[]): Header[] {
  const decidedCookies = new Set<string>();
  for (const [name, value] of decided) if (name === 'set-cookie') decidedCookies.add(cookieNameOf(value));
  const out: Header[] = [];
  const vary: string[] = [];
  const singles = new Set(
    decided.filter(([name]) => name !== 'set-cookie' && name !== 'vary').map(([n]) => n),
  );
  for (const [name, value] of existing) {
    const lower = name.toLowerCase();
    if (lower === 'set-cookie' && decidedCookies.has(cookieNameOf(value))) continue;
    if (lower === 'vary') vary.push(value);
    else if (!singles.has(lower)) out.push([lower, value]);
  }
  for (const [name, value] of decided) {
    if (name === 'vary') vary.push(value);
    else out.push([name, value]);
  }
  const varyValue = joinVary(vary);
  if (varyValue !== '') out.push(['vary', varyValue]);
  return out;
}

/** Joins `Vary` values, keeping each header name once (case-insensitively), in first-seen order. */
export function joinVary(values: readonly string[]): string {
  const seen = new Map<string, string>();
  for (const value of values) {
    for (const token of value.split(',')) {
      const trimmed = token.trim();
      if (trimmed !== '' && !seen.has(trimmed.toLowerCase())) seen.set(trimmed.toLowerCase(), trimmed);
    }
  }
  return [...seen.values()].join(', ');
}
