import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumSkip } from './support/chromium.js';
import {
  type Harness,
  PASSWORD,
  sessionCookie,
  signIn,
  signUp,
  startHarness,
  uniqueName,
  whoAmI,
} from './support/harness.js';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

async function device(browser: Browser, userAgent: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ userAgent });
  return { context, page: await context.newPage() };
}

/** Session ids of the rows on the sessions page, and which one is marked as this device. */
async function listedSessions(
  page: Page,
  url: string,
): Promise<{ ids: string[]; current: string[]; text: string }> {
  await page.goto(`${url}/sessions`);
  const ids = await page.$$eval('#sessions tbody tr', (rows) =>
    rows.map((row) => row.getAttribute('data-session-id') ?? ''),
  );
  const current = await page.$$eval('#sessions tbody tr.current-row', (rows) =>
    rows.map((row) => row.getAttribute('data-session-id') ?? ''),
  );
  return { ids, current, text: (await page.textContent('#sessions')) ?? '' };
}

describe('browser: active sessions and sudo', { skip: chromiumSkip() }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('lists each device with its browser, marks this one, and "sign out all others" ends the rest after the password', async () => {
    const name = uniqueName('multi');
    const laptop = await device(h.browser, FIREFOX_WINDOWS);
    const phone = await device(h.browser, SAFARI_IPHONE);
    await signUp(laptop.page, h.app, name);
    await signIn(phone.page, h.app, name);

    const listed = await listedSessions(laptop.page, h.app.url);
    assert.equal(listed.ids.length, 2);
    assert.equal(listed.current.length, 1, 'exactly one row is this device');
    assert.match(listed.text, /Firefox on Windows \(this device\)/);
    assert.match(listed.text, /Safari on iOS/);
    assert.match(listed.text, /127\.0\.0\.1/);

    // ASVS 5.0 7.5.2: a fresh login is not enough; the password is asked for again and nothing is ended yet.
    await Promise.all([laptop.page.waitForURL(/\/sudo\?next=/), laptop.page.click('#revoke-others button')]);
    assert.equal((await whoAmI(phone.page, h.app)).status, 200, 'the phone is still signed in');
    await laptop.page.goto(`${h.app.url}/sessions`);
    await Promise.all([laptop.page.waitForURL(/\/sudo\?next=/), laptop.page.click('#revoke-others button')]);
    await laptop.page.fill('#sudo-form input[name=password]', PASSWORD);
    await Promise.all([laptop.page.waitForURL(/done=confirmed/), laptop.page.click('#sudo-form button')]);
    assert.match((await laptop.page.textContent('#notice')) ?? '', /Password confirmed/);
    await Promise.all([laptop.page.waitForURL(/done=others/), laptop.page.click('#revoke-others button')]);
    assert.match((await laptop.page.textContent('#notice')) ?? '', /other sessions have been signed out/);

    // The phone finds out on its very next request: revocation is checked on the server every time.
    const response = await phone.page.goto(`${h.app.url}/sessions`);
    assert.equal(response?.status(), 401);
    assert.ok(await phone.page.isVisible('#login-form'), 'the phone is shown the login page');
    assert.equal((await whoAmI(laptop.page, h.app)).status, 200, 'the laptop stays signed in');
    assert.deepEqual((await listedSessions(laptop.page, h.app.url)).ids, listed.current);
    await laptop.context.close();
    await phone.context.close();
  });

  it('"sign out this one" ends that device only, and cannot end another user\'s session', async () => {
    const name = uniqueName('one');
    const a = await device(h.browser, FIREFOX_WINDOWS);
    const b = await device(h.browser, SAFARI_IPHONE);
    await signUp(a.page, h.app, name);
    await signIn(b.page, h.app, name);
    const stranger = await device(h.browser, FIREFOX_WINDOWS);
    await signUp(stranger.page, h.app, uniqueName('stranger'));
    const strangerId = (await listedSessions(stranger.page, h.app.url)).current[0] as string;

    // Insecure direct object reference attempt: post the stranger's session id from our own form.
    await a.page.goto(`${h.app.url}/sessions`);
    await a.page.evaluate((id) => {
      const input = document.querySelector<HTMLInputElement>('#sessions tbody tr input[name=id]');
      if (input) input.value = id;
    }, strangerId);
    const [refused] = await Promise.all([
      a.page.waitForResponse((r) => r.request().method() === 'POST'),
      a.page.click('#sessions tbody tr button'),
    ]);
    assert.equal(refused.status(), 404);
    assert.equal((await whoAmI(stranger.page, h.app)).status, 200, "the stranger's session is untouched");

    const listed = await listedSessions(a.page, h.app.url);
    const phoneRow = listed.ids.find((id) => !listed.current.includes(id)) as string;
    await Promise.all([
      a.page.waitForURL(/done=one/),
      a.page.click(`#sessions tr[data-session-id="${phoneRow}"] button`),
    ]);
    assert.equal((await whoAmI(b.page, h.app)).code, 'token_invalid');
    assert.equal((await whoAmI(a.page, h.app)).status, 200);
    for (const d of [a, b, stranger]) await d.context.close();
  });

  it('shows a hostile User-Agent as text, under a strict CSP', async () => {
    // The user agent is attacker-controlled and printed on the sessions page: a classic stored-XSS vector.
    const hostile = '<img src=x id=injected onerror="document.title=1"><script>document.title=2</script>';
    const { context, page } = await device(h.browser, hostile);
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await signUp(page, h.app, uniqueName('xss'));
    const response = await page.goto(`${h.app.url}/sessions`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(await page.$('#injected'), null, 'no element was injected');
    assert.ok(((await page.textContent('#sessions')) ?? '').includes(hostile), 'the text is shown as is');
    assert.notEqual(await page.title(), '1');
    assert.deepEqual(
      violations,
      [],
      'the pages need nothing the CSP forbids (the stylesheet is same-origin)',
    );
    assert.notEqual(
      await page.evaluate(() => getComputedStyle(document.body).margin),
      '8px',
      'the same-origin stylesheet loaded',
    );
    await context.close();
  });

  it('the sudo step asks for the password again, rotates the token, and goes stale', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await signUp(page, h.app, uniqueName('sudo'));
    await page.goto(`${h.app.url}/account/password`);
    assert.match(page.url(), /\/sudo\?next=/, 'a fresh login is not enough for a sensitive action');

    await page.fill('#sudo-form input[name=password]', 'not the password');
    await Promise.all([page.waitForLoadState('load'), page.click('#sudo-form button')]);
    assert.match((await page.textContent('#notice')) ?? '', /not right/);

    const before = (await sessionCookie(context, h.app))?.value;
    await page.fill('#sudo-form input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL(`${h.app.url}/account/password`), page.click('#sudo-form button')]);
    assert.ok(await page.isVisible('#password-form'));
    const elevated = (await sessionCookie(context, h.app))?.value;
    assert.ok(elevated);
    assert.notEqual(elevated, before, 'elevation issued a new token (privilege change)');
    assert.equal((await whoAmI(page, h.app)).status, 200);

    // The confirmation is fresh for 5 minutes only.
    h.clock.advance(6 * 60 * 1000);
    await page.goto(`${h.app.url}/account/password`);
    assert.match(page.url(), /\/sudo\?next=/, 'a stale confirmation is asked for again');
    await context.close();
  });
});
