/**
 * Tessera for Express 5. The adapter only translates; sessions, CSRF and refusals live in the core.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createTessera, HttpSessions } from 'tessera';
 * import { tesseraExpress } from 'tessera/express';
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
import type { ClientInfo, CreateInput, LevelRequirement } from '../../core/manager.js';
import { TOKEN_MISSING, type ValidationResult } from '../../core/outcome.js';
import type { Session, SessionData } from '../../core/session.js';
import {
  type Header,
  guardRequest,
  levelRequiredReply,
  sessionRequiredReply,
} from '../../transport/guard.js';
import type { HttpRotation, HttpSessions, IssuedHttpSession } from '../../transport/http-sessions.js';
import { errorReply, type HttpReply } from '../../transport/reply.js';
import type { RequestFacts } from '../../transport/request.js';
import { nodeRequestFacts } from '../node/index.js';
import { fieldOf } from '../shared/form-token.js';
import { mergeSetCookies, queuedList } from '../shared/set-cookie.js';

interface RequestState<Data extends SessionData> {
  /** The authentication outcome, replaced when the request logs in, rotates or logs out. */
  result: ValidationResult<Data>;
}

export interface TesseraExpress<Data extends SessionData> {
  /** Authenticates every request and applies the CSRF defence to unsafe methods. Mount after body parsers. */
  readonly middleware: RequestHandler;
  /** Refuses requests without a logged-in session: 401 `token_missing`/`token_invalid`, 440 `session_expired`. */
  requireSession(): RequestHandler;
  /** Refuses sessions below `level` (or whose level is older than `maxAge` seconds): 403 `insufficient_level`. */
  requireLevel(level: number, options?: Omit<LevelRequirement, 'level'>): RequestHandler;
  /** The request's session (null when anonymous or refused). Anonymous pre-login sessions are returned too. */
  session(req: Request): Session<Data> | null;
  /**
   * The request's full validation outcome (null before `middleware` ran), for apps that answer refusals
   * themselves, e.g. an HTML login page with an "expired" message on `session_expired` (440).
   */
  result(req: Request): ValidationResult<Data> | null;
  /** A CSRF token for the request's session, for a hidden `_csrf` field or the `x-csrf-token` header. */
  csrfToken(req: Request): string;
  /** Starts a session at login (any previous token is revoked first) and sets its cookie. */
  login(
    req: Request,
    res: Response,
    input: Omit<CreateInput<Data>, keyof ClientInfo>,
  ): Promise<IssuedHttpSession<Data>>;
  /** Ends the request's session and clears its cookie. */
  logout(req: Request, res: Response): Promise<boolean>;
  /** New token for the same session (after a privilege change). */
  rotate(req: Request, res: Response): Promise<HttpRotation<Data>>;
  /** Step-up ("sudo"): rotates and records `level`. Call after re-checking the password. */
  elevate(req: Request, res: Response, level: number): Promise<HttpRotation<Data>>;
  /** Anonymous pre-login session (level 0) so a login form can carry a CSRF token. */
  startAnonymous(req: Request, res: Response): Promise<IssuedHttpSession<Data>>;
  /** Answers Tessera errors (store down: 503 + Retry-After) and passes others on. */
  readonly errorHandler: ErrorRequestHandler;
}

export interface TesseraExpressOptions {
  /**
   * Body field that carries the CSRF token in HTML forms.
   * @default the `csrf.fieldName` of the HttpSessions ('_csrf')
   */
  fieldName?: string;
}

/** Request facts from an Express request. The client address is `req.ip`, so Express's `trust proxy` applies. */
export function expressRequestFacts(req: Request): RequestFacts {
  const facts = nodeRequestFacts(req);
  return { method: facts.method, url: req.originalUrl, header: facts.header, ip: req.ip ?? facts.ip };
}

/** Writes a core reply: `Set-Cookie` and `Vary` are appended, other headers set. */
export function sendReply(res: Response, reply: HttpReply): void {
  appendHeaders(res, reply.headers);
  res.status(reply.status);
  if (reply.status === 440) res.statusMessage = 'Login Time-out';
  res.send(reply.body);
}

function appendHeaders(res: Response, headers: readonly Header[]): void {
  for (const [name, value] of headers) {
    if (name === 'set-cookie' || name === 'vary') res.append(name, value);
    else res.set(name, value);
  }
}

