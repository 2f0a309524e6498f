import type { Router } from 'express';
import {
  type AppContext,
  field,
  formToken,
  LEVEL_PASSWORD,
  loginMessage,
  requireUser,
  SIGNED_OUT,
  sendPage,
  showLogin,
  tryAgainIn,
} from '../context.js';
import { homePage, signupPage } from '../views/pages.js';

/** Sign-up, login, logout and the home page. */
export function authRoutes(router: Router, context: AppContext): void {
  const { auth, sessions, users } = context;

  const signedIn = (req: Parameters<typeof auth.session>[0]): boolean => {
    const session = auth.session(req);
    return session !== null && !sessions.isAnonymous(session);
  };

  router.get('/', async (req, res) => {
    const user = await requireUser(context, req, res);
    if (user === null) return;
    sendPage(res, 200, homePage(user));
  });

  router.get('/login', async (req, res) => {
    if (signedIn(req)) {
      res.redirect(303, '/');
      return;
    }
    const message = loginMessage(req);
    await showLogin(context, req, res, 200, message === undefined ? {} : { message });
  });

  router.post('/login', async (req, res) => {
    const key = `login:${field(req, 'username').trim().toLowerCase()}|${req.ip ?? ''}`;
    const wait = context.throttle.retryAfter(key);
    if (wait > 0) {
      res.set('retry-after', String(wait));
      await showLogin(context, req, res, 429, { error: tryAgainIn(wait) });
      return;
    }
    const user = await users.authenticate(field(req, 'username'), field(req, 'password'));
    if (user === null) {
      context.throttle.fail(key);
      // One message for an unknown name and a wrong password (OWASP Authentication cheat sheet).
      await showLogin(context, req, res, 401, { error: 'Wrong user name or password.' });
      return;
    }
    context.throttle.succeed(key);
    // A fresh token: whatever the browser carried before (a pre-login session, or a planted one) is revoked.
    await auth.login(req, res, {
      subject: user.id,
      level: LEVEL_PASSWORD,
      data: { username: user.username },
    });
    res.redirect(303, '/');
  });

  router.get('/signup', async (req, res) => {
    if (signedIn(req)) {
      res.redirect(303, '/');
      return;
    }
    if (auth.session(req) === null) await auth.startAnonymous(req, res);
    sendPage(res, 200, signupPage({ csrf: formToken(context, req) }));
  });

  router.post('/signup', async (req, res) => {
    const result = await users.signUp(field(req, 'username'), field(req, 'password'));
    if (!result.ok) {
      if (auth.session(req) === null) await auth.startAnonymous(req, res);
      sendPage(res, 400, signupPage({ csrf: formToken(context, req), error: result.message }));
      return;
    }
    const user = result.user;
    await auth.login(req, res, {
      subject: user.id,
      level: LEVEL_PASSWORD,
      data: { username: user.username },
    });
    res.redirect(303, '/');
  });

  router.post('/logout', async (req, res) => {
    await auth.logout(req, res);
    // Post/redirect/get: the answer to the POST is a redirect, so reloading the next page never re-sends it.
    res.redirect(303, SIGNED_OUT);
  });
}
