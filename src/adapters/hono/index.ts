/**
 * Tessera for Hono 4: middleware with typed context variables (`c.get('session')`). Every session mode works
 * here: server-side (`HttpSessions`), sealed cookies (`SealedSessions`) and access tokens.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { type TesseraEnv, tesseraHono } from '@tessera-sessions/tessera/hono';
 *
 * const auth = tesseraHono(sessions); // HttpSessions<MyData>, SealedSessions<MyData>, …
 * const app = new Hono<TesseraEnv<MyData>>();
 * app.use(auth.middleware); // authenticates, refuses CSRF on unsafe methods (403)
 * app.post('/login', async (c) => {
 *   const user = await checkPassword(await c.req.parseBody());
 *   await auth.login(c, { subject: user.id });
 *   return c.redirect('/', 303);
 * });
 * app.get('/me', auth.requireSession(), (c) => c.json(c.get('session')));
 * app.post('/admin', auth.requireLevel(2, { maxAge: 300 }), handler);
 * ```
 * Form bodies are parsed with `c.req.parseBody()` only when the token is needed; Hono caches the result, so the
 * handler can parse the body again.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { isTesseraError } from '../../core/errors.js';
import type { ValidationResult } from '../../core/outcome.js';
import type { LevelRequirement } from '../../core/session-rules.js';
import type { Session, SessionData } from '../../core/session.js';
import type { SessionAuthenticator } from '../../transport/authenticator.js';
import { openRequestSession, requireLevel, requireSignedIn } from '../../transport/pipeline.js';
import type { RequestSession } from '../../transport/request-session.js';
import { errorReply, type HttpReply, replyToResponse } from '../../transport/reply.js';
import { factsFromRequest } from '../../transport/request.js';
import {
  type IssuedCookieSession,
  isCookieMode,
  type LoginInput,
  type SessionChange,
} from '../../transport/session-mode.js';
import { isFormContentType } from '../shared/form-token.js';
import { sessionActions } from '../shared/session-actions.js';
import { withSessionHeaders } from '../shared/web-response.js';

/** The context variables the middleware sets. */
export interface TesseraVariables<Data extends SessionData = SessionData> {
  /** The valid session (anonymous pre-login sessions included), or null. */
  session: Session<Data> | null;
  /** The authentication outcome behind `session`. */
  tesseraResult: ValidationResult<Data>;
  /** This request's session: what the helpers act on. */
  tessera: RequestSession<Data>;
}

/** Hono environment for apps using Tessera: `new Hono<TesseraEnv<MyData>>()`. */
export interface TesseraEnv<Data extends SessionData = SessionData> {
  Variables: TesseraVariables<Data>;
}

/**
 * A context whose environment carries Tessera's variables for `Data`, with any other `Bindings` and `Variables`
 * of the app (Hono's `Context` is invariant in its environment, so a fixed `Context<TesseraEnv<Data>>` refused them).
 */
type C<Data extends SessionData, E extends TesseraEnv<Data>> = Context<E>;

export interface TesseraHono<Data extends SessionData> {
  readonly middleware: MiddlewareHandler<TesseraEnv<Data>>;
  /** 401/440 without a signed-in session (anonymous pre-login sessions do not count). */
  requireSession(): MiddlewareHandler<TesseraEnv<Data>>;
  /** 403 `insufficient_level` below `level` (or when it was reached more than `maxAge` seconds ago). */
  requireLevel(level: number, options?: Omit<LevelRequirement, 'level'>): MiddlewareHandler<TesseraEnv<Data>>;
  csrfToken<E extends TesseraEnv<Data>>(c: C<Data, E>): string;
  login<E extends TesseraEnv<Data>>(
    c: C<Data, E>,
    input: LoginInput<Data>,
  ): Promise<IssuedCookieSession<Data>>;
  logout<E extends TesseraEnv<Data>>(c: C<Data, E>): Promise<boolean>;
  rotate<E extends TesseraEnv<Data>>(c: C<Data, E>): Promise<SessionChange<Data>>;
  elevate<E extends TesseraEnv<Data>>(c: C<Data, E>, level: number): Promise<SessionChange<Data>>;
  startAnonymous<E extends TesseraEnv<Data>>(c: C<Data, E>): Promise<IssuedCookieSession<Data>>;
}

export interface TesseraHonoOptions {
  /**
   * The client address. Hono has no portable one: with @hono/node-server pass
   * `(c) => getConnInfo(c).remote.address ?? null`.
   * @default the node:http socket address when running on @hono/node-server, else null
   */
  clientIp?: (c: Context) => string | null;
  /** Body field of HTML forms that carries the CSRF token. @default the mode's `csrf.fieldName` */
  fieldName?: string;
}

/** Creates the Hono middleware and helpers for a session mode. */
export function tesseraHono<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  options: TesseraHonoOptions = {},
): TesseraHono<Data> {
  const field =
    options.fieldName ?? (isCookieMode(mode) ? mode.csrf?.options.fieldName : undefined) ?? '_csrf';
  const clientIp = options.clientIp ?? nodeServerIp;

  // Any context: the interface above checks its environment; the variables are the middleware's own.
  const current = (c: Context): RequestSession<Data> => {
    const session = c.get('tessera') as RequestSession<Data> | undefined;
    if (session === undefined) throw new TypeError('tessera: mount auth.middleware before this route');
    return session;
  };
  const sync = (c: Context, session: RequestSession<Data>): void => {
    c.set('tesseraResult', session.result);
    c.set('session', session.session);
  };
  const gate =
    (check: (session: RequestSession<Data>) => HttpReply | null): MiddlewareHandler<TesseraEnv<Data>> =>
    async (c, next) => {
      const refusal = check(current(c));
      if (refusal !== null) return replyToResponse(refusal);
      await next();
      return undefined;
    };

  return {
    middleware: async (c, next) => {
      const facts = factsFromRequest(c.req.raw, clientIp(c));
      const opened = await openRequestSession(mode, facts, {
        formToken: async () => {
          if (!isFormContentType(c.req.header('content-type'))) return null;
          try {
            const value = (await c.req.parseBody())[field];
            return typeof value === 'string' ? value : null;
          } catch {
            return null;
          }
        },
      });
      if (!opened.ok) return replyToResponse(opened.reply);
      c.set('tessera', opened.session);
      sync(c, opened.session);
      await next();
      // A Tessera error the handler threw (a login while the store is down) is answered as it is before the
      // handler: 503 with Retry-After, fail closed, whatever the app's onError made of it. Hono has caught it
      // by now and kept it in `c.error`; the app's own errors stay with its onError.
      if (isTesseraError(c.error)) {
        c.res = replyToResponse(errorReply(c.error));
        return undefined;
      }
      // Added to whatever Response the handler (or a route guard's refusal) produced.
      c.res = withSessionHeaders(c.res, opened.session);
      return undefined;
    },
    requireSession: () => gate(requireSignedIn),
    requireLevel: (level, requirement = {}) =>
      gate((session) => requireLevel(session, { ...requirement, level })),
    ...sessionActions(current, sync),
  };
}

/** @hono/node-server puts the node:http request in `c.env.incoming`. */
function nodeServerIp(c: Context): string | null {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? null;
}
