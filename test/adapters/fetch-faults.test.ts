// The fetch adapter's `guard` and `protect` answer Tessera's own errors thrown inside the handler as they answer
// them before it: a login or logout while the store is down is 503 `store_unavailable` with Retry-After (fail
// closed), not an unhandled 500. The app's own errors are rethrown for the platform to handle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guard, protect } from '../../src/adapters/fetch/index.js';
import { StoreUnavailableError } from '../../src/core/errors.js';
import { createTessera, HttpSessions, MemoryStore } from '../../src/index.js';

const ORIGIN = 'https://app.test';

function sessions(): HttpSessions {
  return new HttpSessions(createTessera({ store: new MemoryStore() }), {
    csrf: { secret: 'a-csrf-secret-of-at-least-32-characters!!' },
  });
}

const post = (path: string, headers: Record<string, string> = {}): Request =>
  new Request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'sec-fetch-site': 'same-origin', ...headers },
  });

describe('fetch adapter: errors thrown by the handler', () => {
  it('guard: a store fault inside the handler is 503 store_unavailable with Retry-After', async () => {
    const app = guard(sessions(), () => {
      throw new StoreUnavailableError('the store is down', { retryAfter: 7 });
    });
    const response = await app(post('/login'));
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '7');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'store_unavailable');
  });

  it('guard: a real login against a store that fails is 503, and the cookie is not set', async () => {
    const store = new MemoryStore();
    const http = new HttpSessions(createTessera({ store }), {
      csrf: { secret: 'a-csrf-secret-of-at-least-32-characters!!' },
    });
    store.create = () => Promise.reject(new Error('connection reset'));
    const app = guard(http, async (_request, { requestSession }) => {
      await requestSession.login({ subject: 'ada' });
      return new Response('signed in');
    });
    const response = await app(post('/login'));
    assert.equal(response.status, 503, await response.clone().text());
    assert.equal(response.headers.get('set-cookie'), null);
  });

  it('protect: a Tessera error inside the handler is answered with its own status and code', async () => {
    const http = sessions();
    const login = guard(http, async (_request, { requestSession }) => {
      await requestSession.login({ subject: 'ada' });
      return new Response('ok');
    });
    const signedIn = await login(post('/login'));
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const app = protect(http, () => {
      throw new StoreUnavailableError('down');
    });
    const response = await app(new Request(`${ORIGIN}/me`, { headers: { cookie } }));
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '1');
  });

  it("the app's own errors are rethrown, not turned into an answer", async () => {
    const failing = guard(sessions(), () => {
      throw new RangeError('a bug in the app');
    });
    await assert.rejects(failing(post('/x')), RangeError);
  });
});
