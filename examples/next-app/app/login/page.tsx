import { redirect } from 'next/navigation.js';
import type { ReactNode } from 'react';
import { ActionForm } from '../../components/action-form.js';
import { auth } from '../../lib/auth.js';
import { login } from '../actions.js';

export default async function Login(): Promise<ReactNode> {
  if ((await auth.session()) !== null) redirect('/account');
  return (
    <main>
      <h1>Sign in</h1>
      <p>Demo account: alice / wonderland.</p>
      <ActionForm action={login} csrf={await auth.csrfToken()} label="Sign in">
        <label>
          User <input name="username" autoComplete="username" required />
        </label>{' '}
        <label>
          Password <input name="password" type="password" autoComplete="current-password" required />
        </label>{' '}
      </ActionForm>
    </main>
  );
}
