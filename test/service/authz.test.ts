// The forward-auth contract over real HTTP, with requests shaped exactly like each proxy's: nginx auth_request,
// Caddy forward_auth and Traefik ForwardAuth (GET + X-Forwarded-*), Envoy ext_authz (method kept, path appended,
// original Host, only an exact 200 allows). The real nginx and Caddy run in test/proxy/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { ConfigError, loadConfig } from '../../src/service/config.js';
import { httpRequest, type RawResponse } from '../support/http-request.js';
import { startService, type TestService } from './helpers.js';

const COOKIE = '__Host-session';
const SITE = 'https://app.example.com';

async function login(api: TestService, subject = 'user-42', level?: number): Promise<string> {
  const created = await api.call('POST', '/v1/sessions', {
    subject,
    ...(level === undefined ? {} : { level }),
  });
  assert.equal(created.status, 201);
  return created.body.token as string;
}

/** What Traefik ForwardAuth (and Caddy forward_auth, and the nginx snippet) send: GET + X-Forwarded-*. */
function forwardedHeaders(
  method: string,
  uri: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'x-forwarded-method': method,
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'app.example.com',
    'x-forwarded-uri': uri,
    'x-forwarded-for': '203.0.113.9',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)',
    accept: 'text/html',
    ...extra,
  };
}

function authz(api: TestService, headers: Record<string, string>, path = '/v1/authz'): Promise<RawResponse> {
  return httpRequest(`${api.base}${path}`, { method: 'GET', headers });
}

function cookie(token: string): string {
  return `theme=dark; ${COOKIE}=${token}; other=1`;
}

