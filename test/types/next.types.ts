/**
 * Next.js: `tesseraNext(mode)` carries `Data` into the reads, `action()` (its `Result`, and the typed
 * `NextActionFailure` union beside it), `route()` (its segment context) and the cookie-writing helpers.
 */
import {
  type CookieJar,
  createTesseraNext,
  type HeaderSource,
  type NextAction,
  type NextActionFailure,
  type NextRequestApi,
  type NextRouteHandler,
  type NextSessionContext,
  type ProxyHandler,
  singleton,
  type TesseraNext,
  tesseraNext,
} from '../../src/adapters/next/index.js';
import type { TesseraErrorCode } from '../../src/core/errors.js';
import type { Session, SessionData } from '../../src/core/session.js';
import type { AccessTokenAuthenticator } from '../../src/stateless/jwt/index.js';
import type { CsrfReason } from '../../src/transport/csrf/origin.js';
import type { RequestSession } from '../../src/transport/request-session.js';
import type { IssuedCookieSession, SessionChange } from '../../src/transport/session-mode.js';
import {
  type AppData,
  appData,
  check,
  type Equal,
  type Expect,
  type Extends,
  type IsAny,
  type Not,
  sessions,
  use,
} from './helpers.js';

// The failure union: a CSRF refusal carries its reason; every other code is a Tessera code (or `internal`).
type CsrfFailure = Extract<NextActionFailure, { code: 'csrf_rejected' }>;
type OtherFailure = Exclude<NextActionFailure, CsrfFailure>;
export type FailureIsRefusal = Expect<Equal<NextActionFailure['ok'], false>>;
export type CsrfFailureShape = Expect<
  Equal<
    CsrfFailure,
    {
      readonly ok: false;
      readonly code: 'csrf_rejected';
      readonly status: 403;
      readonly reason: CsrfReason | 'unchecked';
    }
  >
>;
export type OtherCodes = Expect<
  Equal<OtherFailure['code'], Exclude<TesseraErrorCode, 'csrf_rejected'> | 'internal'>
>;
export type AllCodes = Expect<Equal<NextActionFailure['code'], TesseraErrorCode | 'internal'>>;
export type OtherHasNoReason = Expect<Not<Extends<'reason', keyof OtherFailure>>>;

export async function reads(): Promise<void> {
  const auth = tesseraNext(sessions);
  check<Equal<typeof auth, TesseraNext<AppData>>>();
  const session = await auth.session();
  check<Equal<typeof session, Session<AppData> | null>>();
  check<Not<IsAny<typeof session>>>();
  const required = await auth.requireSession({ level: 2, maxAge: 300, redirectTo: '/sudo' });
  check<Equal<typeof required, Session<AppData>>>();
  check<Equal<typeof required.data.role, 'admin' | 'user'>>();
  // @ts-expect-error: not a key of AppData
  use(required.data.nope);
  // @ts-expect-error: the level is a number
  await auth.requireSession({ level: '2' });
  const state = await auth.requestSession();
  check<Equal<typeof state, RequestSession<AppData>>>();
  const csrf = await auth.csrfToken();
  check<Equal<typeof csrf, string | null>>();
  check<Equal<ReturnType<typeof auth.proxy>, ProxyHandler>>();
  auth.proxy({ protect: ['/account'], loginUrl: '/login' });
  auth.proxy({ protect: (pathname) => pathname.startsWith('/account') });
  // @ts-expect-error: paths, or a function of the path
  auth.proxy({ protect: '/account' });
  // @ts-expect-error: the login URL is a string
  tesseraNext(sessions, { loginUrl: 1 });
  tesseraNext(sessions, { clientIp: (headers) => headers.get('x-real-ip') });
  // @ts-expect-error: not a session mode
  tesseraNext({});
}

export async function writes(auth: TesseraNext<AppData>, formData: FormData): Promise<void> {
  const issued = await auth.login({ subject: 'u1', data: appData }, formData);
  check<Equal<typeof issued, IssuedCookieSession<AppData>>>();
  await auth.login({ subject: 'u1' });
  // @ts-expect-error: data of another shape
  await auth.login({ subject: 'u1', data: { tenant: 1 } });
  // @ts-expect-error: a key AppData does not have
  await auth.login({ subject: 'u1', data: { ...appData, extra: 1 } });
  // @ts-expect-error: the form, not its token
  await auth.login({ subject: 'u1' }, 'token');
  check<Equal<Awaited<ReturnType<typeof auth.logout>>, boolean>>();
  check<Equal<Awaited<ReturnType<typeof auth.rotate>>, SessionChange<AppData>>>();
  const elevated = await auth.elevate(2, formData);
  check<Equal<typeof elevated, SessionChange<AppData>>>();
  // @ts-expect-error: the level first
  await auth.elevate(formData);
}

