/**
 * Tessera for the Next.js App Router (Next 16, Node runtime): `proxy.ts`, server components, Server
 * Actions and route handlers, in every session mode. `next` is an optional peer dependency.
 *
 * @example
 * ```ts
 * // lib/auth.ts
 * import { createTessera, HttpSessions, MemoryStore } from '@tessera-sessions/tessera';
 * import { singleton, tesseraNext } from '@tessera-sessions/tessera/next';
 * export const auth = singleton('auth', () =>
 *   tesseraNext(new HttpSessions(createTessera({ store: new MemoryStore() }), { csrf: { secret } })),
 * );
 * // proxy.ts
 * export const proxy = auth.proxy({ protect: ['/account'] });
 * // app/account/page.tsx
 * const session = await auth.requireSession();
 * // app/actions.ts ('use server')
 * export const logout = auth.action(async () => { await auth.logout(); redirect('/login'); });
 * ```
 * See docs/next.md.
 */
export type { NextAction, NextActionHandler } from './action.js';
export type { NextRequirement, NextSessionContext } from './context.js';
export type { NextActionFailure } from './failure.js';
export type { ProxyHandler, NextProxyOptions } from './proxy.js';
export type { CookieJar, HeaderSource, NextCookieOptions, NextRequestApi } from './request-api.js';
export type { NextRouteHandler, NextRouteHandlerWithSession } from './route.js';
export { singleton } from './singleton.js';
export {
  createTesseraNext,
  type RequireSessionOptions,
  type TesseraNext,
  type TesseraNextOptions,
  tesseraNext,
} from './tessera-next.js';
