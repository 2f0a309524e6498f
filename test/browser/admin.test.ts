import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startService, type TestService } from '../service/helpers.js';
import { chromiumSkip, launchChromium } from './support/chromium.js';

/** A user agent that would run script if the console ever wrote API values as HTML. */
const HOSTILE_AGENT = '<img src=x onerror="document.title=\'pwned\'">';

/** The console of one tab: what it logged as an error, what threw, and every URL it requested. */
interface Tab {
  readonly page: Page;
  readonly problems: string[];
  readonly urls: string[];
}

async function openConsole(browser: Browser, api: TestService): Promise<Tab> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // A broken page (say, a script blocked by its CSP) should fail in seconds, not at Playwright's 30 s.
  page.setDefaultTimeout(5_000);
  const problems: string[] = [];
  const urls: string[] = [];
  // A CSP violation (a blocked inline script or style) reaches the console as an error; so does any throw.
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('request', (request) => urls.push(request.url()));
  // "Revoke all" asks for confirmation; the operator says yes.
  page.on('dialog', (dialog) => void dialog.accept());
  const response = await page.goto(`${api.base}/admin`);
  assert.equal(response?.status(), 200);
  return { page, problems, urls };
}

async function useKey(page: Page, key: string): Promise<void> {
  await page.fill('#key', key);
  await page.click('#key-form button[type=submit]');
  await page.waitForFunction(
    () => document.getElementById('key-state')?.textContent === 'API key set for this tab.',
  );
}

/**
 * Submits the subject form and waits for the lookup to finish. The page's status() always sets the status
 * class to 'ok' or '', so a marker class set beforehand tells when it has answered, without touching the rows.
 */
