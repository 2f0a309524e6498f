import type { ReactNode } from 'react';
import { ActionForm } from '../../components/action-form.js';
import { auth, sessions } from '../../lib/auth.js';
import { endOthers, endSession, logout } from '../actions.js';

const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** Server-rendered with the session: who, which level, and every active session of the user. */
export default async function Account(): Promise<ReactNode> {
  const session = await auth.requireSession();
  const csrf = await auth.csrfToken();
  const active = await sessions.manager.list(session.subject);
  return (
    <main>
      <h1 id="subject">{session.subject}</h1>
      <p>
        Session <code id="session-id">{session.id}</code>, level <span id="level">{session.level}</span>,
        signed in {time(session.createdAt)} UTC. <a href="/sudo">Sudo</a>
      </p>
      <h2>Active sessions</h2>
      <ul id="sessions">
        {active.map((s) => (
          <li key={s.id} data-session={s.id}>
            <code>{s.id}</code> since {time(s.createdAt)} {s.id === session.id ? '(this one)' : null}
            {s.id === session.id ? null : (
              <ActionForm action={endSession} csrf={csrf} label="Sign out">
                <input type="hidden" name="id" value={s.id} />
              </ActionForm>
            )}
          </li>
        ))}
      </ul>
      <ActionForm action={endOthers} csrf={csrf} label="Sign out all other sessions" />
      <div id="logout">
        <ActionForm action={logout} csrf={csrf} label="Log out" />
      </div>
    </main>
  );
}
