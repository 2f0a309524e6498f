import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NextRequest } from 'next/server.js';
import { createTesseraNext } from '../../src/adapters/next/index.js';
import { ORIGIN, nextRequest, sealed, serverSide, signedIn } from './next-support.js';

const api = nextRequest({}).api;

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): NextRequest {
  return new NextRequest(new URL(path, ORIGIN), { method, headers });
}

/** Next's marker for "continue to the route" on a proxy response. */
const continues = (response: Response): boolean => response.headers.get('x-middleware-next') === '1';

describe('next adapter: proxy.ts', () => {
  for (const [label, make] of [
    ['server-side', serverSide],
    ['sealed', sealed],
  ] as const) {
    it(`${label}: a protected path without a session redirects to the login page, uncacheable`, async () => {
      const proxy = createTesseraNext(make(), {}, api).proxy({ protect: ['/account'] });
      for (const path of ['/account', '/account/keys']) {
        const response = await proxy(get(path));
        assert.equal(response.status, 307, path);
        assert.equal(response.headers.get('location'), `${ORIGIN}/login`);
        assert.equal(response.headers.get('cache-control'), 'no-store');
      }
      assert.ok(continues(await proxy(get('/accounts'))), 'a prefix matches whole segments only');
      assert.ok(continues(await proxy(get('/login'))));
    });

    it(`${label}: a signed-in request continues`, async () => {
      const mode = make();
      const { cookie } = await signedIn(mode);
      const proxy = createTesseraNext(mode, {}, api).proxy({ protect: ['/account'] });
      const response = await proxy(get('/account', { cookie }));
      assert.ok(continues(response));
      assert.equal(response.headers.get('cache-control'), 'no-store', 'it presented a credential');
    });
  }

  it('a dead cookie is cleared, on public paths too, and a protected path redirects', async () => {
    const mode = serverSide();
    const { cookie, id } = await signedIn(mode);
    assert.ok(await mode.manager.revokeById(id));
    const proxy = createTesseraNext(mode, {}, api).proxy({ protect: (path) => path.startsWith('/account') });
    const open = await proxy(get('/', { cookie }));
    assert.ok(continues(open));
    assert.match(open.headers.getSetCookie()[0] ?? '', /^tessera-session=; .*Max-Age=0/);
    const closed = await proxy(get('/account', { cookie }));
    assert.equal(closed.status, 307);
    assert.match(closed.headers.getSetCookie()[0] ?? '', /^tessera-session=; .*Max-Age=0/);
  });

  it('a renewal due is sent from the proxy (server components cannot write cookies)', async () => {
    const { manualClock } = await import('../../src/core/clock.js');
    const { createTessera } = await import('../../src/core/manager.js');
    const { MemoryStore } = await import('../../src/stores/memory/memory-store.js');
    const { HttpSessions } = await import('../../src/transport/http-sessions.js');
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const manager = createTessera({ store: new MemoryStore(), clock, idleTimeout: 600 });
    const mode = new HttpSessions(manager, {
      cookie: { development: true },
      csrf: { secret: 'a-csrf-secret-of-at-least-32-characters!!' },
    });
    const { cookie } = await signedIn(mode);
    clock.advance(500_000);
    const response = await createTesseraNext(mode, {}, api).proxy()(get('/', { cookie }));
    assert.ok(continues(response));
    assert.match(response.headers.getSetCookie()[0] ?? '', /^tessera-session=ts1\..*Max-Age=600/);
  });

  it('other methods pass untouched: the action or route wrapper checks them with the body', async () => {
    const mode = serverSide();
    let calls = 0;
    mode.authenticate = () => {
      calls += 1;
      throw new Error('not called');
    };
    const proxy = createTesseraNext(mode, {}, api).proxy({ protect: ['/'] });
    const response = await proxy(get('/account', { 'sec-fetch-site': 'cross-site' }, 'POST'));
    assert.ok(continues(response));
    assert.equal(calls, 0);
  });

  it('a store fault answers 503 (fail closed), and bad options are a TypeError', async () => {
    const mode = serverSide();
    const { StoreUnavailableError } = await import('../../src/core/errors.js');
    const { cookie } = await signedIn(mode);
    mode.authenticate = () => Promise.reject(new StoreUnavailableError('down'));
    const response = await createTesseraNext(mode, {}, api).proxy()(get('/', { cookie }));
    assert.equal(response.status, 503);
    const auth = createTesseraNext(serverSide(), {}, api);
    assert.throws(() => auth.proxy({ protect: ['account'] }), TypeError);
    assert.throws(() => auth.proxy({ loginUrl: 'https://evil.test/' }), TypeError);
  });
});

describe('next adapter: route handlers', () => {
  it('login inside a wrapped POST acts on the route session; its cookie goes on the response', async () => {
    const mode = serverSide();
    const auth = createTesseraNext(mode, {}, api);
    const POST = auth.route(async (_request, { session }, context: { params: Promise<{ id: string }> }) => {
      assert.equal(session, null);
      const issued = await auth.login({ subject: (await context.params).id });
      return Response.json({ id: issued.session.id });
    });
    const response = await POST(get('/api/login', { 'sec-fetch-site': 'same-origin' }, 'POST'), {
      params: Promise.resolve({ id: 'alice' }),
    });
    assert.equal(response.status, 200);
    const { id } = (await response.json()) as { id: string };
    assert.equal((await mode.manager.get(id))?.subject, 'alice');
    assert.equal(response.headers.getSetCookie().length, 1);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  it('a cross-site POST is refused 403 before the handler; requireSession answers 401', async () => {
    const mode = serverSide();
    const { cookie } = await signedIn(mode);
    const auth = createTesseraNext(mode, {}, api);
    let ran = false;
    const POST = auth.route(
      () => {
        ran = true;
        return new Response('ok');
      },
      { requireSession: true },
    );
    const forged = await POST(get('/api/x', { cookie, 'sec-fetch-site': 'cross-site' }, 'POST'), {});
    assert.equal(forged.status, 403);
    assert.equal(((await forged.json()) as { error: { reason: string } }).error.reason, 'cross_site');
    const anonymous = await POST(get('/api/x', { 'sec-fetch-site': 'same-origin' }, 'POST'), {});
    assert.equal(anonymous.status, 401);
    assert.equal(ran, false);
  });

  it('the form token is read from a clone of the body, which the handler can still read', async () => {
    const mode = serverSide();
    const { cookie, id } = await signedIn(mode);
    const auth = createTesseraNext(mode, {}, api);
    const POST = auth.route(async (request) => {
      const body = await request.formData();
      return Response.json({ note: body.get('note'), ended: await auth.logout() });
    });
    const body = new URLSearchParams({ _csrf: mode.csrfToken({ id }), note: 'hi' });
    const request = new NextRequest(new URL('/api/logout', ORIGIN), {
      method: 'POST',
      headers: {
        cookie,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    const response = await POST(request, {});
    assert.deepEqual(await response.json(), { note: 'hi', ended: true });
    assert.equal(response.headers.get('clear-site-data'), '"cookies"');
  });
});
