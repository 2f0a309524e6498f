// A real Caddy (the snippet of docs/proxy.md: forward_auth's expansion with the renewed-cookie branch) in front
// of a Python upstream, with Tessera as the forward-auth service. Free loopback ports; nothing is left running.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { docsSnippet, freePort, requireBinary, run, waitForPort } from '../support/proxies.js';
import {
  COOKIE,
  echoed,
  type Scenario,
  SECRET,
  sessionCookie,
  startScenario,
} from '../support/proxy-scenario.js';

const skip = requireBinary('caddy', 'python3');

describe('Caddy forward auth in front of a Python upstream', { skip }, () => {
  let scenario: Scenario;
  let dir: string;
  let origin: string;

  before(async () => {
    scenario = await startScenario();
    dir = await mkdtemp(join(tmpdir(), 'tessera-caddy-'));
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const site = docsSnippet('caddy')
      .replace('app.example.com {', `${origin} {`)
      .replaceAll('127.0.0.1:4455', new URL(scenario.api.base).host)
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${scenario.upstream.port}`)
      .replace(
        '# header_up X-Tessera-Authz-Secret "<one of TESSERA_AUTHZ_SECRET>"',
        `header_up X-Tessera-Authz-Secret "${SECRET}"`,
      );
    assert.match(site, new RegExp(SECRET), 'the snippet has the shared-secret line');
    // No admin endpoint, no certificates, state in the temporary folder: nothing outside it is touched.
    const global = `{\n\tadmin off\n\tauto_https off\n\tstorage file_system ${join(dir, 'data')}\n}\n`;
    await writeFile(join(dir, 'Caddyfile'), global + site);
    const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
    const caddy = run('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], env);
    scenario.useProxy(caddy, origin);
    await waitForPort(port, caddy);
  });

  after(async () => {
    await scenario?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('a signed-in request reaches the upstream with the identity headers; the client’s own copies are replaced', async () => {
    const token = await scenario.login('caddy-user');
    const response = await scenario.send('GET', '/c/dashboard?tab=2', {
      cookie: sessionCookie(token),
      'x-tessera-subject': 'admin',
      'x-tessera-session-id': 'forged',
    });
    assert.equal(response.status, 200);
    const seen = echoed(response);
    assert.equal(seen.path, '/c/dashboard?tab=2');
    assert.equal(seen.headers['x-tessera-subject'], 'caddy-user');
    assert.equal(seen.headers['x-tessera-session-id'], token.split('.')[1]);
    assert.equal(seen.headers['x-tessera-level'], '1');
    assert.equal(
      seen.headers['x-tessera-authz-secret'],
      undefined,
      'the shared secret stays between Caddy and Tessera',
    );
    assert.deepEqual(response.setCookies, ['upstream=1; Path=/']);
  });

  it('no cookie is Tessera’s 401 with its code, relayed as it is; the upstream is not reached', async () => {
    const response = await scenario.send('GET', '/c/private');
    assert.equal(response.status, 401);
    assert.equal(response.headers['x-tessera-code'], 'token_missing');
    assert.equal(response.json<{ error: { code: string } }>()?.error.code, 'token_missing');
    assert.ok(!scenario.reached('/c/private'));
  });

  it('a revoked cookie is 401 token_invalid and the browser is told to drop it; the upstream is not reached', async () => {
    const token = await scenario.login();
    assert.equal((await scenario.api.call('POST', '/v1/sessions/revoke', { token })).status, 204);
    const response = await scenario.send('GET', '/c/revoked', { cookie: sessionCookie(token) });
    assert.equal(response.status, 401);
    assert.equal(response.headers['x-tessera-code'], 'token_invalid');
    assert.ok(
      response.setCookies.some((cookie) => cookie.startsWith(`${COOKIE}=;`) && /Max-Age=0/.test(cookie)),
    );
    assert.ok(!scenario.reached('/c/revoked'));
  });

  it('an expired session is 440 session_expired; the upstream is not reached', async () => {
    const token = await scenario.login('sleepy');
    scenario.api.clock.advance(1801 * 1000);
    const response = await scenario.send('GET', '/c/expired', { cookie: sessionCookie(token) });
    assert.equal(response.status, 440);
    assert.equal(response.headers['x-tessera-code'], 'session_expired');
    assert.ok(!scenario.reached('/c/expired'));
  });

  it('a cross-site POST is 403 csrf_rejected; a same-origin POST reaches the upstream as a POST', async () => {
    const token = await scenario.login('writer');
    const cross = await scenario.send(
      'POST',
      '/c/transfer-cross',
      { cookie: sessionCookie(token), 'sec-fetch-site': 'cross-site' },
      'to=attacker',
    );
    assert.equal(cross.status, 403);
    assert.equal(cross.headers['x-tessera-code'], 'csrf_rejected');
    const foreign = await scenario.send('DELETE', '/c/transfer-origin', {
      cookie: sessionCookie(token),
      origin: 'https://evil.example',
    });
    assert.equal(foreign.status, 403);
    assert.ok(!scenario.reached('/c/transfer-cross') && !scenario.reached('/c/transfer-origin'));
    const same = await scenario.send(
      'POST',
      '/c/transfer-same',
      { cookie: sessionCookie(token), origin },
      'to=friend',
    );
    assert.equal(same.status, 200);
    assert.equal(echoed(same).method, 'POST');
  });

  it('a renewed session cookie reaches the browser next to the upstream’s own cookie', async () => {
    const token = await scenario.login('active');
    scenario.api.clock.advance(200 * 1000);
    const response = await scenario.send('GET', '/c/renew', { cookie: sessionCookie(token) });
    assert.equal(response.status, 200);
    assert.equal(echoed(response).headers['x-tessera-subject'], 'active');
    const renewed = response.setCookies.find((cookie) => cookie.startsWith(`${COOKIE}=${token};`));
    assert.ok(renewed, `renewed cookie in ${JSON.stringify(response.setCookies)}`);
    assert.match(renewed, /Max-Age=1800/);
    assert.ok(response.setCookies.includes('upstream=1; Path=/'));
  });

  it('store down: 503 with Retry-After, never the upstream (runs last: it breaks the store)', async () => {
    const token = await scenario.login('late');
    await scenario.store.close();
    const response = await scenario.send('GET', '/c/store-down', { cookie: sessionCookie(token) });
    assert.equal(response.status, 503);
    assert.match(String(response.headers['retry-after']), /^\d+$/);
    assert.ok(!scenario.reached('/c/store-down'));
  });
});
