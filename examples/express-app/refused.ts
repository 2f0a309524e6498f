import type { Request, Response } from 'express';
import type { HttpReply } from '../../src/transport/reply.js';
import type { HttpSessions } from '../../src/transport/http-sessions.js';
import type { AppData } from './context.js';
import { insecureCookieWarning, sentSessionCookie } from './cookie-warning.js';
import { refusedPage } from './views/refused.js';

/** The `code` and `reason` of a Tessera JSON error body ('' when absent). */
function codeOf(reply: HttpReply): { code: string; reason: string } {
  try {
    const parsed: unknown = JSON.parse(reply.body);
    const error = (parsed as { error?: { code?: unknown; reason?: unknown } }).error;
    return {
      code: typeof error?.code === 'string' ? error.code : '',
      reason: typeof error?.reason === 'string' ? error.reason : '',
    };
  } catch {
    return { code: '', reason: '' };
  }
}

/** What the user reads for each refusal of the Tessera middleware. */
function explain(reply: HttpReply, reason: string, cookieSent: boolean): { title: string; text: string } {
  if (reply.status === 503) {
    return {
      title: 'Temporarily unavailable',
      text: 'We cannot check your session right now. Nothing was changed. Please try again in a moment.',
    };
  }
  if (reply.status !== 403) {
    return { title: 'Bad request', text: 'This request could not be read. Nothing was changed.' };
  }
  if (reason === 'token_missing' || reason === 'token_invalid' || reason === 'unchecked') {
    return {
      title: 'This form has expired',
      text: cookieSent
        ? 'Forms belong to the session they were opened in, and that session has ended or changed (you ' +
          'signed in or out in another tab, or it timed out). Nothing was changed. Go back, reload the page ' +
          'and try again.'
        : 'Your browser did not send the session cookie with this form, so it could not be checked. Nothing ' +
          'was changed. Make sure cookies are allowed for this site, reload the page and try again.',
    };
  }
  return {
    title: 'Request refused',
    text:
      'This request came from another site, or did not say where it came from, so it was refused to protect ' +
      'your account. Nothing was changed. If you sent it yourself, open this site directly and try again.',
  };
}

/**
 * The Express adapter's `onRefused`: an HTML page instead of the JSON body for a refused form (CSRF 403), a
 * bad request (400) or a store fault (503). Status and headers are already set by the adapter.
 */
export function refusedHandler(
  sessions: HttpSessions<AppData>,
): (req: Request, res: Response, reply: HttpReply) => void {
  return (req, res, reply) => {
    const { reason } = codeOf(reply);
    const { title, text } = explain(reply, reason, sentSessionCookie(req, sessions));
    res.set('cache-control', 'no-store');
    res.type('html').send(refusedPage({ title, text, warning: insecureCookieWarning(req, sessions) }));
  };
}
