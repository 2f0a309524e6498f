/**
 * The browser's Device Bound Session Credentials endpoints (TESSERA_DBSC, docs/binding.md), reached through the
 * reverse proxy that sends `/v1/authz` checks here: the browser registers its device key and renews the short-lived
 * bound cookie, which `/v1/authz` then requires of every session whose device registered.
 *   POST /tessera/dbsc/register  Secure-Session-Response (registration proof) -> 200 session instructions
 *   POST /tessera/dbsc/refresh   Sec-Secure-Session-Id (+ Secure-Session-Response) -> 200, or 403 with a challenge
 * With TESSERA_DBSC=off both are 404.
 */
import type { Reply, RequestContext, Route } from '../context.js';
import { proxiedFacts } from '../forward-auth/facts.js';
import { notFound } from '../http-errors.js';

async function handleDbsc(context: RequestContext): Promise<Reply> {
  const deviceBound = context.service.deviceBound;
  if (deviceBound === null) throw notFound('Device Bound Session Credentials are off (TESSERA_DBSC).');
  // The browser comes through the proxy: its address as the trusted proxies forwarded it.
  const facts = proxiedFacts(context.request, context.service.config.authz.trusted);
  const reply = await deviceBound.handle(facts);
  if (reply === null) throw notFound();
  return { status: reply.status, headers: reply.headers, raw: reply.body };
}

export const dbscRoutes: readonly Route[] = [
  { method: 'POST', path: '/tessera/dbsc/register', auth: 'public', handle: handleDbsc },
  { method: 'POST', path: '/tessera/dbsc/refresh', auth: 'public', handle: handleDbsc },
];
