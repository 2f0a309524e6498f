/**
 * The 0.1 request-path helpers, kept for one release as thin aliases over `pipeline.ts` and `RequestSession`.
 * New code uses `openRequestSession`, `requireSignedIn` and `requireLevel`.
 */
import type { LevelRequirement } from '../core/session-rules.js';
import type { ValidationResult } from '../core/outcome.js';
import { isAnonymousSession } from '../core/session-rules.js';
import type { Session, SessionData } from '../core/session.js';
import type { FormTokenSource } from './csrf/guard.js';
import type { Authentication, SessionAuthenticator } from './authenticator.js';
import { openRequestSession } from './pipeline.js';
import { failureReply, forbiddenReply, type HttpReply } from './reply.js';
import type { RequestFacts } from './request.js';
import type { Header } from './request-session.js';
import type { LevelAware } from './session-mode.js';

export type { Header } from './request-session.js';

/**
 * What an adapter does with a request before the app sees it. On `ok`, add `headers` to the response (the
 * session's header decision) and expose `session` (null for anonymous requests: the route decides with
 * `sessionRequiredReply`). Otherwise answer `reply` as is.
 */
export type GuardResult<Data extends SessionData> =
  | {
      readonly ok: true;
      readonly auth: Authentication<Data>;
      readonly session: Session<Data> | null;
      readonly headers: readonly Header[];
    }
  | { readonly ok: false; readonly reply: HttpReply };

/** `openRequestSession`, as a plain result (0.1 API). */
export async function guardRequest<Data extends SessionData>(
  sessions: SessionAuthenticator<Data>,
  request: RequestFacts,
  input: { formToken?: FormTokenSource } = {},
): Promise<GuardResult<Data>> {
  const opened = await openRequestSession(sessions, request, input);
  if (!opened.ok) return opened;
  const session = opened.session;
  return { ok: true, auth: session.authentication, session: session.session, headers: session.headers() };
}

/** `Set-Cookie` headers plus `Cache-Control: no-store` (every response that sets a token). */
export function cookieHeaders(setCookies: readonly string[]): Header[] {
  if (setCookies.length === 0) return [];
  const headers: Header[] = setCookies.map((cookie) => ['set-cookie', cookie] as const);
  headers.push(['cache-control', 'no-store']);
  return headers;
}

/**
 * The refusal for a route that needs a signed-in session, or null when the request has one. Anonymous
 * pre-login sessions do not count.
 */
export function sessionRequiredReply<Data extends SessionData>(
  _sessions: unknown,
  result: ValidationResult<Data> | undefined,
): HttpReply | null {
  if (result === undefined) return failureReply({ ok: false, code: 'token_missing', status: 401 });
  if (!result.ok) return failureReply(result);
  if (isAnonymousSession(result.session))
    return failureReply({ ok: false, code: 'token_missing', status: 401 });
  return null;
}

/** The refusal for a route that needs a level (and how recently it was reached), or null when met. */
export function levelRequiredReply<Data extends SessionData>(
  sessions: LevelAware,
  result: ValidationResult<Data> | undefined,
  requirement: LevelRequirement,
): HttpReply | null {
  const missing = sessionRequiredReply(sessions, result);
  if (missing !== null) return missing;
  const session = (result as { session: Session<Data> }).session;
  return sessions.hasLevel(session, requirement) ? null : forbiddenReply('insufficient_level');
}
