/**
 * Hono: `TesseraEnv<Data>` types the context variables the middleware sets (`c.get('session')`,
 * `c.get('tesseraResult')`, `c.get('tessera')`), and the helpers take any context whose environment carries
 * them, beside the app's own `Bindings` and `Variables`.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import {
  type TesseraEnv,
  type TesseraHono,
  type TesseraVariables,
  tesseraHono,
} from '../../src/adapters/hono/index.js';
import type { ValidationResult } from '../../src/core/outcome.js';
import type { Session, SessionData } from '../../src/core/session.js';
import type { SealedSessions } from '../../src/stateless/sealed/index.js';
import type { RequestSession } from '../../src/transport/request-session.js';
import type { IssuedCookieSession, SessionChange } from '../../src/transport/session-mode.js';
import {
  type AppData,
  appData,
  check,
  type Equal,
  type Expect,
  type IsAny,
  type Not,
  type OtherData,
  sessions,
  use,
} from './helpers.js';

export type Variables = Expect<
  Equal<
    TesseraVariables<AppData>,
    {
      session: Session<AppData> | null;
      tesseraResult: ValidationResult<AppData>;
      tessera: RequestSession<AppData>;
    }
  >
>;
export type EnvVariables = Expect<Equal<TesseraEnv<AppData>['Variables'], TesseraVariables<AppData>>>;
export type DefaultData = Expect<Equal<TesseraEnv['Variables']['session'], Session<SessionData> | null>>;

export function inference(sealed: SealedSessions<AppData>): void {
  const auth = tesseraHono(sessions);
  check<Equal<typeof auth, TesseraHono<AppData>>>();
  check<Equal<typeof auth.middleware, MiddlewareHandler<TesseraEnv<AppData>>>>();
  check<Equal<ReturnType<typeof auth.requireSession>, MiddlewareHandler<TesseraEnv<AppData>>>>();
  check<Equal<ReturnType<typeof auth.requireLevel>, MiddlewareHandler<TesseraEnv<AppData>>>>();
  const fromSealed = tesseraHono(sealed);
  check<Equal<typeof fromSealed, TesseraHono<AppData>>>();
  tesseraHono(sessions, { fieldName: '_token', clientIp: (c) => c.req.header('x-real-ip') ?? null });
  // @ts-expect-error: the client address is a string or null
  tesseraHono(sessions, { clientIp: () => 42 });
  // @ts-expect-error: not a session mode
  tesseraHono({});
}

export function typedApp(auth: TesseraHono<AppData>): void {
  const app = new Hono<TesseraEnv<AppData>>();
  app.use(auth.middleware);
  app.get('/me', auth.requireSession(), (c) => {
    const session = c.get('session');
    check<Equal<typeof session, Session<AppData> | null>>();
    check<Not<IsAny<typeof session>>>();
    const tesseraVar = c.get('tessera');
    check<Equal<typeof tesseraVar, RequestSession<AppData>>>();
    const tesseraResultVar = c.get('tesseraResult');
    check<Equal<typeof tesseraResultVar, ValidationResult<AppData>>>();
    if (session !== null) {
      check<Equal<typeof session.data, AppData>>();
      // @ts-expect-error: not a key of AppData
      use(session.data.nope);
    }
    // @ts-expect-error: not a variable the middleware sets
    c.get('user');
    return c.json({ id: session?.id ?? null });
  });
  app.post('/login', async (c) => {
    const issued = await auth.login(c, { subject: 'u1', data: appData });
    check<Equal<typeof issued, IssuedCookieSession<AppData>>>();
    await auth.login(c, { subject: 'u1' });
    // @ts-expect-error: data of another shape
    await auth.login(c, { subject: 'u1', data: { tenant: 1 } });
    // @ts-expect-error: the context comes first
    await auth.login({ subject: 'u1' });
    check<Equal<ReturnType<typeof auth.csrfToken<TesseraEnv<AppData>>>, string>>();
    const rotation = await auth.rotate(c);
    check<Equal<typeof rotation, SessionChange<AppData>>>();
    const elevated = await auth.elevate(c, 2);
    check<Equal<typeof elevated, SessionChange<AppData>>>();
    // @ts-expect-error: elevate needs the level
    await auth.elevate(c);
    check<Equal<Awaited<ReturnType<typeof auth.logout>>, boolean>>();
    const anonymous = await auth.startAnonymous(c);
    check<Equal<typeof anonymous.session.data, AppData>>();
    return c.redirect('/', 303);
  });
  app.post('/admin', auth.requireLevel(2, { maxAge: 300 }), (c) => c.text('ok'));
  // @ts-expect-error: the level is a number
  auth.requireLevel('2');
}

/** An app with its own bindings and variables beside Tessera's (a Worker's `env`, a request id). */
type WorkerEnv = {
  Bindings: { DB: { prepare(sql: string): unknown } };
  Variables: TesseraVariables<AppData> & { requestId: string };
};

export function appWithBindings(auth: TesseraHono<AppData>): void {
  const app = new Hono<WorkerEnv>();
  app.use(auth.middleware);
  app.post('/login', async (c) => {
    check<Equal<typeof c.env.DB.prepare, (sql: string) => unknown>>();
    const requestIdVar = c.get('requestId');
    check<Equal<typeof requestIdVar, string>>();
    const sessionVar = c.get('session');
    check<Equal<typeof sessionVar, Session<AppData> | null>>();
    // The helpers take this context too (Hono's Context is invariant in its environment).
    const issued = await auth.login(c, { subject: 'u1', data: appData });
    check<Equal<typeof issued.session.data, AppData>>();
    use(auth.csrfToken(c), await auth.rotate(c), await auth.logout(c));
    return c.text('ok');
  });
}

export function untypedApp(auth: TesseraHono<AppData>): void {
  // Without `TesseraEnv` on the app, a route behind the middleware still sees the variables typed.
  const app = new Hono();
  app.get('/me', auth.middleware, (c) => {
    const sessionVar = c.get('session');
    check<Equal<typeof sessionVar, Session<AppData> | null>>();
    return c.text('ok');
  });
}

export async function otherData(
  auth: TesseraHono<AppData>,
  c: Context<TesseraEnv<OtherData>>,
): Promise<void> {
  // @ts-expect-error: a context typed for other session data
  await auth.login(c, { subject: 'u1' });
  // @ts-expect-error: a context typed for other session data
  auth.csrfToken(c);
}
