import type { TesseraEvent } from '../core/events.js';
import type { ValidationFailure } from '../core/outcome.js';
import type { LevelRequirement } from '../core/session-rules.js';
import type { Session, SessionData } from '../core/session.js';
import type { CsrfGuard } from './csrf/guard.js';
import type { Authentication, SessionAuthenticator } from './authenticator.js';
import type { RequestFacts } from './request.js';

/** What a login records, in every mode. */
export interface LoginInput<Data extends SessionData> {
  subject: string;
  data?: Data;
  /** Authentication level reached at login. @default 1 */
  level?: number;
}

/** A session a mode started, with the cookies that carry it. */
export interface IssuedCookieSession<Data extends SessionData> {
  readonly session: Session<Data>;
  /** `Set-Cookie` values to send (with `Cache-Control: no-store`). */
  readonly setCookies: string[];
}

/** What rotate or elevate did: the changed session and its cookies, or why not (with cookies to clear). */
export type SessionChange<Data extends SessionData> =
  | ({ ok: true } & IssuedCookieSession<Data>)
  | (ValidationFailure & { setCookies: string[] })
  | { ok: false; code: 'version_conflict'; version: number; setCookies: string[] };

/**
 * A session mode whose credential is a cookie the browser attaches by itself: server-side sessions
 * (`HttpSessions`) and sealed cookies (`SealedSessions`). Because the browser sends the cookie on cross-site
 * requests too, every such mode carries a CSRF guard, and the request path applies it to every unsafe request.
 *
 * Each action takes the request's `current` authentication (from the request path) so it need not read the
 * cookie or the store again.
 */
export interface CookieSessionMode<Data extends SessionData = SessionData>
  extends SessionAuthenticator<Data> {
  /** The session cookie's name (a sealed session may also use `<name>.1`, `<name>.2`… chunks). */
  readonly cookieName: string;
  /** The CSRF guard, or null when the application turned it off explicitly (`csrf: false`). */
  readonly csrf: CsrfGuard | null;
  /** The `Clear-Site-Data` value sent on logout, or null when turned off. */
  readonly clearSiteData: string | null;
  /** Reports an event (the request path emits `csrf-rejected`). */
  emit(event: Omit<TesseraEvent, 'at'> & { at?: number }): void;
  /** Whether a session meets a level requirement now. */
  hasLevel(session: Session<SessionData>, requirement: LevelRequirement): boolean;
  login(
    request: RequestFacts,
    input: LoginInput<Data>,
    current?: Authentication<Data>,
  ): Promise<IssuedCookieSession<Data>>;
  logout(
    request: RequestFacts,
    current?: Authentication<Data>,
  ): Promise<{ revoked: boolean; setCookies: string[] }>;
  rotate(request: RequestFacts, current?: Authentication<Data>): Promise<SessionChange<Data>>;
  elevate(request: RequestFacts, level: number, current?: Authentication<Data>): Promise<SessionChange<Data>>;
  /** An anonymous pre-login session (level 0) so a login form can carry a session-bound CSRF token. */
  startAnonymous(request: RequestFacts, data?: Data): Promise<IssuedCookieSession<Data>>;
  /** A CSRF token bound to the session, for a hidden form field or the `x-csrf-token` header. */
  csrfToken(session: Pick<Session<SessionData>, 'id'>): string;
}

/** Whether a mode carries its credential in a cookie (and so must be CSRF-checked). */
export function isCookieMode<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
): mode is CookieSessionMode<Data> {
  const candidate = mode as Partial<CookieSessionMode<Data>>;
  return (
    typeof candidate.cookieName === 'string' && 'csrf' in candidate && typeof candidate.login === 'function'
  );
}

/** Optional in any mode: its own level check (clock included). */
export interface LevelAware {
  hasLevel(session: Session<SessionData>, requirement: LevelRequirement): boolean;
}

/** `Clear-Site-Data` directives a logout may send (W3C Clear Site Data; ASVS 5.0 14.3.1). */
export type ClearSiteDataType = 'cookies' | 'storage' | 'cache' | 'executionContexts';

/**
 * The `Clear-Site-Data` value for a logout, from a mode's option: `false` sends none.
 * Note that `"cookies"` clears every cookie of the registrable domain, not only Tessera's.
 */
export function resolveClearSiteData(
  option: readonly ClearSiteDataType[] | false | undefined,
): string | null {
  if (option === false) return null;
  const types = option ?? ['cookies'];
  const allowed = new Set<ClearSiteDataType>(['cookies', 'storage', 'cache', 'executionContexts']);
  for (const type of types) {
    if (!allowed.has(type))
      throw new TypeError(`tessera: clearSiteData: unknown type ${JSON.stringify(type)}`);
  }
  if (types.length === 0) return null;
  return types.map((type) => `"${type}"`).join(', ');
}
