import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { type AttackerSite, startAttacker } from './support/attacker.js';
import { chromiumSkip } from './support/chromium.js';
import {
  type Harness,
  type ServedRequest,
  sessionCookie,
  signIn,
  signUp,
  startHarness,
  uniqueName,
  whoAmI,
} from './support/harness.js';

/**
 * What "site" means here (RFC 6265bis 5.2, HTML "same site"): scheme plus registrable domain, ports ignored.
 * `localhost` and `127.0.0.1` have no public suffix, so each host is its own site:
 * - http://127.0.0.1:<p> -> http://localhost:<q> is CROSS-SITE: SameSite=Strict withholds the cookie and
 *   Chromium sends `Sec-Fetch-Site: cross-site`;
 * - http://localhost:<p> -> http://localhost:<q> is cross-origin but SAME-SITE: the Strict cookie IS sent, so
 *   only the Fetch Metadata check (`Sec-Fetch-Site: same-site`, refused by default) stops the request.
 */
describe('browser: cross-origin pages cannot change state', { skip: chromiumSkip() }, () => {
  let h: Harness;
  let crossSite: AttackerSite;
  let sameSite: AttackerSite;
  let victim: BrowserContext;
  let victimPage: Page;
  let otherDevice: BrowserContext;
  let name: string;

  before(async () => {
    h = await startHarness();
    crossSite = await startAttacker(h.app.url, '127.0.0.1');
    sameSite = await startAttacker(h.app.url, 'localhost');
    name = uniqueName('victim');
    victim = await h.browser.newContext();
    victimPage = await victim.newPage();
    await signUp(victimPage, h.app, name);
    otherDevice = await h.browser.newContext();
    await signIn(await otherDevice.newPage(), h.app, name);
  });
  after(async () => {
    await crossSite?.close();
    await sameSite?.close();
    await h?.close();
  });

  /**
   * Opens an attacker page in the victim's browser and returns the app's answer to the forged POST, as the
   * server sent it: for `fetch`, the app's `Cross-Origin-Resource-Policy: same-origin` even keeps the (opaque)
   * response away from the attacker page, so the browser side only sees a failed request.
   */
  async function attack(site: AttackerSite, path: string): Promise<ServedRequest> {
    const page = await victim.newPage();
    try {
      const [served] = await Promise.all([
        h.nextServed((s) => s.method === 'POST'),
        page.goto(`${site.origin}${path}`),
      ]);
      return served;
    } finally {
      await page.close();
    }
  }

  async function assertNothingChanged(): Promise<void> {
    assert.equal((await whoAmI(victimPage, h.app)).status, 200, 'the victim is still signed in');
    const other = await otherDevice.newPage();
    assert.equal((await whoAmI(other, h.app)).status, 200, "the victim's other device is still signed in");
    await other.close();
  }

  function lastRejection(): { reason?: string; sessionId: string | null } {
    const event = h.events.filter((e) => e.type === 'csrf-rejected').at(-1);
    assert.ok(event, 'a csrf-rejected event was emitted');
    return event;
  }

  it('cross-site form auto-submit is refused with 403', async () => {
    const response = await attack(crossSite, '/form?action=/sessions/revoke-others');
    assert.equal(response.status, 403);
    const event = lastRejection();
    assert.equal(event.reason, 'cross_site');
    assert.equal(event.sessionId, null, 'SameSite=Strict kept the cookie off the cross-site request');
    await assertNothingChanged();
  });

  it('cross-site fetch with text/plain (no preflight) is refused with 403', async () => {
    const response = await attack(crossSite, '/fetch?action=/logout');
    assert.equal(response.status, 403);
    assert.equal(lastRejection().reason, 'cross_site');
    await assertNothingChanged();
  });

  it('same-site, cross-origin form (another localhost port) is refused although the cookie is sent', async () => {
    const session = (await whoAmI(victimPage, h.app)) as { subject: string | null };
    assert.ok(session.subject);
    const response = await attack(sameSite, '/form?action=/sessions/revoke-others');
    assert.equal(response.status, 403);
    const event = lastRejection();
    assert.equal(event.reason, 'same_site');
    assert.notEqual(
      event.sessionId,
      null,
      'the Strict cookie went along: SameSite alone would not have helped',
    );
    await assertNothingChanged();
  });

  it('same-site fetch with text/plain is refused with 403', async () => {
    const response = await attack(sameSite, '/fetch?action=/logout');
    assert.equal(response.status, 403);
    assert.equal(lastRejection().reason, 'same_site');
    await assertNothingChanged();
  });

  it('login CSRF (signing the victim into the attacker account) is refused', async () => {
    const attackerName = uniqueName('attacker');
    const setup = await h.browser.newContext();
    await signUp(await setup.newPage(), h.app, attackerName);
    await setup.close();
    const fresh = await h.browser.newContext();
    const page = await fresh.newPage();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(h.app.url) && r.request().method() === 'POST'),
      page.goto(
        `${crossSite.origin}/login?username=${attackerName}&password=${encodeURIComponent('x'.repeat(8))}`,
      ),
    ]);
    assert.equal(response.status(), 403);
    assert.equal(await sessionCookie(fresh, h.app), undefined, 'no session was started');
    await fresh.close();
  });

  it("the app's own form is refused without its session-bound token", async () => {
    await victimPage.goto(`${h.app.url}/sessions`);
    // Remove the hidden CSRF field (page.evaluate runs through DevTools; the page's CSP forbids page scripts).
    await victimPage.evaluate(() => {
      document.querySelectorAll('#revoke-others input[name=_csrf]').forEach((input) => {
        input.remove();
      });
    });
    const [response] = await Promise.all([
      victimPage.waitForResponse((r) => r.request().method() === 'POST'),
      victimPage.click('#revoke-others button'),
    ]);
    assert.equal(response.status(), 403);
    assert.equal(lastRejection().reason, 'token_missing');
    await assertNothingChanged();
  });

  it("a CSRF token from another session (the attacker's own) is refused", async () => {
    const attacker = await h.browser.newContext();
    const attackerPage = await attacker.newPage();
    await attackerPage.goto(`${h.app.url}/login`);
    const stolen = await attackerPage.inputValue('#login-form input[name=_csrf]');
    await attacker.close();
    await victimPage.goto(`${h.app.url}/sessions`);
    await victimPage.evaluate((token) => {
      const input = document.querySelector<HTMLInputElement>('#revoke-others input[name=_csrf]');
      if (input) input.value = token;
    }, stolen);
    const [response] = await Promise.all([
      victimPage.waitForResponse((r) => r.request().method() === 'POST'),
      victimPage.click('#revoke-others button'),
    ]);
    assert.equal(response.status(), 403);
    assert.equal(lastRejection().reason, 'token_invalid');
    await assertNothingChanged();
  });
});
