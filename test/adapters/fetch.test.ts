import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type GuardedContext, guard } from '../../src/adapters/fetch/index.js';
import type { SessionData } from '../../src/core/session.js';
import { requireLevel, requireSignedIn } from '../../src/transport/pipeline.js';
import type { HttpReply } from '../../src/transport/reply.js';
import { errorReply, replyToResponse } from '../../src/transport/reply.js';
import type { MatrixServer } from './matrix.js';
import { runAdapterMatrix } from './matrix.js';
import type { World } from './world.js';

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/** A plain fetch handler (`Request => Response`), as on Deno, Bun, workers or any fetch server. */
async function handle(
  world: World,
  request: Request,
  { requestSession: rs }: GuardedContext<SessionData>,
): Promise<Response> {
  const url = new URL(request.url);
  const refusal = (reply: HttpReply | null): Response | null =>
    reply === null ? null : replyToResponse(reply);
  switch (`${request.method} ${url.pathname}`) {
    case 'GET /public':
      return json({ session: rs.session?.id ?? null });
    case 'GET /anonymous': {
      const issued = await rs.startAnonymous();
      return json({ id: issued.session.id, csrf: rs.csrfToken() });
    }
    case 'GET /csrf':
      return json({ csrf: rs.session === null ? null : rs.csrfToken() });
    case 'GET /me': {
      const refused = refusal(requireSignedIn(rs));
      if (refused !== null) return refused;
      const session = rs.session!;
      return json({ id: session.id, subject: session.subject, level: session.level });
    }
    case 'POST /login': {
      const issued = await rs.login({ subject: url.searchParams.get('subject') ?? '' });
      return json({ id: issued.session.id });
    }
    case 'POST /logout':
      return json({ revoked: await rs.logout() });
    case 'POST /rotate':
    case 'POST /elevate': {
      const refused = refusal(requireSignedIn(rs));
      if (refused !== null) return refused;
      const change = url.pathname === '/rotate' ? await rs.rotate() : await rs.elevate(2);
      return json(change.ok ? { id: change.session.id, level: change.session.level } : {});
    }
    case 'GET /admin':
      return refusal(requireLevel(rs, { level: 2 })) ?? json({ ok: true });
    case 'POST /revoke-others':
      return refusal(requireSignedIn(rs)) ?? json({ revoked: await world.revokeOthers(rs.session!) });
    case 'POST /action': {
      const refused = refusal(requireSignedIn(rs));
      if (refused !== null) return refused;
      await request.formData().catch(() => null); // the body is still readable after the guard looked at it
      return json({ ok: true });
    }
    default:
      return json({});
  }
}

runAdapterMatrix('fetch', async (world): Promise<MatrixServer> => {
  const guarded = guard(world.mode, (request, context: GuardedContext<SessionData>) =>
    handle(world, request, context),
  );
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
