import { AsyncLocalStorage } from 'node:async_hooks';
// The server-side half of `next/navigation` (what Next maps it to in server bundles): route handlers and
// `proxy.ts` cannot load the client half.
import { redirect } from 'next/dist/client/components/navigation.react-server.js';
import type { LevelRequirement } from '../../core/session-rules.js';
import type { Session, SessionData } from '../../core/session.js';
import type { SessionAuthenticator } from '../../transport/authenticator.js';
import type { RequestSession } from '../../transport/request-session.js';
import {
  type IssuedCookieSession,
  isCookieMode,
  type LoginInput,
  type SessionChange,
} from '../../transport/session-mode.js';
import { type NextAction, type NextActionHandler, wrapAction } from './action.js';
import { type NextCore, type NextRequirement, openFromHeaders } from './context.js';
import { writeSessionCookies } from './cookie-jar.js';
import { errorFromReply } from './failure.js';
import { checkedLoginUrl, createProxy, type ProxyHandler, type NextProxyOptions } from './proxy.js';
import { type HeaderSource, type NextRequestApi, nextRequestApi } from './request-api.js';
import { type NextRouteHandler, type NextRouteHandlerWithSession, wrapRoute } from './route.js';

export interface TesseraNextOptions {
  /** Where `requireSession()` and the proxy send a request without a signed-in session. @default '/login' */
  loginUrl?: string;
  /** Form field that carries the CSRF token. @default the mode's `csrf.fieldName` ('_csrf') */
  fieldName?: string;
  /**
   * The client address from the request headers, for IP binding and events. Next passes no socket address
   * to server components; return a header only your own proxy sets (e.g. `x-real-ip`).
   * @default () => null
   */
  clientIp?: (headers: HeaderSource) => string | null;
}

/** What `session()` style reads accept beyond the defaults. */
export interface RequireSessionOptions extends Partial<LevelRequirement> {
  /** Where to send a request that does not meet the requirement. @default the factory's `loginUrl` */
  redirectTo?: string;
}

/** Tessera for the Next.js App Router: one object per session mode (create it with `singleton`). */
export interface TesseraNext<Data extends SessionData> {
  readonly mode: SessionAuthenticator<Data>;
  /** The `proxy.ts` function: validates, renews, clears a dead cookie, redirects protected paths to login. */
  proxy(options?: NextProxyOptions): ProxyHandler;
  /**
   * The signed-in session in a server component, Server Action or route handler, or null. Read-only in
   * server components (Next forbids cookie writes there): renewal and clearing are the proxy's job.
   */
  session(): Promise<Session<Data> | null>;
  /** The signed-in session, or `redirect()` to the login page (or `redirectTo`) when missing or below the level. */
  requireSession(options?: RequireSessionOptions): Promise<Session<Data>>;
  /** This request's session in full (anonymous pre-login sessions and the validation outcome included). */
  requestSession(): Promise<RequestSession<Data>>;
  /** A CSRF token for the session, for a hidden `_csrf` field; null without a session or in a bearer mode. */
  csrfToken(): Promise<string | null>;
  /** Wraps a Server Action: CSRF and requirement checked, refusals returned as `NextActionFailure`. */
  action<Result>(handler: NextActionHandler<Data, Result>, requirement?: NextRequirement): NextAction<Result>;
  /** Wraps a route handler with the request path; the session's headers go on its response. */
  route<RouteContext = unknown>(
    handler: NextRouteHandlerWithSession<Data, RouteContext>,
    requirement?: NextRequirement,
  ): NextRouteHandler<RouteContext>;
  /**
   * Starts a session (any previous one ends first) and writes its cookie through `cookies()`. Inside
   * `action()` or `route()` it acts on that request's session; elsewhere pass the form so its token is checked.
   */
  login(input: LoginInput<Data>, formData?: FormData): Promise<IssuedCookieSession<Data>>;
  /** Ends the session, clears its cookie. Returns whether a session ended. */
  logout(formData?: FormData): Promise<boolean>;
  /** New token for the same session (after a privilege change). */
  rotate(formData?: FormData): Promise<SessionChange<Data>>;
  /** Step-up ("sudo"): rotates and records `level`. Call only after re-checking the credentials. */
  elevate(level: number, formData?: FormData): Promise<SessionChange<Data>>;
}

