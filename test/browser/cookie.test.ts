import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromiumSkip } from './support/chromium.js';
import {
  type Harness,
  plantSessionCookie,
  SESSION_COOKIE,
  sessionCookie,
  signIn,
  signUp,
  startHarness,
  uniqueName,
  whoAmI,
} from './support/harness.js';

// The example app runs on plain http://localhost with the production cookie defaults: Chromium treats
// localhost as a secure context, so it stores `Secure` and `__Host-` cookies there (no development switch).
describe('browser: the session cookie', { skip: chromiumSkip() }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('is __Host-, HttpOnly, Secure, SameSite=Strict and invisible to document.cookie', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await signUp(page, h.app, uniqueName('jar'));
    const cookie = await sessionCookie(context, h.app);
    assert.ok(cookie, 'the browser stored the session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.domain, 'localhost', 'host-only: no Domain attribute');
    const visible = await page.evaluate(() => document.cookie);
    assert.ok(!visible.includes(SESSION_COOKIE), `document.cookie shows "${visible}"`);
    assert.ok(!visible.includes(cookie.value));
    assert.equal((await whoAmI(page, h.app)).status, 200, 'yet the browser sends it');
    await context.close();
  });

  it('login replaces a planted pre-login token (session fixation fails)', async () => {
    const name = uniqueName('fixation');
    const setup = await h.browser.newContext();
    await signUp(await setup.newPage(), h.app, name);
    await setup.close();

    // The attacker gets a real, valid pre-login token from the app in their own browser...
    const attacker = await h.browser.newContext();
    const attackerPage = await attacker.newPage();
    await attackerPage.goto(`${h.app.url}/login`);
    const planted = (await sessionCookie(attacker, h.app))?.value;
    assert.ok(planted, 'the login page started a pre-login session');

    // ...and plants it in the victim's browser (say, through a sibling subdomain or a shared computer).
    const victim = await h.browser.newContext();
    await plantSessionCookie(victim, h.app, planted);
    const victimPage = await victim.newPage();
    await signIn(victimPage, h.app, name);
    const after = (await sessionCookie(victim, h.app))?.value;
    assert.ok(after);
    assert.notEqual(after, planted, 'login issued a fresh token');
    assert.equal((await whoAmI(victimPage, h.app)).status, 200);

    // The planted token does not ride the victim's login: it is dead.
    await plantSessionCookie(attacker, h.app, planted);
    const ride = await whoAmI(attackerPage, h.app);
    assert.equal(ride.status, 401);
    assert.equal(ride.code, 'token_invalid');
    await attacker.close();
    await victim.close();
  });

  it('login replaces a token the server never issued', async () => {
    const name = uniqueName('forged');
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await signUp(page, h.app, name);
    await context.clearCookies();
    const forged = `ts1.${'A'.repeat(26)}.${'B'.repeat(43)}`;
    await plantSessionCookie(context, h.app, forged);
    assert.equal((await whoAmI(page, h.app)).code, 'token_invalid', 'strict mode refuses unknown tokens');
    await signIn(page, h.app, name);
    const after = (await sessionCookie(context, h.app))?.value;
    assert.ok(after);
    assert.notEqual(after, forged);
    await context.close();
  });

  it('after logout, restoring the old cookie gives 401', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await signUp(page, h.app, uniqueName('logout'));
    const old = (await sessionCookie(context, h.app))?.value;
    assert.ok(old);
    await page.goto(`${h.app.url}/`);
    await Promise.all([page.waitForLoadState('load'), page.click('#logout')]);
    assert.match((await page.textContent('#notice')) ?? '', /signed out/);
    const remaining = await sessionCookie(context, h.app);
    assert.notEqual(remaining?.value, old, 'logout cleared the cookie');

    await plantSessionCookie(context, h.app, old);
    const replay = await whoAmI(page, h.app);
    assert.equal(replay.status, 401);
    assert.equal(replay.code, 'token_invalid');
    assert.equal(await sessionCookie(context, h.app), undefined, 'the refused cookie is cleared');
    await context.close();
  });
});
