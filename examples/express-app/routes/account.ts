import type { Request, Router } from 'express';
import {
  type AppContext,
  field,
  LEVEL_SUDO,
  requireUser,
  type SignedInRequest,
  sendPage,
  tryAgainIn,
} from '../context.js';
import { changePasswordPage, homePage, sudoPage } from '../views/pages.js';
import { CONFIRMED } from './sessions.js';

/** Pages that the sudo step guards, and where it may send the user back to (no open redirect). */
const SUDO_TARGETS = new Set(['/account/password', CONFIRMED]);

/** The "sudo" step (re-enter the password before a sensitive action) and the password change it guards. */
export function accountRoutes(router: Router, context: AppContext): void {
  const { auth, sessions, users } = context;
  const manager = sessions.manager;

  const fresh = (user: SignedInRequest): boolean =>
    manager.hasLevel(user.session, { level: LEVEL_SUDO, maxAge: context.sudoWindow });

  router.get('/sudo', async (req, res) => {
    const user = await requireUser(context, req, res);
    if (user === null) return;
    sendPage(res, 200, sudoPage({ user, next: nextOf(req, 'query') }));
  });

  router.post('/sudo', async (req, res) => {
    const user = await requireUser(context, req, res);
    if (user === null) return;
    const next = nextOf(req, 'body');
    // Per user, not per address: someone holding a stolen session must not get unlimited guesses.
    const key = `sudo:${user.session.subject}`;
    const wait = context.throttle.retryAfter(key);
    if (wait > 0) {
      res.set('retry-after', String(wait));
      sendPage(res, 429, sudoPage({ user, next, error: tryAgainIn(wait) }));
      return;
    }
    if (!(await users.checkPassword(user.session.subject, field(req, 'password')))) {
      context.throttle.fail(key);
      sendPage(res, 401, sudoPage({ user, next, error: 'That password is not right.' }));
      return;
    }
    context.throttle.succeed(key);
    // Step-up: a new token with the higher level and its time (OWASP: renew the session id on privilege change).
    const rotation = await auth.elevate(req, res, LEVEL_SUDO);
    if (!rotation.ok) {
      await requireUser(context, req, res);
      return;
    }
    res.redirect(303, next);
  });

  router.get('/account/password', async (req, res) => {
    const user = await requireUser(context, req, res);
    if (user === null) return;
    if (!fresh(user)) {
      res.redirect(303, '/sudo?next=/account/password');
      return;
    }
    sendPage(res, 200, changePasswordPage({ user }));
  });

  router.post('/account/password', async (req, res) => {
    const user = await requireUser(context, req, res);
    if (user === null) return;
    if (!fresh(user)) {
      res.redirect(303, '/sudo?next=/account/password');
      return;
    }
    const problem = await users.changePassword(user.session.subject, field(req, 'password'));
    if (problem !== null) {
      sendPage(res, 400, changePasswordPage({ user, error: problem }));
      return;
    }
    // OWASP Session Management: after a password change, end the other sessions and renew this one's token.
    await manager.revokeSubject(user.session.subject, {
      except: user.session.id,
      reason: 'password-changed',
    });
    const rotation = await auth.rotate(req, res);
    if (!rotation.ok) {
      await requireUser(context, req, res);
      return;
    }
    const after = { ...user, session: rotation.session, csrf: user.csrf };
    sendPage(res, 200, homePage(after, 'Your password has been changed and your other sessions signed out.'));
  });
}

function nextOf(req: Request, from: 'query' | 'body'): string {
  const raw = from === 'query' ? req.query.next : field(req, 'next');
  return typeof raw === 'string' && SUDO_TARGETS.has(raw) ? raw : '/';
}
