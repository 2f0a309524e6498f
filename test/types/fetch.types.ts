/** fetch: `protect` and `guard` infer `Data` (and `guard` the mode's own type) from the mode they wrap. */
import {
  type FetchContext,
  type GuardedContext,
  guard,
  protect,
  withCookies,
} from '../../src/adapters/fetch/index.js';
import type { ValidationResult } from '../../src/core/outcome.js';
import type { Session, SessionData } from '../../src/core/session.js';
import type { AccessTokenAuthenticator } from '../../src/stateless/jwt/index.js';
import type { SessionAuthenticator } from '../../src/transport/authenticator.js';
import type { HttpSessions } from '../../src/transport/http-sessions.js';
import type { RequestSession } from '../../src/transport/request-session.js';
import { type AppData, appData, check, type Equal, type IsAny, type Not, sessions, use } from './helpers.js';

type Handler = (request: Request) => Promise<Response>;

export function protected_(access: AccessTokenAuthenticator<AppData>): void {
  const handler = protect(sessions, (request, context) => {
    check<Equal<typeof request, Request>>();
    check<Equal<typeof context, FetchContext<AppData>>>();
    // Signed in: never null.
    check<Equal<typeof context.session, Session<AppData>>>();
    check<Equal<typeof context.session.data, AppData>>();
    check<Equal<typeof context.sessions, SessionAuthenticator<AppData>>>();
    check<Equal<typeof context.requestSession, RequestSession<AppData>>>();
    // @ts-expect-error: not a key of AppData
    use(context.session.data.nope);
    return new Response(context.session.data.theme);
  });
  check<Equal<typeof handler, Handler>>();
  protect(access, async (_request, context) => {
    check<Equal<typeof context.session.data, AppData>>();
    return new Response();
  });
  protect(sessions, () => new Response(), { fieldName: '_token', clientIp: (request) => request.url });
  // @ts-expect-error: a handler returns a Response
  protect(sessions, () => 'ok');
  // @ts-expect-error: the client address is a string or null
  protect(sessions, () => new Response(), { clientIp: () => 1 });
  // @ts-expect-error: not a session mode
  protect({}, () => new Response());
}

export function guarded(access: AccessTokenAuthenticator<AppData>): void {
  const handler = guard(sessions, async (_request, context) => {
    check<Equal<typeof context, GuardedContext<AppData, HttpSessions<AppData>>>>();
    // Anonymous requests reach the handler.
    check<Equal<typeof context.session, Session<AppData> | null>>();
    check<Not<IsAny<typeof context.session>>>();
    check<Equal<typeof context.result, ValidationResult<AppData>>>();
    // The mode keeps its own type: a server-side mode's manager is at hand.
    check<Equal<typeof context.sessions, HttpSessions<AppData>>>();
    check<Equal<typeof context.requestSession, RequestSession<AppData>>>();
    if (context.session !== null) {
      check<Equal<typeof context.session.data, AppData>>();
      check<Equal<typeof context.session.data.role, 'admin' | 'user'>>();
      // @ts-expect-error: not a key of AppData
      use(context.session.data.nope);
    }
    // Logging in through the request session takes AppData only.
    await context.requestSession.login({ subject: 'u1', data: appData });
    // @ts-expect-error: data of another shape
    await context.requestSession.login({ subject: 'u1', data: { tenant: 1 } });
    return new Response();
  });
  check<Equal<typeof handler, Handler>>();
  guard(access, (_request, context) => {
    check<Equal<typeof context.sessions, AccessTokenAuthenticator<AppData>>>();
    check<Equal<typeof context.session, Session<AppData> | null>>();
    return new Response();
  });
  guard({} as SessionAuthenticator, (_request, context) => {
    check<Equal<typeof context.session, Session<SessionData> | null>>();
    return new Response();
  });
  // @ts-expect-error: a handler returns a Response
  guard(sessions, () => null);
}

export function cookies(response: Response): void {
  check<Equal<ReturnType<typeof withCookies>, Response>>();
  use(withCookies(response, ['a=b']));
  // @ts-expect-error: a list of Set-Cookie values
  withCookies(response, 'a=b');
}
