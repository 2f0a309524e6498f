/**
 * Tessera for node:http. Every session mode works here: server-side (`HttpSessions`), sealed cookies
 * (`SealedSessions`) and access tokens (`AccessTokenAuthenticator`).
 *
 * @example
 * ```ts
 * createServer(async (req, res) => {
 *   const session = await openNode(sessions, req, res, { formToken: parsedBody._csrf });
 *   if (session === null) return; // 403 csrf_rejected or 503 store_unavailable was answered
 *   if (req.url === '/login') { await session.login({ subject: 'user-42' }); return res.end(); }
 *   const refusal = requireSignedIn(session);
 *   if (refusal) return writeReply(res, refusal); // 401 / 440, with no-store
 *   res.end(`hello ${session.session?.subject}`);
 * });
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ValidationResult, ValidSession } from '../../core/outcome.js';
import type { SessionData } from '../../core/session.js';
import type { FormTokenSource } from '../../transport/csrf/guard.js';
import type { SessionAuthenticator } from '../../transport/authenticator.js';
import { type OpenResult, openRequestSession, requireSignedIn } from '../../transport/pipeline.js';
import type { Header, RequestSession } from '../../transport/request-session.js';
import type { HttpReply } from '../../transport/reply.js';
import { errorReply } from '../../transport/reply.js';
import {
  applyHeaders,
  applyReplyHeaders,
  bindSessionHeaders,
  nodeHeaderTarget,
} from '../shared/header-target.js';
import { type NodeFactsOptions, nodeRequestFacts } from '../shared/node-request.js';

export { nodeHeaderTarget } from '../shared/header-target.js';
export { type NodeFactsOptions, nodeRequestFacts } from '../shared/node-request.js';

/** Writes a reply to a node:http response, merged with the headers already set. 440 gets its reason phrase. */
export function writeReply(response: ServerResponse, reply: HttpReply): void {
  applyReplyHeaders(nodeHeaderTarget(response), reply);
  response.statusCode = reply.status;
  if (reply.status === 440) response.statusMessage = 'Login Time-out';
  response.end(reply.body);
}

/** Adds `Set-Cookie` values (and `Cache-Control: no-store`) to a response that has not been sent yet. */
export function appendCookies(response: ServerResponse, setCookies: readonly string[]): void {
  if (setCookies.length === 0) return;
  applyHeaders(nodeHeaderTarget(response), [
    ...setCookies.map((cookie) => ['set-cookie', cookie] as const),
    ['cache-control', 'no-store'],
  ]);
}

/** Adds headers to a response that has not been sent yet (`Set-Cookie` by name and `Vary` by token merged). */
export function applyNodeHeaders(response: ServerResponse, headers: readonly Header[]): void {
  applyHeaders(nodeHeaderTarget(response), headers);
}

export interface GuardNodeOptions extends NodeFactsOptions {
  /**
   * The CSRF form field, read from the body your code parsed (node:http parses nothing): a value or a function
   * called only when the token is needed.
   */
  formToken?: FormTokenSource;
}

/**
 * Opens the request's session in any mode and applies the CSRF defence. Returns the `RequestSession` (which
 * may hold no session: public pages stay public; refuse with `requireSignedIn`), or null after writing a
 * 403/503 refusal. The session's headers (cookies, `no-store`, `Vary`, `Clear-Site-Data`) are kept on
 * `response` as the route logs in, rotates or logs out.
 */
export async function openNode<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  request: IncomingMessage,
  response: ServerResponse,
  options: GuardNodeOptions = {},
): Promise<RequestSession<Data> | null> {
  return bound(response, await open(mode, request, options));
}

function open<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  request: IncomingMessage,
  options: GuardNodeOptions,
): Promise<OpenResult<Data>> {
  return openRequestSession(mode, nodeRequestFacts(request, options), { formToken: options.formToken });
}

/** The opened session with its headers kept on `response`, or null after writing the refusal. */
function bound<Data extends SessionData>(
  response: ServerResponse,
  opened: OpenResult<Data>,
): RequestSession<Data> | null {
  if (!opened.ok) {
    writeReply(response, opened.reply);
    return null;
  }
  bindSessionHeaders(nodeHeaderTarget(response), opened.session);
  return opened.session;
}

/**
 * Authenticates a node:http request for a route that needs a signed-in session, in any mode. Returns the
 * session, or null after writing the refusal (401/440, 403 from the CSRF defence, 503). Anonymous
 * pre-login sessions are refused like missing ones.
 */
export async function authenticateNode<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  request: IncomingMessage,
  response: ServerResponse,
  options: GuardNodeOptions = {},
): Promise<ValidSession<Data>['session'] | null> {
  try {
    // `open` and `bound` rather than `openNode`: one promise less on the path every request takes.
    const session = bound(response, await open(mode, request, options));
    if (session === null) return null;
    const refusal = requireSignedIn(session);
    if (refusal !== null) {
      writeReply(response, refusal);
      return null;
    }
    return session.session;
  } catch (error) {
    writeReply(response, errorReply(error));
    return null;
  }
}

/**
 * `openNode`, returning the validation outcome (kept for 0.1 callers). Prefer `openNode`, whose session
 * the route can log in, rotate or log out without reading the store again.
 */
export async function guardNode<Data extends SessionData>(
  mode: SessionAuthenticator<Data>,
  request: IncomingMessage,
  response: ServerResponse,
  options: GuardNodeOptions = {},
): Promise<ValidationResult<Data> | null> {
  const session = await openNode(mode, request, response, options);
  return session === null ? null : session.result;
}
