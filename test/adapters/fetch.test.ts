import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type GuardedContext, guard } from '../../src/adapters/fetch/index.js';
import type { SessionData } from '../../src/core/session.js';
import { levelRequiredReply, sessionRequiredReply } from '../../src/transport/guard.js';
import type { HttpReply } from '../../src/transport/reply.js';
import { errorReply, replyToResponse } from '../../src/transport/reply.js';
import { factsFromRequest } from '../../src/transport/request.js';
import type { MatrixServer } from './matrix.js';
import { runAdapterMatrix } from './matrix.js';

function json(body: unknown, setCookies: readonly string[] = []): Response {
  const headers = new Headers({ 'content-type': 'application/json; charset=utf-8' });
  for (const cookie of setCookies) headers.append('set-cookie', cookie);
  if (setCookies.length > 0) headers.set('cache-control', 'no-store');
  return new Response(JSON.stringify(body), { headers });
}

/** A plain fetch handler (`Request => Response`), as on Deno, Bun, workers or any fetch server. */
async function handle(
  request: Request,
  { result, session, sessions }: GuardedContext<SessionData>,
): Promise<Response> {
  const url = new URL(request.url);
  const facts = factsFromRequest(request);
  const refusal = (reply: HttpReply | null): Response | null =>
    reply === null ? null : replyToResponse(reply);
  const needSession = () => refusal(sessionRequiredReply(sessions, result));
  switch (`${request.method} ${url.pathname}`) {
    case 'GET /public':
      return json({ session: session?.id ?? null });
    case 'GET /anonymous': {
      const issued = await sessions.startAnonymous(facts);
      return json({ id: issued.session.id, csrf: sessions.csrfToken(issued.session) }, issued.setCookies);
    }
    case 'GET /csrf':
      return json({ csrf: session === null ? null : sessions.csrfToken(session) });
    case 'GET /me':
      return needSession() ?? json({ id: session?.id, subject: session?.subject, level: session?.level });
    case 'POST /login': {
      const issued = await sessions.login(facts, { subject: url.searchParams.get('subject') ?? '' });
      return json({ id: issued.session.id }, issued.setCookies);
    }
    case 'POST /logout': {
      const ended = await sessions.logout(facts);
      return json({ revoked: ended.revoked }, ended.setCookies);
    }
    case 'POST /rotate': {
      const refused = needSession();
      if (refused !== null) return refused;
      const rotation = await sessions.rotate(facts);
      return json({ id: rotation.ok ? rotation.session.id : null }, rotation.setCookies);
    }
    case 'POST /elevate': {
      const refused = needSession();
      if (refused !== null) return refused;
      const rotation = await sessions.elevate(facts, 2);
      return json(
        rotation.ok ? { id: rotation.session.id, level: rotation.session.level } : {},
        rotation.setCookies,
      );
    }
    case 'GET /admin':
      return refusal(levelRequiredReply(sessions, result, { level: 2 })) ?? json({ ok: true });
    case 'POST /revoke-others': {
      const refused = needSession();
      if (refused !== null || session === null) return refused as Response;
      return json({ revoked: await sessions.manager.revokeSubject(session.subject, { except: session.id }) });
    }
    case 'POST /action': {
      const refused = needSession();
      if (refused !== null) return refused;
      await request.formData().catch(() => null); // the body is still readable after the guard looked at it
      return json({ ok: true });
    }
    default:
      return json({}, []);
  }
}

runAdapterMatrix('fetch', async (sessions): Promise<MatrixServer> => {
  const guarded = guard(sessions, handle);
  const fetchHandler = (request: Request): Promise<Response> =>
    guarded(request).catch((error: unknown) => replyToResponse(errorReply(error)));
  return new Promise((resolve) => {
    const server = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        origin: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
});