/** Creates the Express middleware and helpers for a set of HTTP sessions. */
export function tesseraExpress<Data extends SessionData>(
  sessions: HttpSessions<Data>,
  options: TesseraExpressOptions = {},
): TesseraExpress<Data> {
  const states = new WeakMap<Request, RequestState<Data>>();
  const field = options.fieldName ?? sessions.csrf?.options.fieldName ?? '_csrf';

  function setResult(req: Request, res: Response, result: ValidationResult<Data>): void {
    states.set(req, { result });
    res.locals.session = result.ok ? result.session : null;
  }

  function setSession(req: Request, res: Response, session: Session<Data> | null): void {
    setResult(
      req,
      res,
      session === null ? TOKEN_MISSING : { ok: true, session, renewed: false, stale: false },
    );
  }

  function applyCookies(res: Response, setCookies: readonly string[]): void {
    if (setCookies.length === 0) return;
    res.setHeader('set-cookie', mergeSetCookies(queuedList(res.getHeader('set-cookie')), setCookies));
    if (setCookies.length > 0) res.set('cache-control', 'no-store');
  }

  const middleware: RequestHandler = async (req, res, next) => {
    const result = await guardRequest(sessions, expressRequestFacts(req), {
      formToken: () => fieldOf(req.body, field),
    });
    if (!result.ok) {
      sendReply(res, result.reply);
      return;
    }
    appendHeaders(res, result.headers);
    setResult(req, res, result.auth.result);
    res.locals.csrfToken = () => api.csrfToken(req);
    next();
  };

  const guard =
    (check: (req: Request) => HttpReply | null): RequestHandler =>
    (req: Request, res: Response, next: NextFunction) => {
      const state = states.get(req);
      if (state === undefined) {
        next(new TypeError('tessera: mount auth.middleware before requireSession/requireLevel'));
        return;
      }
      const refusal = check(req);
      if (refusal === null) next();
      else sendReply(res, refusal);
    };

  const api: TesseraExpress<Data> = {
    middleware,
    requireSession: () => guard((req) => sessionRequiredReply(sessions, states.get(req)?.result)),
    requireLevel: (level, requirement = {}) =>
      guard((req) => levelRequiredReply(sessions, states.get(req)?.result, { ...requirement, level })),
    session: (req) => sessionOf(states.get(req)),
    result: (req) => states.get(req)?.result ?? null,
    csrfToken(req) {
      const session = sessionOf(states.get(req));
      if (session === null)
        throw new TypeError(
          'tessera: no session on this request; call startAnonymous first for a login form',
        );
      return sessions.csrfToken(session);
    },
    async login(req, res, input) {
      const issued = await sessions.login(expressRequestFacts(req), input);
      applyCookies(res, issued.setCookies);
      setSession(req, res, issued.session);
      return issued;
    },
    async logout(req, res) {
      const ended = await sessions.logout(expressRequestFacts(req));
      applyCookies(res, ended.setCookies);
      setSession(req, res, null);
      return ended.revoked;
    },
    async rotate(req, res) {
      const rotation = await sessions.rotate(expressRequestFacts(req));
      applyCookies(res, rotation.setCookies);
      setResult(
        req,
        res,
        rotation.ok ? { ok: true, session: rotation.session, renewed: false, stale: false } : rotation,
      );
      return rotation;
    },
    async elevate(req, res, level) {
      const rotation = await sessions.elevate(expressRequestFacts(req), level);
      applyCookies(res, rotation.setCookies);
      setResult(
        req,
        res,
        rotation.ok ? { ok: true, session: rotation.session, renewed: false, stale: false } : rotation,
      );
      return rotation;
    },
    async startAnonymous(req, res) {
      const issued = await sessions.startAnonymous(expressRequestFacts(req));
      applyCookies(res, issued.setCookies);
      setSession(req, res, issued.session);
      return issued;
    },
    errorHandler: (error, _req, res, next) => {
      const reply = errorReply(error);
      if (reply.status === 500 || res.headersSent) next(error);
      else sendReply(res, reply);
    },
  };

  return api;
}

function sessionOf<Data extends SessionData>(
  state: { result: ValidationResult<Data> } | undefined,
): Session<Data> | null {
  return state?.result.ok === true ? state.result.session : null;
}
