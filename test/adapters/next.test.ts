import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTesseraNext } from '../../src/adapters/next/index.js';
import { attributes, form, nextRequest, serverSide, sealed, signedIn } from './next-support.js';

describe('next adapter: Server Actions', () => {
  it('a cross-site POST is a typed csrf_rejected failure and the handler never runs', async () => {
    const mode = serverSide();
    const { cookie } = await signedIn(mode);
    const request = nextRequest({ cookie, 'sec-fetch-site': 'cross-site', origin: 'http://evil.test' });
    const auth = createTesseraNext(mode, {}, request.api);
    let ran = false;
    const logout = auth.action(async () => {
      ran = true;
      return { ok: true as const };
    });
    const result = await logout(form({ _csrf: 'whatever' }));
    assert.deepEqual(result, { ok: false, code: 'csrf_rejected', status: 403, reason: 'cross_site' });
    assert.equal(ran, false);
  });

  it('a same-origin POST of a signed-in session without the form token is refused (token_missing)', async () => {
    const mode = serverSide();
    const { cookie } = await signedIn(mode);
    const auth = createTesseraNext(mode, {}, nextRequest({ cookie, 'sec-fetch-site': 'same-origin' }).api);
    const result = await auth.action(() => 'ran')(form());
    assert.deepEqual(result, { ok: false, code: 'csrf_rejected', status: 403, reason: 'token_missing' });
  });

  it('with the token, logout inside the action ends the session and clears the cookie through cookies()', async () => {
    const mode = serverSide();
    const { cookie, id } = await signedIn(mode);
    const token = mode.csrfToken({ id });
    const request = nextRequest({ cookie, 'sec-fetch-site': 'same-origin' });
    const auth = createTesseraNext(mode, {}, request.api);
    const logout = auth.action(async (_form, { session }) => {
      assert.equal(session?.id, id);
      return { ended: await auth.logout() };
    });
    // useActionState calls (previousState, formData).
    assert.deepEqual(await logout(null, form({ _csrf: token })), { ended: true });
    const [cleared] = request.sent();
    assert.equal(attributes(cleared ?? '')['max-age'], '0');
    assert.equal(attributes(cleared ?? '').cookie, 'tessera-session=');
    assert.equal(await mode.manager.get(id), null, 'revoked in the store');
    assert.equal(await auth.session(), null, 'a page rendered after the action in the same request sees it');
  });

  it('requireSession refuses an anonymous request as a value, and misuse is a TypeError', async () => {
    const auth = createTesseraNext(serverSide(), {}, nextRequest({ 'sec-fetch-site': 'same-origin' }).api);
    let ran = false;
    const guarded = auth.action(
      () => {
        ran = true;
      },
      { requireSession: true },
    );
    assert.deepEqual(await guarded(form()), { ok: false, code: 'token_missing', status: 401 });
    assert.equal(ran, false);
    assert.throws(() => auth.action(null as never), TypeError);
    await assert.rejects(guarded('not a form' as never), TypeError);
  });

  it('redirect() inside the action reaches Next, and the login cookie is written before it', async () => {
    const { redirect } = await import('next/navigation.js');
    const request = nextRequest({ 'sec-fetch-site': 'same-origin' });
    const auth = createTesseraNext(serverSide(), {}, request.api);
    const action = auth.action(async () => {
      await auth.login({ subject: 'carol' });
      redirect('/account');
    });
    await assert.rejects(action(form()), (error: { digest?: string }) =>
      String(error.digest).includes('/account'),
    );
    const [written] = request.sent();
    assert.match(written ?? '', /^tessera-session=[^;]+;/);
    assert.notEqual(attributes(written ?? '')['max-age'], '0');
  });

  it('a store fault inside the action comes back as store_unavailable, not a thrown 500', async () => {
    const { StoreUnavailableError } = await import('../../src/core/errors.js');
    const auth = createTesseraNext(serverSide(), {}, nextRequest({ 'sec-fetch-site': 'same-origin' }).api);
    const action = auth.action(() => {
      throw new StoreUnavailableError('down');
    });
    assert.deepEqual(await action(form()), { ok: false, code: 'store_unavailable', status: 503 });
  });

  it("the cookie Next writes through cookies().set carries exactly the attributes of Tessera's Set-Cookie", async () => {
    for (const mode of [serverSide(), sealed()]) {
      const request = nextRequest({ 'sec-fetch-site': 'same-origin' });
      const auth = createTesseraNext(mode, {}, request.api);
      let tessera: string[] = [];
      await auth.action(async (_form, { requestSession }) => {
        await auth.login({ subject: 'alice' });
        tessera = requestSession
          .headers()
          .filter(([n]) => n === 'set-cookie')
          .map(([, v]) => v);
      })(form());
      assert.ok(tessera.length > 0);
      const sent = request.sent().map(attributes);
      // Next adds `Expires = now + maxAge` to every cookie with a non-zero `maxAge` (its normalizeCookie);
      // the two agree, and Max-Age wins in browsers (RFC 6265bis 5.6.2). All else is Tessera's, unchanged.
      for (const cookie of sent) {
        if (cookie['max-age'] === '0') continue;
        const expected = Date.now() + Number(cookie['max-age']) * 1000;
        assert.ok(Math.abs(Number(cookie.expires) - expected) < 5000, 'Expires agrees with Max-Age');
        delete cookie.expires;
      }
      assert.deepEqual(sent, tessera.map(attributes));
    }
  });
});
