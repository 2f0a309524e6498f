import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import {
  type ExampleApp,
  type ExampleAppOptions,
  startExampleApp,
} from '../../../examples/express-app/app.js';
import { type ManualClock, manualClock } from '../../../src/core/clock.js';
import type { TesseraEvent } from '../../../src/core/events.js';
import { launchChromium } from './chromium.js';

export const SESSION_COOKIE = '__Host-session';
export const PASSWORD = 'correct horse battery staple';

/** One request as the app's server answered it (seen from the server, so even responses the browser hides). */
export interface ServedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** The example app on http://localhost:<port> with a manual clock, and one Chromium for a test file. */
export interface Harness {
  readonly app: ExampleApp;
  readonly browser: Browser;
  readonly clock: ManualClock;
  /** Every Tessera event the app emitted, in order. */
  readonly events: TesseraEvent[];
  /** Resolves with the next request the server answers that matches (rejects after 15 s without one). */
  nextServed(match: (served: ServedRequest) => boolean): Promise<ServedRequest>;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<ExampleAppOptions> = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-browser-'));
  const clock = manualClock(Date.now());
  const events: TesseraEvent[] = [];
  const app = await startExampleApp({
    dataDir,
    clock,
    // Real scrypt at a lower cost than the OWASP default, so a dozen sign-ins stay quick.
    scryptCost: { N: 2 ** 14, r: 8, p: 1 },
    onEvent: (event) => events.push(event),
    ...options,
  });
  const waiters = new Set<{
    match: (served: ServedRequest) => boolean;
    resolve: (s: ServedRequest) => void;
  }>();
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    response.on('finish', () => {
      const served = { method: request.method ?? '', path: request.url ?? '', status: response.statusCode };
      for (const waiter of waiters) {
        if (!waiter.match(served)) continue;
        waiters.delete(waiter);
        waiter.resolve(served);
      }
    });
  });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await app.close();
    throw error;
  }
  return {
    app,
    browser,
    clock,
    events,
    nextServed(match) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error('the app answered no matching request'));
        }, 15_000);
        const waiter = {
          match,
          resolve: (served: ServedRequest) => {
            clearTimeout(timer);
            resolve(served);
          },
        };
        waiters.add(waiter);
      });
    },
    async close() {
      await browser.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A user name no other test uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export async function signUp(page: Page, app: ExampleApp, username: string): Promise<void> {
  await page.goto(`${app.url}/signup`);
  await page.fill('#signup-form input[name=username]', username);
  await page.fill('#signup-form input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL(`${app.url}/`), page.click('#signup-form button[type=submit]')]);
}

export async function signIn(
  page: Page,
  app: ExampleApp,
  username: string,
  password = PASSWORD,
): Promise<void> {
  await page.goto(`${app.url}/login`);
  await page.fill('#login-form input[name=username]', username);
  await page.fill('#login-form input[name=password]', password);
  await Promise.all([page.waitForURL(`${app.url}/`), page.click('#login-form button[type=submit]')]);
}

export async function sessionCookie(context: BrowserContext, app: ExampleApp): Promise<Cookie | undefined> {
  return (await context.cookies(app.url)).find((cookie) => cookie.name === SESSION_COOKIE);
}

/** Puts a session cookie into the browser as an attacker (or a restored backup) would. */
export async function plantSessionCookie(
  context: BrowserContext,
  app: ExampleApp,
  value: string,
): Promise<void> {
  await context.clearCookies({ name: SESSION_COOKIE });
  await context.addCookies([
    // domain + path, not url: with an http:// url Playwright would drop Secure, and Chromium then refuses __Host-.
    {
      name: SESSION_COOKIE,
      value,
      domain: new URL(app.url).hostname,
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
    },
  ]);
}

/** Loads `/api/me` in the page (a real navigation carrying the browser's cookies): status and error code. */
export async function whoAmI(
  page: Page,
  app: ExampleApp,
): Promise<{ status: number; code: string | null; subject: string | null }> {
  const response = await page.goto(`${app.url}/api/me`);
  if (response === null) throw new Error('no response for /api/me');
  const body = (await response.json()) as { error?: { code: string }; subject?: string };
  return { status: response.status(), code: body.error?.code ?? null, subject: body.subject ?? null };
}