async function lookUp(page: Page, subject: string): Promise<void> {
  await page.evaluate(() => {
    (document.getElementById('status') as HTMLElement).className = 'pending';
  });
  await page.fill('#subject', subject);
  await page.click('#subject-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('status')?.className !== 'pending');
}

function listedIds(page: Page): Promise<string[]> {
  return page.$$eval('#rows tr td:first-child code', (cells) => cells.map((cell) => cell.textContent ?? ''));
}

async function statusText(page: Page): Promise<string> {
  return (await page.textContent('#status')) ?? '';
}

/** Everything the page shows or holds in its DOM, including input values. */
function pageDump(page: Page): Promise<string> {
  return page.evaluate(() => {
    const values = Array.from(document.querySelectorAll('input'), (input) => input.value);
    return `${document.documentElement.outerHTML}\n${document.body.innerText}\n${values.join('\n')}`;
  });
}

describe('browser: the service admin console', { skip: chromiumSkip() }, () => {
  let api: TestService;
  let browser: Browser;
  before(async () => {
    api = await startService({}, { store: 'sqlite' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await api?.close();
  });

  it('lists a subject’s sessions by public id, revokes one, then all, under its CSP', async () => {
    const subject = `admin-browser-${process.pid}`;
    const tokens: string[] = [];
    const ids: string[] = [];
    for (const userAgent of ['Console test agent', HOSTILE_AGENT]) {
      const created = await api.call('POST', '/v1/sessions', { subject, userAgent, ip: '203.0.113.7' });
      assert.equal(created.status, 201);
      tokens.push(created.body.token as string);
      ids.push(created.body.session?.id as string);
    }

    const { page, problems, urls } = await openConsole(browser, api);
    assert.equal(await page.textContent('#key-state'), 'No API key set.');
    await useKey(page, api.apiKey);
    assert.equal(await page.inputValue('#key'), '', 'the key field is cleared once the key is kept');

    await lookUp(page, subject);
    assert.equal(await statusText(page), '');
    assert.deepEqual((await listedIds(page)).sort(), [...ids].sort());
    assert.equal(await page.textContent('#count'), `2 live session(s) for ${subject}.`);
    const dump = await pageDump(page);
    for (const token of tokens) assert.ok(!dump.includes(token), 'a token never reaches the page');
    assert.ok(!dump.includes('ts1.'), 'nothing token-shaped on the page');
    assert.ok(!dump.includes(api.apiKey), 'the API key is not left in the DOM');
    assert.ok((await page.textContent('#rows'))?.includes(HOSTILE_AGENT), 'the user agent is shown as text');
    assert.equal(await page.$('#rows img'), null, 'and never parsed as HTML');
    assert.notEqual(await page.title(), 'pwned');

    // Revoke the first session from its row.
    const [gone, kept] = ids as [string, string];
    await page.click(`#rows tr:has(code:text-is("${gone}")) button`);
    await page.waitForFunction(
      (id) => document.getElementById('status')?.textContent === `Revoked session ${id}.`,
      gone,
    );
    assert.deepEqual(await listedIds(page), [kept]);
    assert.equal(await page.textContent('#count'), `1 live session(s) for ${subject}.`);
    const revoked = await api.call('POST', '/v1/sessions/validate', { token: tokens[0] });
    assert.equal(revoked.status, 401, 'the revoked token no longer validates');
    assert.equal((await api.call('POST', '/v1/sessions/validate', { token: tokens[1] })).status, 200);

    // Revoke all (the confirm dialog is accepted).
    await page.click('#revoke-all');
    await page.waitForFunction(
      () => document.getElementById('status')?.textContent === 'Revoked 1 session(s).',
    );
    assert.deepEqual(await listedIds(page), []);
    assert.equal(await page.textContent('#count'), `0 live session(s) for ${subject}.`);
    assert.equal((await api.call('POST', '/v1/sessions/validate', { token: tokens[1] })).status, 401);
    assert.deepEqual((await api.call('GET', `/v1/subjects/${subject}/sessions`)).body.sessions, []);

    assert.deepEqual(problems, [], 'no console errors, CSP violations or page errors');
    for (const url of urls) {
      assert.equal(new URL(url).origin, api.base, 'the page only talks to its own origin');
      assert.ok(!url.includes(api.apiKey), 'the API key never travels in a URL');
    }
    await page.context().close();
  });

  it('a wrong key shows the API error and lists nothing', async () => {
    const subject = `admin-browser-wrong-${process.pid}`;
    const created = await api.call('POST', '/v1/sessions', { subject });
    assert.equal(created.status, 201);

    const { page, problems } = await openConsole(browser, api);
    await useKey(page, 'not-the-key-0123456789abcdefghijklmnopqrstu');
    await lookUp(page, subject);
    assert.match(await statusText(page), /^api_key_invalid: /);
    assert.deepEqual(await listedIds(page), []);
    assert.equal(await page.textContent('#count'), '');
    // Chromium reports the refused fetch itself; nothing else may be logged.
    assert.deepEqual(
      problems.filter((text) => !/status of 401/.test(text)),
      [],
      'no console errors, CSP violations or page errors besides the 401',
    );
    await page.context().close();
  });

  it('a failed lookup clears the rows of the subject shown before', async () => {
    const subject = `admin-browser-stale-${process.pid}`;
    const created = await api.call('POST', '/v1/sessions', { subject });
    assert.equal(created.status, 201);

    const { page } = await openConsole(browser, api);
    await useKey(page, api.apiKey);
    await lookUp(page, subject);
    assert.deepEqual(await listedIds(page), [created.body.session?.id]);

    // The operator switches to a wrong key and looks up another subject: the old rows must not stay on
    // screen under the new subject, where a "Revoke" click would act on the wrong person's sessions.
    await useKey(page, 'not-the-key-0123456789abcdefghijklmnopqrstu');
    await lookUp(page, `${subject}-other`);
    assert.match(await statusText(page), /^api_key_invalid: /);
    assert.deepEqual(await listedIds(page), []);
    assert.equal(await page.textContent('#count'), '');
    await page.context().close();
  });

  it('"Revoke all" acts on the subject listed, not on a subject typed afterwards', async () => {
    const listed = `admin-browser-listed-${process.pid}`;
    const typed = `admin-browser-typed-${process.pid}`;
    const listedToken = (await api.call('POST', '/v1/sessions', { subject: listed })).body.token as string;
    const typedToken = (await api.call('POST', '/v1/sessions', { subject: typed })).body.token as string;

    const { page } = await openConsole(browser, api);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => dialogs.push(dialog.message()));
    await useKey(page, api.apiKey);
    await lookUp(page, listed);
    await page.fill('#subject', typed); // typed, not submitted
    await page.click('#revoke-all');
    await page.waitForFunction(
      () => document.getElementById('status')?.textContent === 'Revoked 1 session(s).',
    );
    assert.deepEqual(dialogs, [`Revoke every session of ${listed}?`]);
    assert.equal((await api.call('POST', '/v1/sessions/validate', { token: listedToken })).status, 401);
    assert.equal((await api.call('POST', '/v1/sessions/validate', { token: typedToken })).status, 200);
    await page.context().close();
  });

  it('"End every session" asks for the typed phrase, then ends every subject’s sessions and shows the count', async () => {
    // A service of its own: the count must be of exactly the sessions made here.
    const own = await startService();
    try {
      const tokens: string[] = [];
      for (const subject of ['end-all-a', 'end-all-b', 'end-all-b']) {
        tokens.push((await own.call('POST', '/v1/sessions', { subject })).body.token as string);
      }
      const { page, problems, urls } = await openConsole(browser, own);
      await useKey(page, own.apiKey);
      await lookUp(page, 'end-all-b');
      assert.equal((await listedIds(page)).length, 2);

      // Without the exact phrase nothing is sent and nothing ends.
      for (const typed of ['', 'yes', 'END EVERY SESSION']) {
        await page.evaluate(() => {
          (document.getElementById('status') as HTMLElement).textContent = '';
        });
        await page.fill('#end-all-phrase', typed);
        await page.click('#end-all');
        await page.waitForFunction(() =>
          document.getElementById('status')?.textContent?.startsWith('Type "'),
        );
        assert.equal(
          await statusText(page),
          'Type "end every session" exactly to confirm. Nothing was ended.',
        );
      }
      const endAll = (url: string): boolean => new URL(url).pathname === '/v1/sessions/end-all';
      assert.ok(!urls.some(endAll), 'no request without the phrase');
      for (const token of tokens) {
        assert.equal((await own.call('POST', '/v1/sessions/validate', { token })).status, 200);
      }

      await page.fill('#end-all-phrase', 'end every session');
      await page.click('#end-all');
      await page.waitForFunction(
        () => document.getElementById('status')?.textContent === 'Ended 3 session(s) of every user.',
      );
      assert.equal(await page.inputValue('#end-all-phrase'), '');
      assert.deepEqual(await listedIds(page), [], 'the rows of sessions that ended are cleared');
      for (const token of tokens) {
        assert.equal((await own.call('POST', '/v1/sessions/validate', { token })).status, 401);
      }
      assert.equal(urls.filter(endAll).length, 1);
      assert.deepEqual(problems, [], 'no console errors, CSP violations or page errors');
      for (const url of urls) assert.equal(new URL(url).origin, own.base);
      await page.context().close();
    } finally {
      await own.close();
    }
  });
});
