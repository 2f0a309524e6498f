// The example app's first-hour pages (issue "A first hour without surprises"): an HTML page, not JSON, for a
// refused or stale form; post/redirect/get after logout; "you were signed out" after another device ended the
// session; and a clear warning where the browser refuses the `__Host-`/Secure cookie (plain HTTP on a name
// that is not loopback).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startAttacker } from './support/attacker.js';
import { chromiumSkip, launchChromium } from './support/chromium.js';
import {
  type Harness,
  PASSWORD,
  SESSION_COOKIE,
  sessionCookie,
  signIn,
  signUp,
  startHarness,
  uniqueName,
  whoAmI,
} from './support/harness.js';

/** A host name that resolves to the app but is not loopback: not a secure context over plain HTTP. */
const PLAIN_HOST = 'tessera-example.test';

describe('browser: the example app pages for refusals, logout and refused cookies', {
  skip: chromiumSkip(),
}, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('a form opened in a session that has since ended gets an HTML page (403), and changes nothing', async () => {
    const context = await h.browser.newContext();
    const stale = await context.newPage();
    const name = uniqueName('stale');
    await signUp(stale, h.app, name);
    // A second tab signs out and in again: the first tab's forms carry a token of the ended session.
    const other = await context.newPage();
    await other.goto(`${h.app.url}/`);
    await Promise.all([other.waitForURL(/\/login/), other.click('#logout')]);
    await signIn(other, h.app, name);
    const current = (await sessionCookie(context, h.app))?.value;

    const [response] = await Promise.all([stale.waitForResponse(/\/logout$/), stale.click('#logout')]);
    assert.equal(response.status(), 403);
    assert.match(response.headers()['content-type'] ?? '', /^text\/html/);
    assert.equal(response.headers()['cache-control'], 'no-store');
    assert.equal(await stale.textContent('h1'), 'This form has expired');
    assert.match((await stale.textContent('#refused')) ?? '', /reload the page and try again/);
    assert.equal((await sessionCookie(context, h.app))?.value, current, 'the new session is untouched');
    assert.equal((await whoAmI(other, h.app)).status, 200, 'and still signed in');
    await context.close();
  });

  it('a cross-site form post gets the HTML refusal page, not JSON', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await signUp(page, h.app, uniqueName('xsite'));
    // A hostile page on another site (127.0.0.1 and localhost are different sites) auto-submits a form.
    const attacker = await startAttacker(h.app.url, '127.0.0.1');
    const served = h.nextServed((s) => s.method === 'POST' && s.path === '/logout');
    const [navigation] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${h.app.url}/logout`),
      page.goto(`${attacker.origin}/form?action=/logout`),
    ]);
    await page.waitForLoadState('load');
    await attacker.close();
    assert.equal((await served).status, 403);
    assert.equal(navigation.status(), 403);
    assert.match((await navigation.headerValue('content-type')) ?? '', /^text\/html/);
    assert.equal(await page.textContent('h1'), 'Request refused');
    assert.match((await page.textContent('#refused')) ?? '', /came from another site/);
    await context.close();
  });

  it('logout answers the POST with a redirect (post/redirect/get): reloading the next page sends no POST', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await signUp(page, h.app, uniqueName('prg'));
    const posted = h.nextServed((s) => s.method === 'POST' && s.path === '/logout');
    await Promise.all([page.waitForURL(`${h.app.url}/login?m=signed-out`), page.click('#logout')]);
    assert.equal((await posted).status, 303);
    assert.match((await page.textContent('#notice')) ?? '', /You have signed out/);
    const reloaded = h.nextServed((s) => s.path.startsWith('/login') || s.path === '/logout');
    await page.reload();
    assert.deepEqual(await reloaded, { method: 'GET', path: '/login?m=signed-out', status: 200 });
    // Only allow-listed messages are shown: nothing from the URL is echoed.
    await page.goto(`${h.app.url}/login?m=%3Cb%3Ehi%3C/b%3E`);
    assert.equal(await page.$('#notice'), null);
    await context.close();
  });

  it('a session ended from another device shows "you were signed out" on its next page', async () => {
    const name = uniqueName('elsewhere');
    const laptop = await h.browser.newContext();
    const phone = await h.browser.newContext();
    const laptopPage = await laptop.newPage();
    const phonePage = await phone.newPage();
    await signUp(laptopPage, h.app, name);
    await signIn(phonePage, h.app, name);
    // The laptop signs the phone out from its sessions page ("Sign out this one").
    await laptopPage.goto(`${h.app.url}/sessions`);
    await Promise.all([
      laptopPage.waitForURL(/done=one/),
      laptopPage.click('#sessions tbody tr:not(.current-row) button'),
    ]);
    const response = await phonePage.goto(`${h.app.url}/`);
    assert.equal(response?.status(), 401);
    assert.match((await phonePage.textContent('#notice')) ?? '', /You were signed out, from another device/);
    // A browser that simply never signed in gets the plain prompt.
    const fresh = await h.browser.newContext();
    const freshPage = await fresh.newPage();
    await freshPage.goto(`${h.app.url}/`);
    assert.match((await freshPage.textContent('#notice')) ?? '', /Please sign in to continue/);
    await Promise.all([laptop.close(), phone.close(), fresh.close()]);
  });

  describe('plain HTTP on a name that is not loopback', () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium([`--host-resolver-rules=MAP ${PLAIN_HOST} 127.0.0.1`]);
    });
    after(async () => {
      await browser?.close();
    });

    it('warns that the browser refuses the __Host- cookie, before and after a sign-in that cannot stick', async () => {
      const name = uniqueName('plain');
      const setup = await h.browser.newContext();
      await signUp(await setup.newPage(), h.app, name);
      await setup.close();

      const origin = `http://${PLAIN_HOST}:${h.app.port}`;
      const context = await browser.newContext();
      const page = await context.newPage();
      const response = await page.goto(`${origin}/login`);
      assert.equal(response?.status(), 200);
      // The server did offer the cookie (same request from Node, same Host), with Secure: the browser dropped it.
      const offered = await fetch(`${h.app.url}/login`, { headers: { host: `${PLAIN_HOST}:${h.app.port}` } });
      assert.match(offered.headers.get('set-cookie') ?? '', new RegExp(`^${SESSION_COOKIE}=[^;]+;.*Secure`));
      assert.deepEqual(
        (await context.cookies(origin)).map((c) => c.name),
        [],
        'Chromium refused the Secure cookie on plain HTTP',
      );
      const warning = (await page.textContent('#cookie-warning')) ?? '';
      assert.match(warning, new RegExp(`plain HTTP at ${PLAIN_HOST.replaceAll('.', '\\.')}`));
      assert.match(warning, /EXAMPLE_DEV_COOKIES=1/);

      await page.fill('#login-form input[name=username]', name);
      await page.fill('#login-form input[name=password]', PASSWORD);
      // Sign-in itself succeeds on the server, but the browser drops the new cookie too: the user lands on the
      // login page again, where the warning says why instead of a form that seems to do nothing.
      const [landed] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${origin}/` && r.request().method() === 'GET'),
        page.click('#login-form button[type=submit]'),
      ]);
      assert.equal(landed.status(), 401);
      await page.waitForLoadState('load');
      assert.match((await page.textContent('#cookie-warning')) ?? '', /plain HTTP/);
      assert.deepEqual(await context.cookies(origin), []);
      await context.close();
    });

    it('shows no warning on localhost, where the cookie is kept', async () => {
      const context = await h.browser.newContext();
      const page = await context.newPage();
      await page.goto(`${h.app.url}/login`);
      assert.equal(await page.$('#cookie-warning'), null);
      assert.ok(await sessionCookie(context, h.app));
      await context.close();
    });
  });
});
