import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { tesseraFastify } from '../../src/adapters/fastify/index.js';
import { call } from './client.js';
import { createWorld } from './world.js';

async function originOf(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

describe('fastify plugin encapsulation (fastify-plugin semantics)', () => {
  it('registered at the root, decorates the root and guards every route', async () => {
    const { mode: sessions } = createWorld();
    const app = Fastify();
    await app.register(tesseraFastify, { sessions });
    app.post('/write', async () => ({ ok: true }));
    try {
      assert.equal(app.hasDecorator('tessera'), true);
      assert.equal(app.hasRequestDecorator('session'), true);
      const origin = await originOf(app);
      assert.equal((await call(origin, '/write', { method: 'POST', site: 'cross-site' })).status, 403);
    } finally {
      await app.close();
    }
  });

  it('registered inside a child plugin, guards only that plugin and leaves siblings alone', async () => {
    const { mode: sessions } = createWorld();
    const app = Fastify();
    let insideHasDecorator = false;
    await app.register(async (child) => {
      await child.register(tesseraFastify, { sessions });
      insideHasDecorator = child.hasDecorator('tessera');
      child.post('/inside', async () => ({ ok: true }));
    });
    app.post('/outside', async () => ({ ok: true }));
    try {
      await app.ready();
      assert.equal(insideHasDecorator, true);
      assert.equal(app.hasDecorator('tessera'), false, 'the parent of the registering context is untouched');
      const origin = await originOf(app);
      assert.equal((await call(origin, '/inside', { method: 'POST', site: 'cross-site' })).status, 403);
      assert.equal((await call(origin, '/outside', { method: 'POST', site: 'cross-site' })).status, 200);
    } finally {
      await app.close();
    }
  });

  it('refuses registration without sessions', async () => {
    const app = Fastify();
    await assert.rejects(async () => {
      await app.register(tesseraFastify, {} as never);
      await app.ready();
    }, TypeError);
  });
});
