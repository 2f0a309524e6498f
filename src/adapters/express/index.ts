/**
 * Tessera for Express 5. The adapter only translates; sessions, CSRF and refusals live in the request path
 * (`transport/pipeline.ts`). Every session mode works here: `HttpSessions`, `SealedSessions`, access tokens.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createTessera, HttpSessions } from '@tessera-sessions/tessera';
 * import { tesseraExpress } from '@tessera-sessions/tessera/express';
 *
 * const sessions = new HttpSessions(createTessera({ store }), {
 *   csrf: { secret: process.env.CSRF_SECRET }, // >= 32 chars; shared by all processes
 *   // cookie: { development: true } for plain-HTTP localhost only
 * });
 * const auth = tesseraExpress(sessions);
 * const app = express();
 * app.use(express.urlencoded({ extended: false })); // BEFORE auth.middleware: the form token is in the body
 * app.use(auth.middleware); // authenticates (anonymous is fine), refuses CSRF on unsafe methods (403)
 *
 * app.get('/login', async (req, res) => {
 *   // Optional, against login CSRF: a pre-login session so the login form carries a token.
 *   if (auth.session(req) === null) await auth.startAnonymous(req, res);
 *   res.send(`<form method="post"><input type="hidden" name="_csrf" value="${auth.csrfToken(req)}">…</form>`);
 * });
 * app.post('/login', async (req, res) => {
 *   const user = await checkPassword(req.body.email, req.body.password);
 *   await auth.login(req, res, { subject: user.id }); // fresh token; the pre-login one is dead
 *   res.redirect(303, '/');
 * });
 * app.get('/account', auth.requireSession(), (req, res) => {
 *   const session = auth.session(req)!; // typed Session<Data>; also res.locals.session for views
 *   res.render('account', { csrfToken: auth.csrfToken(req) });
 * });
 * app.post('/sudo', auth.requireSession(), async (req, res) => { await auth.elevate(req, res, 2); res.redirect(303, '/'); });
 * app.post('/delete-account', auth.requireLevel(2, { maxAge: 300 }), handler);
 * app.post('/logout', async (req, res) => { await auth.logout(req, res); res.redirect(303, '/login'); });
 * app.use(auth.errorHandler); // store down -> 503 + Retry-After (fail closed)
 * ```
 * `req.session` is deliberately not used (express-session owns that name and its type); read the session with
 * `auth.session(req)` (typed with your `Data`) or `res.locals.session` in templates.
 */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { ValidationResult } from '../../core/outcome.js';
import type { LevelRequirement } from '../../core/session-rules.js';
import type { Session, SessionData } from '../../core/session.js';
import type { SessionAuthenticator } from '../../transport/authenticator.js';
import { openRequestSession, requireLevel, requireSignedIn } from '../../transport/pipeline.js';
import type { RequestSession } from '../../transport/request-session.js';
import { errorReply, type HttpReply } from '../../transport/reply.js';
import type { RequestFacts } from '../../transport/request.js';
import {
  type IssuedCookieSession,
  isCookieMode,
  type LoginInput,
  type SessionChange,
} from '../../transport/session-mode.js';
import { fieldOf } from '../shared/form-token.js';
import { applyReplyHeaders, bindSessionHeaders, nodeHeaderTarget } from '../shared/header-target.js';
import { nodeHeaderReader } from '../shared/node-request.js';
import { sessionActions } from '../shared/session-actions.js';

export interface TesseraExpress<Data extends SessionData> {
  /** Authenticates every request and applies the CSRF defence to unsafe methods. Mount after body parsers. */
  readonly middleware: RequestHandler;
  /** Refuses requests without a signed-in session: 401 `token_missing`/`token_invalid`, 440 `session_expired`. */
  requireSession(): RequestHandler;
  /** Refuses sessions below `level` (or whose level is older than `maxAge` seconds): 403 `insufficient_level`. */
  requireLevel(level: number, options?: Omit<LevelRequirement, 'level'>): RequestHandler;
  /** The request's session (null when missing or refused). Anonymous pre-login sessions are returned too. */
  session(req: Request): Session<Data> | null;
  /**
   * The request's full validation outcome (null before `middleware` ran), for apps that answer refusals
   * themselves, e.g. an HTML login page with an "expired" message on `session_expired` (440).
   */
  result(req: Request): ValidationResult<Data> | null;
  /** This request's session (null before `middleware` ran): what the helpers act on. */
  requestSession(req: Request): RequestSession<Data> | null;
  /** A CSRF token for the request's session, for a hidden `_csrf` field or the `x-csrf-token` header. */
  csrfToken(req: Request): string;
  /** Starts a session at login (any previous session is ended first) and sets its cookie. */
  login(req: Request, res: Response, input: LoginInput<Data>): Promise<IssuedCookieSession<Data>>;
  /** Ends the request's session, clears its cookie and sends `Clear-Site-Data`. */
  logout(req: Request, res: Response): Promise<boolean>;
  /** New token for the same session (after a privilege change). */
  rotate(req: Request, res: Response): Promise<SessionChange<Data>>;
  /** Step-up ("sudo"): rotates and records `level`. Call after re-checking the password. */
  elevate(req: Request, res: Response, level: number): Promise<SessionChange<Data>>;
  /** Anonymous pre-login session (level 0) so a login form can carry a CSRF token. */
  startAnonymous(req: Request, res: Response): Promise<IssuedCookieSession<Data>>;
  /** Answers Tessera errors (store down: 503 + Retry-After) and passes others on. */
  readonly errorHandler: ErrorRequestHandler;
}

