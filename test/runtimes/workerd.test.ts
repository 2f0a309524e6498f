// The web-safe entries (the root, `/fetch`, `/csrf`) on the real workerd: test/runtimes/fixtures/
// workerd-worker.ts, bundled as a Worker is (esbuild, platform neutral, workerd's export conditions, so any
// node: built-in fails the bundle), served by workerd without `nodejs_compat` on an old compatibility date (no
// Buffer, no process, no node: modules) and with `nodejs_compat` on a current one. A login, a protected page,
// the CSRF defence and a logout run through each; the sessions are built at module scope, where workerd
// refuses random values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  nodeReferences,
  WITH_NODEJS_COMPAT,
  WITHOUT_NODEJS_COMPAT,
  workerdMissing,
  bundledOnce,
  servedDuring,
} from './workerd-run.js';

const SETTINGS = [WITHOUT_NODEJS_COMPAT, WITH_NODEJS_COMPAT];
/** The fixture mounts server-side sessions at `/` and sealed cookies under `/sealed`. */
const MOUNTS = [
  { mode: 'server-side sessions', base: '' },
  { mode: 'sealed cookies', base: '/sealed' },
] as const;

const reason = workerdMissing();
const bundle = bundledOnce('test/runtimes/fixtures/workerd-worker.ts');

describe('workerd', { skip: reason ?? false }, () => {
  it('the bundle has no node: built-in, no Buffer, no process and no require', () => {
    assert.ok(bundle.code().length > 10_000, 'bundled');
    assert.deepEqual(nodeReferences(bundle.code()), [], 'the bundle refers to Node');
  });

  for (const setting of SETTINGS) {
    describe(setting.name, () => {
      const call = servedDuring(bundle, setting);

      it('runs the web provider, and the module-scope sessions made nothing random before the first request', async () => {
        const reply = await call('GET', '/runtime');
        assert.equal(reply.status, 200);
        assert.equal(reply.body.provider, 'web');
        if (setting.flags.length === 0) {
          assert.equal(reply.body.buffer, false, 'no Buffer global without nodejs_compat');
          assert.equal(reply.body.process, false, 'no process global without nodejs_compat');
        }
      });

      for (const { mode, base } of MOUNTS) {
        it(`${mode}: login, protected page, CSRF refusals, logout: a logged-out token never works again`, async () => {
          const form = {
            'content-type': 'application/x-www-form-urlencoded',
            'sec-fetch-site': 'same-origin',
          };
          assert.equal((await call('GET', `${base}/me`)).status, 401, 'no cookie');
          assert.equal(
            (await call('GET', `${base}/me`, { cookie: '__Host-session=ts1.nope' })).status,
            401,
            'malformed',
          );

          const login = await call('POST', `${base}/login`, form, 'subject=ada%40example.com');
          assert.equal(login.status, 200, JSON.stringify(login.body));
          const cookie = login.setCookie.find((line) => line.startsWith('__Host-session='));
          assert.ok(cookie, login.setCookie.join('\n'));
          assert.match(cookie, /; HttpOnly/i);
          assert.match(cookie, /; Secure/i);
          assert.match(cookie, /; SameSite=Strict/i);
          assert.match(cookie, /; Path=\//);
          const sent = { cookie: (cookie.split(';')[0] as string).trim() };
          const csrf = login.body.csrf as string;

          const me = await call('GET', `${base}/me`, sent);
          assert.equal(me.status, 200);
          assert.equal(me.body.subject, 'ada@example.com');
          assert.equal(me.body.id, login.body.id);

          const checked = await call('POST', `${base}/check-csrf`, {
            ...sent,
            ...form,
            'x-csrf-token': csrf,
          });
          assert.deepEqual(checked.body, { own: true, other: false });

          const crossSite = await call('POST', `${base}/logout`, { ...sent, 'sec-fetch-site': 'cross-site' });
          assert.equal(crossSite.status, 403, 'a cross-site POST is refused');
          assert.equal((crossSite.body.error as { code?: string }).code, 'csrf_rejected');
          const noToken = await call('POST', `${base}/logout`, { ...sent, 'sec-fetch-site': 'same-origin' });
          assert.equal(noToken.status, 403, 'a same-origin POST without the token is refused');
          assert.equal(
            (await call('GET', `${base}/me`, sent)).status,
            200,
            'neither refusal ended the session',
          );

          const logout = await call('POST', `${base}/logout`, {
            ...sent,
            'sec-fetch-site': 'same-origin',
            'x-csrf-token': csrf,
          });
          assert.equal(logout.status, 200);
          assert.equal(logout.body.revoked, true);
          assert.ok(
            logout.setCookie.some((line) => /^__Host-session=;.*Max-Age=0/i.test(line)),
            'the cookie is cleared',
          );
          const after = await call('GET', `${base}/me`, sent);
          assert.equal(after.status, 401);
          assert.equal((after.body.error as { code?: string }).code, 'token_invalid');
        });
      }
    });
  }
});
