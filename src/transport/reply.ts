import { isTesseraError, StoreUnavailableError, type TesseraErrorCode } from '../core/errors.js';
import { outcomeMessages, type ValidationFailure } from '../core/outcome.js';

/** A framework-neutral HTTP reply that every adapter can write. */
export interface HttpReply {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

export interface ErrorBody {
  error: { code: string; message: string; limit?: string; reason?: string };
}

/** The reply for a refused request, following the outcome table in docs/ARCHITECTURE.md. `setCookies` clears a dead cookie. */
export function failureReply(failure: ValidationFailure, setCookies: readonly string[] = []): HttpReply {
  const code = replyCode(failure);
  const body: ErrorBody = { error: { code, message: outcomeMessages[code] as string } };
  if (failure.code === 'session_expired') body.error.limit = failure.limit;
  const headers: [string, string][] = [
    ['content-type', 'application/json; charset=utf-8'],
    ['cache-control', 'no-store'],
  ];
  if (failure.status === 401) {
    headers.push(['www-authenticate', failure.challenge ?? 'Bearer realm="tessera"']);
  }
  for (const cookie of setCookies) headers.push(['set-cookie', cookie]);
  return { status: failure.status, headers, body: JSON.stringify(body) };
}

/**
 * The code a client sees: the outcome's, except for DPoP proof failures, which a client answers differently
 * (sign a new proof, or retry with the server's nonce) from a token that is not valid (refresh or sign in).
 */
function replyCode(failure: ValidationFailure): string {
  if (failure.code !== 'token_invalid') return failure.code;
  if (failure.reason === 'dpop_proof') return 'dpop_proof_invalid';
  if (failure.reason === 'dpop_nonce') return 'dpop_nonce_required';
  return failure.code;
}

/** The reply for an error thrown while handling a session (store down: 503 with Retry-After, fail closed). */
export function errorReply(error: unknown): HttpReply {
  const headers: [string, string][] = [
    ['content-type', 'application/json; charset=utf-8'],
    ['cache-control', 'no-store'],
  ];
  if (
    error instanceof StoreUnavailableError ||
    (isTesseraError(error) && error.code === 'store_unavailable')
  ) {
    headers.push(['retry-after', String((error as StoreUnavailableError).retryAfter ?? 1)]);
    return { status: 503, headers, body: codeBody('store_unavailable') };
  }
  if (isTesseraError(error))
    return { status: error.status, headers, body: codeBody(error.code, error.message) };
  return {
    status: 500,
    headers,
    body: JSON.stringify({ error: { code: 'internal', message: 'Internal error.' } }),
  };
}

export function codeBody(code: TesseraErrorCode | string, message?: string): string {
  return JSON.stringify({ error: { code, message: message ?? outcomeMessages[code] ?? code } });
}

/** Builds a Web `Response` from a reply. */
export function replyToResponse(reply: HttpReply): Response {
  const headers = new Headers();
  for (const [name, value] of reply.headers) headers.append(name, value);
  return new Response(reply.body, { status: reply.status, headers });
}

/**
 * The 403 reply for a request refused after authentication: `csrf_rejected` (with `Vary` on the origin headers
 * the decision read) or `insufficient_level`. `setCookies` carries cookies the request already earned.
 */
export function forbiddenReply(
  code: 'csrf_rejected' | 'insufficient_level',
  setCookies: readonly string[] = [],
  extraHeaders: ReadonlyArray<readonly [string, string]> = [],
  reason?: string,
): HttpReply {
  const headers: (readonly [string, string])[] = [
    ['content-type', 'application/json; charset=utf-8'],
    ['cache-control', 'no-store'],
    ...extraHeaders,
  ];
  for (const cookie of setCookies) headers.push(['set-cookie', cookie]);
  if (reason === undefined) return { status: 403, headers, body: codeBody(code) };
  // The reason (`cross_site`, `origin_missing`, `token_missing`, …) tells a developer what to fix; it reveals
  // nothing a client does not already know about its own request.
  const body: ErrorBody = { error: { code, message: outcomeMessages[code] as string, reason } };
  return { status: 403, headers, body: JSON.stringify(body) };
}
