import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createTessera } from '../../src/core/manager.js';
import { SealedSessions } from '../../src/stateless/sealed/index.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import type { CookieOptions } from '../../src/transport/cookie.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import type { CookieSessionMode } from '../../src/transport/session-mode.js';
import { facts, SECRET_A } from '../stateless/helpers.js';

// ASVS 5.0 3.3.1 / 3.3.4 hold for every mode that sets a cookie: each resolves its options the same way, and its
// login and anonymous pre-login cookies (the only cookies Tessera sets; CSRF tokens are session-bound, not cookies)
// carry the name and HttpOnly it resolved.
const store = new MemoryStore();
after(() => store.close());

const modes: [string, (cookie: CookieOptions) => CookieSessionMode][] = [
  ['HttpSessions', (cookie) => new HttpSessions(createTessera({ store }), { cookie })],
  ['SealedSessions', (cookie) => new SealedSessions({ keys: [{ id: 'k1', secret: SECRET_A }], cookie })],
];

async function cookiesSet(mode: CookieSessionMode): Promise<string[]> {
  const anonymous = await mode.startAnonymous(facts(null));
  const login = await mode.login(facts(null), { subject: 'alice' });
  return [...anonymous.setCookies, ...login.setCookies];
}

for (const [label, make] of modes) {
  describe(`${label}: cookie name and HttpOnly rules`, () => {
    it('refuses an unprefixed name at construction, naming the opt-out', () => {
      assert.throws(() => make({ name: 'sid' }), {
        name: 'TypeError',
        message: /"sid" has no __Host- .*`unsafeAllowUnprefixedName: true`/,
      });
      assert.throws(() => make({ name: 'sid', domain: 'example.com' }), {
        name: 'TypeError',
        message: /has a Domain but no __Secure- prefix/,
      });
    });

    it('refuses httpOnly: false at construction, naming the opt-out', () => {
      assert.throws(() => make({ httpOnly: false }), {
        name: 'TypeError',
        message: /`httpOnly: false`.*`unsafeAllowScriptAccess: true`/,
      });
    });

    it('sets its default __Host- HttpOnly cookie at login and for anonymous pre-login sessions', async () => {
      const cookies = await cookiesSet(make({}));
      assert.equal(cookies.length, 2);
      for (const line of cookies) assert.match(line, /^__Host-session=[^;]+; Path=\/; HttpOnly; Secure;/);
    });

    it('honours the explicit opt-outs, and development mode without one', async () => {
      const legacy = await cookiesSet(
        make({
          name: 'sid',
          httpOnly: false,
          unsafeAllowUnprefixedName: true,
          unsafeAllowScriptAccess: true,
        }),
      );
      for (const line of legacy) {
        assert.match(line, /^sid=/);
        assert.doesNotMatch(line, /HttpOnly/);
      }
      for (const line of await cookiesSet(make({ development: true }))) {
        assert.match(line, /^tessera-session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
      }
    });
  });
}
