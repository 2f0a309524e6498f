import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/core/session.js';
import type { HttpSessions } from '../../src/transport/http-sessions.js';
import type { DeviceBoundSessions } from '../../src/transport/dbsc/index.js';
import { type DbscReply, type DbscSend, DbscTestClient } from '../support/dbsc-client.js';
import { assertRefused, COOKIE_NAME, call, type Reply } from './client.js';
import type { MatrixServer, StartServer } from './matrix.js';
import { createWorld, type World } from './world.js';

/**
 * The behaviour matrix for Device Bound Session Credentials: once a session's device has registered its key, the
 * session token alone is refused through every adapter (as a cookie and as a bearer token), the bound cookie
 * makes it work until it expires, and only the key renews it. The DBSC endpoints are driven in-process (the same
 * `handle` every adapter mounts); the requests a thief would send go through the adapter under test.
 */
export function runDbscMatrix(name: string, start: StartServer): void {
  describe(`adapter matrix: ${name} × server-side-dbsc`, () => {
    let world: World;
    let server: MatrixServer;
    let subjects = 0;

    before(async () => {
      world = createWorld('server-side-dbsc');
      server = await start(world);
    });
    after(async () => {
      await server.close();
    });

    const dbsc = (): DeviceBoundSessions => world.deviceBound as DeviceBoundSessions;
    const sessions = (): HttpSessions => world.mode as HttpSessions;
    /** The DBSC endpoints, called as the browser calls them: POST with its cookies. */
    const sendWith =
      (cookies: () => string): DbscSend =>
      async (path, headers) => {
        const reply = await dbsc().handle({
          method: 'POST',
          url: path,
          ip: '127.0.0.1',
          header: (key) => (key === 'cookie' ? cookies() : (headers[key] ?? null)),
        });
        assert.ok(reply !== null, `${path} is a DBSC endpoint`);
        const replyHeaders = new Map(reply.headers.map(([key, value]) => [key, value]));
        return {
          status: reply.status,
          body: reply.body,
          header: (key) => replyHeaders.get(key) ?? null,
        } as DbscReply;
      };

    async function boundLogin(): Promise<{ token: string; client: DbscTestClient; jar: () => string }> {
      const subject = `dbsc-${++subjects}`;
      const login = await call(server.origin, `/login?subject=${subject}`, { method: 'POST' });
      assert.equal(login.status, 200);
      const token = login.token as string;
      const validated = await sessions().manager.validate(token);
      assert.ok(validated.ok);
      const client = await DbscTestClient.create();
      const jar = (): string =>
        `${COOKIE_NAME}=${token}${client.boundCookie === null ? '' : `; ${client.boundCookie}`}`;
      const [, registration] = dbsc().registrationHeader(validated.session as Session);
      const registered = await client.register(registration, sendWith(jar));
      assert.equal(registered.status, 200, registered.body);
      assert.ok(client.boundCookie, 'registration sets the bound cookie');
      return { token, client, jar };
    }
    const me = (cookie: string): Promise<Reply> => call(server.origin, '/me', { headers: { cookie } });

    it('serves the session with both cookies, and refuses the session cookie alone (401 token_invalid)', async () => {
      const { token, jar } = await boundLogin();
      assert.equal((await me(jar())).status, 200);
      const alone = await me(`${COOKIE_NAME}=${token}`);
      assertRefused(alone, 401, 'token_invalid');
      assert.deepEqual(
        alone.setCookies,
        [],
        'the session cookie is kept: its owner is refreshing the bound one',
      );
      assert.ok(world.events.some((event) => event.type === 'binding-mismatch' && event.reason === 'dbsc'));
    });

    it('refuses the stolen session token sent as a bearer token', async () => {
      const { token } = await boundLogin();
      assertRefused(await call(server.origin, '/me', { bearer: token }), 401, 'token_invalid');
    });

    it('stops a stolen cookie jar when its bound cookie expires; only the key renews it', async () => {
      const { token, client, jar } = await boundLogin();
      const stolen = jar();
      world.clock.advance(121_000);
      assertRefused(await me(stolen), 401, 'token_invalid');
      // The thief has both cookies but no key: the refresh asks for a proof it cannot make.
      const thief = await DbscTestClient.create();
      thief.sessionId = client.sessionId;
      thief.refreshUrl = client.refreshUrl;
      const attempt = await thief.refresh(sendWith(() => stolen));
      assert.equal(attempt.status, 401, attempt.body);
      // The owner proves its key and goes on.
      const renewed = await client.refresh(sendWith(jar));
      assert.equal(renewed.status, 200, renewed.body);
      assert.equal((await me(jar())).status, 200);
      assert.ok(token);
    });

    it('leaves sessions whose browser never registered (no DBSC) working with the cookie alone', async () => {
      const login = await call(server.origin, `/login?subject=plain-${++subjects}`, { method: 'POST' });
      assert.equal((await me(`${COOKIE_NAME}=${login.token}`)).status, 200);
    });
  });
}