/**
 * Creates the Next.js helpers for a session mode: `HttpSessions` (server-side), `SealedSessions` (sealed
 * cookies), or an access-token mode (reads only: `login`/`logout`/`rotate`/`elevate` need a cookie mode).
 * Next loads `proxy.ts`, route handlers and server components as separate module graphs: create the
 * object (and its store) once per process with `singleton`.
 */
export function tesseraNext<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  options: TesseraNextOptions = {},
): TesseraNext<Data> {
  return createTesseraNext(mode, options, nextRequestApi);
}

/** `tesseraNext` over any implementation of Next's request functions (tests pass Next's cookie classes). */
export function createTesseraNext<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  options: TesseraNextOptions,
  api: NextRequestApi,
): TesseraNext<Data> {
  if (typeof mode?.authenticate !== 'function')
    throw new TypeError('tessera: tesseraNext needs a session mode (HttpSessions, SealedSessions, …)');
  const core: NextCore<Data> = {
    mode,
    api,
    fieldName:
      options.fieldName ?? (isCookieMode(mode) ? mode.csrf?.options.fieldName : undefined) ?? '_csrf',
    loginUrl: checkedLoginUrl(options.loginUrl ?? '/login'),
    clientIp: options.clientIp ?? (() => null),
    scope: new AsyncLocalStorage(),
    perRequest: new WeakMap(),
  };

  async function current(): Promise<RequestSession<Data>> {
    const scoped = core.scope.getStore();
    if (scoped !== undefined) return scoped;
    const source = await api.headers();
    let pending = core.perRequest.get(source);
    if (pending === undefined) {
      pending = openFromHeaders(core, source, 'GET', null).then((opened) => {
        if (!opened.ok) throw errorFromReply(opened.reply);
        return opened.session;
      });
      core.perRequest.set(source, pending);
    }
    return pending;
  }

  async function acting<R>(
    formData: FormData | undefined,
    run: (session: RequestSession<Data>) => Promise<R>,
  ): Promise<R> {
    const scoped = core.scope.getStore();
    if (scoped !== undefined) return run(scoped);
    const source = await api.headers();
    const opened = await openFromHeaders(core, source, 'POST', formData ?? null);
    if (!opened.ok) throw errorFromReply(opened.reply);
    try {
      return await run(opened.session);
    } finally {
      writeSessionCookies(await api.cookies(), opened.session);
      core.perRequest.set(source, Promise.resolve(opened.session));
    }
  }

  return {
    mode,
    proxy: (proxyOptions) => createProxy(core, proxyOptions),
    session: async () => {
      const session = await current();
      return session.signedIn ? session.session : null;
    },
    requireSession: async (requirement = {}) => {
      const session = await current();
      const { redirectTo, ...level } = requirement;
      const met =
        session.signedIn && (level.level === undefined || session.hasLevel({ ...level, level: level.level }));
      if (!met) redirect(checkedLoginUrl(redirectTo ?? core.loginUrl));
      return session.session as Session<Data>;
    },
    requestSession: current,
    csrfToken: async () => {
      const session = await current();
      return isCookieMode(mode) && session.session !== null ? session.csrfToken() : null;
    },
    action: (handler, requirement) => wrapAction(core, handler, requirement),
    route: (handler, requirement) => wrapRoute(core, handler, requirement),
    login: (input, formData) => acting(formData, (session) => session.login(input)),
    logout: (formData) => acting(formData, (session) => session.logout()),
    rotate: (formData) => acting(formData, (session) => session.rotate()),
    elevate: (level, formData) => acting(formData, (session) => session.elevate(level)),
  };
}