describe('forward auth: allow and deny', () => {
  let api: TestService;
  before(async () => {
    api = await startService({ TESSERA_AUTHZ_LOGIN_URL: 'https://login.example.com/sign-in?app=shop' });
  });
  after(() => api.close());

  it('a signed-in GET is an exact 200 with the identity headers, no-store, and no cookie when nothing was renewed', async () => {
    const token = await login(api, 'user-42', 2);
    const response = await authz(api, forwardedHeaders('GET', '/dashboard?tab=1', { cookie: cookie(token) }));
    assert.equal(response.status, 200);
    assert.equal(response.headers['x-tessera-subject'], 'user-42');
    assert.equal(response.headers['x-tessera-session-id'], token.split('.')[1]);
    assert.equal(response.headers['x-tessera-level'], '2');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.deepEqual(response.setCookies, []);
    assert.equal(response.headers['x-tessera-jwt'], undefined);
    assert.deepEqual(response.json(), { subject: 'user-42', sessionId: token.split('.')[1], level: 2 });
  });

  it('no cookie is 401 token_missing with X-Tessera-Code, and the request log names no token', async () => {
    const response = await authz(api, forwardedHeaders('GET', '/dashboard'));
    assert.equal(response.status, 401);
    assert.equal(response.headers['x-tessera-code'], 'token_missing');
    assert.equal(response.json<{ error: { code: string } }>()?.error.code, 'token_missing');
    assert.ok(api.logs.some((line) => line.includes('"route":"/v1/authz"') && line.includes('"status":401')));
  });

  it('a revoked cookie is 401 token_invalid and the answer clears the cookie', async () => {
    const token = await login(api);
    assert.equal((await api.call('POST', '/v1/sessions/revoke', { token })).status, 204);
    const response = await authz(api, forwardedHeaders('GET', '/', { cookie: cookie(token) }));
    assert.equal(response.status, 401);
    assert.equal(response.headers['x-tessera-code'], 'token_invalid');
    assert.equal(response.setCookies.length, 1);
    assert.match(response.setCookies[0] as string, new RegExp(`^${COOKIE}=;.*Max-Age=0`));
  });

  it('the session is read from Authorization: Bearer when there is no cookie', async () => {
    const token = await login(api, 'api-client');
    const response = await authz(api, forwardedHeaders('GET', '/api', { authorization: `Bearer ${token}` }));
    assert.equal(response.status, 200);
    assert.equal(response.headers['x-tessera-subject'], 'api-client');
  });

  it('a token in the original URL is never read from it, and is refused', async () => {
    const token = await login(api);
    const response = await authz(
      api,
      forwardedHeaders('GET', `/page?session=${token}`, { cookie: cookie(token) }),
    );
    assert.equal(response.status, 401);
    assert.equal(response.headers['x-tessera-code'], 'token_invalid');
  });

  it('an idle-expired session is 440 session_expired; ?mode=nginx makes it a 401 with the code', async () => {
    const token = await login(api, 'sleepy');
    api.clock.advance(1801 * 1000);
    const standard = await authz(api, forwardedHeaders('GET', '/', { cookie: cookie(token) }));
    assert.equal(standard.status, 440);
    assert.equal(standard.headers['x-tessera-code'], 'session_expired');
    const token2 = await login(api, 'sleepy');
    api.clock.advance(1801 * 1000);
    const nginx = await authz(
      api,
      forwardedHeaders('GET', '/', { cookie: cookie(token2) }),
      '/v1/authz?mode=nginx',
    );
    assert.equal(nginx.status, 401);
    assert.equal(nginx.headers['x-tessera-code'], 'session_expired');
  });

  it('a renewal due sends the renewed Set-Cookie with the 200, for the proxy to pass to the browser', async () => {
    const token = await login(api, 'active');
    api.clock.advance(200 * 1000); // past a tenth of the 1800 s idle timeout
    const response = await authz(api, forwardedHeaders('GET', '/', { cookie: cookie(token) }));
    assert.equal(response.status, 200);
    assert.equal(response.setCookies.length, 1);
    assert.match(response.setCookies[0] as string, new RegExp(`^${COOKIE}=${token.replace(/[.]/g, '\\.')};`));
    assert.match(response.setCookies[0] as string, /Max-Age=1800/);
  });

  it('the subject header is percent-encoded outside visible ASCII (and %), so it decodes back exactly', async () => {
    const subject = ' Zoë Müller: 100% ';
    const token = await login(api, subject);
    const response = await authz(api, forwardedHeaders('GET', '/', { cookie: cookie(token) }));
    assert.equal(response.status, 200);
    const header = response.headers['x-tessera-subject'] as string;
    assert.equal(header, '%20Zo%C3%AB%20M%C3%BCller:%20100%25%20');
    assert.equal(decodeURIComponent(header), subject);
  });

  it('mode=redirect sends a browser GET that is not signed in to the login URL with rd, and keeps 401 for a POST', async () => {
    const redirected = await authz(api, forwardedHeaders('GET', '/orders?id=7'), '/v1/authz?mode=redirect');
    assert.equal(redirected.status, 302);
    const location = new URL(redirected.headers.location as string);
    assert.equal(location.origin + location.pathname, 'https://login.example.com/sign-in');
    assert.equal(location.searchParams.get('app'), 'shop');
    assert.equal(location.searchParams.get('rd'), `${SITE}/orders?id=7`);
    assert.equal(redirected.headers['x-tessera-code'], 'token_missing');
    const post = await authz(
      api,
      forwardedHeaders('POST', '/orders', { 'sec-fetch-site': 'same-origin' }),
      '/v1/authz?mode=redirect',
    );
    assert.equal(post.status, 401);
    // The mode header works where a proxy cannot add a query (Envoy's headers_to_add).
    const byHeader = await authz(api, forwardedHeaders('GET', '/', { 'x-tessera-authz-mode': 'redirect' }));
    assert.equal(byHeader.status, 302);
  });

  it('mode=nginx: a GET that is not signed in carries the login redirect in X-Tessera-Location, a POST does not', async () => {
    const get = await authz(api, forwardedHeaders('GET', '/orders?id=7'), '/v1/authz?mode=nginx');
    assert.equal(get.status, 401);
    const location = new URL(get.headers['x-tessera-location'] as string);
    assert.equal(location.searchParams.get('rd'), `${SITE}/orders?id=7`);
    const post = await authz(
      api,
      forwardedHeaders('POST', '/orders', { 'sec-fetch-site': 'same-origin' }),
      '/v1/authz?mode=nginx',
    );
    assert.equal(post.status, 401);
    assert.equal(post.headers['x-tessera-location'], undefined);
  });

  it('an unknown mode is 400 invalid_request', async () => {
    const response = await authz(api, forwardedHeaders('GET', '/'), '/v1/authz?mode=apache');
    assert.equal(response.status, 400);
    assert.equal(response.json<{ error: { code: string } }>()?.error.code, 'invalid_request');
  });

  it('/v1/authz and every path under it answer any method', async () => {
    const token = await login(api);
    for (const [method, path] of [
      ['GET', '/v1/authz'],
      ['HEAD', '/v1/authz'],
      ['OPTIONS', '/v1/authz/x'],
      ['GET', '/v1/authz/'],
      ['GET', '/v1/authz/a/b/c?d=e'],
    ] as const) {
      const response = await httpRequest(`${api.base}${path}`, {
        method,
        headers: { cookie: cookie(token), host: 'app.example.com' },
      });
      assert.equal(response.status, 200, `${method} ${path}`);
    }
    assert.equal((await httpRequest(`${api.base}/v1/authzx`, { headers: {} })).status, 404);
  });
});

