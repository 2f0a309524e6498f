import type { Router } from 'express';
import { type AppContext, field, requireUser, SIGNED_OUT, sendPage } from '../context.js';
import { errorPage, sessionsPage } from '../views/pages.js';

/** "Your active sessions": list, sign out one, sign out all others. */
export function sessionRoutes(router: Router, context: AppContext): void {
  const { auth, sessions } = context;
  const manager = sessions.manager;

  router.get('/sessions', async (req, res) => {
    const user = await requireUser(context, req, res);
    if (user === null) return;
    const list = await manager.list(user.session.subject);
    const message = typeof req.query.done === 'string' ? doneMessage(req.query.done) : undefined;
    sendPage(res, 200, sessionsPage({ user, sessions: list, currentId: user.session.id, message }));
  });

  router.post('/sessions/revoke', async (req, res) => {
    const user = await requireUser(context, req, res);
    if (user === null) return;
    const id = field(req, 'id');
    if (id === user.session.id) {
      await auth.logout(req, res);
      res.redirect(303, SIGNED_OUT);
      return;
    }
    // The id comes from the form: check it is one of this user's sessions (OWASP: no insecure direct object
    // references), so nobody can end another user's session by guessing or copying an id.
    const target = await manager.get(id);
    if (target === null || target.subject !== user.session.subject) {
      sendPage(
        res,
        404,
        errorPage('Session not found', 'That session does not exist or has already ended.', user),
      );
      return;
    }
    await manager.revokeById(id, 'user');
    res.redirect(303, '/sessions?done=one');
  });

  router.post('/sessions/revoke-others', async (req, res) => {
    const user = await requireUser(context, req, res);
    if (user === null) return;
    // The manager's endOthersRequires (app.ts) refuses unless the password was re-entered within the sudo
    // window: someone holding a stolen session must not be able to sign the real user out everywhere else.
    const ended = await manager.endOtherSessions(user.session, { reason: 'revoke-others' });
    if (!ended.ok) {
      res.redirect(303, `/sudo?next=${encodeURIComponent(CONFIRMED)}`);
      return;
    }
    res.redirect(303, '/sessions?done=others');
  });
}

/** Where the sudo step sends the user back to after confirming the password for "sign out all others". */
export const CONFIRMED = '/sessions?done=confirmed';

function doneMessage(done: string): string | undefined {
  if (done === 'confirmed') return 'Password confirmed. Press "Sign out all other sessions" again to finish.';
  if (done === 'one') return 'That session has been signed out.';
  if (done === 'others') return 'All your other sessions have been signed out.';
  return undefined;
}
