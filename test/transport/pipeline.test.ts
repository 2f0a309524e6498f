// The request path's own rules, below the adapters: fail closed for a cookie-borne credential without a CSRF
// check, the header merge, and the Clear-Site-Data setting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTessera } from '../../src/core/manager.js';
import type { SessionData } from '../../src/core/session.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import type { Authentication, SessionAuthenticator } from '../../src/transport/authenticator.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import {
  joinVary,
  mergeHeaderLists,
  openRequestSession,
  requireSignedIn,
} from '../../src/transport/pipeline.js';
import type { RequestFacts } from '../../src/transport/request.js';
import { resolveClearSiteData } from '../../src/transport/session-mode.js';

function facts(method: string, headers: Record<string, string> = {}): RequestFacts {
  return { method, url: '/', header: (name) => headers[name] ?? null, ip: '127.0.0.1' };
}

/** A mode of the application's own: reads a cookie, offers no CSRF check. */
const homemade: SessionAuthenticator<SessionData> = {
  async authenticate(): Promise<Authentication<SessionData>> {
    return { result: { ok: false, code: 'token_missing', status: 401 }, setCookies: [], via: 'cookie' };
  },
};

describe('request path', () => {
  it('refuses an unsafe cookie-borne request of a mode it cannot CSRF-check (fail closed)', async () => {
    const post = await openRequestSession(homemade, facts('POST', { 'sec-fetch-site': 'same-origin' }));
    assert.equal(post.ok, false);
    if (!post.ok) {
      assert.equal(post.reply.status, 403);
      assert.match(post.reply.body, /csrf_rejected/);
    }
    assert.equal((await openRequestSession(homemade, facts('GET'))).ok, true, 'safe methods pass');
  });

  it('marks a response that required a session as no-store even without a credential', async () => {
    const sessions = new HttpSessions(createTessera({ store: new MemoryStore() }));
    const opened = await openRequestSession(sessions, facts('GET'));
    assert.ok(opened.ok);
    assert.equal(
      opened.session.headers().some(([name]) => name === 'cache-control'),
      false,
      'public: cacheable',
    );
    const refusal = requireSignedIn(opened.session);
    assert.ok(refusal);
    assert.equal(refusal.status, 401);
    assert.ok(
      opened.session.headers().some(([name, value]) => name === 'cache-control' && value === 'no-store'),
    );
  });

  it('merges headers once: Set-Cookie by cookie name, Vary by token, the rest replaced', () => {
    const merged = mergeHeaderLists(
      [
        ['set-cookie', 'app=1; Path=/'],
        ['set-cookie', '__Host-session=old; Path=/'],
        ['vary', 'Accept-Encoding, cookie'],
        ['cache-control', 'public, max-age=60'],
      ],
      [
        ['set-cookie', '__Host-session=new; Path=/'],
        ['cache-control', 'no-store'],
        ['vary', 'Cookie, Origin'],
      ],
    );
    assert.deepEqual(
      merged.filter(([name]) => name === 'set-cookie').map(([, value]) => value),
      ['app=1; Path=/', '__Host-session=new; Path=/'],
    );
    assert.deepEqual(
      merged.filter(([name]) => name === 'cache-control'),
      [['cache-control', 'no-store']],
    );
    assert.deepEqual(
      merged.filter(([name]) => name === 'vary'),
      [['vary', 'Accept-Encoding, cookie, Origin']],
    );
    assert.equal(joinVary(['Cookie', ' cookie ,Authorization', '']), 'Cookie, Authorization');
  });

  it('Clear-Site-Data: "cookies" by default, more on request, none with false, and no unknown types', () => {
    assert.equal(resolveClearSiteData(undefined), '"cookies"');
    assert.equal(resolveClearSiteData(['cookies', 'storage', 'cache']), '"cookies", "storage", "cache"');
    assert.equal(resolveClearSiteData(false), null);
    assert.throws(() => resolveClearSiteData(['everything' as 'cookies']), TypeError);
  });

  it('a logout through the request path sends the configured Clear-Site-Data', async () => {
    const manager = createTessera({ store: new MemoryStore() });
    const sessions = new HttpSessions(manager, { clearSiteData: ['cookies', 'storage'] });
    const { token, session } = await manager.create({ subject: 'someone' });
    const opened = await openRequestSession(
      sessions,
      facts('POST', {
        cookie: `__Host-session=${token}`,
        'sec-fetch-site': 'same-origin',
        'x-csrf-token': sessions.csrfToken(session),
      }),
    );
    assert.ok(opened.ok);
    assert.equal(await opened.session.logout(), true);
    const headers = opened.session.headers();
    assert.ok(
      headers.some(([name, value]) => name === 'clear-site-data' && value === '"cookies", "storage"'),
    );
    assert.ok(headers.some(([name, value]) => name === 'set-cookie' && value.includes('Max-Age=0')));
  });
});
