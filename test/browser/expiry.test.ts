import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromiumSkip } from './support/chromium.js';
import {
  type Harness,
  PASSWORD,
  sessionCookie,
  signIn,
  signUp,
  startHarness,
  uniqueName,
} from './support/harness.js';

// Its own app and clock: moving time here must not expire the sessions of other test files.
describe('browser: idle expiry and attempt throttling', { skip: chromiumSkip() }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ idleTimeout: 30 * 60 });
  });
  after(async () => {
    await h?.close();
  });

  it('an idle session shows the login page with the expired message (440), then sign-in works again', async () => {
    const name = uniqueName('idle');
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await signUp(page, h.app, name);

    // Activity inside the window keeps the session alive (the idle window slides).
    h.clock.advance(20 * 60 * 1000);
    assert.equal((await page.goto(`${h.app.url}/sessions`))?.status(), 200);
    h.clock.advance(20 * 60 * 1000);
    assert.equal(
      (await page.goto(`${h.app.url}/sessions`))?.status(),
      200,
      '40 minutes in, but never idle for 30',
    );

    // Then 31 minutes without a request: the server says the session expired.
    const old = (await sessionCookie(context, h.app))?.value;
    h.clock.advance(31 * 60 * 1000);
    const response = await page.goto(`${h.app.url}/sessions`);
    assert.equal(response?.status(), 440);
    assert.ok(await page.isVisible('#login-form'));
    assert.match((await page.textContent('#notice')) ?? '', /expired after a period of inactivity/);
    assert.notEqual((await sessionCookie(context, h.app))?.value, old, 'the expired cookie was replaced');

    await signIn(page, h.app, name);
    assert.equal((await page.goto(`${h.app.url}/sessions`))?.status(), 200);
    await context.close();
  });

  it('repeated wrong passwords are throttled (429) until the window passes', async () => {
    const name = uniqueName('guess');
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await signUp(page, h.app, name);
    await context.clearCookies();
    const attempt = async (password: string): Promise<number | undefined> => {
      await page.goto(`${h.app.url}/login`);
      await page.fill('#login-form input[name=username]', name);
      await page.fill('#login-form input[name=password]', password);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.click('#login-form button[type=submit]'),
      ]);
      return response.status();
    };
    for (let i = 0; i < 5; i++) assert.equal(await attempt(`wrong password ${i}`), 401);
    assert.equal(await attempt(PASSWORD), 429, 'even the right password waits once the limit is reached');
    assert.match((await page.textContent('#notice')) ?? '', /Too many failed attempts/);
    h.clock.advance(16 * 60 * 1000);
    assert.equal(await attempt(PASSWORD), 303, 'after the window the right password works');
    await context.close();
  });
});
