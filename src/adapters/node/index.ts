import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ValidationResult, ValidSession } from '../../core/outcome.js';
import type { FormTokenSource } from '../../csrf/guard.js';
import { csrfStep, guardRequest, type Header } from '../../transport/guard.js';
import type { HttpSessions } from '../../transport/http-sessions.js';
import type { SessionData } from '../../core/session.js';
import type { SessionAuthenticator } from '../../transport/authenticator.js';
import type { HttpReply } from '../../transport/reply.js';
import { errorReply, failureReply } from '../../transport/reply.js';
import type { RequestFacts } from '../../transport/request.js';
import { mergeSetCookies, queuedList } from '../shared/set-cookie.js';

export interface NodeFactsOptions {
  /**
   * Take the client address from the first `X-Forwarded-For` entry. Only behind a proxy you run.
   * @default false
   */
  trustProxy?: boolean;
}

/** Request facts from a node:http request, without copying headers. */
export function nodeRequestFacts(request: IncomingMessage, options: NodeFactsOptions = {}): RequestFacts {
  return {
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    header(name: string): string | null {
      const value = request.headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
    },
    ip: clientIp(request, options.trustProxy ?? false),
  };
}

function clientIp(request: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return request.socket.remoteAddress ?? null;
}

/** Writes a reply to a node:http response. 440 gets its conventional reason phrase. */
export function writeReply(response: ServerResponse, reply: HttpReply): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of reply.headers) {
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  response.writeHead(reply.status, reply.status === 440 ? 'Login Time-out' : undefined, headers);
  response.end(reply.body);
}

/** Adds `Set-Cookie` values (and `Cache-Control: no-store`) to a response that has not been sent yet. */
export function appendCookies(response: ServerResponse, setCookies: readonly string[]): void {
  if (setCookies.length === 0) return;
  response.setHeader('set-cookie', mergeSetCookies(queuedList(response.getHeader('set-cookie')), setCookies));
  response.setHeader('cache-control', 'no-store');
}

/**
 * Authenticates a node:http request. On success returns the session and sets any renewal cookie on `response`;
 * otherwise writes the refusal (401/440/503, or 403 from the CSRF defence of `HttpSessions`) and returns null.
 */
export async function authenticateNode<Data extends SessionData>(
  sessions: SessionAuthenticator<Data>,
  request: IncomingMessage,
  response: ServerResponse,
  options: GuardNodeOptions = {},
): Promise<ValidSession<Data>['session'] | null> {
  try {
    const facts = nodeRequestFacts(request, options);
    const auth = await sessions.authenticate(facts);
    if (!auth.result.ok) {
      writeReply(response, failureReply(auth.result, auth.setCookies));
      return null;
    }
    // HttpSessions also applies the CSRF defence to unsafe methods (403 csrf_rejected).
    const csrf = await csrfStep(sessions, facts, auth, options.formToken);
    if (csrf.refusal !== null) {
      writeReply(response, csrf.refusal);
      return null;
    }
    applyHeaders(response, csrf.headers);
    appendCookies(response, auth.setCookies);
    return auth.result.session;
  } catch (error) {
    writeReply(response, errorReply(error));
    return null;
  }
}

/** Adds core headers to a response that has not been sent yet (`Set-Cookie` and `Vary` are appended). */
export function applyHeaders(response: ServerResponse, headers: readonly Header[]): void {
  for (const [name, value] of headers) {
    if (name === 'set-cookie' || name === 'vary') {
      const existing = response.getHeader(name);
      const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
      response.setHeader(name, name === 'vary' ? [...list, value].join(', ') : [...list, value]);
    } else {
      response.setHeader(name, value);
    }
  }
}

export interface GuardNodeOptions extends NodeFactsOptions {
  /**
   * The CSRF form field, read from the body your code parsed (node:http parses nothing): a value or a function
   * called only when the token is needed.
   */
  formToken?: FormTokenSource;
}

/**
 * Authenticates a node:http request and applies the CSRF defence. Returns the authentication outcome (the
 * session may be null: anonymous pages stay public; refuse with `sessionRequiredReply`), or null after writing
 * a 403/503 refusal. Renewal/clearing cookies and `Vary` are set on `response`.
 */
export async function guardNode<Data extends SessionData>(
  sessions: HttpSessions<Data>,
  request: IncomingMessage,
  response: ServerResponse,
  options: GuardNodeOptions = {},
): Promise<ValidationResult<Data> | null> {
  const result = await guardRequest(sessions, nodeRequestFacts(request, options), {
    formToken: options.formToken,
  });
  if (!result.ok) {
    writeReply(response, result.reply);
    return null;
  }
  applyHeaders(response, result.headers);
  return result.auth.result;
}
