import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createAdaptorServer } from '@hono/node-server';
import { protect, withCookies } from '../../src/adapters/fetch/index.js';
import { appendCookies, authenticateNode, nodeRequestFacts } from '../../src/adapters/node/index.js';
import { manualClock } from '../../src/core/clock.js';
import { SealedSessions } from '../../src/stateless/sealed/index.js';
import { factsFromRequest } from '../../src/transport/request.js';
import { applySetCookies, cookieHeader, noise, SECRET_A } from './helpers.js';

const clock = manualClock();
const sealed = new SealedSessions({
  keys: [{ id: 'k1', secret: SECRET_A }],
  cookie: { name: 'app-session', development: true },
  idleTimeout: 60,
  absoluteTimeout: 3600,
  clock,
});

function nodeServer(): Server {
  return createServer(async (request, response) => {
    if (request.url === '/login') {
      const big = request.headers['x-big'] === '1';
      const issued = await sealed.login(nodeRequestFacts(request), {
        subject: 'alice',
        data: big ? { blob: noise(7000) } : { role: 'admin' },
      });
      appendCookies(response, issued.setCookies);
      response.end('ok');
      return;
    }
    if (request.url === '/logout') {
      const out = await sealed.logout(nodeRequestFacts(request));
      appendCookies(response, out.setCookies);
      response.end('bye');
      return;
    }
    const session = await authenticateNode(sealed, request, response);
    if (session === null) return;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ subject: session.subject, data: session.data }));
  });
}

function fetchServer(): Server {
  const me = protect(sealed, (_request, { session }) =>
    Response.json({ subject: session.subject, data: session.data }),
  );
  return createAdaptorServer({
    fetch: async (request: Request): Promise<Response> => {
      const path = new URL(request.url).pathname;
      if (path === '/login') {
        const big = request.headers.get('x-big') === '1';
        const issued = await sealed.login(factsFromRequest(request), {
          subject: 'alice',
          data: big ? { blob: noise(7000) } : { role: 'admin' },
        });
        return withCookies(new Response('ok'), issued.setCookies);
      }
      if (path === '/logout') {
        const out = await sealed.logout(factsFromRequest(request));
        return withCookies(new Response('bye'), out.setCookies);
      }
      return me(request);
    },
  }) as Server;
}

for (const [name, make] of [
  ['node:http adapter', nodeServer],
  ['fetch adapter', fetchServer],
] as const) {
  describe(`sealed sessions over real HTTP: ${name}`, () => {
    let server: Server;
    let base: string;
    before(async () => {
      server = make();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    async function call(path: string, jar: Map<string, string>, headers: Record<string, string> = {}) {
      const response = await fetch(base + path, { headers: { ...headers, cookie: cookieHeader(jar) } });
      applySetCookies(response.headers.getSetCookie(), jar);
      return { response, body: await response.text() };
    }

    it('logs in, serves the session, and logs out', async () => {
      const jar = new Map<string, string>();
      await call('/login', jar);
      assert.ok(jar.has('app-session'), 'line 92');
      const me = await call('/me', jar);
      assert.equal(me.response.status, 200);
      assert.deepEqual(JSON.parse(me.body), { subject: 'alice', data: { role: 'admin' } });
      await call('/logout', jar);
      assert.equal(jar.size, 0);
      const after = await call('/me', jar);
      assert.equal(after.response.status, 401);
      assert.equal(JSON.parse(after.body).error.code, 'token_missing');
    });

    it('answers a tampered cookie with 401 token_invalid and clears it', async () => {
      const jar = new Map<string, string>();
      await call('/login', jar);
      const value = jar.get('app-session') as string;
      jar.set('app-session', `${value.slice(0, 30)}${value[30] === 'A' ? 'B' : 'A'}${value.slice(31)}`);
      const me = await call('/me', jar);
      assert.equal(me.response.status, 401);
      assert.equal(JSON.parse(me.body).error.code, 'token_invalid');
      assert.equal(me.response.headers.get('cache-control'), 'no-store');
      assert.equal(jar.size, 0, 'cookie cleared');
    });

    it('answers 440 once the idle time has run out', async () => {
      const jar = new Map<string, string>();
      await call('/login', jar);
      clock.advance(61_000);
      const me = await call('/me', jar);
      assert.equal(me.response.status, 440);
      assert.equal(JSON.parse(me.body).error.limit, 'idle');
    });

    it('carries a large session in chunks and clears every chunk on logout', async () => {
      const jar = new Map<string, string>();
      await call('/login', jar, { 'x-big': '1' });
      assert.ok(jar.size >= 2, `chunks: ${[...jar.keys()].join(',')}`);
      const me = await call('/me', jar);
      assert.equal(me.response.status, 200);
      assert.equal(JSON.parse(me.body).data.blob, noise(7000));
      const keys = [...jar.keys()];
      const swapped = new Map(jar);
      swapped.set(keys[0] as string, jar.get(keys[1] as string) as string);
      swapped.set(keys[1] as string, jar.get(keys[0] as string) as string);
      assert.equal((await call('/me', swapped)).response.status, 401);
      await call('/logout', jar);
      assert.equal(jar.size, 0);
    });
  });
}