export interface TesseraExpressOptions {
  /**
   * Body field that carries the CSRF token in HTML forms.
   * @default the mode's `csrf.fieldName` ('_csrf')
   */
  fieldName?: string;
  /**
   * Answers the middleware's own refusals yourself, for example with an HTML page for a browser: a CSRF
   * refusal (403 `csrf_rejected`, with its `reason`), a malformed request (400), a store fault (503). The
   * reply's status and headers (`Set-Cookie`, `Cache-Control: no-store`, `Retry-After`) are already applied
   * to `res`; send a body and do not call `next`. `reply.body` holds the JSON body Tessera would have sent.
   * @default sends `reply.body` (JSON)
   */
  onRefused?: (req: Request, res: Response, reply: HttpReply) => void;
}

/** Request facts from an Express request: `req.ip` and `req.protocol`, so Express's `trust proxy` applies. */
export function expressRequestFacts(req: Request): RequestFacts {
  return {
    method: req.method,
    url: req.originalUrl,
    header: nodeHeaderReader(req),
    ip: req.ip ?? req.socket.remoteAddress ?? null,
    // `req.protocol` follows Express's `trust proxy` setting.
    protocol: req.protocol === 'https' ? 'https:' : 'http:',
  };
}

/** Writes a core reply: `Set-Cookie` merged by name, `Vary` by token, other headers set. */
export function sendReply(res: Response, reply: HttpReply): void {
  applyReplyHeaders(nodeHeaderTarget(res), reply);
  res.status(reply.status);
  if (reply.status === 440) res.statusMessage = 'Login Time-out';
  res.send(reply.body);
}

/** Creates the Express middleware and helpers for a session mode. */
export function tesseraExpress<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  options: TesseraExpressOptions = {},
): TesseraExpress<Data> {
  const states = new WeakMap<Request, RequestSession<Data>>();
  const field =
    options.fieldName ?? (isCookieMode(mode) ? mode.csrf?.options.fieldName : undefined) ?? '_csrf';

  function current(req: Request): RequestSession<Data> {
    const session = states.get(req);
    if (session === undefined) throw new TypeError('tessera: mount auth.middleware before this route');
    return session;
  }

  // Express links each request to its response (`req.res`), where views read `res.locals.session`.
  const actions = sessionActions<Request, Data>(current, (req, session) => {
    if (req.res) req.res.locals.session = session.session;
  });

  const middleware: RequestHandler = async (req, res, next) => {
    const opened = await openRequestSession(mode, expressRequestFacts(req), {
      formToken: () => fieldOf(req.body, field),
    });
    if (!opened.ok) {
      if (options.onRefused === undefined) {
        sendReply(res, opened.reply);
        return;
      }
      applyReplyHeaders(nodeHeaderTarget(res), opened.reply);
      res.status(opened.reply.status);
      options.onRefused(req, res, opened.reply);
      return;
    }
    const session = opened.session;
    states.set(req, session);
    bindSessionHeaders(nodeHeaderTarget(res), session);
    res.locals.session = session.session;
    res.locals.csrfToken = () => session.csrfToken();
    next();
  };

  const guard =
    (check: (session: RequestSession<Data>) => HttpReply | null): RequestHandler =>
    (req: Request, res: Response, next: NextFunction) => {
      const session = states.get(req);
      if (session === undefined) {
        next(new TypeError('tessera: mount auth.middleware before requireSession/requireLevel'));
        return;
      }
      const refusal = check(session);
      if (refusal === null) next();
      else sendReply(res, refusal);
    };

  return {
    middleware,
    requireSession: () => guard(requireSignedIn),
    requireLevel: (level, requirement = {}) =>
      guard((session) => requireLevel(session, { ...requirement, level })),
    session: (req) => states.get(req)?.session ?? null,
    result: (req) => states.get(req)?.result ?? null,
    requestSession: (req) => states.get(req) ?? null,
    csrfToken: actions.csrfToken,
    login: (req, _res, input) => actions.login(req, input),
    logout: (req) => actions.logout(req),
    rotate: (req) => actions.rotate(req),
    elevate: (req, _res, level) => actions.elevate(req, level),
    startAnonymous: (req) => actions.startAnonymous(req),
    errorHandler: (error, _req, res, next) => {
      const reply = errorReply(error);
      if (reply.status === 500 || res.headersSent) next(error);
      else sendReply(res, reply);
    },
  };
}
