import { createServer } from 'node:http';
import express from 'express';
import { tesseraExpress } from '../../src/adapters/express/index.js';
import { listen } from './listen.js';
import { runAdapterMatrix } from './matrix.js';

runAdapterMatrix('express', async (world) => {
  const auth = tesseraExpress(world.mode);
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(auth.middleware);
  app.get('/public', (req, res) => {
    res.json({ session: auth.session(req)?.id ?? null });
  });
  app.get('/anonymous', async (req, res) => {
    const issued = await auth.startAnonymous(req, res);
    res.json({ id: issued.session.id, csrf: auth.csrfToken(req) });
  });
  app.get('/csrf', (req, res) => {
    res.json({ csrf: auth.csrfToken(req) });
  });
  app.get('/me', auth.requireSession(), (req, res) => {
    const session = auth.session(req)!;
    res.json({ id: session.id, subject: session.subject, level: session.level });
  });
  app.post('/login', async (req, res) => {
    const issued = await auth.login(req, res, { subject: String(req.query.subject) });
    res.json({ id: issued.session.id });
  });
  app.post('/logout', async (req, res) => {
    res.json({ revoked: await auth.logout(req, res) });
  });
  app.post('/rotate', auth.requireSession(), async (req, res) => {
    const rotation = await auth.rotate(req, res);
    res.json({ id: rotation.ok ? rotation.session.id : null });
  });
  app.post('/elevate', auth.requireSession(), async (req, res) => {
    const rotation = await auth.elevate(req, res, 2);
    res.json(rotation.ok ? { id: rotation.session.id, level: rotation.session.level } : { error: rotation });
  });
  app.get('/admin', auth.requireLevel(2), (_req, res) => {
    res.json({ ok: true });
  });
  app.post('/revoke-others', auth.requireSession(), async (req, res) => {
    const session = auth.session(req)!;
    const revoked = await world.revokeOthers(session);
    res.json({ revoked });
  });
  app.post('/action', auth.requireSession(), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(auth.errorHandler);
  return listen(createServer(app));
});
