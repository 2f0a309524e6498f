// The Hono middleware answers Tessera's own errors thrown inside a handler as it answers them before it: a login
// while the store is down is 503 `store_unavailable` with Retry-After (fail closed), even with Hono's default
// onError (which would make it a 500). The app's own errors stay with its onError.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { type TesseraEnv, tesseraHono } from '../../src/adapters/hono/index.js';
import { StoreUnavailableError } from '../../src/core/errors.js';
import { createTessera, HttpSessions, MemoryStore } from '../../src/index.js';

const SECRET = 'a-csrf-secret-of-at-least-32-characters!!';
const post = { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } };

function app(store = new MemoryStore()): Hono<TesseraEnv> {
  const auth = tesseraHono(new HttpSessions(createTessera({ store }), { csrf: { secret: SECRET } }));
  const hono = new Hono<TesseraEnv>();
  hono.use(auth.middleware);
  hono.post('/login', async (c) => {
    await auth.login(c, { subject: 'ada' });
    return c.text('signed in');
  });
  hono.post('/thrown', () => {
    throw new StoreUnavailableError('down', { retryAfter: 4 });
  });
  hono.post('/bug', () => {
    throw new RangeError('a bug in the app');
  });
  return hono;
}

describe('hono middleware: errors thrown by the handler', () => {
  it('a real login against a store that fails is 503 store_unavailable with Retry-After, no cookie', async () => {
    const store = new MemoryStore();
    store.create = () => Promise.reject(new Error('connection reset'));
    const response = await app(store).request('https://app.test/login', post);
    assert.equal(response.status, 503, await response.clone().text());
    assert.ok(response.headers.get('retry-after'));
    assert.equal(response.headers.get('set-cookie'), null);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'store_unavailable');
  });

  it('a StoreUnavailableError thrown by the handler keeps its Retry-After', async () => {
    const response = await app().request('https://app.test/thrown', post);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '4');
  });

  it("the app's own errors stay with Hono's onError (here its default 500)", async () => {
    const hono = app();
    let seen: unknown = null;
    hono.onError((error, c) => {
      seen = error;
      return c.text('app error page', 500);
    });
    const response = await hono.request('https://app.test/bug', post);
    assert.equal(response.status, 500);
    assert.equal(await response.text(), 'app error page');
    assert.ok(seen instanceof RangeError);
  });
});
