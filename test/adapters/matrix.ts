import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertCleared, assertRefused, COOKIE_NAME, type CallOptions, call, type Reply } from './client.js';
import { runAccessMatrix } from './access-matrix.js';
import { runDbscMatrix } from './dbsc-matrix.js';
import { runDpopMatrix } from './dpop-matrix.js';
import {
  ABSOLUTE_SECONDS,
  COOKIE_MODES,
  createWorld,
  IDLE_SECONDS,
  type ModeName,
  type World,
} from './world.js';

/**
 * The behaviour matrix: the same scenarios over real HTTP through every adapter and every cookie session mode
 * (server-side and sealed; access tokens in `access-matrix.ts`). An adapter joins by writing one file that starts
 * a server with these routes for `world.mode`, using only that adapter's native API:
 *
 * | route                 | guard          | does                                                        | answers            |
 * |-----------------------|----------------|-------------------------------------------------------------|--------------------|
 * | GET  /public          | —              | nothing                                                     | `{ session: id \| null }` |
 * | GET  /anonymous       | —              | starts an anonymous pre-login session                       | `{ id, csrf }`     |
 * | GET  /csrf            | session        | a CSRF token for the session                                | `{ csrf }`         |
 * | GET  /me              | session        | —                                                           | `{ id, subject, level }` |
 * | POST /login?subject=s | —              | login as `s`                                                | `{ id }`           |
 * | POST /logout          | —              | logout                                                      | `{ revoked }`      |
 * | POST /rotate          | session        | rotate                                                      | `{ id }`           |
 * | POST /elevate         | session        | elevate to level 2                                          | `{ id, level }`    |
 * | GET  /admin           | level 2        | —                                                           | `{ ok: true }`     |
 * | POST /revoke-others   | session        | `world.revokeOthers(session)` (server-side mode)             | `{ revoked: n }`   |
 * | POST /action          | session        | a state change (CSRF-checked, form field `_csrf`)           | `{ ok: true }`     |
 *
 * Unsafe routes parse urlencoded bodies the framework's usual way. Every response is JSON.
 */
export interface MatrixServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

export type StartServer = (world: World) => Promise<MatrixServer>;

export function runAdapterMatrix(name: string, start: StartServer): void {
  for (const mode of COOKIE_MODES) runModeMatrix(name, mode, start);
  runAccessMatrix(name, start);
  runDpopMatrix(name, start);
  runDbscMatrix(name, start);
}