describe('forward auth: CSRF on unsafe forwarded methods', () => {
  let api: TestService;
  let token: string;
  before(async () => {
    api = await startService();
    token = await login(api, 'writer');
  });
  after(() => api.close());

  it('a cross-site POST (Sec-Fetch-Site: cross-site) is 403 csrf_rejected, a same-origin POST is allowed', async () => {
    const cross = await authz(
      api,
      forwardedHeaders('POST', '/transfer', { cookie: cookie(token), 'sec-fetch-site': 'cross-site' }),
    );
    assert.equal(cross.status, 403);
    assert.equal(cross.headers['x-tessera-code'], 'csrf_rejected');
    const same = await authz(
      api,
      forwardedHeaders('POST', '/transfer', { cookie: cookie(token), 'sec-fetch-site': 'same-origin' }),
    );
    assert.equal(same.status, 200);
  });

  it('without Fetch Metadata, Origin must be the forwarded site (scheme and host); no origin at all is refused', async () => {
    const ours = await authz(api, forwardedHeaders('PUT', '/doc', { cookie: cookie(token), origin: SITE }));
    assert.equal(ours.status, 200);
    for (const origin of ['https://evil.example', 'http://app.example.com', 'null']) {
      const other = await authz(api, forwardedHeaders('PUT', '/doc', { cookie: cookie(token), origin }));
      assert.equal(other.status, 403, origin);
    }
    const none = await authz(api, forwardedHeaders('DELETE', '/doc', { cookie: cookie(token) }));
    assert.equal(none.status, 403);
  });

  it('a Bearer-authenticated POST is not CSRF-able and passes without origin headers', async () => {
    const response = await authz(api, forwardedHeaders('POST', '/api', { authorization: `Bearer ${token}` }));
    assert.equal(response.status, 200);
  });

  it('two different original methods (X-Forwarded-Method vs X-Original-Method) are refused, not guessed', async () => {
    const response = await authz(
      api,
      forwardedHeaders('GET', '/transfer', { cookie: cookie(token), 'x-original-method': 'POST' }),
    );
    assert.equal(response.status, 400);
    // The nginx convention alone works too.
    const nginxStyle = await authz(api, {
      'x-original-method': 'POST',
      'x-original-uri': '/transfer',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.example.com',
      'sec-fetch-site': 'cross-site',
      cookie: cookie(token),
    });
    assert.equal(nginxStyle.status, 403);
  });
});

describe('forward auth: shaped like Traefik ForwardAuth', () => {
  let api: TestService;
  before(async () => {
    api = await startService();
  });
  after(() => api.close());

  // Traefik sends GET to the address, every client header (or authRequestHeaders), and sets X-Forwarded-Method,
  // -Proto, -Host, -Uri and -For itself; its Host is the address's. authResponseHeaders copies ours upstream.
  function traefik(method: string, uri: string, client: Record<string, string>): Record<string, string> {
    return {
      host: api.base.slice('http://'.length),
      'accept-encoding': 'gzip',
      ...client,
      'x-forwarded-method': method,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.example.com',
      'x-forwarded-uri': uri,
      'x-forwarded-for': '198.51.100.4',
      'x-forwarded-port': '443',
      'x-forwarded-server': 'traefik-1',
      'x-real-ip': '198.51.100.4',
    };
  }

  it('allows a signed-in request with the authResponseHeaders, refuses a cross-origin POST and a missing cookie', async () => {
    const token = await login(api, 'traefik-user');
    const ok = await authz(api, traefik('GET', '/app/?q=1', { cookie: cookie(token) }));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-tessera-subject'], 'traefik-user');
    assert.ok(ok.headers['x-tessera-session-id']);
    assert.equal(ok.headers['x-tessera-level'], '1');
    const post = await authz(
      api,
      traefik('POST', '/app/pay', { cookie: cookie(token), origin: 'https://evil.example' }),
    );
    assert.equal(post.status, 403);
    const anonymous = await authz(api, traefik('GET', '/app/', {}));
    assert.equal(anonymous.status, 401);
  });
});

