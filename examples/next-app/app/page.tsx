import type { ReactNode } from 'react';
import { auth } from '../lib/auth.js';

/** Public: shows who is signed in, if anyone. */
export default async function Home(): Promise<ReactNode> {
  const session = await auth.session();
  return (
    <main>
      <h1>Tessera + Next.js</h1>
      <p id="who">{session === null ? 'Not signed in.' : `Signed in as ${session.subject}.`}</p>
      <p>
        <a href={session === null ? '/login' : '/account'}>{session === null ? 'Sign in' : 'Your account'}</a>
      </p>
    </main>
  );
}
