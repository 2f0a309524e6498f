import type { ValidationResult, ValidSession } from '../../core/outcome.js';
import type { Session, SessionData } from '../../core/session.js';
import { csrfStep, guardRequest } from '../../transport/guard.js';
import type { HttpSessions } from '../../transport/http-sessions.js';
import { isFormContentType } from '../shared/form-token.js';
import { addGuardHeaders } from '../shared/response-headers.js';
import type { SessionAuthenticator } from '../../transport/authenticator.js';
import { factsFromRequest } from '../../transport/request.js';
import { errorReply, failureReply, replyToResponse } from '../../transport/reply.js';

export interface FetchContext<Data extends SessionData> {
  readonly session: ValidSession<Data>['session'];
  readonly sessions: SessionAuthenticator<Data>;
}

export interface FetchProtectOptions {
  /** Returns the client address for a request (a fetch `Request` does not carry one). @default () => null */
  clientIp?: (request: Request) => string | null;
}

/**
 * Wraps a fetch-style handler (`(Request) => Response`) so it only runs for a valid session. Refusals answer
 * with the DESIGN status and code; renewal cookies are appended to the handler's response.
 */
export function protect<Data extends SessionData>(
  sessions: SessionAuthenticator<Data>,
  handler: (request: Request, context: FetchContext<Data>) => Response | Promise<Response>,
  options: FetchProtectOptions = {},
): (request: Request) => Promise<Response> {
  return async (request: Request): Promise<Response> => {
    let auth: Awaited<ReturnType<SessionAuthenticator<Data>['authenticate']>>;
    const facts = factsFromRequest(request, options.clientIp?.(request) ?? null);
    try {
      auth = await sessions.authenticate(facts);
    } catch (error) {
      return replyToResponse(errorReply(error));
    }
    if (!auth.result.ok) return replyToResponse(failureReply(auth.result, auth.setCookies));
    // HttpSessions also applies the CSRF defence to unsafe methods (403 csrf_rejected).
    const field =
      'csrf' in sessions ? ((sessions as HttpSessions<Data>).csrf?.options.fieldName ?? '_csrf') : '_csrf';
    const csrf = await csrfStep(sessions, facts, auth, () => readFormField(request, field));
    if (csrf.refusal !== null) return replyToResponse(csrf.refusal);
    const response = await handler(request, { session: auth.result.session, sessions });
    return withCookies(addGuardHeaders(response, csrf.headers, ''), auth.setCookies);
  };
}

/** Appends `Set-Cookie` values (and `Cache-Control: no-store`) to a response, copying it if its headers are frozen. */
export function withCookies(response: Response, setCookies: readonly string[]): Response {
  if (setCookies.length === 0) return response;
  let target = response;
  try {
    for (const cookie of setCookies) target.headers.append('set-cookie', cookie);
  } catch {
    target = new Response(response.body, response);
    for (const cookie of setCookies) target.headers.append('set-cookie', cookie);
  }
  target.headers.set('cache-control', 'no-store');
  return target;
}

export interface GuardedContext<Data extends SessionData> {
  /** The authentication outcome: refuse with `sessionRequiredReply` / `levelRequiredReply` where needed. */
  readonly result: ValidationResult<Data>;
  /** The valid session, or null (anonymous pages stay public). */
  readonly session: Session<Data> | null;
  readonly sessions: HttpSessions<Data>;
}

export interface FetchGuardOptions extends FetchProtectOptions {
  /**
   * Body field of HTML forms that carries the CSRF token.
   * @default the HttpSessions `csrf.fieldName` ('_csrf')
   */
  fieldName?: string;
}

/**
 * Wraps a fetch handler with authentication and the CSRF defence. Unlike `protect`, anonymous requests reach
 * the handler (with `session: null`); CSRF refusals (403) and store faults (503) do not. The form token is read
 * from a clone of urlencoded/multipart bodies only when needed, so the handler can still read the body.
 */
export function guard<Data extends SessionData>(
  sessions: HttpSessions<Data>,
  handler: (request: Request, context: GuardedContext<Data>) => Response | Promise<Response>,
  options: FetchGuardOptions = {},
): (request: Request) => Promise<Response> {
  const field = options.fieldName ?? sessions.csrf?.options.fieldName ?? '_csrf';
  return async (request: Request): Promise<Response> => {
    const facts = factsFromRequest(request, options.clientIp?.(request) ?? null);
    const result = await guardRequest(sessions, facts, {
      formToken: () => readFormField(request, field),
    });
    if (!result.ok) return replyToResponse(result.reply);
    const response = await handler(request, {
      result: result.auth.result,
      session: result.session,
      sessions,
    });
    return addGuardHeaders(response, result.headers, sessions.cookie.name);
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
