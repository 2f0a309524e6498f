import { randomBytes } from 'node:crypto';
import { createTessera, HttpSessions, MemoryStore } from '@tessera-sessions/tessera';
import { singleton, tesseraNext } from '@tessera-sessions/tessera/next';

/**
 * One store, manager and `tesseraNext` object per process. Next loads `proxy.ts`, the pages and the Server
 * Actions as separate module graphs: a plain module-level `new MemoryStore()` would be one store per graph,
 * and a session created by the login action would be unknown to the proxy. `singleton` keeps one.
 */
export const { auth, sessions } = singleton('tessera-next-example', () => {
  const manager = createTessera({
    store: new MemoryStore(),
    // "Sign out all other sessions" needs the password again within five minutes (ASVS 5.0 7.5.2).
    endOthersRequires: { level: 2, maxAge: 300 },
  });
  const sessions = new HttpSessions(manager, {
    // `npm run example:next` serves plain HTTP on localhost, where a cookie cannot be Secure. Behind HTTPS set
    // TESSERA_HTTPS=1: the cookie becomes `__Host-session; Secure`.
    cookie: { development: process.env.TESSERA_HTTPS !== '1' },
    // Every process of the app must share this secret: set CSRF_SECRET (32+ characters) in production.
    csrf: { secret: process.env.CSRF_SECRET ?? randomBytes(32).toString('base64url') },
  });
  return { sessions, auth: tesseraNext(sessions, { loginUrl: '/login' }) };
});
