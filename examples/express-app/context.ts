import type { Request, Response } from 'express';
import type { TesseraExpress } from '../../src/adapters/express/index.js';
import type { Session } from '../../src/core/session.js';
import type { HttpSessions } from '../../src/transport/http-sessions.js';
import { insecureCookieWarning } from './cookie-warning.js';
import type { Throttle } from './throttle.js';
import type { UserStore } from './users.js';
import type { FormToken } from './views/layout.js';
import { loginPage } from './views/pages.js';

/** What the example keeps in each session: the name to greet the user with. */
export type AppData = { username: string };

/** Level reached by a password login, and by re-entering the password ("sudo"). */
export const LEVEL_PASSWORD = 1;
export const LEVEL_SUDO = 2;

export interface AppContext {
  readonly auth: TesseraExpress<AppData>;
  readonly sessions: HttpSessions<AppData>;
  readonly users: UserStore;
  /** Seconds a sudo confirmation stays fresh. */
  readonly sudoWindow: number;
  /** Failed password attempts (sign-in per name and address, sudo per user). */
  readonly throttle: Throttle;
}

/** "Try again in 15 minutes" for a Retry-After in seconds. */
export function tryAgainIn(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

export interface SignedInRequest {
  readonly session: Session<AppData>;
  readonly username: string;
  readonly csrf: FormToken;
}

export function formToken(context: AppContext, req: Request): FormToken {
  return {
    field: context.sessions.csrf?.options.fieldName ?? '_csrf',
    value: context.auth.csrfToken(req),
  };
}

/** A string field of an urlencoded body ('' when absent or repeated). */
export function field(req: Request, name: string): string {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

export function sendPage(res: Response, status: number, page: string): void {
  res.status(status);
  if (status === 440) res.statusMessage = 'Login Time-out';
  // Pages show account data and carry CSRF tokens: never cache them (OWASP Session Management, caching).
  res.set('cache-control', 'no-store');
  res.type('html').send(page);
}

/** Messages the login page shows for `?m=` after a redirect (an allow-list: nothing from the URL is echoed). */
const LOGIN_MESSAGES: Readonly<Record<string, string>> = Object.freeze({
  'signed-out': 'You have signed out.',
});

/** The login page's message for a redirect's `?m=` (post/redirect/get), or undefined. */
export function loginMessage(req: Request): string | undefined {
  const key = req.query.m;
  return typeof key === 'string' && Object.hasOwn(LOGIN_MESSAGES, key) ? LOGIN_MESSAGES[key] : undefined;
}

/** Where a logout sends the browser (303): a GET, so reload and back never re-post the logout form. */
export const SIGNED_OUT = '/login?m=signed-out';

/**
 * The login page for a request that has no usable session. A pre-login (anonymous) session is started so the
 * form carries a CSRF token bound to it (OWASP: login CSRF); `login` later replaces it with a fresh one.
 */
export async function showLogin(
  context: AppContext,
  req: Request,
  res: Response,
  status: number,
  notes: { message?: string; error?: string } = {},
): Promise<void> {
  if (context.auth.session(req) === null) await context.auth.startAnonymous(req, res);
  const warning = insecureCookieWarning(req, context.sessions);
  sendPage(res, status, loginPage({ csrf: formToken(context, req), warning, ...notes }));
}

/**
 * The signed-in user, or null after answering with the login page: 440 with an "expired" message when the
 * session timed out (DESIGN outcome table), 401 otherwise.
 */
export async function requireUser(
  context: AppContext,
  req: Request,
  res: Response,
): Promise<SignedInRequest | null> {
  const result = context.auth.result(req);
  if (result?.ok === true && !context.sessions.isAnonymous(result.session)) {
    const session = result.session;
    return { session, username: session.data.username, csrf: formToken(context, req) };
  }
  if (result?.ok === false && result.code === 'session_expired') {
    const message =
      result.limit === 'idle'
        ? 'Your session expired after a period of inactivity. Please sign in again.'
        : 'Your session reached its maximum length. Please sign in again.';
    await showLogin(context, req, res, 440, { message });
    return null;
  }
  // Server-side sessions: a well-formed cookie the store no longer knows was ended on the server: signed out
  // on another device ("sign out this one" / "all others"), by a password change, or swept after it expired.
  const message =
    result?.ok === false && result.code === 'token_invalid'
      ? 'You were signed out, from another device or by a password change. Please sign in again.'
      : 'Please sign in to continue.';
  await showLogin(context, req, res, 401, { message });
  return null;
}
