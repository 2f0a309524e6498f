// DBSC on the real workerd, without and with `nodejs_compat`: the fixture (fixtures/workerd-dbsc-worker.ts) is
// bundled as a Worker is (platform neutral, workerd's conditions, no Node reference allowed), so its ES256
// proofs are checked by the web JOSE provider. A device registers its key, refreshes through a challenge round
// trip, a second key (a thief holding the cookie) is refused, the session cookie alone no longer works once
// bound, and a revoked session's refresh is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DbscSend, DbscTestClient, dbscSender } from '../support/dbsc-client.js';
import {
  bundledOnce,
  nodeReferences,
  servedDuring,
  WITH_NODEJS_COMPAT,
  WITHOUT_NODEJS_COMPAT,
  workerdMissing,
} from './workerd-run.js';

const reason = workerdMissing();
const bundle = bundledOnce('test/runtimes/fixtures/workerd-dbsc-worker.ts');

describe('workerd: device bound sessions', { skip: reason ?? false }, () => {
  it('the bundle has no node: built-in, no Buffer, no process and no require', () => {
    assert.ok(bundle.code().length > 10_000, 'bundled');
    assert.deepEqual(nodeReferences(bundle.code()), [], 'the bundle refers to Node');
  });

  for (const setting of [WITHOUT_NODEJS_COMPAT, WITH_NODEJS_COMPAT]) {
    describe(setting.name, () => {
      const call = servedDuring(bundle, setting, { probePath: '/' });

      it('register, refresh by challenge, a second key refused, the cookie alone refused once bound, revocation', async () => {
        const login = await call('POST', '/login');
        assert.equal(login.status, 200, JSON.stringify(login.body));
        const { token, id, registration } = login.body as { token: string; id: string; registration: string };
        const client = await DbscTestClient.create();
        const jar = (): string => `__Host-app=${token}${client.boundCookie ? `; ${client.boundCookie}` : ''}`;
        const send = (cookies: () => string): DbscSend => dbscSender(call.origin, cookies);

        const registered = await client.register(registration, send(jar));
        assert.equal(registered.status, 200, registered.body);
        assert.ok(client.boundCookie, 'a bound cookie was set');
        assert.equal(
          (await call('GET', '/page', { cookie: jar() })).status,
          200,
          'served with the bound cookie',
        );
        assert.equal(
          (await call('GET', '/page', { cookie: `__Host-app=${token}` })).status,
          401,
          'the session cookie alone is refused once bound',
        );

        const thief = await DbscTestClient.create();
        const again = await thief.register(registration, send(jar));
        assert.equal(again.status, 409, 'the first key stays');

        const renewed = await client.refresh(send(jar));
        assert.equal(renewed.status, 200, renewed.body);
        thief.sessionId = id;
        thief.refreshUrl = '/tessera/dbsc/refresh';
        assert.equal((await thief.refresh(send(jar))).status, 401, 'a proof by another key');

        assert.equal((await call('POST', `/revoke?id=${id}`)).body.revoked, true);
        assert.equal((await client.refresh(send(jar))).status, 401, 'a revoked session refreshes no more');
      });
    });
  }
});
