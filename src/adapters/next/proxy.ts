import { NextResponse } from 'next/server.js';
import type { SessionData } from '../../core/session.js';
import { isSafeMethod } from '../../transport/csrf/origin.js';
import { guard } from '../fetch/index.js';
import type { NextCore } from './context.js';

export interface NextProxyOptions {
  /**
   * Paths that need a signed-in session: a request to one without one is redirected to `loginUrl`. A string
   * matches the path and everything under it (`'/account'` matches `/account` and `/account/keys`).
   * @default [] (no path is protected: the proxy only validates, renews and clears)
   * @example ['/account', '/sessions']
   */
  protect?: readonly string[] | ((pathname: string) => boolean);
  /** Where a protected path without a session is redirected. @default the factory's `loginUrl` ('/login') */
  loginUrl?: string;
}

/** What `proxy.ts` exports: Next calls it with a `NextRequest` (a Web `Request`). */
export type ProxyHandler = (request: Request) => Promise<Response>;

/**
 * The `proxy.ts` helper. On GET and HEAD it validates the session cookie once, sends the renewed cookie (or
 * clears a dead one) with `Cache-Control: no-store`, and redirects protected paths without a signed-in
 * session to the login page. Other methods pass through untouched: a Server Action's form token sits in a
 * body the proxy should not read, so writes are checked where the body is parsed (`action()`, `route()`).
 */
export function createProxy<Data extends SessionData>(
  core: NextCore<Data>,
  options: NextProxyOptions = {},
): ProxyHandler {
  const loginUrl = checkedLoginUrl(options.loginUrl ?? core.loginUrl);
  const loginPath = new URL(loginUrl, 'http://x').pathname;
  const isProtected = protectedPaths(options.protect ?? []);
  const handle = guard<Data, typeof core.mode>(
    core.mode,
    (request, context) => {
      const { pathname } = new URL(request.url);
      if (pathname === loginPath || !isProtected(pathname) || context.requestSession.signedIn)
        return NextResponse.next();
      context.requestSession.markSessionDependent();
      return NextResponse.redirect(new URL(loginUrl, request.url));
    },
    { clientIp: (request) => core.clientIp(request.headers), fieldName: core.fieldName },
  );
  return async (request) => (isSafeMethod(request.method) ? handle(request) : NextResponse.next());
}

function protectedPaths(protect: NonNullable<NextProxyOptions['protect']>): (pathname: string) => boolean {
  if (typeof protect === 'function') return protect;
  if (!Array.isArray(protect)) throw new TypeError('tessera: proxy protect is a list of paths or a function');
  const prefixes = protect.map((path) => {
    if (typeof path !== 'string' || !path.startsWith('/'))
      throw new TypeError(`tessera: proxy protect path ${JSON.stringify(path)} must start with "/"`);
    return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  });
  return (pathname) =>
    prefixes.some((prefix) => prefix === '/' || pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** A same-site path (`/login`, not `//evil` nor an absolute URL): the redirect never leaves the app. */
export function checkedLoginUrl(url: string): string {
  if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//') || url.startsWith('/\\'))
    throw new TypeError(`tessera: loginUrl ${JSON.stringify(url)} must be a path starting with "/"`);
  return url;
}
