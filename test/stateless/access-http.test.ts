import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createAdaptorServer } from '@hono/node-server';
import { protect } from '../../src/adapters/fetch/index.js';
import { authenticateNode } from '../../src/adapters/node/index.js';
import { manualClock } from '../../src/core/clock.js';
import { createTessera } from '../../src/core/manager.js';
import {
  AccessTokenAuthenticator,
  AccessTokens,
  generateJwtKey,
  JwtKeyRing,
} from '../../src/stateless/jwt/index.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';

const clock = manualClock();
const store = new MemoryStore();
const manager = createTessera({ store, clock });
const tokens = new AccessTokens({
  keys: new JwtKeyRing([generateJwtKey('EdDSA', 0, 'k1')]),
  issuer: 'iss',
  audience: 'api',
  clock,
  manager,
});
const lenient = new AccessTokenAuthenticator(tokens);
const strict = new AccessTokenAuthenticator(tokens, { strict: true, manager });

function nodeServer(): Server {
  return createServer(async (request, response) => {
    const auth = request.url === '/strict' ? strict : lenient;
    const session = await authenticateNode(auth, request, response);
    if (session === null) return;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ subject: session.subject, sid: session.id }));
  });
}

function fetchServer(): Server {
  const handler = (_request: Request, { session }: { session: { subject: string; id: string } }): Response =>
    Response.json({ subject: session.subject, sid: session.id });
  const open = protect(lenient, handler);
  const closed = protect(strict, handler);
  return createAdaptorServer({
    fetch: (request: Request) =>
      new URL(request.url).pathname === '/strict' ? closed(request) : open(request),
  }) as Server;
}

for (const [name, make] of [
  ['node:http adapter', nodeServer],
  ['fetch adapter', fetchServer],
] as const) {
  describe(`access tokens over real HTTP: ${name}`, () => {
    let server: Server;
    let base: string;
    before(async () => {
      server = make();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const get = async (path: string, token?: string) => {
      const response = await fetch(base + path, {
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    it('serves a valid token and refuses missing, tampered and expired ones', async () => {
      const login = await manager.create({ subject: 'alice' });
      const { token } = tokens.issue({ subject: 'alice', sessionId: login.session.id });
      const ok = await get('/', token);
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body, { subject: 'alice', sid: login.session.id });
      assert.equal((await get('/')).status, 401);
      const at = token.length - 20;
      const tampered = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
      const refused = await get('/', tampered);
      assert.equal(refused.status, 401);
      assert.equal((refused.body.error as { code: string }).code, 'token_invalid');
      clock.advance(16 * 60_000);
      assert.equal((await get('/', token)).status, 440);
    });

    it('strict mode refuses the token of a revoked session at once', async () => {
      const login = await manager.create({ subject: 'bob' });
      const { token } = tokens.issue({ subject: 'bob', sessionId: login.session.id });
      assert.equal((await get('/strict', token)).status, 200);
      await manager.revokeById(login.session.id);
      assert.equal((await get('/strict', token)).status, 401);
      assert.equal((await get('/', token)).status, 200, 'lenient mode: valid until it expires');
    });
  });
}
