import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTesseraNext, singleton } from '../../src/adapters/next/index.js';
import { verifyCsrfToken } from '../../src/transport/csrf/token.js';
import { accessTokens, form, nextRequest, SECRET, sealed, serverSide, signedIn } from './next-support.js';

describe('next adapter: server components read the session', () => {
  for (const [label, make] of [
    ['server-side', serverSide],
    ['sealed', sealed],
  ] as const) {
    it(`${label}: session() returns the signed-in session and csrfToken() a token bound to it`, async () => {
      const mode = make();
      const { cookie, id } = await signedIn(mode);
      const request = nextRequest({ cookie });
      const auth = createTesseraNext(mode, {}, request.api);
      assert.equal((await auth.session())?.id, id);
      assert.equal((await auth.requireSession()).subject, 'alice');
      const token = await auth.csrfToken();
      assert.ok(token !== null && verifyCsrfToken([SECRET], id, token));
      assert.deepEqual(request.sent(), [], 'read-only: nothing written through cookies()');
    });

    it(`${label}: no cookie: session() and csrfToken() are null, requireSession() redirects to loginUrl`, async () => {
      const auth = createTesseraNext(make(), { loginUrl: '/sign-in' }, nextRequest({}).api);
      assert.equal(await auth.session(), null);
      assert.equal(await auth.csrfToken(), null);
      await assert.rejects(auth.requireSession(), (error: { digest?: string }) =>
        String(error.digest).includes(';/sign-in;'),
      );
    });
  }

  it('requireSession with a level redirects to redirectTo until the session is elevated', async () => {
    const mode = serverSide();
    const { cookie, id } = await signedIn(mode);
    const request = nextRequest({ cookie, 'sec-fetch-site': 'same-origin' });
    const auth = createTesseraNext(mode, {}, request.api);
    await assert.rejects(
      auth.requireSession({ level: 2, redirectTo: '/sudo' }),
      (error: { digest?: string }) => String(error.digest).includes(';/sudo;'),
    );
    const change = await auth.elevate(2, form({ _csrf: mode.csrfToken({ id }) }));
    assert.equal(change.ok && change.session.level, 2);
    assert.equal((await auth.requireSession({ level: 2, redirectTo: '/sudo' })).level, 2);
    assert.equal(request.sent().length, 1, 'the rotated cookie, written through cookies()');
  });

  it('one validation per request: server components of one request share it', async () => {
    const mode = serverSide();
    const { cookie } = await signedIn(mode);
    let calls = 0;
    const authenticate = mode.authenticate.bind(mode);
    mode.authenticate = (facts) => {
      calls += 1;
      return authenticate(facts);
    };
    const auth = createTesseraNext(mode, {}, nextRequest({ cookie }).api);
    await Promise.all([auth.session(), auth.csrfToken(), auth.requireSession()]);
    assert.equal(calls, 1);
  });

  it('helpers outside a wrapper check the form token and throw csrf_rejected without it', async () => {
    const mode = serverSide();
    const { cookie } = await signedIn(mode);
    const auth = createTesseraNext(mode, {}, nextRequest({ cookie, 'sec-fetch-site': 'same-origin' }).api);
    await assert.rejects(auth.logout(form()), { name: 'TesseraError', code: 'csrf_rejected' });
    await assert.rejects(auth.logout(), { code: 'csrf_rejected' });
  });

  it('access tokens: session() reads the bearer token; cookie actions are a TypeError', async () => {
    const { mode, token } = await accessTokens();
    const auth = createTesseraNext(mode, {}, nextRequest({ authorization: `Bearer ${token}` }).api);
    assert.equal((await auth.session())?.subject, 'alice');
    assert.equal(await auth.csrfToken(), null, 'bearer requests are not CSRF-able: no form token');
    await assert.rejects(auth.login({ subject: 'bob' }), TypeError);
  });

  it('options are checked once: a loginUrl off the site is a TypeError', () => {
    const api = nextRequest({}).api;
    for (const loginUrl of ['https://evil.test/login', '//evil.test', 'login', '/\\evil'])
      assert.throws(() => createTesseraNext(serverSide(), { loginUrl }, api), TypeError, loginUrl);
    assert.throws(() => createTesseraNext({} as never, {}, api), TypeError);
  });
});

describe('next adapter: singleton', () => {
  it('returns the first value for a key however often it is asked, from any copy of the module', async () => {
    let made = 0;
    const a = singleton('test:store', () => ({ n: ++made }));
    const b = singleton('test:store', () => ({ n: ++made }));
    assert.equal(a, b);
    assert.equal(made, 1);
    // A second module graph (as Next builds for proxy.ts and for the app) is a second module instance.
    const copy = (await import(`../../src/adapters/next/singleton.ts?copy=${Date.now()}`)) as {
      singleton: typeof singleton;
    };
    assert.notEqual(copy.singleton, singleton, 'really another instance of the module');
    assert.equal(
      copy.singleton('test:store', () => ({ n: ++made })),
      a,
    );
    assert.notEqual(
      singleton('test:other', () => ({ n: ++made })),
      a,
    );
    assert.throws(() => singleton('', () => 1), TypeError);
  });
});
