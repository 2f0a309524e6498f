import type { ReactNode } from 'react';
import { ActionForm } from '../../components/action-form.js';
import { auth } from '../../lib/auth.js';
import { sudo } from '../actions.js';

/** The step-up: the password again raises the session to level 2 for sensitive actions. */
export default async function Sudo(): Promise<ReactNode> {
  const session = await auth.requireSession();
  return (
    <main>
      <h1>Confirm your password</h1>
      <p>
        Signed in as {session.subject}, level {session.level}.
      </p>
      <ActionForm action={sudo} csrf={await auth.csrfToken()} label="Confirm">
        <label>
          Password <input name="password" type="password" autoComplete="current-password" required />
        </label>{' '}
      </ActionForm>
    </main>
  );
}
