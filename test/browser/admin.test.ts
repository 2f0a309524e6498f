// The operator console in real Chromium: every screen, under its CSP, at desktop and phone width. With
// CONSOLE_SCREENSHOTS=<folder> set, each screen is also saved as a PNG there (docs/console.md shows them):
//   CONSOLE_SCREENSHOTS=docs/console node scripts/run-tests.mjs test/browser/admin
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { httpRequest } from '../support/http-request.js';
import { madeUpToken, startService, type TestService } from '../service/helpers.js';
import { chromiumSkip, launchChromium } from './support/chromium.js';
import { unbrowsableStore } from '../support/unbrowsable-store.js';

const SHOTS = process.env.CONSOLE_SCREENSHOTS ?? '';
if (SHOTS !== '') mkdirSync(SHOTS, { recursive: true });

/** A user agent that would run script if the console ever wrote API values as HTML. */
const HOSTILE_AGENT = '<img src=x onerror="document.title=\'pwned\'">';
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  'curl/8.5.0',
];
const WRONG_KEY = 'not-the-key-0123456789abcdefghijklmnopqrstu';
const PHONE = { width: 375, height: 740 };

/** The CSP of the console before this release (0.1): the same directives, only the two hashes differ. */
const CSP_DIRECTIVES = [
  "default-src 'none'",
  /^script-src 'sha256-[A-Za-z0-9+/]{43}='$/,
  /^style-src 'sha256-[A-Za-z0-9+/]{43}='$/,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

/** One tab of the console: what it logged as an error, what threw, and every URL it requested. */
interface Tab {
  readonly page: Page;
  readonly problems: string[];
  readonly urls: string[];
}

async function openConsole(
  browser: Browser,
  api: TestService,
  viewport = { width: 1280, height: 860 },
): Promise<Tab> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  // A broken page (say, a script blocked by its CSP) should fail in seconds, not at Playwright's 30 s.
  page.setDefaultTimeout(6_000);
  const problems: string[] = [];
  const urls: string[] = [];
  // A CSP violation (a blocked inline script, handler or style) reaches the console as an error; so does a throw.
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('request', (request) => urls.push(request.url()));
  page.on('dialog', (dialog) => {
    problems.push(`a native dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  const response = await page.goto(`${api.base}/admin`);
  assert.equal(response?.status(), 200);
  return { page, problems, urls };
}

async function connect(page: Page, key: string): Promise<void> {
  await page.fill('#key', key);
  await page.click('#key-form button[type=submit]');
  await page.waitForSelector('#screen-overview:not([hidden])');
  await page.waitForFunction(() => document.getElementById('ov-version')?.textContent !== '–');
}

async function screen(page: Page, name: string): Promise<void> {
  await page.click(`#nav button[data-screen="${name}"]`);
  await page.waitForSelector(`#screen-${name}:not([hidden])`);
}

/** Runs `action` and waits until the element's `data-gen` moved on (the script bumps it after each render). */
async function rendered(page: Page, selector: string, action: () => Promise<unknown>): Promise<void> {
  const before = await page.getAttribute(selector, 'data-gen');
  await action();
  await page.waitForFunction(
    ([sel, gen]) => document.querySelector(sel as string)?.getAttribute('data-gen') !== gen,
    [selector, before],
  );
}

async function search(page: Page, q: string, options: { by?: string; sort?: string } = {}): Promise<void> {
  await page.fill('#q', q);
  await page.selectOption('#by', options.by ?? 'auto');
  await page.selectOption('#sort', options.sort ?? '-lastSeenAt');
  await rendered(page, '#rows', () => page.click('#search-form button[type=submit]'));
}

function rowIds(page: Page): Promise<string[]> {
  return page.$$eval('#rows tr', (rows) => rows.map((row) => (row as HTMLElement).dataset.id ?? ''));
}

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS === '') return;
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Everything the page shows or holds in its DOM, including input values (not its own script's source). */
function pageDump(page: Page): Promise<string> {
  return page.evaluate(() => {
    const values = Array.from(document.querySelectorAll('input'), (input) => input.value);
    const copy = document.documentElement.cloneNode(true) as HTMLElement;
    for (const script of Array.from(copy.querySelectorAll('script'))) script.remove();
    return `${copy.outerHTML}\n${document.body.innerText}\n${values.join('\n')}`;
  });
}

async function login(
  api: TestService,
  subject: string,
  extra: Record<string, unknown> = {},
): Promise<{ token: string; id: string }> {
  const created = await api.call('POST', '/v1/sessions', { subject, ...extra });
  assert.equal(created.status, 201, created.text);
  return { token: created.body.token as string, id: created.body.session?.id as string };
}

async function works(api: TestService, token: string): Promise<boolean> {
  return (await api.call('POST', '/v1/sessions/validate', { token })).status === 200;
}

/** Sessions and security events that look like a morning of a real service. */
async function seed(api: TestService): Promise<void> {
  const people = ['ada@example.com', 'grace@example.com', 'linus@example.com', 'margaret@example.com'];
  for (let i = 0; i < 12; i++) {
    api.clock.advance(37_000);
    await login(api, people[i % people.length] as string, {
      userAgent: AGENTS[i % AGENTS.length],
      ip: `198.51.100.${10 + (i % 6)}`,
      data: { cart: i, theme: 'dark' },
    });
  }
  for (let i = 0; i < 3; i++) {
    assert.equal((await api.call('POST', '/v1/sessions/validate', { token: madeUpToken() })).status, 401);
  }
  const victim = await login(api, 'grace@example.com', { userAgent: AGENTS[0], ip: '198.51.100.44' });
  const crossSite = await httpRequest(`${api.base}/v1/authz`, {
    headers: {
      'x-forwarded-method': 'POST',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.example.com',
      'x-forwarded-uri': '/transfer',
      'sec-fetch-site': 'cross-site',
      cookie: `__Host-session=${victim.token}`,
    },
  });
  assert.equal(crossSite.status, 403);
  const gone = await login(api, 'linus@example.com', { userAgent: AGENTS[4], ip: '203.0.113.50' });
  assert.equal((await api.call('DELETE', `/v1/sessions/${gone.id}`)).status, 204);
  await api.service.audit?.flush();
}

describe('browser: the operator console', { skip: chromiumSkip() }, () => {
  let api: TestService;
  let browser: Browser;
  before(async () => {
    api = await startService({}, { store: 'sqlite' });
    browser = await launchChromium();
    await seed(api);
  });
  after(async () => {
    await browser?.close();
    await api?.close();
  });

  it('a bad API key is refused when entered: nothing is kept and no screen opens; the right one connects', async () => {
    const { page, problems, urls } = await openConsole(browser, api);
    await shot(page, 'key');
    await page.fill('#key', WRONG_KEY);
    await page.click('#key-form button[type=submit]');
    await page.waitForFunction(() => /refused/.test(document.getElementById('key-error')?.textContent ?? ''));
    assert.match((await page.textContent('#key-error')) ?? '', /api_key_invalid/);
    assert.equal(await page.isHidden('#nav'), true, 'no screen is offered without a working key');
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused key is not kept');
    assert.equal(await page.inputValue('#key'), '', 'and not left in the field');
    await shot(page, 'key-refused');

    // A session token pasted by mistake is refused without sending it anywhere.
    const sent = urls.length;
    const { token } = await login(api, 'pasted@example.com');
    await page.fill('#key', token);
    await page.click('#key-form button[type=submit]');
    await page.waitForFunction(() =>
      /session token/.test(document.getElementById('key-error')?.textContent ?? ''),
    );
    assert.equal(urls.length, sent, 'no request carried the token');

    await connect(page, api.apiKey);
    assert.equal(await page.textContent('#key-state'), 'Connected');
    assert.equal(await page.isVisible('#nav'), true);
    assert.ok(!(await pageDump(page)).includes(api.apiKey), 'the key is not left in the DOM');
    for (const url of urls) {
      assert.equal(new URL(url).origin, api.base, 'the page only talks to its own origin');
      assert.ok(!url.includes(api.apiKey) && !url.includes(token), 'no key or token in a URL');
    }
    assert.deepEqual(
      problems.filter((text) => !/status of 401/.test(text)),
      [],
      'no errors besides the refused fetch',
    );
    await page.context().close();
  });

  it('serves the same strict CSP as before, and the page runs no script but its one hashed block', async () => {
    const response = await fetch(`${api.base}/admin`);
    const csp = response.headers.get('content-security-policy') ?? '';
    const directives = csp.split('; ');
    assert.equal(directives.length, CSP_DIRECTIVES.length, csp);
    CSP_DIRECTIVES.forEach((want, i) => {
      if (typeof want === 'string') assert.equal(directives[i], want);
      else assert.match(directives[i] ?? '', want);
    });
    assert.ok(!csp.includes('unsafe'), 'no unsafe-inline, unsafe-eval or unsafe-hashes');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');

    const { page, problems } = await openConsole(browser, api);
    await connect(page, api.apiKey);
    for (const name of ['feed', 'sessions', 'danger', 'overview']) await screen(page, name);
    const inline = await page.evaluate(() => ({
      scripts: document.scripts.length,
      external: Array.from(document.scripts).filter((script) => script.src !== '').length,
      handlers: Array.from(document.querySelectorAll('*')).filter((node) =>
        Array.from(node.attributes).some((attribute) => /^on/i.test(attribute.name)),
      ).length,
      styled: document.querySelectorAll('[style]').length,
      javascriptUrls: document.querySelectorAll('[href^="javascript:" i], [src^="javascript:" i]').length,
    }));
    assert.deepEqual(inline, { scripts: 1, external: 0, handlers: 0, styled: 0, javascriptUrls: 0 });
    // Script the policy does not allow stays blocked on this page.
    await page.evaluate(() => {
      const probe = document.createElement('img');
      probe.setAttribute('onerror', 'document.title = "pwned"');
      probe.src = 'data:,';
      document.body.appendChild(probe);
    });
    await page.waitForTimeout(200);
    assert.notEqual(await page.title(), 'pwned');
    assert.ok(
      problems.some((text) => /Content Security Policy/.test(text)),
      'the probe was refused by the CSP',
    );
    assert.deepEqual(
      problems.filter((text) => !/Content Security Policy/.test(text)),
      [],
      'nothing else failed',
    );
    await page.context().close();
  });

  it('overview: live sessions, per-minute activity from the metrics, store health and version', async () => {
    const { page, problems } = await openConsole(browser, api);
    await connect(page, api.apiKey);
    const live = (await api.call('GET', '/v1/admin/sessions?limit=1')).text;
    const total = (JSON.parse(live) as { total: number }).total;
    assert.equal(await page.textContent('#ov-live'), String(total));
    assert.equal(await page.textContent('#ov-store'), 'OK');
    assert.match((await page.textContent('#ov-store-sub')) ?? '', /^sqlite · ping \d+\.\d{2} ms$/);
    assert.match((await page.textContent('#ov-version')) ?? '', /^\d+\.\d+\.\d+/);

    // A minute later, with two more logins and a refused token: the rates are per minute over that minute.
    await login(api, 'ada@example.com', { userAgent: AGENTS[2] });
    await login(api, 'ada@example.com', { userAgent: AGENTS[3] });
    assert.equal((await api.call('POST', '/v1/sessions/validate', { token: madeUpToken() })).status, 401);
    api.clock.advance(60_000);
    await rendered(page, '#ov-asof', () => page.click('#ov-refresh'));
    assert.equal(await page.textContent('#ov-logins'), '2');
    assert.equal(await page.textContent('#ov-security'), '1');
    assert.match((await page.textContent('#ov-window')) ?? '', /last 60 s/);
    assert.ok(((await page.textContent('#ov-codes')) ?? '').includes('token_invalid'));
    assert.match((await page.textContent('#ov-asof')) ?? '', /As of .*\(now\)/);
    await shot(page, 'overview');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it('security feed: the alarms from the audit trail, filtered by type and subject, live', async () => {
    const { page, problems } = await openConsole(browser, api);
    await connect(page, api.apiKey);
    await rendered(page, '#feed-list', () => screen(page, 'feed'));
    const types = (): Promise<string[]> =>
      page.$$eval('#feed-list li', (items) => items.map((item) => (item as HTMLElement).dataset.type ?? ''));
    const shown = await types();
    for (const type of ['unknown-token', 'csrf-rejected', 'revoked']) assert.ok(shown.includes(type), type);
    assert.ok(!shown.includes('created'), 'logins are off by default');
    assert.match((await page.textContent('#feed-source')) ?? '', /audit trail file/);
    await shot(page, 'feed');

    // Only CSRF refusals.
    for (const box of await page.$$('#feed-types input:checked')) {
      await rendered(page, '#feed-list', () => box.uncheck());
    }
    await rendered(page, '#feed-list', () => page.check('#type-csrf-rejected'));
    assert.deepEqual([...new Set(await types())], ['csrf-rejected']);
    assert.match((await page.textContent('#feed-list li')) ?? '', /grace@example\.com/);

    // Logins of one subject, and a new one arriving while the feed is open (polled every 3 s).
    await rendered(page, '#feed-list', () => page.check('#type-created'));
    await page.fill('#feed-subject', 'margaret@example.com');
    await rendered(page, '#feed-list', () => page.click('#feed-filter button[type=submit]'));
    const before = (await types()).length;
    assert.ok(before >= 1);
    assert.ok(((await page.textContent('#feed-list')) ?? '').includes('margaret@example.com'));
    assert.ok(!((await page.textContent('#feed-list')) ?? '').includes('grace@example.com'));
    await login(api, 'margaret@example.com', { userAgent: AGENTS[1] });
    await api.service.audit?.flush();
    await page.waitForFunction((count) => document.querySelectorAll('#feed-list li').length > count, before, {
      timeout: 8_000,
    });
    await shot(page, 'feed-filtered');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it('sessions: search by subject, id and IP, pages and sorting, with parsed agents and readable times', async () => {
    const subject = 'paged@example.com';
    const made: string[] = [];
    for (let i = 0; i < 23; i++) {
      api.clock.advance(1_000);
      made.push((await login(api, subject, { userAgent: AGENTS[i % AGENTS.length], ip: '192.0.2.77' })).id);
    }
    const { page, problems } = await openConsole(browser, api);
    await connect(page, api.apiKey);
    await rendered(page, '#rows', () => screen(page, 'sessions'));
    assert.ok((await rowIds(page)).length > 0, 'opening the screen lists every live session');

    await search(page, subject, { sort: 'createdAt' });
    assert.equal(await page.textContent('#search-summary'), `23 live sessions for subject "${subject}".`);
    assert.deepEqual(await rowIds(page), made.slice(0, 20), 'page 1: the oldest twenty');
    assert.equal(await page.textContent('#page-no'), 'Page 1');
    assert.equal(await page.isDisabled('#prev'), true);
    const firstRow = (await page.textContent('#rows tr')) ?? '';
    assert.ok(firstRow.includes('Firefox 128 on Windows 10/11'), 'the user agent, parsed');
    assert.match(
      firstRow,
      /\d{1,2} \w{3} 2026, \d{2}:\d{2}:\d{2} \(\d+ (?:seconds|minutes?) ago\)/,
      'local and relative times',
    );
    await shot(page, 'sessions');
    await rendered(page, '#rows', () => page.click('#next'));
    assert.deepEqual(await rowIds(page), made.slice(20), 'page 2: the rest');
    assert.equal(await page.isDisabled('#next'), true);
    await rendered(page, '#rows', () => page.click('#prev'));
    assert.deepEqual(await rowIds(page), made.slice(0, 20));

    await search(page, subject, { sort: '-createdAt' });
    assert.deepEqual(await rowIds(page), [...made].reverse().slice(0, 20), 'newest first');

    await search(page, made[5] as string);
    assert.deepEqual(await rowIds(page), [made[5]], 'by session id');
    await search(page, '192.0.2.77', { sort: 'createdAt' });
    assert.deepEqual(await rowIds(page), made.slice(0, 20), 'by IP address');
    assert.match((await page.textContent('#search-summary')) ?? '', /IP address "192\.0\.2\.77"/);

    // A token typed into the search box is never sent.
    const { token } = await login(api, subject);
    await page.fill('#q', token);
    await page.click('#search-form button[type=submit]');
    await page.waitForFunction(() =>
      /looks like a token/.test(document.getElementById('status')?.textContent ?? ''),
    );
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it('session detail: metadata, level, expiries, parsed agent, data keys and size, never a token or data value', async () => {
    const { id, token } = await login(api, 'detail@example.com', {
      userAgent: AGENTS[1],
      ip: '2001:db8::7',
      level: 2,
      data: { cart: 4, providerToken: 'secret-provider-value' },
    });
    const hostile = await login(api, 'detail@example.com', { userAgent: HOSTILE_AGENT });
    api.clock.advance(4 * 60_000);
    const { page, problems } = await openConsole(browser, api);
    await connect(page, api.apiKey);
    await screen(page, 'sessions');
    await search(page, 'detail@example.com', { sort: 'createdAt' });
    assert.ok(
      ((await page.textContent('#rows')) ?? '').includes('Unknown client'),
      'a hostile agent is not parsed',
    );
    assert.equal(await page.$('#rows img'), null, 'and never becomes HTML');
    await page.click(`#rows tr[data-id="${id}"] button.link`);
    await page.waitForSelector('#screen-detail:not([hidden])');
    // The detail shows first, its events follow: wait until they have loaded (aria-busy false, a list item).
    await page.waitForSelector('#d-events[aria-busy="false"] > li');
    const fields = await page.$$eval('#d-fields dt', (terms) =>
      Object.fromEntries(terms.map((term) => [term.textContent, term.nextElementSibling?.textContent ?? ''])),
    );
    assert.equal(await page.textContent('#d-id'), id);
    assert.equal(fields.Subject, 'detail@example.com');
    assert.equal(fields.Level, '2');
    assert.equal(fields['IP address'], '2001:db8::7');
    assert.equal(fields.Client, 'Safari 17 on iOS 17 (mobile)');
    assert.match(fields['Idle expiry'] ?? '', /\(in 26 minutes\)/);
    assert.match(fields['Absolute expiry'] ?? '', /\(in 12 hours\)/);
    assert.match(fields.Ends ?? '', /idle limit/);
    assert.match(fields.Created ?? '', /\(4 minutes ago\)/);
    assert.deepEqual(await page.$$eval('#d-keys li', (items) => items.map((item) => item.textContent)), [
      'cart',
      'providerToken',
    ]);
    const bytes = Buffer.byteLength(JSON.stringify({ cart: 4, providerToken: 'secret-provider-value' }));
    assert.equal(await page.textContent('#d-bytes'), `(${bytes} bytes of JSON)`);
    assert.ok(((await page.textContent('#d-events')) ?? '').includes('Login'), 'its events from the trail');
    const dump = await pageDump(page);
    assert.ok(!dump.includes('secret-provider-value'), 'data values never reach the page');
    assert.ok(!dump.includes(token) && !dump.includes(hostile.token) && !dump.includes('ts1.'), 'no token');
    assert.notEqual(await page.title(), 'pwned');
    await shot(page, 'detail');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it('revoke one session: the dialog asks first; Cancel keeps it, Confirm ends it on the service', async () => {
    const subject = 'revoke-one@example.com';
    const one = await login(api, subject, { userAgent: AGENTS[0] });
    const two = await login(api, subject, { userAgent: AGENTS[2] });
    const { page, problems } = await openConsole(browser, api);
    await connect(page, api.apiKey);
    await screen(page, 'sessions');
    await search(page, subject, { sort: 'createdAt' });
    await page.click(`#rows tr[data-id="${one.id}"] button.revoke`);
    await page.waitForSelector('#confirm[open]');
    assert.equal(await page.textContent('#confirm-text'), `Revoke session ${one.id} of ${subject}?`);
    await shot(page, 'revoke-confirm');
    await page.click('#confirm-cancel');
    await page.waitForFunction(
      () => document.getElementById('status')?.textContent === 'Nothing was revoked.',
    );
    assert.equal(await works(api, one.token), true, 'Cancel revokes nothing');

    await page.click(`#rows tr[data-id="${one.id}"] button.revoke`);
    await page.waitForSelector('#confirm[open]');
    await page.click('#confirm-ok');
    await page.waitForFunction(
      (id) => document.getElementById('status')?.textContent === `Revoked session ${id}.`,
      one.id,
    );
    assert.deepEqual(await rowIds(page), [two.id], 'the list is read again');
    assert.equal(await works(api, one.token), false, 'the revoked token no longer works');
    assert.equal(await works(api, two.token), true);

    // From the detail screen too.
    await page.click(`#rows tr[data-id="${two.id}"] button.link`);
    await page.waitForSelector('#screen-detail:not([hidden])');
    await page.click('#d-revoke');
    await page.click('#confirm-ok');
    await page.waitForSelector('#screen-sessions:not([hidden])');
    await page.waitForFunction(
      (id) => document.getElementById('status')?.textContent === `Revoked session ${id}.`,
      two.id,
    );
    assert.equal(await works(api, two.token), false);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it('revoke all of a subject: acts on the subject listed, not on one typed afterwards', async () => {
    const listed = 'revoke-all@example.com';
    const typed = 'typed-after@example.com';
    const tokens = [(await login(api, listed)).token, (await login(api, listed)).token];
    const other = await login(api, typed);
    const { page, problems } = await openConsole(browser, api);
    await connect(page, api.apiKey);
    await screen(page, 'sessions');
    await search(page, listed);
    assert.equal(await page.textContent('#revoke-subject'), `Revoke all 2 sessions of ${listed}`);
    await page.fill('#q', typed); // typed, not searched
    await page.click('#revoke-subject');
    await page.waitForSelector('#confirm[open]');
    assert.equal(await page.textContent('#confirm-text'), `Revoke every session of ${listed}?`);
    await shot(page, 'revoke-all-confirm');
    await rendered(page, '#rows', () => page.click('#confirm-ok'));
    await page.waitForFunction(
      (who) => document.getElementById('status')?.textContent === `Revoked 2 sessions of ${who}.`,
      listed,
    );
    assert.deepEqual(await rowIds(page), []);
    for (const token of tokens) assert.equal(await works(api, token), false);
    assert.equal(await works(api, other.token), true, 'the subject typed afterwards is untouched');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it('phone width: every screen fits 375 px with no sideways scrolling; lists become cards', async () => {
    const { page, problems } = await openConsole(browser, api, PHONE);
    const fits = async (label: string): Promise<void> => {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= PHONE.width, `${label}: ${width} px wide`);
    };
    await fits('key');
    await connect(page, api.apiKey);
    await fits('overview');
    await shot(page, 'phone-overview');
    await rendered(page, '#feed-list', () => screen(page, 'feed'));
    await fits('feed');
    await rendered(page, '#rows', () => screen(page, 'sessions'));
    await search(page, 'ada@example.com');
    await fits('sessions');
    assert.equal(await page.isHidden('#results thead'), true, 'no table header at phone width');
    const label = await page.$eval(
      '#rows td[data-label="Client"]',
      (cell) => getComputedStyle(cell, '::before').content,
    );
    assert.equal(label, '"Client"', 'each cell names its column');
    await shot(page, 'phone-sessions');
    await page.click('#rows tr button.link');
    await page.waitForSelector('#screen-detail:not([hidden])');
    await fits('detail');
    await shot(page, 'phone-detail');
    await screen(page, 'danger');
    await fits('danger');
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});

describe('browser: the console on a store that cannot browse, and the emergency action', {
  skip: chromiumSkip(),
}, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  it('says that browsing is not offered, and still finds sessions by exact subject', async () => {
    // What a Redis store looks like to the console: no browse methods.
    const plain = unbrowsableStore();
    const own = await startService({}, { storeInstance: plain });
    try {
      const { id } = await login(own, 'plain@example.com');
      const { page, problems, urls } = await openConsole(browser, own);
      await connect(page, own.apiKey);
      assert.equal(await page.textContent('#ov-live'), 'n/a');
      await screen(page, 'sessions');
      assert.match((await page.textContent('#browse-note')) ?? '', /does not offer browsing/);
      const listed = urls.filter((url) => new URL(url).pathname === '/v1/admin/sessions').length;
      assert.equal(listed, 0, 'no list of every session is asked for');
      await page.click('#search-form button[type=submit]');
      await page.waitForFunction(() =>
        /does not offer browsing/.test(document.getElementById('status')?.textContent ?? ''),
      );
      await search(page, 'plain@example.com');
      assert.deepEqual(await rowIds(page), [id]);
      await shot(page, 'no-browse');
      assert.deepEqual(problems, []);
      await page.context().close();
    } finally {
      await own.close();
    }
  });

  it('"End every session" asks for the typed phrase, then ends every subject’s sessions and shows the count', async () => {
    // A service of its own: the count must be of exactly the sessions made here.
    const own = await startService();
    try {
      const tokens: string[] = [];
      for (const subject of ['end-all-a', 'end-all-b', 'end-all-b'])
        tokens.push((await login(own, subject)).token);
      const { page, problems, urls } = await openConsole(browser, own);
      await connect(page, own.apiKey);
      await screen(page, 'danger');
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
          await page.textContent('#status'),
          'Type "end every session" exactly to confirm. Nothing was ended.',
        );
      }
      const endAll = (url: string): boolean => new URL(url).pathname === '/v1/sessions/end-all';
      assert.ok(!urls.some(endAll), 'no request without the phrase');
      for (const token of tokens) assert.equal(await works(own, token), true);
      await page.fill('#end-all-phrase', 'end every session');
      await shot(page, 'danger');
      await page.click('#end-all');
      await page.waitForFunction(
        () => document.getElementById('status')?.textContent === 'Ended 3 session(s) of every user.',
      );
      assert.equal(await page.inputValue('#end-all-phrase'), '');
      for (const token of tokens) assert.equal(await works(own, token), false);
      assert.equal(urls.filter(endAll).length, 1);
      assert.deepEqual(problems, []);
      await page.context().close();
    } finally {
      await own.close();
    }
  });
});
