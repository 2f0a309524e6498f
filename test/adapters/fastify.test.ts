import Fastify from 'fastify';
import { tesseraFastify } from '../../src/adapters/fastify/index.js';
import type { MatrixServer } from './matrix.js';
import { runAdapterMatrix } from './matrix.js';

runAdapterMatrix('fastify', async (world): Promise<MatrixServer> => {
  const app = Fastify();
  // A minimal urlencoded parser (what @fastify/formbody does), so forms reach request.body.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  await app.register(tesseraFastify, { sessions: world.mode });
  app.setErrorHandler(app.tessera.errorHandler);
  const { tessera } = app;
  app.get('/public', async (request) => ({ session: request.session?.id ?? null }));
  app.get('/anonymous', async (request, reply) => {
    const issued = await tessera.startAnonymous(request, reply);
    return { id: issued.session.id, csrf: tessera.csrfToken(request) };
  });
  app.get('/csrf', async (request) => ({ csrf: tessera.csrfToken(request) }));
  app.get('/me', { preHandler: tessera.requireSession }, async (request) => {
    const session = request.session!;
    return { id: session.id, subject: session.subject, level: session.level };
  });
  app.post<{ Querystring: { subject: string } }>('/login', async (request, reply) => {
    const issued = await tessera.login(request, reply, { subject: request.query.subject });
    return { id: issued.session.id };
  });
  app.post('/logout', async (request, reply) => ({ revoked: await tessera.logout(request, reply) }));
  app.post('/rotate', { preHandler: tessera.requireSession }, async (request, reply) => {
    const rotation = await tessera.rotate(request, reply);
    return { id: rotation.ok ? rotation.session.id : null };
  });
  app.post('/elevate', { preHandler: tessera.requireSession }, async (request, reply) => {
    const rotation = await tessera.elevate(request, reply, 2);
    return rotation.ok ? { id: rotation.session.id, level: rotation.session.level } : { error: rotation };
  });
  app.get('/admin', { preHandler: tessera.requireLevel(2) }, async () => ({ ok: true }));
  app.post('/revoke-others', { preHandler: tessera.requireSession }, async (request) => {
    const session = request.session!;
    return { revoked: await world.revokeOthers(session) };
  });
  app.post('/action', { preHandler: tessera.requireSession }, async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { origin: `http://127.0.0.1:${port}`, close: () => app.close() };
});
