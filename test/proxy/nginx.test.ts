// A real nginx (auth_request, the snippet of docs/proxy.md) in front of a Python upstream, with Tessera as the
// forward-auth service. Starts everything on free loopback ports; nothing is left running.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { docsSnippet, freePort, requireBinary, run, waitForPort } from '../support/proxies.js';
import {
  COOKIE,
  echoed,
  LOGIN_URL,
  SECRET,
  type Scenario,
  sessionCookie,
  startScenario,
} from '../support/proxy-scenario.js';

const skip = requireBinary('nginx', 'python3');

describe('nginx auth_request in front of a Python upstream', { skip }, () => {
  let scenario: Scenario;
  let dir: string;
  let origin: string;

  before(async () => {
    scenario = await startScenario();
    dir = await mkdtemp(join(tmpdir(), 'tessera-nginx-'));
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const server = docsSnippet('nginx')
      .replace('listen 80;', `listen 127.0.0.1:${port};`)
      .replaceAll('127.0.0.1:4455', new URL(scenario.api.base).host)
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${scenario.upstream.port}`)
      .replace(
        '# proxy_set_header X-Tessera-Authz-Secret "<one of TESSERA_AUTHZ_SECRET>";',
        `proxy_set_header X-Tessera-Authz-Secret "${SECRET}";`,
      );
    assert.match(server, new RegExp(SECRET), 'the snippet has the shared-secret line');
    const conf = [
      'daemon off;',
      // As root, nginx would switch its workers to nobody, who cannot use the temp folders made here.
      ...(process.getuid?.() === 0 ? ['user root root;'] : []),
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 64; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (kind) => `  ${kind}_temp_path ${join(dir, kind)};`,
      ),
      server,
      '}',
    ].join('\n');
    await writeFile(join(dir, 'nginx.conf'), conf);
    const nginx = run('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')]);
    scenario.useProxy(nginx, origin);
    await waitForPort(port, nginx);
  });

  after(async () => {
    await scenario?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('a signed-in request reaches the upstream with the identity headers; the client’s own copies are replaced', async () => {
    const token = await scenario.login('nginx-user');
    const response = await scenario.send('GET', '/n/dashboard?tab=2', {
      cookie: sessionCookie(token),
      'x-tessera-subject': 'admin',
      'x-tessera-level': '9',
    });
    assert.equal(response.status, 200);
    const seen = echoed(response);
    assert.equal(seen.path, '/n/dashboard?tab=2');
    assert.equal(seen.headers['x-tessera-subject'], 'nginx-user');
    assert.equal(seen.headers['x-tessera-session-id'], token.split('.')[1]);
    assert.equal(seen.headers['x-tessera-level'], '1');
    assert.equal(
      seen.headers['x-tessera-authz-secret'],
      undefined,
      'the shared secret stays between nginx and Tessera',
    );
    assert.deepEqual(response.setCookies, ['upstream=1; Path=/']);
  });

  it('no cookie: a browser GET is redirected to the login URL with rd, a POST is 401; neither reaches the upstream', async () => {
    const get = await scenario.send('GET', '/n/private?x=1');
    assert.equal(get.status, 302);
    const location = new URL(get.headers.location as string);
    assert.equal(location.origin + location.pathname, LOGIN_URL);
    assert.equal(location.searchParams.get('rd'), `${origin}/n/private?x=1`);
    const post = await scenario.send('POST', '/n/private-post', { 'sec-fetch-site': 'same-origin' }, 'a=1');
    assert.equal(post.status, 401);
    assert.equal(post.headers['x-tessera-code'], 'token_missing');
    assert.ok(!scenario.reached('/n/private?x=1') && !scenario.reached('/n/private-post'));
  });

  it('a revoked cookie does not reach the upstream, and the browser is told to drop it', async () => {
    const token = await scenario.login();
    assert.equal((await scenario.api.call('POST', '/v1/sessions/revoke', { token })).status, 204);
    const response = await scenario.send('GET', '/n/revoked', { cookie: sessionCookie(token) });
    assert.equal(response.status, 302);
    assert.ok(
      response.setCookies.some((cookie) => cookie.startsWith(`${COOKIE}=;`) && /Max-Age=0/.test(cookie)),
    );
    assert.ok(!scenario.reached('/n/revoked'));
  });

  it('an expired session does not reach the upstream (440 relayed as 401 with its code)', async () => {
    const token = await scenario.login('sleepy');
    scenario.api.clock.advance(1801 * 1000);
    const response = await scenario.send('PUT', '/n/expired', {
      cookie: sessionCookie(token),
      'sec-fetch-site': 'same-origin',
    });
    assert.equal(response.status, 401);
    assert.equal(response.headers['x-tessera-code'], 'session_expired');
    assert.ok(!scenario.reached('/n/expired'));
  });

  it('a cross-site POST is refused with 403; a same-origin POST reaches the upstream as a POST', async () => {
    const token = await scenario.login('writer');
    const cross = await scenario.send(
      'POST',
      '/n/transfer-cross',
      {
        cookie: sessionCookie(token),
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/x-www-form-urlencoded',
      },
      'to=attacker',
    );
    assert.equal(cross.status, 403);
    const foreign = await scenario.send(
      'POST',
      '/n/transfer-origin',
      { cookie: sessionCookie(token), origin: 'https://evil.example' },
      'to=attacker',
    );
    assert.equal(foreign.status, 403);
    assert.ok(!scenario.reached('/n/transfer-cross') && !scenario.reached('/n/transfer-origin'));
    const same = await scenario.send(
      'POST',
      '/n/transfer-same',
      { cookie: sessionCookie(token), origin },
      'to=friend',
    );
    assert.equal(same.status, 200);
    assert.equal(echoed(same).method, 'POST');
  });

  it('a client cannot relabel its POST as a GET through X-Original-Method', async () => {
    const token = await scenario.login('writer');
    const response = await scenario.send(
      'POST',
      '/n/relabel',
      { cookie: sessionCookie(token), 'sec-fetch-site': 'cross-site', 'x-original-method': 'GET' },
      'to=attacker',
    );
    assert.notEqual(response.status, 200);
    assert.ok(!scenario.reached('/n/relabel'));
  });

  it('a renewed session cookie reaches the browser next to the upstream’s own cookie', async () => {
    const token = await scenario.login('active');
    scenario.api.clock.advance(200 * 1000);
    const response = await scenario.send('GET', '/n/renew', { cookie: sessionCookie(token) });
    assert.equal(response.status, 200);
    const renewed = response.setCookies.find((cookie) => cookie.startsWith(`${COOKIE}=${token};`));
    assert.ok(renewed, `renewed cookie in ${JSON.stringify(response.setCookies)}`);
    assert.match(renewed, /Max-Age=1800/);
    assert.ok(response.setCookies.includes('upstream=1; Path=/'));
  });

  it('store down: 503 with Retry-After through the error_page, never the upstream (runs last: it breaks the store)', async () => {
    const token = await scenario.login('late');
    await scenario.store.close();
    const response = await scenario.send('GET', '/n/store-down', { cookie: sessionCookie(token) });
    assert.equal(response.status, 503);
    assert.match(String(response.headers['retry-after']), /^\d+$/);
    assert.ok(!scenario.reached('/n/store-down'));
  });
});
