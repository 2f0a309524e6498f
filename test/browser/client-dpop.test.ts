import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type * as ClientModule from '../../src/client/index.js';
import type { TesseraClient, TesseraClientEvent } from '../../src/client/index.js';
import { DpopProofs } from '../../src/stateless/dpop/index.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { DpopTestKey } from '../support/dpop-key.js';
import { chromiumSkip, launchChromium } from './support/chromium.js';
import { type ClientApp, startClientApp } from './support/client-app.js';

interface Copied {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

declare global {
  interface Window {
    tessera: typeof ClientModule;
    client: TesseraClient;
    events: TesseraClientEvent[];
    copyStoredTokens(): Promise<Copied | null>;
    storedKey(): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; jkt: string } | null>;
  }
}

/** What a call in the page gave: its value, or the client error's code. */
type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; code: string; serverCode: string | null; name: string };

let subjects = 0;
const subject = (): string => `client-${process.pid}-${++subjects}`;

async function openTab(context: BrowserContext, url: string, refreshMargin?: number): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.waitForSelector('body[data-ready="yes"]', { state: 'attached' });
  await page.evaluate((margin) => {
    window.client = window.tessera.createTesseraClient({
      refreshUrl: '/auth/refresh',
      ...(margin === null ? {} : { refreshMargin: margin }),
    });
    window.events = [];
    window.client.subscribe((event) => window.events.push(event));
  }, refreshMargin ?? null);
  return page;
}

/** Runs `action` on the page's client, catching the client's errors into an outcome. */
function inPage<T>(page: Page, action: string, arg?: unknown): Promise<Outcome<T>> {
  return page.evaluate(
    async ([source, argument]) => {
      try {
        const run = new Function('client', 'arg', `return (async () => { ${source} })();`);
        return { ok: true as const, value: (await run(window.client, argument)) as T };
      } catch (error) {
        const e = error as { code?: string; serverCode?: string | null; name?: string; message?: string };
        return {
          ok: false as const,
          code: e.code ?? `thrown: ${e.message}`,
          serverCode: e.serverCode ?? null,
          name: e.name ?? '',
        };
      }
    },
    [action, arg] as const,
  );
}

function value<T>(outcome: Outcome<T>): T {
  assert.ok(outcome.ok, `the page call failed: ${JSON.stringify(outcome)}`);
  return outcome.value;
}

const signIn = (page: Page, name: string): Promise<Outcome<void>> =>
  inPage(
    page,
    `await client.signIn('/auth/login', {
      body: JSON.stringify({ subject: arg }),
      headers: { 'content-type': 'application/json' },
    });`,
    name,
  );

const me = (page: Page): Promise<Outcome<{ status: number; subject?: string; sessionId?: string }>> =>
  inPage(page, `const r = await client.fetch('/api/me'); return { status: r.status, ...(await r.json()) };`);

/** The claims of a JWT (read without verifying: the server verified it). */
function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

