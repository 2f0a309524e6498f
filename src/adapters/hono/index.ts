/**
 * Tessera for Hono 4: middleware with typed context variables (`c.get('session')`).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { type TesseraEnv, tesseraHono } from 'tessera/hono';
 *
 * const auth = tesseraHono(sessions); // sessions: HttpSessions<MyData>
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
import type { ClientInfo, CreateInput, LevelRequirement } from '../../core/manager.js';
import { TOKEN_MISSING, type ValidationResult } from '../../core/outcome.js';
import type { Session, SessionData } from '../../core/session.js';
import { guardRequest, levelRequiredReply, sessionRequiredReply } from '../../transport/guard.js';
import type { HttpRotation, HttpSessions, IssuedHttpSession } from '../../transport/http-sessions.js';
import { type HttpReply, replyToResponse } from '../../transport/reply.js';
import { factsFromRequest } from '../../transport/request.js';
import { isFormContentType } from '../shared/form-token.js';
import { addGuardHeaders } from '../shared/response-headers.js';

/** The context variables the middleware sets. */
export interface TesseraVariables<Data extends SessionData = SessionData> {
  /** The valid session, or null (anonymous, or its token was refused). */
  session: Session<Data> | null;
  /** The authentication outcome behind `session`. */
  tesseraResult: ValidationResult<Data>;
}

/** Hono environment for apps using Tessera: `new Hono<TesseraEnv<MyData>>()`. */
export interface TesseraEnv<Data extends SessionData = SessionData> {
  Variables: TesseraVariables<Data>;
}

type C<Data extends SessionData> = Context<TesseraEnv<Data>>;

export interface TesseraHono<Data extends SessionData> {
  readonly middleware: MiddlewareHandler<TesseraEnv<Data>>;
  /** 401/440 without a logged-in session. */
  requireSession(): MiddlewareHandler<TesseraEnv<Data>>;
  /** 403 `insufficient_level` below `level` (or when it was reached more than `maxAge` seconds ago). */
  requireLevel(level: number, options?: Omit<LevelRequirement, 'level'>): MiddlewareHandler<TesseraEnv<Data>>;
  csrfToken(c: C<Data>): string;
  login(c: C<Data>, input: Omit<CreateInput<Data>, keyof ClientInfo>): Promise<IssuedHttpSession<Data>>;
  logout(c: C<Data>): Promise<boolean>;
  rotate(c: C<Data>): Promise<HttpRotation<Data>>;
  elevate(c: C<Data>, level: number): Promise<HttpRotation<Data>>;
  startAnonymous(c: C<Data>): Promise<IssuedHttpSession<Data>>;
}

export interface TesseraHonoOptions {
  /**
   * The client address. Hono has no portable one: with @hono/node-server pass
   * `(c) => getConnInfo(c).remote.address ?? null`.
   * @default the node:http socket address when running on @hono/node-server, else null
   */
  clientIp?: (c: Context) => string | null;
  /** Body field of HTML forms that carries the CSRF token. @default the HttpSessions `csrf.fieldName` */
  fieldName?: string;
}

/** Creates the Hono middleware and helpers for a set of HTTP sessions. */
export function tesseraHono<Data extends SessionData>(
  sessions: HttpSessions<Data>,
  options: TesseraHonoOptions = {},
): TesseraHono<Data> {
  const field = options.fieldName ?? sessions.csrf?.options.fieldName ?? '_csrf';
  const clientIp = options.clientIp ?? nodeServerIp;
  const facts = (c: Context) => factsFromRequest(c.req.raw, clientIp(c));

  function setCookies(c: Context, cookies: readonly string[]): void {
    for (const cookie of cookies) c.header('set-cookie', cookie, { append: true });
    if (cookies.length > 0) c.header('cache-control', 'no-store');
  }

  function setResult(c: C<Data>, result: ValidationResult<Data>): void {
    c.set('tesseraResult', result);
    c.set('session', result.ok ? result.session : null);
  }

  function gate(check: (c: C<Data>) => HttpReply | null): MiddlewareHandler<TesseraEnv<Data>> {
    return async (c, next) => {
      const refusal = check(c);
      if (refusal !== null) return replyToResponse(refusal);
      await next();
      return undefined;
    };
  }

  const rotated = (c: C<Data>, rotation: HttpRotation<Data>): HttpRotation<Data> => {
    setCookies(c, rotation.setCookies);
    setResult(
      c,
      rotation.ok ? { ok: true, session: rotation.session, renewed: false, stale: false } : rotation,
    );
    return rotation;
  };

  return {
    middleware: async (c, next) => {
      const result = await guardRequest(sessions, facts(c), {
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
      if (!result.ok) return replyToResponse(result.reply);
      setResult(c, result.auth.result);
      await next();
      // Added to whatever Response the handler (or a route guard's refusal) produced.
      c.res = addGuardHeaders(c.res, result.headers, sessions.cookie.name);
      return undefined;
    },
    requireSession: () => gate((c) => sessionRequiredReply(sessions, c.get('tesseraResult'))),
    requireLevel: (level, requirement = {}) =>
      gate((c) => levelRequiredReply(sessions, c.get('tesseraResult'), { ...requirement, level })),
    csrfToken(c) {
      const session = c.get('session');
      if (session === null || session === undefined)
        throw new TypeError(
          'tessera: no session on this request; call startAnonymous first for a login form',
        );
      return sessions.csrfToken(session);
    },
    async login(c, input) {
      const issued = await sessions.login(facts(c), input);
      setCookies(c, issued.setCookies);
      setResult(c, { ok: true, session: issued.session, renewed: false, stale: false });
      return issued;
    },
    async logout(c) {
      const ended = await sessions.logout(facts(c));
      setCookies(c, ended.setCookies);
      setResult(c, TOKEN_MISSING);
      return ended.revoked;
    },
    rotate: async (c) => rotated(c, await sessions.rotate(facts(c))),
    elevate: async (c, level) => rotated(c, await sessions.elevate(facts(c), level)),
    async startAnonymous(c) {
      const issued = await sessions.startAnonymous(facts(c));
      setCookies(c, issued.setCookies);
      setResult(c, { ok: true, session: issued.session, renewed: false, stale: false });
      return issued;
    },
  };
}

/** @hono/node-server puts the node:http request in `c.env.incoming`. */
function nodeServerIp(c: Context): string | null {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? null;
}
