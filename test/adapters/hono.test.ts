import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { type TesseraEnv, tesseraHono } from '../../src/adapters/hono/index.js';
import { errorReply, replyToResponse } from '../../src/transport/reply.js';
import type { MatrixServer } from './matrix.js';
import { runAdapterMatrix } from './matrix.js';

runAdapterMatrix('hono', async (world): Promise<MatrixServer> => {
  const auth = tesseraHono(world.mode);
  const app = new Hono<TesseraEnv>();
  app.onError((error) => replyToResponse(errorReply(error)));
  app.use(auth.middleware);
  app.get('/public', (c) => c.json({ session: c.get('session')?.id ?? null }));
  app.get('/anonymous', async (c) => {
    const issued = await auth.startAnonymous(c);
    return c.json({ id: issued.session.id, csrf: auth.csrfToken(c) });
  });
  app.get('/csrf', (c) => c.json({ csrf: auth.csrfToken(c) }));
  app.get('/me', auth.requireSession(), (c) => {
    const session = c.get('session')!;
    return c.json({ id: session.id, subject: session.subject, level: session.level });
  });
  app.post('/login', async (c) => {
    const issued = await auth.login(c, { subject: c.req.query('subject') ?? '' });
    return c.json({ id: issued.session.id });
  });
  app.post('/logout', async (c) => c.json({ revoked: await auth.logout(c) }));
  app.post('/rotate', auth.requireSession(), async (c) => {
    const rotation = await auth.rotate(c);
    return c.json({ id: rotation.ok ? rotation.session.id : null });
  });
  app.post('/elevate', auth.requireSession(), async (c) => {
    const rotation = await auth.elevate(c, 2);
    return c.json(
      rotation.ok ? { id: rotation.session.id, level: rotation.session.level } : { error: rotation.code },
    );
  });
  app.get('/admin', auth.requireLevel(2), (c) => c.json({ ok: true }));
  app.post('/revoke-others', auth.requireSession(), async (c) => {
    const session = c.get('session')!;
    return c.json({ revoked: await world.revokeOthers(session) });
  });
  app.post('/action', auth.requireSession(), async (c) => {
    await c.req.parseBody(); // the handler can still read the body the middleware looked at
    return c.json({ ok: true });
  });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        origin: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
});
