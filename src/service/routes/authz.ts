/**
 * Forward auth for reverse proxies (docs/proxy.md): `/v1/authz` and every path under it, any method.
 *   nginx auth_request, Caddy forward_auth, Traefik ForwardAuth: GET /v1/authz + X-Forwarded-Method/-Uri/-Host/-Proto
 *   Envoy ext_authz (HTTP):  <original method> /v1/authz<original path>, original Host
 * Allow: 200 + X-Tessera-Subject, X-Tessera-Session-Id, X-Tessera-Level (+ X-Tessera-Jwt) + a renewed Set-Cookie.
 * Deny: 401 token_missing/token_invalid, 440 session_expired, 403 csrf_rejected, 503 store_unavailable, each with
 * X-Tessera-Code (`?mode=nginx` and `mode=redirect` reshape them: forward-auth/reply.ts).
 * The request goes through the same request path as every adapter (`openRequestSession`): the token from the
 * forwarded `Cookie` or `Authorization: Bearer`, one validation, CSRF for unsafe forwarded methods, the session's
 * header decision. Callers are trusted by address and optional shared secret (forward-auth/trust.ts).
 */
import type { Session } from '../../core/session.js';
import { openRequestSession, requireSignedIn } from '../../transport/pipeline.js';
import type { Reply, RequestContext, Route } from '../context.js';
import { forwardedFacts } from '../forward-auth/facts.js';
import { allowReply, denyReply, MODE_HEADER, parseMode } from '../forward-auth/reply.js';
import { checkCaller } from '../forward-auth/trust.js';

const PREFIX = '/v1/authz';

async function authorize(context: RequestContext): Promise<Reply> {
  const { config, authzSessions, metrics } = context.service;
  checkCaller(context.request, config.authz);
  const raw = context.request.url ?? PREFIX;
  // Under /v1/authz/… the rest of the target is the original path and query (Envoy appends them), so the
  // query is the client's and may not choose the mode.
  const suffix = raw.startsWith(`${PREFIX}/`) ? raw.slice(PREFIX.length) : null;
  const modeHeader = context.request.headers[MODE_HEADER];
  const mode = parseMode(
    typeof modeHeader === 'string' ? modeHeader : suffix === null ? context.query.get('mode') : null,
    config.authz.loginUrl,
  );
  const facts = forwardedFacts(context.request, suffix, config.authz.trusted);
  const deny = { mode, method: facts.method, url: facts.url, loginUrl: config.authz.loginUrl };
  const opened = await openRequestSession(authzSessions, facts);
  if (!opened.ok) {
    if (opened.reply.status === 503) metrics.storeError();
    return denyReply(opened.reply, deny);
  }
  const result = opened.session.result;
  if (!result.ok && result.code === 'session_expired') context.sessionId = result.sessionId;
  const refusal = requireSignedIn(opened.session);
  if (refusal !== null) return denyReply(refusal, deny);
  // Signed in (requireSignedIn refused anything else), so the session is there.
  const session = opened.session.session as Session;
  context.sessionId = session.id;
  let jwt: string | null = null;
  if (config.authz.jwt) {
    const { access } = await context.service.tokens.get();
    jwt = access.issue({ subject: session.subject, sessionId: session.id, level: session.level }).token;
  }
  return allowReply(session, opened.session.headers(), jwt);
}

export const authzRoutes: readonly Route[] = [
  { method: '*', path: PREFIX, auth: 'trusted-proxy', handle: authorize },
  { method: '*', path: `${PREFIX}/*`, auth: 'trusted-proxy', handle: authorize },
];
