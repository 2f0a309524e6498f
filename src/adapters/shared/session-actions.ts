import type { SessionData } from '../../core/session.js';
import type { RequestSession } from '../../transport/request-session.js';
import type { IssuedCookieSession, LoginInput, SessionChange } from '../../transport/session-mode.js';

/** The session actions every framework adapter offers, keyed by that framework's request (or context). */
export interface SessionActions<Key, Data extends SessionData> {
  csrfToken(key: Key): string;
  login(key: Key, input: LoginInput<Data>): Promise<IssuedCookieSession<Data>>;
  logout(key: Key): Promise<boolean>;
  rotate(key: Key): Promise<SessionChange<Data>>;
  elevate(key: Key, level: number): Promise<SessionChange<Data>>;
  startAnonymous(key: Key): Promise<IssuedCookieSession<Data>>;
}

/**
 * Builds the actions once for an adapter: `current` finds the request's `RequestSession`, `sync` copies the
 * changed session into the framework's own places (`res.locals`, `request.session`, `c.set`).
 */
export function sessionActions<Key, Data extends SessionData>(
  current: (key: Key) => RequestSession<Data>,
  sync: (key: Key, session: RequestSession<Data>) => void,
): SessionActions<Key, Data> {
  const act = async <R>(key: Key, run: (session: RequestSession<Data>) => Promise<R>): Promise<R> => {
    const session = current(key);
    const result = await run(session);
    sync(key, session);
    return result;
  };
  return {
    csrfToken: (key) => current(key).csrfToken(),
    login: (key, input) => act(key, (session) => session.login(input)),
    logout: (key) => act(key, (session) => session.logout()),
    rotate: (key) => act(key, (session) => session.rotate()),
    elevate: (key, level) => act(key, (session) => session.elevate(level)),
    startAnonymous: (key) => act(key, (session) => session.startAnonymous()),
  };
}