describe('forward auth: shaped like Envoy ext_authz (HTTP service)', () => {
  let api: TestService;
  before(async () => {
    api = await startService();
  });
  after(() => api.close());

  // Envoy keeps the method, appends the original path to path_prefix (/v1/authz), keeps the original Host, sends
  // Content-Length: 0 without the body and only allowlisted headers (cookie is not forwarded unless listed).
  function envoy(method: string, path: string, allowed: Record<string, string>): Promise<RawResponse> {
    return httpRequest(`${api.base}/v1/authz${path}`, {
      method,
      headers: {
        host: 'app.example.com',
        'content-length': '0',
        'x-forwarded-proto': 'https',
        'x-request-id': '5d8f6c1e-0f42-4d3a-9d59-4b1f0f0e9b11',
        'x-envoy-expected-rq-timeout-ms': '250',
        ...allowed,
      },
    });
  }

  it('a signed-in GET is exactly 200 with the identity headers (allowed_upstream_headers)', async () => {
    const token = await login(api, 'envoy-user');
    const response = await envoy('GET', '/api/items?page=2', { cookie: cookie(token) });
    assert.equal(response.status, 200);
    assert.equal(response.headers['x-tessera-subject'], 'envoy-user');
  });

  it('the kept method drives CSRF: a cross-site DELETE is 403, a same-origin POST is 200', async () => {
    const token = await login(api, 'envoy-user');
    const cross = await envoy('DELETE', '/api/items/3', {
      cookie: cookie(token),
      origin: 'https://evil.example',
    });
    assert.equal(cross.status, 403);
    const same = await envoy('POST', '/api/items', { cookie: cookie(token), origin: SITE });
    assert.equal(same.status, 200);
  });

  it('a client-sent X-Forwarded-Method that contradicts the kept method is refused', async () => {
    const token = await login(api, 'envoy-user');
    const response = await envoy('POST', '/api/items', {
      cookie: cookie(token),
      'x-forwarded-method': 'GET',
    });
    assert.equal(response.status, 400);
  });

  it('the query of the original request is the client’s: it cannot pick the mode', async () => {
    const response = await envoy('GET', '/page?mode=redirect', {});
    assert.equal(response.status, 401);
  });

  it('without cookie in allowed_headers the session is not seen: 401, never a 200', async () => {
    const response = await envoy('GET', '/api/items', {});
    assert.equal(response.status, 401);
    assert.equal(response.headers['x-tessera-code'], 'token_missing');
  });

  it('a token in the original path is refused before anything else (400, not 200)', async () => {
    const token = await login(api, 'envoy-user');
    const response = await envoy('GET', `/x/${token}`, { cookie: cookie(token) });
    assert.equal(response.status, 400);
  });
});

