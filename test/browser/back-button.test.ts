// The back button after logout (OWASP Session Management "Web Content Caching"; ASVS 5.0 14.3.2): every
// response that depends on the session carries Cache-Control: no-store, set by the request path itself, so
// Chromium asks the server again instead of showing the signed-in page from its cache. The app below sets no
// caching header of its own: only Tessera's decides.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import type { Browser } from 'playwright-core';
import { tesseraExpress } from '../../src/adapters/express/index.js';
import { createTessera } from '../../src/core/manager.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import { listen } from '../adapters/listen.js';
import type { MatrixServer } from '../adapters/matrix.js';
import { chromiumSkip, launchChromium } from './support/chromium.js';

const SECRET_TEXT = 'account number 12345678';

describe('browser: the back button after logout', { skip: chromiumSkip() }, () => {
  let browser: Browser;
  let server: MatrixServer;
  let accountRequests = 0;

  before(async () => {
    const sessions = new HttpSessions(createTessera({ store: new MemoryStore() }), {
      cookie: { development: true },
      csrf: { secret: 'back-button-csrf-secret-0123456789abcdef' },
    });
    const auth = tesseraExpress(sessions);
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(auth.middleware);
    app.get('/', (_req, res) => {
      res.type('html').send('<form method="post" action="/login"><button id="login">Sign in</button></form>');
    });
    app.post('/login', async (req, res) => {
      await auth.login(req, res, { subject: 'back-button-user' });
      res.redirect(303, '/account');
    });
    app.get('/account', auth.requireSession(), (req, res) => {
      accountRequests += 1;
      res
        .type('html')
        .send(
          `<p id="secret">${SECRET_TEXT}</p><form method="post" action="/logout">` +
            `<input type="hidden" name="_csrf" value="${auth.csrfToken(req)}"><button id="logout">Sign out</button></form>`,
        );
    });
    app.post('/logout', async (req, res) => {
      await auth.logout(req, res);
      res.redirect(303, '/bye');
    });
    app.get('/bye', (_req, res) => {
      res.type('html').send('<p id="bye">Signed out.</p>');
    });
    app.use(auth.errorHandler);
    server = await listen(createServer(app));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('going back to a signed-in page after logout asks the server, which refuses it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${server.origin}/`);
      const [account] = await Promise.all([
        page.waitForURL(`${server.origin}/account`),
        page.click('#login'),
      ]);
      void account;
      assert.equal(await page.textContent('#secret'), SECRET_TEXT);
      const response = await page.reload();
      assert.match(response?.headers()['cache-control'] ?? '', /no-store/, 'the signed-in page is no-store');
      const before = accountRequests;
      await Promise.all([page.waitForURL(`${server.origin}/bye`), page.click('#logout')]);
      assert.equal(await page.textContent('#bye'), 'Signed out.');
      await page.goBack();
      assert.equal(page.url(), `${server.origin}/account`);
      assert.equal(accountRequests, before, 'the server did not serve the page again: it refused it');
      const body = (await page.textContent('body')) ?? '';
      assert.doesNotMatch(body, new RegExp(SECRET_TEXT), 'the signed-in page is not shown from the cache');
      assert.match(body, /token_missing|token_invalid/);
    } finally {
      await context.close();
    }
  });
});