export async function actions(auth: TesseraNext<AppData>, formData: FormData): Promise<void> {
  const save = auth.action(
    async (form, context) => {
      check<Equal<typeof form, FormData>>();
      check<Equal<typeof context, NextSessionContext<AppData>>>();
      check<Equal<typeof context.session, Session<AppData> | null>>();
      check<Equal<typeof context.requestSession, RequestSession<AppData>>>();
      return { ok: true as const, saved: context.session?.data.theme ?? null };
    },
    { requireSession: true },
  );
  type Saved = { ok: true; saved: string | null };
  check<Equal<typeof save, NextAction<Saved>>>();
  // Callable as a form's action and through useActionState.
  const outcome = await save(formData);
  check<Equal<typeof outcome, Saved | NextActionFailure>>();
  check<Equal<Awaited<ReturnType<typeof save>>, Saved | NextActionFailure>>();
  use(await save(null, formData), await save({ previous: 'state' }, formData));
  // @ts-expect-error: called with its FormData
  await save('form');
  // @ts-expect-error: called with its FormData
  await save();
  // Narrowing the union: `ok` tells the action's value from a refusal, `code` the refusals apart.
  if (outcome.ok) {
    check<Equal<typeof outcome, Saved>>();
  } else {
    check<Equal<typeof outcome, NextActionFailure>>();
    if (outcome.code === 'csrf_rejected') {
      check<Equal<typeof outcome.reason, CsrfReason | 'unchecked'>>();
      check<Equal<typeof outcome.status, 403>>();
    } else {
      check<Equal<typeof outcome.status, number>>();
      // @ts-expect-error: only a CSRF refusal has a reason
      use(outcome.reason);
    }
    // @ts-expect-error: not a code a refusal has
    use(outcome.code === 'forbidden');
  }
  const plain = auth.action(() => 42);
  check<Equal<typeof plain, NextAction<number>>>();
  check<Equal<Awaited<ReturnType<typeof plain>>, number | NextActionFailure>>();
  auth.action(async () => undefined, { requireLevel: { level: 2, maxAge: 300 } });
  // @ts-expect-error: a level requirement names its level
  auth.action(async () => undefined, { requireLevel: { maxAge: 300 } });
  // @ts-expect-error: an action needs a handler
  auth.action();
}

export function routes(auth: TesseraNext<AppData>): void {
  type Segment = { params: Promise<{ id: string }> };
  const handler = auth.route<Segment>(async (request, session, context) => {
    check<Equal<typeof request, Request>>();
    check<Equal<typeof session, NextSessionContext<AppData>>>();
    check<Equal<typeof session.session, Session<AppData> | null>>();
    check<Equal<Awaited<typeof context.params>, { id: string }>>();
    return Response.json({ id: (await context.params).id });
  });
  check<Equal<typeof handler, NextRouteHandler<Segment>>>();
  check<Equal<typeof handler, (request: Request, context: Segment) => Promise<Response>>>();
  const inferred = auth.route((_request, _session, context: Segment) => Response.json(context));
  check<Equal<typeof inferred, NextRouteHandler<Segment>>>();
  const untyped = auth.route(() => new Response());
  check<Equal<typeof untyped, NextRouteHandler<unknown>>>();
  // @ts-expect-error: a route handler returns a Response
  auth.route(() => 'ok');
}

export function factories(access: AccessTokenAuthenticator<AppData>, api: NextRequestApi): void {
  const fromAccess = tesseraNext(access);
  check<Equal<typeof fromAccess, TesseraNext<AppData>>>();
  const custom = createTesseraNext(sessions, {}, api);
  check<Equal<typeof custom, TesseraNext<AppData>>>();
  const shared = singleton('auth', () => tesseraNext(sessions));
  check<Equal<typeof shared, TesseraNext<AppData>>>();
  const untyped = singleton('auth-any', () => tesseraNext({} as TesseraNext<SessionData>['mode']));
  check<Equal<typeof untyped, TesseraNext<SessionData>>>();
  // @ts-expect-error: a key and a function that creates the value
  singleton('auth', tesseraNext(sessions));
  check<Equal<Awaited<ReturnType<NextRequestApi['headers']>>, HeaderSource>>();
  check<Equal<Awaited<ReturnType<NextRequestApi['cookies']>>, CookieJar>>();
}