describe('forward auth: who may call it', () => {
  it('a caller outside TESSERA_AUTHZ_TRUSTED is 403 proxy_untrusted, even with a valid session', async () => {
    const api = await startService({ TESSERA_AUTHZ_TRUSTED: '10.0.0.0/8, 192.0.2.1' });
    try {
      const token = await login(api);
      const response = await authz(api, forwardedHeaders('GET', '/', { cookie: cookie(token) }));
      assert.equal(response.status, 403);
      assert.equal(response.json<{ error: { code: string } }>()?.error.code, 'proxy_untrusted');
      assert.equal(response.headers['x-tessera-subject'], undefined);
    } finally {
      await api.close();
    }
  });

  it('with TESSERA_AUTHZ_SECRET a proxy must send one of the secrets; the API key is no substitute', async () => {
    const first = 'proxy-one-secret-0123456789abcdefghij';
    const second = 'proxy-two-secret-0123456789abcdefghij';
    const api = await startService({ TESSERA_AUTHZ_SECRET: `${first},${second}` });
    try {
      const token = await login(api);
      const base = forwardedHeaders('GET', '/', { cookie: cookie(token) });
      assert.equal((await authz(api, base)).status, 403);
      assert.equal((await authz(api, { ...base, 'x-tessera-authz-secret': `${first}x` })).status, 403);
      assert.equal((await authz(api, { ...base, 'x-tessera-authz-secret': api.apiKey })).status, 403);
      assert.equal(
        (await authz(api, { ...base, authorization: `Bearer ${api.apiKey}`, 'x-tessera-authz-secret': '' }))
          .status,
        403,
      );
      assert.equal((await authz(api, { ...base, 'x-tessera-authz-secret': first })).status, 200);
      assert.equal((await authz(api, { ...base, 'x-tessera-authz-secret': second })).status, 200);
      assert.ok(!api.logs.some((line) => line.includes(first) || line.includes(second)));
    } finally {
      await api.close();
    }
  });

  it('bad TESSERA_AUTHZ_* values stop the start naming the variable, never echoing a secret', () => {
    const base = { TESSERA_DATA_DIR: '/tmp/x', TESSERA_STORE: 'memory:' };
    const cases: [Record<string, string>, string][] = [
      [{ TESSERA_AUTHZ_TRUSTED: '10.0.0.0/33' }, 'TESSERA_AUTHZ_TRUSTED'],
      [{ TESSERA_AUTHZ_TRUSTED: 'proxy.local' }, 'TESSERA_AUTHZ_TRUSTED'],
      [{ TESSERA_AUTHZ_SECRET: 'short-secret-value' }, 'TESSERA_AUTHZ_SECRET'],
      [{ TESSERA_AUTHZ_LOGIN_URL: '/login' }, 'TESSERA_AUTHZ_LOGIN_URL'],
      [{ TESSERA_AUTHZ_JWT: 'yes' }, 'TESSERA_AUTHZ_JWT'],
    ];
    for (const [env, variable] of cases) {
      assert.throws(
        () => loadConfig({ ...base, ...env }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.variable === variable &&
          !error.message.includes('short-secret'),
        variable,
      );
    }
    const defaults = loadConfig(base).authz;
    assert.deepEqual(defaults.trusted, ['127.0.0.0/8', '::1']);
    assert.deepEqual(defaults.secrets, []);
  });
});

describe('forward auth: store down and the upstream JWT', () => {
  it('a store fault is 503 + Retry-After (fail closed); in nginx mode a 401 that says store_unavailable', async () => {
    const store = new MemoryStore();
    const api = await startService({}, { storeInstance: store });
    try {
      const token = await login(api);
      await store.close();
      const response = await authz(api, forwardedHeaders('GET', '/', { cookie: cookie(token) }));
      assert.equal(response.status, 503);
      assert.equal(response.headers['x-tessera-code'], 'store_unavailable');
      assert.match(String(response.headers['retry-after']), /^\d+$/);
      const nginx = await authz(
        api,
        forwardedHeaders('GET', '/', { cookie: cookie(token) }),
        '/v1/authz?mode=nginx',
      );
      assert.equal(nginx.status, 401);
      assert.equal(nginx.headers['x-tessera-code'], 'store_unavailable');
      assert.match(String(nginx.headers['retry-after']), /^\d+$/);
      const metrics = await api.call('GET', '/metrics');
      assert.match(metrics.text, /tessera_store_errors_total 2/);
    } finally {
      await api.close();
    }
  });

  it('with TESSERA_AUTHZ_JWT=1 the 200 carries a signed access token of the session, verifiable by the service', async () => {
    const api = await startService({ TESSERA_AUTHZ_JWT: '1' });
    try {
      const token = await login(api, 'jwt-user', 2);
      const response = await authz(api, forwardedHeaders('GET', '/', { cookie: cookie(token) }));
      assert.equal(response.status, 200);
      const jwt = response.headers['x-tessera-jwt'] as string;
      assert.match(jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      const verified = await api.call('POST', '/v1/tokens/verify', { accessToken: jwt });
      assert.equal(verified.status, 200);
      const claims = (verified.body as { claims: { sub: string; sid: string; lvl: number } }).claims;
      assert.equal(claims.sub, 'jwt-user');
      assert.equal(claims.sid, token.split('.')[1]);
      assert.equal(claims.lvl, 2);
    } finally {
      await api.close();
    }
  });
});
