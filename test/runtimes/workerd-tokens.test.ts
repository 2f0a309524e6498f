// JWT access tokens and rotating refresh tokens on the real workerd, without `nodejs_compat` (compatibility date
// 2024-01-01: no Buffer, no node: modules) and with it: issue, strict verification, tampering, rotation, reuse
// detection and logout across separate requests, for EdDSA, ES256 and HS256. The fixture
// (test/runtimes/fixtures/workerd-tokens-worker.ts) is bundled as a Worker is (platform neutral, workerd's
// conditions), so `#jose` and `#crypto` are the web providers and the test fails on any Node reference.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type JsonReply,
  WITH_NODEJS_COMPAT,
  WITHOUT_NODEJS_COMPAT,
  nodeReferences,
  workerdMissing,
  bundledOnce,
  servedDuring,
} from './workerd-run.js';
import { DpopTestKey } from '../support/dpop-key.js';

const reason = workerdMissing();
const bundle = bundledOnce('test/runtimes/fixtures/workerd-tokens-worker.ts');

interface Pair {
  accessToken: string;
  refreshToken: string;
}

describe('workerd: access and refresh tokens', { skip: reason ?? false }, () => {
  it('the bundle has no node: built-in, no Buffer, no process and no require', () => {
    assert.ok(bundle.code().length > 10_000, 'bundled');
    assert.deepEqual(nodeReferences(bundle.code()), [], 'the bundle refers to Node');
  });

  for (const setting of [WITHOUT_NODEJS_COMPAT, WITH_NODEJS_COMPAT]) {
    describe(setting.name, () => {
      const raw = servedDuring(bundle, setting);
      /** A JSON request (when `body` is given) to the Worker. */
      const call = (
        method: string,
        path: string,
        body?: unknown,
        headers: Record<string, string> = {},
      ): Promise<JsonReply> =>
        body === undefined
          ? raw(method, path, headers)
          : raw(method, path, { ...headers, 'content-type': 'application/json' }, JSON.stringify(body));

      it('runs the web JOSE and crypto providers', async () => {
        const runtime = await call('GET', '/runtime');
        assert.equal(runtime.body.jose, 'web');
        assert.equal(runtime.body.crypto, 'web');
        if (setting.flags.length === 0) assert.equal(runtime.body.buffer, false, 'no Buffer global');
      });

      for (const mount of ['eddsa', 'es256', 'hs256'] as const) {
        it(`${mount}: issue, verify, tampering, rotation, reuse detection and logout, one request each`, async () => {
          const login = await call('POST', `/${mount}/login`, { subject: 'ada@example.com' });
          assert.equal(login.status, 200, JSON.stringify(login.body));
          const first = login.body.pair as Pair;
          const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

          const api = await call('GET', `/${mount}/api`, undefined, bearer(first.accessToken));
          assert.equal(api.status, 200, JSON.stringify(api.body));
          assert.equal(api.body.subject, 'ada@example.com');

          // One changed signature character, and a token of the other mount's key: both refused.
          const [head, payload, signature] = first.accessToken.split('.') as [string, string, string];
          const flipped = `${head}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
          const tampered = await call('GET', `/${mount}/api`, undefined, bearer(flipped));
          assert.equal(tampered.status, 401);
          assert.equal(tampered.body.reason, 'signature');
          const other = mount === 'eddsa' ? 'hs256' : 'eddsa';
          const foreign = await call('GET', `/${other}/api`, undefined, bearer(first.accessToken));
          assert.equal(foreign.status, 401, 'a token of another key ring');

          const rotated = await call('POST', `/${mount}/refresh`, { refreshToken: first.refreshToken });
          assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
          const second = rotated.body as unknown as Pair;
          assert.notEqual(second.refreshToken, first.refreshToken);
          assert.equal(
            (await call('GET', `/${mount}/api`, undefined, bearer(second.accessToken))).status,
            200,
          );

          // The first refresh token again, past any grace: reuse, so the whole family ends.
          const reused = await call('POST', `/${mount}/refresh`, { refreshToken: first.refreshToken });
          assert.equal(reused.status, 401, JSON.stringify(reused.body));
          const after = await call('POST', `/${mount}/refresh`, { refreshToken: second.refreshToken });
          assert.equal(after.status, 401, 'the family was revoked on reuse');

          // Reuse ends the session too, so its access tokens fail strict verification at once.
          const ended = await call('GET', `/${mount}/api`, undefined, bearer(second.accessToken));
          assert.equal(ended.status, 401, "the reused family's session is revoked");
          assert.equal(ended.body.reason, 'revoked');

          const again = await call('POST', `/${mount}/login`, { subject: 'ada@example.com' });
          const fresh = again.body.pair as Pair;
          assert.equal(
            (await call('GET', `/${mount}/api`, undefined, bearer(fresh.accessToken))).status,
            200,
          );
          const logout = await call('POST', `/${mount}/logout`, { sessionToken: again.body.sessionToken });
          assert.equal(logout.body.revoked, true);
          const strict = await call('GET', `/${mount}/api`, undefined, bearer(fresh.accessToken));
          assert.equal(strict.status, 401, 'strict verification refuses the logged-out session');
          assert.equal(strict.body.reason, 'revoked');
          const refused = await call('POST', `/${mount}/refresh`, { refreshToken: fresh.refreshToken });
          assert.equal(refused.status, 401, 'a logged-out session refreshes no more');
        });
      }

      it('dpop: tokens bound to a key, each request with a fresh proof by it; replays, bearer use and other keys refused', async () => {
        const device = await DpopTestKey.create('ES256');
        const other = await DpopTestKey.create('EdDSA');
        const url = (path: string): string => `${raw.origin()}${path}`;
        const loginProof = await device.proof({ htm: 'POST', htu: url('/dpop/login') });
        const login = await call('POST', '/dpop/login', { subject: 'ada@example.com' }, { dpop: loginProof });
        assert.equal(login.status, 200, JSON.stringify(login.body));
        assert.equal(login.body.jkt, device.jkt, "bound to the proof's key");
        const { accessToken } = login.body.pair as Pair;
        const replayed = await call(
          'POST',
          '/dpop/login',
          { subject: 'ada@example.com' },
          { dpop: loginProof },
        );
        assert.equal(replayed.status, 401, 'a proof is used once');

        const proof = await device.proof({ htm: 'GET', htu: url('/dpop/api'), accessToken });
        const api = await call('GET', '/dpop/api', undefined, {
          authorization: `DPoP ${accessToken}`,
          dpop: proof,
        });
        assert.equal(api.status, 200, JSON.stringify(api.body));
        assert.equal(api.body.subject, 'ada@example.com');
        const again = await call('GET', '/dpop/api', undefined, {
          authorization: `DPoP ${accessToken}`,
          dpop: proof,
        });
        assert.equal(again.status, 401, 'the same proof twice');
        const bearer = await call('GET', '/dpop/api', undefined, { authorization: `Bearer ${accessToken}` });
        assert.equal(bearer.status, 401, 'a bound token used as a bearer token');
        const stolen = await other.proof({ htm: 'GET', htu: url('/dpop/api'), accessToken });
        const thief = await call('GET', '/dpop/api', undefined, {
          authorization: `DPoP ${accessToken}`,
          dpop: stolen,
        });
        assert.equal(thief.status, 401, 'a proof by another key');
        const elsewhere = await device.proof({ htm: 'GET', htu: url('/elsewhere'), accessToken });
        const wrongUrl = await call('GET', '/dpop/api', undefined, {
          authorization: `DPoP ${accessToken}`,
          dpop: elsewhere,
        });
        assert.equal(wrongUrl.status, 401, 'a proof made for another URL');
      });
    });
  }
});