function runModeMatrix(name: string, mode: ModeName, start: StartServer): void {
  const serverSide = mode === 'server-side';
  /** Rows about the store, or bearer tokens, of server-side sessions: declared only in that mode. */
  const itServerSide = (title: string, fn: () => Promise<void>): void => {
    if (serverSide) it(title, fn);
  };
  describe(`adapter matrix: ${name} × ${mode}`, () => {
    let world: World;
    let server: MatrixServer;
    let subjects = 0;

    before(async () => {
      world = createWorld(mode);
      server = await start(world);
    });
    after(async () => {
      await server.close();
    });

    const request = (path: string, options?: CallOptions): Promise<Reply> =>
      call(server.origin, path, options);
    const refusedCsrf = (reply: Reply): void => {
      assertRefused(reply, 403, 'csrf_rejected');
      assert.match(reply.headers.get('vary') ?? '', /Sec-Fetch-Site/);
    };

    /** Logs a fresh subject in and returns its token, id and a CSRF token. */
    async function login(
      subject = `user-${++subjects}`,
    ): Promise<{ token: string; id: string; csrf: string; subject: string }> {
      const reply = await request(`/login?subject=${subject}`, { method: 'POST' });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.ok(reply.token, 'login sets the session cookie');
      const csrf = await request('/csrf', { cookie: reply.token });
      assert.equal(csrf.status, 200);
      return { token: reply.token, id: reply.body.id as string, csrf: csrf.body.csrf as string, subject };
    }

    describe('validation outcomes', () => {
      it('serves anonymous requests on public routes without creating anything', async () => {
        const reply = await request('/public');
        assert.equal(reply.status, 200);
        assert.equal(reply.body.session, null);
        assert.deepEqual(reply.setCookies, []);
      });

      it('answers 401 token_missing without a token, and sets no cookie', async () => {
        const reply = await request('/me');
        assertRefused(reply, 401, 'token_missing');
        assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.deepEqual(reply.setCookies, []);
      });

      it('answers 401 token_invalid for a malformed token and clears the cookie with its Path', async () => {
        const reply = await request('/me', { cookie: 'not-a-token' });
        assertRefused(reply, 401, 'token_invalid');
        assertCleared(reply);
      });

      it('answers 401 token_invalid for a well-formed token the server never issued', async () => {
        const planted = `ts1.${'A'.repeat(26)}.${'B'.repeat(43)}`;
        const reply = await request('/me', { cookie: planted });
        assertRefused(reply, 401, 'token_invalid');
        assertCleared(reply);
        assert.ok(world.events.some((event) => event.type === 'unknown-token'));
      });

      it('accepts a valid session cookie', async () => {
        const user = await login();
        const reply = await request('/me', { cookie: user.token });
        assert.equal(reply.status, 200);
        assert.equal(reply.body.subject, user.subject);
        assert.equal(reply.body.id, user.id);
        assert.deepEqual(reply.setCookies, [], 'no cookie before the renewal threshold');
      });

      itServerSide(
        'answers 503 store_unavailable with Retry-After when the store fails (fail closed)',
        async () => {
          const user = await login();
          world.storeDown = true;
          try {
            const reply = await request('/me', { cookie: user.token });
            assertRefused(reply, 503, 'store_unavailable');
            assert.ok(Number(reply.headers.get('retry-after')) >= 1);
            const action = await request('/action', {
              method: 'POST',
              cookie: user.token,
              form: { _csrf: user.csrf },
            });
            assertRefused(action, 503, 'store_unavailable');
            // A login inside the handler, against the failing store: the same answer, and no cookie.
            const signIn = await request('/login?subject=while-down', { method: 'POST' });
            assertRefused(signIn, 503, 'store_unavailable');
            assert.deepEqual(signIn.setCookies, [], 'no cookie from a failed login');
          } finally {
            world.storeDown = false;
          }
          assert.equal((await request('/me', { cookie: user.token })).status, 200);
        },
      );
    });

    describe('lifetime', () => {
      it('re-sends the cookie when activity renews the idle window', async () => {
        const user = await login();
        world.clock.advance(IDLE_SECONDS * 100 + 1000); // past the renewal fraction (10% of idle), in ms
        const reply = await request('/me', { cookie: user.token });
        assert.equal(reply.status, 200);
        if (world.revocable) assert.equal(reply.token, user.token, 'same token, new expiry');
        else assert.ok(reply.token && reply.token !== user.token, 're-sealed with the new expiry inside');
        assert.match(reply.setCookies.join('\n'), new RegExp(`Max-Age=${IDLE_SECONDS}`));
      });

      it('answers 440 session_expired (limit idle) after the idle timeout, and clears the cookie', async () => {
        const user = await login();
        world.clock.advance(IDLE_SECONDS * 1000 + 1000);
        const reply = await request('/me', { cookie: user.token });
        assertRefused(reply, 440, 'session_expired');
        assert.equal(reply.body.error?.limit, 'idle');
        assertCleared(reply);
      });

      it('answers 440 session_expired (limit absolute) when activity reaches the absolute limit', async () => {
        const user = await login();
        const step = (IDLE_SECONDS - 10) * 1000;
        let elapsed = 0;
        // The browser keeps whatever cookie the last reply set (a sealed session is re-sealed on renewal).
        let token = user.token;
        while (elapsed + step < ABSOLUTE_SECONDS * 1000) {
          world.clock.advance(step);
          elapsed += step;
          const renewed = await request('/me', { cookie: token });
          assert.equal(renewed.status, 200);
          token = renewed.token || token;
        }
        world.clock.advance(ABSOLUTE_SECONDS * 1000 - elapsed + 1000);
        const reply = await request('/me', { cookie: token });
        assertRefused(reply, 440, 'session_expired');
        assert.equal(reply.body.error?.limit, 'absolute');
      });
    });

    describe('login, logout, rotation', () => {
      it('login issues a fresh token and the pre-login session is dead', async () => {
        const anonymous = await request('/anonymous');
        assert.equal(anonymous.status, 200);
        const preLogin = anonymous.token as string;
        assert.ok(preLogin);
        const reply = await request('/login?subject=fresh-login', {
          method: 'POST',
          cookie: preLogin,
          form: { _csrf: anonymous.body.csrf as string },
        });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.ok(reply.token && reply.token !== preLogin, 'a new token');
        assert.notEqual(reply.body.id, anonymous.body.id, 'a new session, not the pre-login one upgraded');
        // A pre-login seal is stateless: a copy still opens, but it never counts as signed in.
        assertRefused(
          await request('/me', { cookie: preLogin }),
          401,
          world.revocable ? 'token_invalid' : 'token_missing',
        );
        assert.equal((await request('/me', { cookie: reply.token })).body.subject, 'fresh-login');
      });

      it('an anonymous pre-login session is not a logged-in session', async () => {
        const anonymous = await request('/anonymous');
        assertRefused(await request('/me', { cookie: anonymous.token as string }), 401, 'token_missing');
      });

      it('login over a planted token never adopts it (fixation)', async () => {
        const planted = `ts1.${'C'.repeat(26)}.${'D'.repeat(43)}`;
        const reply = await request('/login?subject=fixation', { method: 'POST', cookie: planted });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.ok(reply.token && reply.token !== planted);
        const sessionCookies = reply.setCookies.filter((cookie) => cookie.startsWith(`${COOKIE_NAME}=`));
        assert.equal(
          sessionCookies.length,
          1,
          'one decision about the session cookie, not a clear and a set',
        );
        assertRefused(await request('/me', { cookie: planted }), 401, 'token_invalid');
      });

      it('logout clears the cookie with its attributes and the token stops working', async () => {
        const user = await login();
        const reply = await request('/logout', {
          method: 'POST',
          cookie: user.token,
          form: { _csrf: user.csrf },
        });
        assert.equal(reply.status, 200);
        assert.equal(reply.body.revoked, true);
        assertCleared(reply);
        // ASVS 5.0 14.3.1: the browser is told to drop what the session left behind.
        assert.equal(reply.headers.get('clear-site-data'), '"cookies"');
        if (world.logoutEndsCopies)
          assertRefused(await request('/me', { cookie: user.token }), 401, 'token_invalid');
      });

      it('rotation issues a new token for the same session; the old one is dead', async () => {
        const user = await login();
        const reply = await request('/rotate', {
          method: 'POST',
          cookie: user.token,
          form: { _csrf: user.csrf },
        });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.ok(reply.token && reply.token !== user.token);
        assert.equal(reply.body.id, user.id);
        if (world.revocable)
          assertRefused(await request('/me', { cookie: user.token }), 401, 'token_invalid');
        assert.equal((await request('/me', { cookie: reply.token })).status, 200);
        // The CSRF token is bound to the session id, which rotation keeps.
        const action = await request('/action', {
          method: 'POST',
          cookie: reply.token,
          form: { _csrf: user.csrf },
        });
        assert.equal(action.status, 200);
      });

      itServerSide('revoke-others ends every other session of the subject and keeps this one', async () => {
        const first = await login();
        const second = await login(first.subject);
        const reply = await request('/revoke-others', {
          method: 'POST',
          cookie: first.token,
          headers: { 'x-csrf-token': first.csrf },
        });
        assert.equal(reply.status, 200);
        assert.equal(reply.body.revoked, 1);
        assert.equal((await request('/me', { cookie: first.token })).status, 200);
        assertRefused(await request('/me', { cookie: second.token }), 401, 'token_invalid');
      });

      it('refuses a level-2 route with 403 insufficient_level until the session is elevated', async () => {
        const user = await login();
        assertRefused(await request('/admin', { cookie: user.token }), 403, 'insufficient_level');
        const elevated = await request('/elevate', {
          method: 'POST',
          cookie: user.token,
          form: { _csrf: user.csrf },
        });
        assert.equal(elevated.status, 200, JSON.stringify(elevated.body));
        assert.ok(elevated.token && elevated.token !== user.token, 'elevation rotates the token');
        assert.equal(elevated.body.level, 2);
        assert.equal((await request('/admin', { cookie: elevated.token })).status, 200);
        const old = await request('/admin', { cookie: user.token });
        if (world.revocable) assertRefused(old, 401, 'token_invalid');
        else assertRefused(old, 403, 'insufficient_level');
      });
    });

    describe('bearer tokens', () => {
      itServerSide('accepts Authorization: Bearer and never sets a cookie for it', async () => {
        const user = await login();
        world.clock.advance(IDLE_SECONDS * 100 + 1000);
        const reply = await request('/me', { bearer: user.token });
        assert.equal(reply.status, 200);
        assert.equal(reply.body.id, user.id);
        assert.deepEqual(reply.setCookies, []);
      });

      itServerSide('skips CSRF checks for bearer requests (browsers never attach that header)', async () => {
        const user = await login();
        const reply = await request('/action', { method: 'POST', bearer: user.token, site: null });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
      });

      itServerSide('answers 401 token_invalid for an unknown bearer token without a cookie', async () => {
        const reply = await request('/me', { bearer: `ts1.${'E'.repeat(26)}.${'F'.repeat(43)}` });
        assertRefused(reply, 401, 'token_invalid');
      });
    });

    describe('CSRF', () => {
      it('refuses Sec-Fetch-Site: cross-site even with a valid token, and emits csrf-rejected', async () => {
        const user = await login();
        const before = world.events.length;
        const reply = await request('/action', {
          method: 'POST',
          cookie: user.token,
          site: 'cross-site',
          form: { _csrf: user.csrf },
        });
        refusedCsrf(reply);
        assert.equal(reply.body.error?.reason, 'cross_site', 'the body says why');
        const event = world.events.slice(before).find((e) => e.type === 'csrf-rejected');
        assert.ok(event, 'a csrf-rejected event');
        assert.equal(event.sessionId, user.id);
        assert.equal(event.reason, 'cross_site');
        assert.doesNotMatch(JSON.stringify(event), new RegExp(user.token.slice(-43)), 'no secret in events');
      });

      it('refuses Sec-Fetch-Site: same-site by default', async () => {
        const user = await login();
        refusedCsrf(
          await request('/action', {
            method: 'POST',
            cookie: user.token,
            site: 'same-site',
            form: { _csrf: user.csrf },
          }),
        );
      });

      it('refuses cross-site requests to anonymous unsafe routes too (login CSRF)', async () => {
        const loginCsrf = await request('/login?subject=victim', { method: 'POST', site: 'cross-site' });
        refusedCsrf(loginCsrf);
        assert.equal(loginCsrf.body.error?.reason, 'cross_site');
        refusedCsrf(await request('/login?subject=victim', { method: 'POST', site: 'same-site' }));
        refusedCsrf(
          await request('/login?subject=victim', {
            method: 'POST',
            site: null,
            headers: { origin: 'http://evil.example' },
          }),
        );
      });

      it('without Fetch Metadata, refuses a foreign Origin, Origin: null, a foreign Referer, and neither', async () => {
        const user = await login();
        const base = { method: 'POST', cookie: user.token, site: null, form: { _csrf: user.csrf } };
        refusedCsrf(await request('/action', { ...base, headers: { origin: 'http://evil.example' } }));
        refusedCsrf(await request('/action', { ...base, headers: { origin: 'null' } }));
        refusedCsrf(await request('/action', { ...base, headers: { referer: 'http://evil.example/page' } }));
        refusedCsrf(await request('/action', base));
      });

      it('without Fetch Metadata, accepts the own Origin, or the own Referer', async () => {
        const user = await login();
        const base = { method: 'POST', cookie: user.token, site: null, form: { _csrf: user.csrf } };
        const byOrigin = await request('/action', { ...base, headers: { origin: server.origin } });
        assert.equal(byOrigin.status, 200, JSON.stringify(byOrigin.body));
        assert.match(byOrigin.headers.get('vary') ?? '', /Origin/);
        const byReferer = await request('/action', {
          ...base,
          headers: { referer: `${server.origin}/form` },
        });
        assert.equal(byReferer.status, 200, JSON.stringify(byReferer.body));
      });

      it('refuses a same-origin request with a missing, forged, or other-session form token', async () => {
        const user = await login();
        const other = await login();
        const post = (form?: Record<string, string>): Promise<Reply> =>
          request('/action', { method: 'POST', cookie: user.token, ...(form ? { form } : {}) });
        refusedCsrf(await post());
        refusedCsrf(await post({ _csrf: '' }));
        refusedCsrf(await post({ _csrf: `${'a'.repeat(43)}.${'b'.repeat(43)}` }));
        refusedCsrf(await post({ _csrf: other.csrf }));
      });

      it('accepts the form field, the x-csrf-token header, and Sec-Fetch-Site: none', async () => {
        const user = await login();
        const form = await request('/action', {
          method: 'POST',
          cookie: user.token,
          form: { _csrf: user.csrf },
        });
        assert.equal(form.status, 200, JSON.stringify(form.body));
        assert.match(form.headers.get('vary') ?? '', /Sec-Fetch-Site/);
        const header = await request('/action', {
          method: 'POST',
          cookie: user.token,
          headers: { 'x-csrf-token': user.csrf },
        });
        assert.equal(header.status, 200, JSON.stringify(header.body));
        const none = await request('/action', {
          method: 'POST',
          cookie: user.token,
          site: 'none',
          form: { _csrf: user.csrf },
        });
        assert.equal(none.status, 200, JSON.stringify(none.body));
      });

      it('does not check safe methods', async () => {
        const user = await login();
        const reply = await request('/me', { cookie: user.token, site: 'cross-site' });
        assert.equal(reply.status, 200);
        assert.equal(reply.headers.get('vary')?.includes('Sec-Fetch-Site') ?? false, false);
      });
    });

    describe('every path', () => {
      it('marks authenticated responses Cache-Control: no-store and Vary: Cookie (no back button after logout)', async () => {
        const user = await login();
        const reply = await request('/me', { cookie: user.token });
        assert.equal(reply.status, 200);
        assert.deepEqual(reply.setCookies, []);
        assert.match(reply.headers.get('cache-control') ?? '', /no-store/);
        assert.match(reply.headers.get('vary') ?? '', /\bCookie\b/);
        const action = await request('/action', {
          method: 'POST',
          cookie: user.token,
          form: { _csrf: user.csrf },
        });
        assert.equal(action.status, 200);
        assert.match(action.headers.get('cache-control') ?? '', /no-store/);
      });

      it('refuses a pre-login session on a state-changing route, CSRF token and all', async () => {
        const anonymous = await request('/anonymous');
        const reply = await request('/action', {
          method: 'POST',
          cookie: anonymous.token as string,
          form: { _csrf: anonymous.body.csrf as string },
        });
        assertRefused(reply, 401, 'token_missing');
      });

      it('refuses a same-site page on another origin posting with the victim cookie', async () => {
        const user = await login();
        refusedCsrf(
          await request('/action', {
            method: 'POST',
            cookie: user.token,
            site: 'same-site',
            headers: { origin: 'http://127.0.0.1:1' },
            form: { _csrf: user.csrf },
          }),
        );
      });

      /** The store calls one signed-in POST makes, from the middleware to the route's action. */
      async function storeCallsOf(path: string): Promise<string[]> {
        const user = await login();
        world.storeCalls.length = 0;
        const reply = await request(path, { method: 'POST', cookie: user.token, form: { _csrf: user.csrf } });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        return [...world.storeCalls];
      }

      itServerSide('middleware + rotate reads the store once: get, rotate', async () => {
        assert.deepEqual(await storeCallsOf('/rotate'), ['get', 'rotate']);
      });

      itServerSide('middleware + login over a session: get, delete, create', async () => {
        assert.deepEqual(await storeCallsOf('/login?subject=again'), ['get', 'delete', 'create']);
      });
    });
  });
}
