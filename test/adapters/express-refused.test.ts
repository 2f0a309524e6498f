// The Express adapter's `onRefused`: the middleware's own refusals (CSRF 403, store fault 503) answered by the
// app, e.g. with an HTML page, with Tessera's status and headers already applied.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { tesseraExpress } from '../../src/adapters/express/index.js';
import { createTessera } from '../../src/core/manager.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import type { HttpReply } from '../../src/transport/reply.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import { listen } from './listen.js';
import type { MatrixServer } from './matrix.js';

describe('express: onRefused answers the middleware refusals', () => {
  const store = new MemoryStore();
  const sessions = new HttpSessions(createTessera({ store }), { cookie: { development: true } });
  const seen: HttpReply[] = [];
  let withHook: MatrixServer;
  let withoutHook: MatrixServer;

  function app(
    onRefused?: (req: express.Request, res: express.Response, reply: HttpReply) => void,
  ): express.Express {
    const auth = tesseraExpress(sessions, onRefused === undefined ? {} : { onRefused });
    const server = express();
    server.use(express.urlencoded({ extended: false }));
    server.use(auth.middleware);
    server.post('/action', (_req, res) => {
      res.send('done');
    });
    return server;
  }

  before(async () => {
    withHook = await listen(
      createServer(
        app((_req, res, reply) => {
          seen.push(reply);
          res.type('html').send('<h1>Refused</h1>');
        }),
      ),
    );
    withoutHook = await listen(createServer(app()));
  });
  after(async () => {
    await withHook.close();
    await withoutHook.close();
    await store.close();
  });

  const crossSite = { 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' };

  it('a cross-site POST is refused with Tessera status and headers, and the body the hook sent', async () => {
    const response = await fetch(`${withHook.origin}/action`, {
      method: 'POST',
      headers: crossSite,
      body: 'a=1',
    });
    assert.equal(response.status, 403);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(await response.text(), '<h1>Refused</h1>');
    const reply = seen.at(-1);
    assert.ok(reply);
    assert.equal(reply.status, 403);
    assert.deepEqual(JSON.parse(reply.body).error.reason, 'cross_site', 'the hook gets the reason');
  });

  it('a dead cookie is still cleared when the hook answers', async () => {
    const dead = `ts1.${'A'.repeat(26)}.${'B'.repeat(43)}`;
    const response = await fetch(`${withHook.origin}/action`, {
      method: 'POST',
      headers: { ...crossSite, cookie: `${sessions.cookieName}=${dead}` },
      body: 'a=1',
    });
    assert.equal(response.status, 403);
    const cleared = response.headers.getSetCookie().find((c) => c.startsWith(`${sessions.cookieName}=;`));
    assert.ok(cleared, `the refused cookie is cleared: ${response.headers.getSetCookie().join(' | ')}`);
  });

  it('without the hook the JSON body is sent, as before', async () => {
    const response = await fetch(`${withoutHook.origin}/action`, {
      method: 'POST',
      headers: crossSite,
      body: 'a=1',
    });
    assert.equal(response.status, 403);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal((await response.json()).error.code, 'csrf_rejected');
  });
});
