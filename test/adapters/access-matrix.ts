import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRefused, type CallOptions, call, type Reply } from './client.js';
import type { MatrixServer, StartServer } from './matrix.js';
import { ACCESS_TTL_SECONDS, createWorld, type World } from './world.js';

/**
 * The behaviour matrix for access tokens (`AccessTokenAuthenticator`): the same adapter servers as the cookie
 * modes (`matrix.ts`), driven only on the routes a bearer client uses. A bearer header is never attached by a
 * browser on its own, so these requests are not CSRF-checked, and nothing here sets a cookie.
 */
export function runAccessMatrix(name: string, start: StartServer): void {
  describe(`adapter matrix: ${name} × access-token`, () => {
    let world: World;
    let server: MatrixServer;
    let subjects = 0;

    before(async () => {
      world = createWorld('access-token');
      server = await start(world);
    });
    after(async () => {
      await server.close();
    });

    const request = (path: string, options?: CallOptions): Promise<Reply> =>
      call(server.origin, path, options);
    const token = (level = 1): { subject: string; jwt: string } => {
      const subject = `bearer-${++subjects}`;
      return { subject, jwt: world.issueAccess(subject, level) };
    };

    it('answers 401 token_missing without a token, and sets no cookie', async () => {
      const reply = await request('/me');
      assertRefused(reply, 401, 'token_missing');
      assert.deepEqual(reply.setCookies, []);
    });

    it('accepts a valid access token: no cookie, Cache-Control: no-store, Vary: Authorization', async () => {
      const { subject, jwt } = token();
      const reply = await request('/me', { bearer: jwt });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.subject, subject);
      assert.deepEqual(reply.setCookies, []);
      assert.match(reply.headers.get('cache-control') ?? '', /no-store/);
      assert.match(reply.headers.get('vary') ?? '', /\bAuthorization\b/);
      const open = await request('/public', { bearer: jwt });
      assert.equal(open.status, 200);
      assert.equal(typeof open.body.session, 'string');
    });

    it('answers 440 session_expired once the token is past its lifetime', async () => {
      const { jwt } = token();
      world.clock.advance((ACCESS_TTL_SECONDS + 60) * 1000);
      assertRefused(await request('/me', { bearer: jwt }), 440, 'session_expired');
    });

    it('answers 401 token_invalid for a tampered or foreign token', async () => {
      const { jwt } = token();
      const flipped = jwt.slice(0, -2) + (jwt.at(-2) === 'A' ? 'B' : 'A') + jwt.at(-1);
      assertRefused(await request('/me', { bearer: flipped }), 401, 'token_invalid');
      assertRefused(await request('/me', { bearer: 'not.a.jwt' }), 401, 'token_invalid');
    });

    it('never reads an access token from a cookie', async () => {
      const { jwt } = token();
      assertRefused(await request('/me', { cookie: jwt }), 401, 'token_missing');
    });

    it('does not CSRF-check bearer requests (a browser never attaches the header by itself)', async () => {
      const { jwt } = token();
      const reply = await request('/action', { method: 'POST', bearer: jwt, site: 'cross-site' });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
    });

    it('refuses a level-2 route with 403 insufficient_level for a level-1 token, accepts a level-2 one', async () => {
      assertRefused(await request('/admin', { bearer: token(1).jwt }), 403, 'insufficient_level');
      assert.equal((await request('/admin', { bearer: token(2).jwt })).status, 200);
    });
  });
}
