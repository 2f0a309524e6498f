import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import {
  createTesseraNext,
  type NextRequestApi,
  type NextRouteHandler,
} from '../../src/adapters/next/index.js';
import type { SessionData } from '../../src/core/session.js';
import { errorReply, replyToResponse } from '../../src/transport/reply.js';
import type { MatrixServer } from './matrix.js';
import { runAdapterMatrix } from './matrix.js';

/** Route handlers do not use `headers()`/`cookies()`: the wrapper has the `Request`. */
const NO_REQUEST_CONTEXT: NextRequestApi = {
  headers: () => Promise.reject(new TypeError('route handlers read the Request, not headers()')),
  cookies: () => Promise.reject(new TypeError('route handlers answer with a Response, not cookies()')),
};

function json(body: unknown): Response {
  return Response.json(body);
}

/**
 * The matrix's routes as Next route handlers (`auth.route(…)`, one per route, with its requirement), served over
 * real HTTP by @hono/node-server: the next adapter's route wrapper, its requirement options and the helpers
 * (`auth.login()`, `auth.logout()`, …) acting on the route's session through its scope.
 */
runAdapterMatrix('next', async (world): Promise<MatrixServer> => {
  const auth = createTesseraNext<SessionData>(world.mode, {}, NO_REQUEST_CONTEXT);
  const signedIn = { requireSession: true };
  const routes: Record<string, NextRouteHandler<unknown>> = {
    'GET /public': auth.route((_r, { requestSession }) =>
      json({ session: requestSession.session?.id ?? null }),
    ),
    'GET /anonymous': auth.route(async (_r, { requestSession }) => {
      const issued = await requestSession.startAnonymous();
      return json({ id: issued.session.id, csrf: await auth.csrfToken() });
    }),
    'GET /csrf': auth.route(async () => json({ csrf: await auth.csrfToken() })),
    'GET /me': auth.route(
      (_r, { session }) => json({ id: session?.id, subject: session?.subject, level: session?.level }),
      signedIn,
    ),
    'POST /login': auth.route(async (request) => {
      const issued = await auth.login({ subject: new URL(request.url).searchParams.get('subject') ?? '' });
      return json({ id: issued.session.id });
    }),
    'POST /logout': auth.route(async () => json({ revoked: await auth.logout() })),
    'POST /rotate': auth.route(async () => {
      const change = await auth.rotate();
      return json(change.ok ? { id: change.session.id, level: change.session.level } : {});
    }, signedIn),
    'POST /elevate': auth.route(async () => {
      const change = await auth.elevate(2);
      return json(change.ok ? { id: change.session.id, level: change.session.level } : {});
    }, signedIn),
    'GET /admin': auth.route(() => json({ ok: true }), { requireLevel: { level: 2 } }),
    'POST /revoke-others': auth.route(
      async (_r, { session }) => json({ revoked: session === null ? 0 : await world.revokeOthers(session) }),
      signedIn,
    ),
    'POST /action': auth.route(async (request) => {
      await request.formData().catch(() => null); // the body is still readable after the wrapper looked at it
      return json({ ok: true });
    }, signedIn),
  };
  const fallback = auth.route(() => json({}));
  const fetchHandler = (request: Request): Promise<Response> => {
    const route = routes[`${request.method} ${new URL(request.url).pathname}`] ?? fallback;
    return route(request, {}).catch((error: unknown) => replyToResponse(errorReply(error)));
  };
  return new Promise((resolve) => {
    const server = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        origin: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
});
