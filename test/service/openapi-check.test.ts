import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { call, startService, type TestService } from './helpers.js';
import {
  OPENAPI_METHODS,
  type ObservedResponse,
  type Operation,
  pointerToken,
  ResponseContract,
} from './openapi-contract.js';
import { contractTally, watchService } from './openapi-hook.js';

const contract = new ResponseContract();

const SESSION = {
  id: 'KsLQrzLyFun2uSo_VHy-HzL4nQ',
  subject: 'user-42',
  data: { theme: 'dark' },
  version: 1,
  level: 1,
  levelAt: '2026-01-01T09:00:00.000Z',
  createdAt: '2026-01-01T09:00:00.000Z',
  lastSeenAt: '2026-01-01T09:00:00.000Z',
  rotatedAt: null,
  idleExpiresAt: '2026-01-01T09:30:00.000Z',
  absoluteExpiresAt: '2026-01-01T21:00:00.000Z',
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0',
};
const TOKEN = `ts1.${SESSION.id}.${'B'.repeat(43)}`;

/** A response as the service sends it, with the headers every response has; `headers` adds or removes (null). */
function observed(
  method: string,
  path: string,
  status: number,
  body: unknown,
  headers: Record<string, string | null> = {},
): ObservedResponse {
  const all = new Headers({
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': '7d3f0a9e-1c2b-4d5e-8f90-123456789abc',
  });
  if (body !== undefined) all.set('content-type', 'application/json; charset=utf-8');
  for (const [name, value] of Object.entries(headers)) {
    if (value === null) all.delete(name);
    else all.set(name, value);
  }
  return { method, path, status, headers: all, text: body === undefined ? '' : JSON.stringify(body) };
}

const created = (body: unknown = { token: TOKEN, session: SESSION }, headers = {}): ObservedResponse =>
  observed('POST', '/v1/sessions', 201, body, {
    'set-cookie': `__Host-session=${TOKEN}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=1800`,
    ...headers,
  });
const storeDown = (headers: Record<string, string | null> = { 'retry-after': '1' }): ObservedResponse =>
  observed(
    'POST',
    '/v1/sessions/validate',
    503,
    { error: { code: 'store_unavailable', message: 'The session store is unavailable.' } },
    headers,
  );

