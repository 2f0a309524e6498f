import type { Request } from 'express';
import type { HttpSessions } from '../../src/transport/http-sessions.js';
import type { AppData } from './context.js';

/**
 * Host names browsers treat as secure contexts over plain HTTP, where they keep `Secure` (and so `__Host-`)
 * cookies: `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]` (W3C Secure Contexts, "potentially
 * trustworthy origin").
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '[::1]') return true;
  return /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * A warning for a page served over plain HTTP on a name that is not loopback while the session cookie is
 * `Secure`: the browser refuses to store it there, so signing in can never work, and without this warning the
 * user only sees a form that "does nothing" (or a refused form). Null when the cookie can be stored.
 */
export function insecureCookieWarning(req: Request, sessions: HttpSessions<AppData>): string | null {
  if (!sessions.cookie.secure || req.protocol === 'https' || isLoopbackHost(req.hostname)) return null;
  return (
    `This page was opened over plain HTTP at ${req.hostname}. Browsers store the sign-in cookie ` +
    `(${sessions.cookieName}, Secure) only over HTTPS or on localhost, so signing in cannot work here. ` +
    'Open the site over HTTPS or at http://localhost, or start the example with EXAMPLE_DEV_COOKIES=1 ' +
    'for local testing.'
  );
}

/** Whether the request carried the session cookie at all (a browser that refused to store it sends none). */
export function sentSessionCookie(req: Request, sessions: HttpSessions<AppData>): boolean {
  const header = req.headers.cookie;
  if (header === undefined) return false;
  return header.split(';').some((pair) => pair.trim().startsWith(`${sessions.cookieName}=`));
}
