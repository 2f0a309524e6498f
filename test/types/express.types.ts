/** Express: `tesseraExpress(mode)` carries the mode's `Data` into every helper; `req` is Express's own. */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import {
  expressRequestFacts,
  sendReply,
  type TesseraExpress,
  tesseraExpress,
} from '../../src/adapters/express/index.js';
import type { ValidationResult } from '../../src/core/outcome.js';
import type { Session, SessionData } from '../../src/core/session.js';
import type { AccessTokenAuthenticator } from '../../src/stateless/jwt/index.js';
import type { SealedSessions } from '../../src/stateless/sealed/index.js';
import type { SessionAuthenticator } from '../../src/transport/authenticator.js';
import type { HttpReply } from '../../src/transport/reply.js';
import type { RequestFacts } from '../../src/transport/request.js';
import type { RequestSession } from '../../src/transport/request-session.js';
import type { IssuedCookieSession, SessionChange } from '../../src/transport/session-mode.js';
import { type AppData, appData, check, type Equal, type IsAny, type Not, sessions, use } from './helpers.js';

export function inference(sealed: SealedSessions<AppData>, access: AccessTokenAuthenticator<AppData>): void {
  const auth = tesseraExpress(sessions);
  check<Equal<typeof auth, TesseraExpress<AppData>>>();
  check<Equal<ReturnType<typeof auth.session>, Session<AppData> | null>>();
  const untyped = tesseraExpress({} as SessionAuthenticator);
  check<Equal<typeof untyped, TesseraExpress<SessionData>>>();
  check<Equal<typeof access extends SessionAuthenticator<AppData> ? true : false, true>>();
  const fromAccess = tesseraExpress(access);
  check<Equal<typeof fromAccess, TesseraExpress<AppData>>>();
  const fromSealed = tesseraExpress(sealed);
  check<Equal<typeof fromSealed, TesseraExpress<AppData>>>();
  // @ts-expect-error: not a session mode
  tesseraExpress({});
  // @ts-expect-error: the field name is a string
  tesseraExpress(sessions, { fieldName: 1 });
  tesseraExpress(sessions, {
    fieldName: '_token',
    onRefused: (req, res, reply) => {
      check<Equal<typeof req, Request>>();
      check<Equal<typeof res, Response>>();
      check<Equal<typeof reply, HttpReply>>();
      check<Equal<typeof reply.status, number>>();
    },
  });
}

export function helpers(auth: TesseraExpress<AppData>): void {
  check<Equal<typeof auth.middleware, RequestHandler>>();
  check<Equal<typeof auth.errorHandler, ErrorRequestHandler>>();
  check<Equal<ReturnType<typeof auth.requireSession>, RequestHandler>>();
  check<Equal<ReturnType<typeof auth.requireLevel>, RequestHandler>>();
  auth.requireLevel(2, { maxAge: 300 });
  // @ts-expect-error: the level is a number
  auth.requireLevel('2');
  // @ts-expect-error: the level is the first argument, not an option
  auth.requireLevel(2, { level: 3 });

  const app = express();
  app.use(auth.middleware);
  app.use(auth.errorHandler);
  app.get('/users/:id', auth.requireSession(), async (req, res) => {
    // A route's typed `req` (its params) is accepted.
    const session = auth.session(req);
    check<Equal<typeof session, Session<AppData> | null>>();
    check<Not<IsAny<typeof session>>>();
    if (session !== null) {
      check<Equal<typeof session.data, AppData>>();
      check<Equal<typeof session.data.role, 'admin' | 'user'>>();
      // @ts-expect-error: not a key of AppData
      use(session.data.nope);
    }
    const result = auth.result(req);
    check<Equal<typeof result, ValidationResult<AppData> | null>>();
    check<Equal<ReturnType<typeof auth.requestSession>, RequestSession<AppData> | null>>();
    check<Equal<ReturnType<typeof auth.csrfToken>, string>>();

    const issued = await auth.login(req, res, { subject: 'u1', data: appData, level: 1 });
    check<Equal<typeof issued, IssuedCookieSession<AppData>>>();
    check<Equal<typeof issued.session.data, AppData>>();
    await auth.login(req, res, { subject: 'u1' });
    // @ts-expect-error: data of another shape
    await auth.login(req, res, { subject: 'u1', data: { tenant: 1 } });
    // @ts-expect-error: a key AppData does not have
    await auth.login(req, res, { subject: 'u1', data: { ...appData, extra: 1 } });
    // @ts-expect-error: the response is needed to set the cookie
    await auth.login(req, { subject: 'u1' });
    // @ts-expect-error: the subject is required
    await auth.login(req, res, { data: appData });

    check<Equal<Awaited<ReturnType<typeof auth.logout>>, boolean>>();
    const rotation = await auth.rotate(req, res);
    check<Equal<typeof rotation, SessionChange<AppData>>>();
    const elevated = await auth.elevate(req, res, 2);
    check<Equal<typeof elevated, SessionChange<AppData>>>();
    // @ts-expect-error: elevate needs the level
    await auth.elevate(req, res);
    const anonymous = await auth.startAnonymous(req, res);
    check<Equal<typeof anonymous.session, Session<AppData>>>();
    res.end();
  });
}

export function standalone(req: Request, res: Response, reply: HttpReply): void {
  check<Equal<ReturnType<typeof expressRequestFacts>, RequestFacts>>();
  use(expressRequestFacts(req));
  sendReply(res, reply);
  // @ts-expect-error: a reply, not a string
  sendReply(res, 'body');
}

/** A request with typed params and a response with typed locals are still Express's `Request`/`Response`. */
export async function typedRequest(
  auth: TesseraExpress<AppData>,
  req: Request<{ id: string }, unknown, { email: string }>,
  res: Response<unknown, { theme: string }>,
): Promise<void> {
  check<Equal<ReturnType<typeof auth.session>, Session<AppData> | null>>();
  use(auth.session(req), auth.csrfToken(req));
  await auth.login(req, res, { subject: req.params.id, data: appData });
}