describe('the OpenAPI response check cannot pass silently', () => {
  it('accepts the documented responses it is shown', () => {
    assert.deepEqual(contract.check(created()), []);
    assert.deepEqual(contract.check(storeDown()), []);
    const expired = { error: { code: 'session_expired', message: 'Expired.', limit: 'idle' } };
    assert.deepEqual(contract.check(observed('POST', '/v1/sessions/validate', 440, expired)), []);
    const revoked = observed('POST', '/v1/sessions/revoke', 204, undefined, {
      'set-cookie': '__Host-session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0',
    });
    assert.deepEqual(contract.check(revoked), []);
  });

  it('refuses a wrong body: a missing, extra, mistyped or malformed field, or no JSON at all', () => {
    const { id: _id, ...noId } = SESSION;
    const wrong: [string, unknown][] = [
      ['missing id', { token: TOKEN, session: noId }],
      ['extra secretHash', { token: TOKEN, session: { ...SESSION, secretHash: 'x' } }],
      ['version as a string', { token: TOKEN, session: { ...SESSION, version: '1' } }],
      ['a short id', { token: TOKEN, session: { ...SESSION, id: 'short' } }],
      ['a date that is no date-time', { token: TOKEN, session: { ...SESSION, createdAt: 'yesterday' } }],
      ['no token', { session: SESSION }],
      ['an error body on a 201', { error: { code: 'internal', message: 'x' } }],
    ];
    for (const [what, body] of wrong) {
      const problems = contract.check(created(body));
      assert.ok(problems.length > 0, `${what} passed`);
      assert.match(problems.join('\n'), /^body /m, what);
    }
    const notJson = { ...created(), text: '{"token":' };
    assert.match(contract.check(notJson).join(), /not JSON/);
  });

  it('refuses an undocumented status, content type, or error code for the status', () => {
    assert.match(contract.check({ ...created(), status: 200 }).join(), /status 200 is not documented/);
    const html = created(undefined, { 'content-type': 'text/html' });
    assert.match(contract.check(html).join(), /content type text\/html is not one of/);
    const wrongCode = observed('GET', `/v1/sessions/${SESSION.id}`, 404, {
      error: { code: 'token_invalid', message: 'x' },
    });
    assert.match(
      contract.check(wrongCode).join(),
      /\/error\/code must be equal to one of the allowed values/,
    );
    const body204 = observed('DELETE', `/v1/sessions/${SESSION.id}`, 204, { ok: true });
    assert.match(contract.check(body204).join(), /no body is documented/);
  });

  it('refuses a missing or wrong documented header: Retry-After on 503, Set-Cookie on 201, Allow on 405', () => {
    assert.match(contract.check(storeDown({})).join(), /header Retry-After is required and missing/);
    assert.match(contract.check(storeDown({ 'retry-after': 'soon' })).join(), /header Retry-After: "soon"/);
    assert.match(contract.check(created(undefined, { 'set-cookie': null })).join(), /Set-Cookie is required/);
    const cached = created(undefined, { 'cache-control': 'max-age=60' });
    assert.match(contract.check(cached).join(), /header Cache-Control/);
    const noAllow = observed('GET', '/v1/sessions/validate', 405, {
      error: { code: 'method_not_allowed', message: 'Use POST here.' },
    });
    assert.match(contract.check(noAllow).join(), /header Allow is required and missing/);
    assert.deepEqual(
      contract.check({ ...noAllow, headers: withHeader(noAllow.headers, 'allow', 'POST') }),
      [],
    );
  });

  it('answers outside every operation are only 404 (no such path), 405 (other method) or 400', () => {
    const notFound = { error: { code: 'not_found', message: 'No such endpoint.' } };
    assert.deepEqual(contract.check(observed('GET', '/v1/nothing-here', 404, notFound)), []);
    assert.match(
      contract.check(observed('GET', '/v1/nothing-here', 200, { ok: true })).join(),
      /no documented path/,
    );
    // A literal path wins over a template, as in the router: GET /v1/sessions/validate is not GET /{id}.
    const located = contract.locate('GET', '/v1/sessions/validate');
    assert.deepEqual(located, { kind: 'method_not_allowed', template: '/v1/sessions/validate' });
    assert.equal(contract.locate('HEAD', '/healthz?x=1').kind, 'operation');
  });

  it('every schema the document points to compiles, and its examples validate', () => {
    let compiled = 0;
    for (const [template, item] of Object.entries(contract.document.paths)) {
      for (const method of OPENAPI_METHODS) {
        const operation = item[method] as Operation | undefined;
        if (operation === undefined) continue;
        for (const [status, response] of Object.entries(operation.responses)) {
          if ('$ref' in response) continue;
          for (const media of Object.keys(response.content ?? {})) {
            const at = `/paths/${pointerToken(template)}/${method}/responses/${status}/content/${pointerToken(media)}/schema`;
            contract.schemaAt(at);
            compiled += 1;
          }
        }
      }
    }
    for (const [name, schema] of Object.entries(contract.document.components.schemas)) {
      const validate = contract.schemaAt(`/components/schemas/${pointerToken(name)}`);
      compiled += 1;
      for (const example of (schema as { examples?: unknown[] }).examples ?? []) {
        assert.ok(validate(example), `${name} example: ${JSON.stringify(validate.errors)}`);
      }
    }
    for (const [name, response] of Object.entries(contract.document.components.responses)) {
      for (const media of Object.keys(response.content ?? {})) {
        contract.schemaAt(`/components/responses/${name}/content/${pointerToken(media)}/schema`);
        compiled += 1;
      }
    }
    assert.ok(compiled > 40, `compiled ${compiled}`);
  });
});

describe('the fetch hook fails the test whose response drifts', () => {
  let drifting: Server;
  let base: string;
  before(async () => {
    // A "service" whose health answer names a store kind the document does not know.
    drifting = createServer((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-request-id': '7d3f0a9e-1c2b-4d5e-8f90-123456789abc',
      });
      response.end('{"status":"ok","store":"floppy-disk"}');
    });
    await new Promise<void>((resolve) => drifting.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(drifting.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => drifting.close(() => resolve())));

  it('an unwatched origin is not checked; once watched, plain fetch and call() both reject the drift', async () => {
    assert.equal((await fetch(`${base}/healthz`)).status, 200, 'not a service under test yet');
    const failedBefore = contractTally.failed;
    watchService(base);
    await assert.rejects(fetch(`${base}/healthz`), (error: Error) => {
      assert.match(error.message, /response not in docs\/openapi\.json: GET \/healthz -> 200/);
      assert.match(error.message, /body \/store must be equal to one of the allowed values/);
      return true;
    });
    await assert.rejects(
      call(base, 'GET', '/healthz', undefined, { key: null }),
      /not in docs\/openapi\.json/,
    );
    assert.equal(contractTally.failed, failedBefore + 2);
  });
});

describe('the fetch hook checks every response of a started service', () => {
  let api: TestService;
  before(async () => {
    api = await startService();
  });
  after(() => api.close());

  it('counts responses to plain fetch and to call() alike', async () => {
    const before = contractTally.checked;
    assert.equal((await fetch(`${api.base}/healthz`)).status, 200);
    assert.equal((await fetch(`${api.base}/healthz`, { method: 'HEAD' })).status, 200);
    assert.equal((await api.call('POST', '/v1/sessions', { subject: 'counted' })).status, 201);
    assert.equal((await api.call('GET', '/nowhere')).status, 404);
    assert.equal(contractTally.checked, before + 4);
  });
});

function withHeader(headers: Headers, name: string, value: string): Headers {
  const copy = new Headers(headers);
  copy.set(name, value);
  return copy;
}
