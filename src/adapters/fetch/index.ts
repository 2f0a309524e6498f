import type { ValidSession } from '../../core/outcome.js';
import type { SessionData } from '../../core/session.js';
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
    try {
      auth = await sessions.authenticate(factsFromRequest(request, options.clientIp?.(request) ?? null));
    } catch (error) {
      return replyToResponse(errorReply(error));
    }
    if (!auth.result.ok) return replyToResponse(failureReply(auth.result, auth.setCookies));
    const response = await handler(request, { session: auth.result.session, sessions });
    return withCookies(response, auth.setCookies);
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
