'use server';
import { redirect } from 'next/navigation.js';
import { auth, sessions } from '../lib/auth.js';
import { checkPassword } from '../lib/users.js';

// Every action is wrapped: the CSRF check (form token, Fetch Metadata) runs first, and a refusal comes back
// as `{ ok: false, code: 'csrf_rejected', reason }` for the form to show, instead of an HTTP 500.

/** Sign in: a fresh session (any pre-login one ends first), then the account page. */
export const login = auth.action(async (form) => {
  const subject = checkPassword(form.get('username'), form.get('password'));
  if (subject === null) return { ok: false as const, code: 'bad_credentials' };
  await auth.login({ subject });
  redirect('/account');
});

/** Sign out: the session ends in the store and its cookie is cleared. */
export const logout = auth.action(async () => {
  await auth.logout();
  redirect('/login');
});

/** Sudo: the password again raises the session to level 2 (and rotates its token). */
export const sudo = auth.action(
  async (form, { session }) => {
    if (session === null || checkPassword(session.subject, form.get('password')) === null)
      return { ok: false as const, code: 'bad_credentials' };
    await auth.elevate(2);
    redirect('/account');
  },
  { requireSession: true },
);

/** Signs out one other session of the same user (a session id of someone else ends nothing). */
export const endSession = auth.action(
  async (form, { session }) => {
    const id = form.get('id');
    const mine = session === null ? [] : await sessions.manager.list(session.subject);
    if (typeof id === 'string' && id !== session?.id && mine.some((s) => s.id === id))
      await sessions.manager.revokeById(id, 'user');
    redirect('/account');
  },
  { requireSession: true },
);

/** Signs out every other session: needs a sudo step within five minutes (`endOthersRequires`). */
export const endOthers = auth.action(
  async (_form, { session }) => {
    if (session === null) redirect('/login');
    const ended = await sessions.manager.endOtherSessions(session);
    redirect(ended.ok ? '/account' : '/sudo');
  },
  { requireSession: true },
);
