// The Next.js example (examples/next-app) in Chromium, built with `next build` and served by `next start`, as
// a user runs it: the proxy, server components, Server Actions and a route handler on one session store
// (the globalThis singleton: each has its own module graph).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startAttacker } from './support/attacker.js';
import { chromiumSkip, launchChromium } from './support/chromium.js';

const APP_DIR = resolve(import.meta.dirname, '../../examples/next-app');
const NEXT_BIN = resolve(import.meta.dirname, '../../node_modules/next/dist/bin/next');
/** The build goes to examples/next-app/.next, ignored by git (stop `npm run example:next` before the test). */
const ENV = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, [NEXT_BIN, ...args], { cwd: APP_DIR, env: ENV, stdio: 'pipe' });
}

async function build(): Promise<void> {
  const child = run(['build']);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  if (code !== 0) throw new Error(`next build failed (${code}):\n${output}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function start(port: number): Promise<ChildProcess> {
  const child = run(['start', '-p', String(port), '-H', '127.0.0.1']);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('next start exited');
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return child;
    } catch {
      await new Promise((done) => setTimeout(done, 200));
    }
  }
  throw new Error('next start did not answer');
}

async function signIn(page: Page, origin: string, password = 'wonderland'): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.fill('input[name=username]', 'alice');
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

describe('browser: the Next.js example app (next build + next start)', { skip: chromiumSkip() }, () => {
  let server: ChildProcess | undefined;
  let browser: Browser;
  let origin: string;
  let victim: BrowserContext;
  let page: Page;

  before(
    async () => {
      const started = Date.now();
      await build();
      const port = await freePort();
      server = await start(port);
      // localhost, not 127.0.0.1: the attacker page below runs on 127.0.0.1, another site.
      origin = `http://localhost:${port}`;
      browser = await launchChromium();
      victim = await browser.newContext();
      // A broken flow fails in seconds, not at Playwright's 30 s default per step.
      victim.setDefaultTimeout(10_000);
      page = await victim.newPage();
      console.log(`next build + start: ${Date.now() - started} ms`);
    },
    { timeout: 150_000 },
  );
  after(async () => {
    await browser?.close();
    server?.kill();
  });

  it('signed out, the proxy redirects the protected page to /login with no-store', async () => {
    const redirects: { status: number; cacheControl: string | null }[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/account')
        redirects.push({
          status: response.status(),
          cacheControl: response.headers()['cache-control'] ?? null,
        });
    });
    await page.goto(`${origin}/account`);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.deepEqual(redirects[0], { status: 307, cacheControl: 'no-store' });
    page.removeAllListeners('response');
  });

  it('a wrong password is a value shown by the form, not an error page', async () => {
    await signIn(page, origin, 'not the password');
    // `main p`: Next's route announcer is a `role=alert` too.
    await page.waitForSelector('main p[role=alert]');
    assert.match((await page.textContent('main p[role=alert]')) ?? '', /bad_credentials/);
  });

  it('login through the Server Action: the account page shows the session and the active sessions', async () => {
    await signIn(page, origin);
    await page.waitForURL(`${origin}/account`);
    assert.equal(await page.textContent('#subject'), 'alice');
    assert.equal(await page.locator('#sessions li').count(), 1);
    const [cookie] = (await victim.cookies(origin)).filter((c) => c.name === 'tessera-session');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
  });

  it('another device appears in the list; "sign out" ends it, "sign out all others" asks for sudo first', async () => {
    const other = await browser.newContext();
    other.setDefaultTimeout(10_000);
    const otherPage = await other.newPage();
    await signIn(otherPage, origin);
    await otherPage.waitForURL(`${origin}/account`);
    const third = await browser.newContext();
    third.setDefaultTimeout(10_000);
    const thirdPage = await third.newPage();
    await signIn(thirdPage, origin);
    await thirdPage.waitForURL(`${origin}/account`);
    const otherId = await otherPage.textContent('#session-id');

    await page.reload();
    assert.equal(await page.locator('#sessions li').count(), 3);
    await page.click(`#sessions li[data-session="${otherId}"] button`);
    await page.waitForFunction(() => document.querySelectorAll('#sessions li').length === 2);
    await otherPage.goto(`${origin}/account`);
    assert.equal(new URL(otherPage.url()).pathname, '/login', 'the ended session is signed out');

    await page.click('text=Sign out all other sessions');
    await page.waitForURL(`${origin}/sudo`);
    await page.fill('input[name=password]', 'wonderland');
    await page.click('button[type=submit]');
    await page.waitForURL(`${origin}/account`);
    assert.equal(await page.textContent('#level'), '2');
    await page.click('text=Sign out all other sessions');
    await page.waitForFunction(() => document.querySelectorAll('#sessions li').length === 1);
    await thirdPage.goto(`${origin}/account`);
    assert.equal(new URL(thirdPage.url()).pathname, '/login');
    await other.close();
    await third.close();
  });

  it('a tampered form token: the Server Action answers a typed refusal and the session stays', async () => {
    await page.goto(`${origin}/account`);
    await page.evaluate(() => {
      const field = document.querySelector<HTMLInputElement>('#logout input[name=_csrf]');
      if (field) field.value = 'forged';
    });
    await page.click('#logout button');
    await page.waitForSelector('#logout [role=alert]');
    assert.equal(await page.textContent('#logout [role=alert]'), 'Refused: csrf_rejected (token_invalid)');
    await page.goto(`${origin}/account`);
    assert.equal(await page.textContent('#subject'), 'alice');
  });

  it('a cross-site POST to the logout route is refused 403 and the session survives', async () => {
    const attacker = await startAttacker(origin, '127.0.0.1');
    try {
      const attackPage = await victim.newPage();
      const [answer] = await Promise.all([
        attackPage.waitForResponse((r) => new URL(r.url()).pathname === '/api/logout'),
        attackPage.goto(`${attacker.origin}/form?action=/api/logout`),
      ]);
      assert.equal(answer.status(), 403);
      assert.match(await answer.text(), /csrf_rejected/);
      await attackPage.close();
    } finally {
      await attacker.close();
    }
    await page.goto(`${origin}/account`);
    assert.equal(await page.textContent('#subject'), 'alice');
  });

  it('logout through the Server Action, then the back button shows the login page, not the account', async () => {
    await page.goto(`${origin}/`);
    await page.goto(`${origin}/account`);
    await page.click('#logout button');
    await page.waitForURL(`${origin}/login`);
    assert.equal((await victim.cookies(origin)).filter((c) => c.name === 'tessera-session').length, 0);
    await page.goBack();
    await page.waitForLoadState();
    await page.waitForURL((url) => url.pathname === '/login' || url.pathname === '/');
    assert.equal(await page.locator('#subject').count(), 0, 'no signed-in account page from a cache');
    await page.goto(`${origin}/account`);
    assert.equal(new URL(page.url()).pathname, '/login');
  });
});
