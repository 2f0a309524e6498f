/**
 * Tessera for fetch-style handlers (`(Request) => Response`): Deno, Bun, workers, any fetch server. Every
 * session mode works here: server-side, sealed cookies and access tokens.
 */
import { isTesseraError } from '../../core/errors.js';
import type { ValidationResult, ValidSession } from '../../core/outcome.js';
import type { Session, SessionData } from '../../core/session.js';
import type { SessionAuthenticator } from '../../transport/authenticator.js';
import { openRequestSession, requireSignedIn } from '../../transport/pipeline.js';
import type { RequestSession } from '../../transport/request-session.js';
import { errorReply, replyToResponse } from '../../transport/reply.js';
import { factsFromRequest } from '../../transport/request.js';
import { isCookieMode } from '../../transport/session-mode.js';
import { isFormContentType } from '../shared/form-token.js';
import { addHeaders, withSessionHeaders } from '../shared/web-response.js';

export interface FetchContext<Data extends SessionData> {
  /** The signed-in session. */
  readonly session: ValidSession<Data>['session'];
  readonly sessions: SessionAuthenticator<Data>;
  /** This request's session: log out, rotate or elevate through it (no second store read). */
  readonly requestSession: RequestSession<Data>;
}

export interface FetchProtectOptions {
  /** Returns the client address for a request (a fetch `Request` does not carry one). @default () => null */
  clientIp?: (request: Request) => string | null;
  /**
   * Body field of HTML forms that carries the CSRF token.
   * @default the mode's `csrf.fieldName` ('_csrf')
   */
  fieldName?: string;
}

/**
 * Wraps a fetch handler so it only runs for a signed-in session, in any mode. Refusals answer with the
 * status and code of the outcome table (anonymous pre-login sessions are refused like missing ones); CSRF applies to every
 * unsafe cookie-borne request; the session's headers are added to the handler's response.
 */
export function protect<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  handler: (request: Request, context: FetchContext<Data>) => Response | Promise<Response>,
  options: FetchProtectOptions = {},
): (request: Request) => Promise<Response> {
  const open = opener(mode, options);
  return async (request: Request): Promise<Response> => {
    const opened = await open(request);
    if (!opened.ok) return opened.response;
    const session = opened.session;
    const refusal = requireSignedIn(session);
    if (refusal !== null) return replyToResponse(refusal);
    const response = await answered(() =>
      handler(request, {
        session: session.session as Session<Data>,
        sessions: mode,
        requestSession: session,
      }),
    );
    return response.tessera ? response.response : withSessionHeaders(response.response, session);
  };
}

/** Appends `Set-Cookie` values (and `Cache-Control: no-store`) to a response, copying it if its headers are frozen. */
export function withCookies(response: Response, setCookies: readonly string[]): Response {
  if (setCookies.length === 0) return response;
  return addHeaders(response, [
    ...setCookies.map((cookie) => ['set-cookie', cookie] as const),
    ['cache-control', 'no-store'],
  ]);
}

export interface GuardedContext<Data extends SessionData, Mode = SessionAuthenticator<Data>> {
  /** The authentication outcome: refuse with `requireSignedIn(requestSession)` where needed. */
  readonly result: ValidationResult<Data>;
  /** The valid session (anonymous pre-login sessions included), or null: anonymous pages stay public. */
  readonly session: Session<Data> | null;
  readonly sessions: Mode;
  /** This request's session: login, logout, rotate, elevate and CSRF tokens act on it. */
  readonly requestSession: RequestSession<Data>;
}

export type FetchGuardOptions = FetchProtectOptions;

/**
 * Wraps a fetch handler with the request path, in any mode. Unlike `protect`, anonymous requests reach the
 * handler (with `session: null`); CSRF refusals (403) and store faults (503) do not. Tessera errors the
 * handler throws (a login while the store is down: 503) are answered the same way; the app's own are rethrown.
 * The form token is read from a clone of urlencoded/multipart bodies only when needed, so the handler can still
 * read the body.
 */
export function guard<Data extends SessionData, Mode extends SessionAuthenticator<Data>>(
  // `& SessionAuthenticator<Data>`: `Data` is inferred from the mode (a bare `Mode` left it `SessionData`).
  mode: Mode & SessionAuthenticator<Data>,
  handler: (request: Request, context: GuardedContext<Data, Mode>) => Response | Promise<Response>,
  options: FetchGuardOptions = {},
): (request: Request) => Promise<Response> {
  const open = opener<Data>(mode, options);
  return async (request: Request): Promise<Response> => {
    const opened = await open(request);
    if (!opened.ok) return opened.response;
    const session = opened.session;
    const response = await answered(() =>
      handler(request, {
        result: session.result,
        session: session.session,
        sessions: mode,
        requestSession: session,
      }),
    );
    return response.tessera ? response.response : withSessionHeaders(response.response, session);
  };
}

/**
 * The handler's response; or, when the handler threw one of Tessera's errors (a login or logout while the store
 * is down: 503 with Retry-After, fail closed; a refused step-up), the answer for it, as for the same error
 * before the handler. Any other error is the app's, and is rethrown.
 */
async function answered(
  run: () => Response | Promise<Response>,
): Promise<{ response: Response; tessera: boolean }> {
  try {
    return { response: await run(), tessera: false };
  } catch (error) {
    if (isTesseraError(error)) return { response: replyToResponse(errorReply(error)), tessera: true };
    throw error;
  }
}

type Opened<Data extends SessionData> =
  | { ok: true; session: RequestSession<Data> }
  | { ok: false; response: Response };

function opener<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  options: FetchProtectOptions,
): (request: Request) => Promise<Opened<Data>> {
  const field =
    options.fieldName ?? (isCookieMode(mode) ? mode.csrf?.options.fieldName : undefined) ?? '_csrf';
  return async (request) => {
    try {
      const facts = factsFromRequest(request, options.clientIp?.(request) ?? null);
      const opened = await openRequestSession(mode, facts, {
        formToken: () => readFormField(request, field),
      });
      return opened.ok ? opened : { ok: false, response: replyToResponse(opened.reply) };
    } catch (error) {
      return { ok: false, response: replyToResponse(errorReply(error)) };
    }
  };
}

/** Reads a form field from a clone of an urlencoded or multipart body, leaving the body for the handler. */
async function readFormField(request: Request, field: string): Promise<string | null> {
  if (!isFormContentType(request.headers.get('content-type'))) return null;
  try {
    const value = (await request.clone().formData()).get(field);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}