describe('browser client (@tessera-sessions/tessera/client) in Chromium', { skip: chromiumSkip() }, () => {
  let app: ClientApp;
  let browser: Browser;

  before(async () => {
    app = await startClientApp();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('two tabs refreshing at once make exactly one rotation, and both keep working', async () => {
    const context = await browser.newContext();
    try {
      const a = await openTab(context, app.url);
      const b = await openTab(context, app.url);
      const name = subject();
      value(await signIn(a, name));
      // The second tab uses the pair the first one stored (one IndexedDB per origin).
      assert.equal(value(await me(b)).subject, name);
      const start = { ...app.counts };

      // Both tabs ask to rotate at the same moment: the second takes the lock after the first and uses its pair.
      const both = await Promise.all([
        inPage(a, 'await client.refresh();'),
        inPage(b, 'await client.refresh();'),
      ]);
      for (const outcome of both) value(outcome);
      assert.equal(
        app.counts.refreshRequests - start.refreshRequests,
        1,
        'one refresh request for both tabs',
      );
      assert.equal(app.counts.rotations - start.rotations, 1);

      // The access token expires by the server's clock: both tabs' requests are refused (440) at once; each
      // refreshes, and only one rotation reaches the server.
      app.clock.advance(16 * 60_000);
      const [ra, rb] = await Promise.all([me(a), me(b)]);
      assert.equal(value(ra).status, 200);
      assert.equal(value(rb).status, 200);
      assert.equal(app.counts.refreshRequests - start.refreshRequests, 2, 'one more refresh for both tabs');
      assert.equal(app.counts.rotations - start.rotations, 2);

      // Grace 0 on the server: a second rotation of any replaced token would have ended the family. It lives.
      const [ta, tb] = await Promise.all([
        a.evaluate(() => window.copyStoredTokens()),
        b.evaluate(() => window.copyStoredTokens()),
      ]);
      assert.deepEqual(ta, tb);
      value(await inPage(b, 'await client.refresh();'));
      assert.equal(value(await me(a)).status, 200);
      assert.equal(value(await me(b)).status, 200);
      // The other tab heard of each rotation over the BroadcastChannel.
      const heard = await a.evaluate(() => window.events.filter((event) => event.remote).map((e) => e.type));
      assert.ok(heard.includes('refreshed'), JSON.stringify(heard));
    } finally {
      await context.close();
    }
  });

  it('refreshes before a request once the token expires within refreshMargin, with no refused request', async () => {
    const context = await browser.newContext();
    try {
      // A margin longer than the token's 15 minutes: every pair is about to expire as soon as it arrives.
      const page = await openTab(context, app.url, 3600);
      value(await signIn(page, subject()));
      const start = { ...app.counts };
      const first = (await page.evaluate(() => window.copyStoredTokens()))?.accessToken;
      assert.equal(value(await me(page)).status, 200);
      assert.equal(app.counts.rotations - start.rotations, 1, 'rotated before the request');
      assert.equal(app.counts.meRequests - start.meRequests, 1, 'the request went once, with the new token');
      assert.notEqual((await page.evaluate(() => window.copyStoredTokens()))?.accessToken, first);
    } finally {
      await context.close();
    }
  });

  it('a token pair copied out of the page is refused without the key: from Node and from another context', async () => {
    const context = await browser.newContext();
    const thiefContext = await browser.newContext();
    try {
      const page = await openTab(context, app.url);
      value(await signIn(page, subject()));
      const stolen = await page.evaluate(() => window.copyStoredTokens());
      assert.ok(stolen !== null);
      const jkt = value(await inPage<string>(page, 'return client.thumbprint();'));
      assert.deepEqual(claimsOf(stolen.accessToken).cnf, { jkt });

      // From Node: as a bearer token, as DPoP without a proof, and with a proof by the thief's own key.
      const meUrl = `${app.url}/api/me`;
      const asBearer = await fetch(meUrl, { headers: { authorization: `Bearer ${stolen.accessToken}` } });
      assert.equal(asBearer.status, 401);
      assert.match(asBearer.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      const noProof = await fetch(meUrl, { headers: { authorization: `DPoP ${stolen.accessToken}` } });
      assert.equal(noProof.status, 401);
      const thiefKey = await DpopTestKey.create('ES256');
      const otherKey = await fetch(meUrl, {
        headers: {
          authorization: `DPoP ${stolen.accessToken}`,
          dpop: await thiefKey.proof({ htm: 'GET', htu: meUrl, accessToken: stolen.accessToken }),
        },
      });
      assert.equal(otherKey.status, 401);
      assert.match(otherKey.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      const refreshUrl = `${app.url}/auth/refresh`;
      const replayedRefresh = await fetch(refreshUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          dpop: await thiefKey.proof({ htm: 'POST', htu: refreshUrl }),
        },
        body: JSON.stringify({ refreshToken: stolen.refreshToken }),
      });
      assert.equal(replayedRefresh.status, 401);
      assert.deepEqual(
        ((await replayedRefresh.json()) as { error: { code: string } }).error.code,
        'token_invalid',
      );

      // From another browser context: the thief's client (its own key) given the copied pair. Its request is
      // refused, its refresh too, and it ends signed out.
      const thief = await openTab(thiefContext, app.url);
      assert.notEqual(value(await inPage<string>(thief, 'return client.thumbprint();')), jkt);
      value(await inPage(thief, 'await client.setTokens({ ...arg, expiresIn: 600 });', stolen));
      const before = app.counts.rotations;
      const refused = await me(thief);
      assert.equal(refused.ok, false);
      assert.equal(refused.ok ? null : refused.code, 'signed_out');
      assert.equal(refused.ok ? null : refused.serverCode, 'token_invalid');
      const raw = await inPage<number>(
        thief,
        `return (await fetch('/api/me', { headers: { authorization: 'DPoP ' + arg, dpop: await client.proof('GET', location.origin + '/api/me', arg) } })).status;`,
        stolen.accessToken,
      );
      assert.equal(value(raw), 401);
      assert.equal(app.counts.rotations, before, 'no rotation for the thief');

      // The owner is unharmed: the family was not ended by the thief's attempts.
      assert.equal(value(await me(page)).status, 200);
      value(await inPage(page, 'await client.refresh();'));
      assert.equal(value(await me(page)).status, 200);
    } finally {
      await thiefContext.close();
      await context.close();
    }
  });

  it('keeps a non-extractable P-256 key in IndexedDB that survives a reload (same thumbprint)', async () => {
    const context = await browser.newContext();
    try {
      const page = await openTab(context, app.url);
      const jkt = value(await inPage<string>(page, 'return client.thumbprint();'));
      const facts = await page.evaluate(async () => {
        const key = await window.storedKey();
        if (key === null) return null;
        const exportErrors: string[] = [];
        for (const format of ['jwk', 'pkcs8'] as const) {
          try {
            await crypto.subtle.exportKey(format, key.privateKey);
            exportErrors.push('exported');
          } catch (error) {
            exportErrors.push((error as Error).name);
          }
        }
        return {
          extractable: key.privateKey.extractable,
          type: key.privateKey.type,
          algorithm: key.privateKey.algorithm as EcKeyAlgorithm,
          usages: key.privateKey.usages,
          exportErrors,
          jkt: key.jkt,
        };
      });
      assert.ok(facts !== null, 'the key is in IndexedDB');
      assert.equal(facts.extractable, false);
      assert.equal(facts.type, 'private');
      assert.deepEqual(facts.algorithm, { name: 'ECDSA', namedCurve: 'P-256' });
      assert.deepEqual(facts.usages, ['sign']);
      assert.deepEqual(facts.exportErrors, ['InvalidAccessError', 'InvalidAccessError']);
      assert.equal(facts.jkt, jkt);

      await page.reload();
      await page.waitForSelector('body[data-ready="yes"]', { state: 'attached' });
      await page.evaluate(() => {
        window.client = window.tessera.createTesseraClient({ refreshUrl: '/auth/refresh' });
      });
      assert.equal(value(await inPage<string>(page, 'return client.thumbprint();')), jkt);
      const second = await openTab(context, app.url);
      assert.equal(value(await inPage<string>(second, 'return client.thumbprint();')), jkt);
      // The server binds what it issues to that key.
      value(await signIn(second, subject()));
      const tokens = await second.evaluate(() => window.copyStoredTokens());
      assert.deepEqual(claimsOf(tokens?.accessToken ?? '').cnf, { jkt });
      // Another context (another browser profile's storage) has its own key.
      const other = await browser.newContext();
      try {
        const elsewhere = await openTab(other, app.url);
        assert.notEqual(value(await inPage<string>(elsewhere, 'return client.thumbprint();')), jkt);
      } finally {
        await other.close();
      }
    } finally {
      await context.close();
    }
  });

  it('signs proofs as RFC 9449 asks: dpop+jwt, ES256, the public jwk, htm, htu without query, iat, jti, ath', async () => {
    const context = await browser.newContext();
    try {
      const page = await openTab(context, app.url);
      const token = 'an-access-token-for-the-proof';
      const made = value(
        await inPage<{ proof: string; jkt: string }>(
          page,
          `return { proof: await client.proof('get', '/api/me?page=2#top', arg), jkt: await client.thumbprint() };`,
          token,
        ),
      );
      const [header, claims] = made.proof
        .split('.')
        .slice(0, 2)
        .map(
          (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>,
        );
      assert.deepEqual(Object.keys(header ?? {}).sort(), ['alg', 'jwk', 'typ']);
      assert.equal(header?.typ, 'dpop+jwt');
      assert.equal(header?.alg, 'ES256');
      assert.deepEqual(
        Object.keys(header?.jwk as object).sort(),
        ['crv', 'kty', 'x', 'y'],
        'no private part',
      );
      assert.equal(claims?.htm, 'GET');
      assert.equal(claims?.htu, `${app.url}/api/me`);
      assert.equal(claims?.ath, createHash('sha256').update(token).digest('base64url'));
      assert.match(String(claims?.jti), /^[A-Za-z0-9_-]{22}$/);
      assert.ok(Math.abs(Number(claims?.iat) - Date.now() / 1000) < 30);
      assert.equal(claims?.nonce, undefined, 'no nonce before a server gave one');
      // Tessera's own verifier accepts it, for this request and token, and finds the client's thumbprint.
      const verified = await new DpopProofs({ store: new MemoryStore() }).verify(made.proof, {
        method: 'GET',
        url: `${app.url}/api/me`,
        accessToken: token,
      });
      assert.deepEqual(verified, { ok: true, jkt: made.jkt });
      const other = value(await inPage<string>(page, `return client.proof('GET', '/api/me', arg);`, token));
      assert.notEqual(
        JSON.parse(Buffer.from(other.split('.')[1] ?? '', 'base64url').toString()).jti,
        claims?.jti,
      );
    } finally {
      await context.close();
    }
  });

  it('answers use_dpop_nonce by retrying once with the server nonce, at sign-in, on requests and refreshes', async () => {
    const nonceApp = await startClientApp({ nonces: true });
    const context = await browser.newContext();
    try {
      const page = await openTab(context, nonceApp.url);
      value(await signIn(page, subject()));
      assert.equal(nonceApp.counts.login, 2, 'the first proof had no nonce; the retry carried it');
      assert.equal(value(await me(page)).status, 200);
      assert.equal(nonceApp.counts.meRequests, 1, 'the nonce learnt at sign-in is used at once');

      // Two periods later the nonce is stale: one refusal with the new one, one retry.
      nonceApp.nonceClock.advance(11 * 60_000);
      assert.equal(value(await me(page)).status, 200);
      assert.equal(nonceApp.counts.meRequests, 3);
      assert.equal(value(await me(page)).status, 200);
      assert.equal(nonceApp.counts.meRequests, 4);

      nonceApp.nonceClock.advance(11 * 60_000);
      value(await inPage(page, 'await client.refresh();'));
      assert.equal(nonceApp.counts.refreshRequests, 2);
      assert.equal(nonceApp.counts.rotations, 1);
    } finally {
      await context.close();
      await nonceApp.close();
    }
  });

  it('reports a refresh the server cannot answer (503) as refresh_failed and keeps the pair for the next try', async () => {
    const context = await browser.newContext();
    try {
      const page = await openTab(context, app.url);
      value(await signIn(page, subject()));
      const before = await page.evaluate(() => window.copyStoredTokens());
      app.refreshFault = 503;
      let failed: Outcome<void>;
      try {
        failed = await inPage(page, 'await client.refresh();');
      } finally {
        app.refreshFault = null;
      }
      assert.deepEqual(failed.ok ? null : [failed.code, failed.serverCode], [
        'refresh_failed',
        'store_unavailable',
      ]);
      assert.deepEqual(await page.evaluate(() => window.copyStoredTokens()), before, 'the pair is kept');
      assert.equal(value(await inPage<boolean>(page, 'return client.isSignedIn();')), true);
      const heard = await page.evaluate(() => window.events.map((event) => event.type));
      assert.ok(!heard.includes('signed-out'), JSON.stringify(heard));
      value(await inPage(page, 'await client.refresh();'));
      assert.equal(value(await me(page)).status, 200);
    } finally {
      await context.close();
    }
  });

  it('surfaces a refused refresh as signed_out, in every tab, without further requests', async () => {
    const context = await browser.newContext();
    try {
      const a = await openTab(context, app.url);
      const b = await openTab(context, app.url);
      const notYet = await me(a);
      assert.equal(
        notYet.ok ? 'ok' : notYet.code,
        'signed_out',
        'no pair yet: signed out, before any request',
      );
      value(await signIn(a, subject()));
      const { sessionId } = value(await me(b));
      assert.ok(sessionId);
      assert.ok(await app.manager.revokeById(sessionId));

      const refused = await inPage(a, 'await client.refresh();');
      assert.deepEqual(refused.ok ? null : [refused.name, refused.code, refused.serverCode], [
        'TesseraClientError',
        'signed_out',
        'token_invalid',
      ]);
      assert.equal(value(await inPage<boolean>(a, 'return client.isSignedIn();')), false);
      assert.equal(
        await a.evaluate(() => window.copyStoredTokens()),
        null,
        'the pair is gone from IndexedDB',
      );
      // The other tab was told, and its next request fails at once, without reaching the server.
      await b.waitForFunction(() =>
        window.events.some((event) => event.type === 'signed-out' && event.remote),
      );
      const told = await b.evaluate(() => window.events.find((event) => event.type === 'signed-out'));
      assert.deepEqual(told, { type: 'signed-out', reason: 'refused', remote: true });
      const requests = app.counts.meRequests;
      const after = await me(b);
      assert.equal(after.ok ? 'ok' : after.code, 'signed_out');
      assert.equal(app.counts.meRequests, requests);
    } finally {
      await context.close();
    }
  });
});
