import type { HttpSessions } from '../../src/transport/http-sessions.js';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { protect } from '../../src/adapters/fetch/index.js';
import { authenticateNode } from '../../src/adapters/node/index.js';
import { assertRefused, call } from './client.js';
import type { MatrixServer } from './matrix.js';
import { listen } from './listen.js';
import { createWorld, type World } from './world.js';

/** The older one-call entry points (`authenticateNode`, fetch `protect`) apply the same CSRF defence. */
describe('authenticateNode and protect apply the CSRF defence of HttpSessions', () => {
  let world: World;
  const sessions = (): HttpSessions => world.mode as HttpSessions;
  const servers: Record<'node' | 'fetch', MatrixServer> = {} as Record<'node' | 'fetch', MatrixServer>;

  before(async () => {
    world = createWorld();
    servers.node = await listen(
      createServer(async (request, response) => {
        const session = await authenticateNode(world.mode, request, response);
        if (session !== null) response.end(JSON.stringify({ id: session.id }));
      }),
    );
    const handler = protect(world.mode, (_request, { session }) => Response.json({ id: session.id }));
    servers.fetch = await new Promise((resolve) => {
      const server = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve({
          origin: `http://127.0.0.1:${info.port}`,
          close: () => new Promise<void>((done) => server.close(() => done())),
        }),
      );
    });
  });
  after(async () => {
    await servers.node.close();
    await servers.fetch.close();
  });

  for (const name of ['node', 'fetch'] as const) {
    it(`${name}: refuses a cross-site POST and a POST without token; accepts header and form tokens`, async () => {
      const { token, session } = await sessions().manager.create({ subject: `entry-${name}` });
      const csrf = sessions().csrfToken(session);
      const origin = servers[name].origin;
      assertRefused(
        await call(origin, '/', { method: 'POST', cookie: token, site: 'cross-site' }),
        403,
        'csrf_rejected',
      );
      assertRefused(await call(origin, '/', { method: 'POST', cookie: token }), 403, 'csrf_rejected');
      const header = await call(origin, '/', {
        method: 'POST',
        cookie: token,
        headers: { 'x-csrf-token': csrf },
      });
      assert.equal(header.status, 200);
      assert.match(header.headers.get('vary') ?? '', /Sec-Fetch-Site/);
      assert.equal(
        (await call(origin, '/', { method: 'GET', cookie: token, site: 'cross-site' })).status,
        200,
      );
      if (name === 'fetch') {
        const form = await call(origin, '/', { method: 'POST', cookie: token, form: { _csrf: csrf } });
        assert.equal(form.status, 200);
      }
    });
  }
});
