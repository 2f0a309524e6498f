import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { startService, TEST_API_KEY, type TestService } from './helpers.js';

/** Sends a chunked body (no Content-Length) with node:http, so the limit must be enforced while reading. */
function sendChunked(
  base: string,
  path: string,
  chunks: number,
  chunkSize: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TEST_API_KEY}`,
      },
    });
    req.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    // The server may close the connection while we are still writing: that is the point.
    req.on('error', (error) => {
      if (!('code' in error) || (error.code !== 'EPIPE' && error.code !== 'ECONNRESET')) reject(error);
    });
    req.write('{"subject":"x","data":{"blob":"');
    let sent = 0;
    const pump = (): void => {
      while (sent < chunks) {
        sent += 1;
        if (!req.write('a'.repeat(chunkSize))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end('"}}');
    };
    pump();
  });
}

describe('service errors', () => {
  let api: TestService;
  before(async () => {
    api = await startService();
  });
  after(async () => {
    await api.close();
  });

  it('every /v1 call needs the API key: missing, wrong, wrong length or wrong scheme is 401', async () => {
    const attempts: (string | null)[] = [null, 'wrong-key-wrong-key-wrong-key-wrong-key-wrong-key', 'x'];
    for (const key of attempts) {
      const refused = await api.call('POST', '/v1/sessions', { subject: 'a' }, { key });
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error?.code, 'api_key_invalid');
      assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
    const basic = await api.call('GET', '/v1/subjects/a/sessions', undefined, {
      key: null,
      headers: { authorization: `Basic ${Buffer.from(`u:${api.apiKey}`).toString('base64')}` },
    });
    assert.equal(basic.status, 401);
    assert.equal((await api.call('GET', '/metrics', undefined, { key: null })).status, 401);
    assert.equal(
      (await api.call('DELETE', `/v1/sessions/${'A'.repeat(26)}`, undefined, { key: null })).status,
      401,
    );
  });

  it('unknown routes are 404, wrong methods 405 with Allow', async () => {
    const unknown = await api.call('GET', '/v1/nothing-here');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error?.code, 'not_found');
    assert.equal((await api.call('GET', '/v1/sessions/')).status, 404);
    const wrong = await api.call('PUT', '/v1/sessions', { subject: 'a' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.body.error?.code, 'method_not_allowed');
    assert.equal(wrong.headers.get('allow'), 'POST');
    const validateGet = await api.call('GET', '/v1/sessions/validate');
    assert.equal(validateGet.status, 405);
    assert.equal(validateGet.headers.get('allow'), 'POST');
    const byId = await api.call('POST', `/v1/sessions/${'A'.repeat(26)}`, {});
    assert.equal(byId.status, 405);
    assert.equal(byId.headers.get('allow'), 'GET, DELETE, HEAD');
    assert.equal((await api.call('POST', '/healthz')).status, 405);
  });

  it('CONNECT is answered 405 method_not_allowed, not dropped unanswered (found by npm run fuzz)', async () => {
    const { port } = new URL(api.base);
    for (const target of ['/v1/sessions', '127.0.0.1:443', '/healthz']) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
        );
        let text = '';
        socket.on('data', (chunk) => {
          text += chunk.toString('latin1');
        });
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 405 /, target);
      assert.match(answer, /\r\ncache-control: no-store\r\n/i);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string } };
      assert.equal(body.error.code, 'method_not_allowed');
    }
    assert.equal((await api.call('GET', '/healthz')).status, 200);
  });

  it('malformed JSON is 400 invalid_json and the body is never echoed', async () => {
    const token = 'ts1.AAAAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    for (const raw of [`{"token":"${token}"`, '{subject:1}', 'nul', '"', '{"a":1}}']) {
      const bad = await api.call('POST', '/v1/sessions/validate', undefined, { raw });
      assert.equal(bad.status, 400, raw);
      assert.equal(bad.body.error?.code, 'invalid_json');
      assert.ok(!bad.text.includes('ts1.'));
    }
    assert.equal(
      (await api.call('POST', '/v1/sessions', undefined, { raw: '' })).body.error?.code,
      'invalid_json',
    );
    const notUtf8 = await api.call('POST', '/v1/sessions', undefined, {
      raw: new Uint8Array([0x7b, 0xff, 0x7d]),
    });
    assert.equal(notUtf8.status, 400);
    assert.equal(notUtf8.body.error?.code, 'invalid_json');
    for (const raw of ['[]', '1', '"text"', 'null']) {
      const notObject = await api.call('POST', '/v1/sessions', undefined, { raw });
      assert.equal(notObject.status, 400, raw);
      assert.equal(notObject.body.error?.code, 'invalid_request');
    }
    assert.ok(!api.logs.join('').includes(token), 'the log never holds the token');
  });

  it('wrong types are 400 invalid_request naming the field and why', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/v1/sessions', { subject: 1 }, /^subject must be a string, not a number/],
      ['POST', '/v1/sessions', {}, /^subject is required/],
      ['POST', '/v1/sessions', { subject: '' }, /^subject must not be empty/],
      ['POST', '/v1/sessions', { subject: 'x'.repeat(257) }, /^subject must be at most 256/],
      ['POST', '/v1/sessions', { subject: 'a', data: 'text' }, /^data must be a JSON object, not a string/],
      ['POST', '/v1/sessions', { subject: 'a', data: [1] }, /^data must be a JSON object, not an array/],
      ['POST', '/v1/sessions', { subject: 'a', level: -1 }, /^level must be from 0/],
      ['POST', '/v1/sessions', { subject: 'a', level: 1.5 }, /^level must be an integer/],
      ['POST', '/v1/sessions', { subject: 'a', level: '2' }, /^level must be an integer, not a string/],
      ['POST', '/v1/sessions', { subject: 'a', ip: 5 }, /^ip must be a string/],
      [
        'POST',
        '/v1/sessions',
        { subject: 'a', userAgent: 'u'.repeat(2000) },
        /^userAgent must be at most 1024/,
      ],
      ['POST', '/v1/sessions', { subject: 'a', subjet: 'typo' }, /^subjet is not a known field/],
      ['POST', '/v1/sessions/validate', { token: 42 }, /^token must be a string, not a number/],
      ['POST', '/v1/sessions/validate', { token: ['x'] }, /^token must be a string, not an array/],
      ['POST', '/v1/sessions/rotate', { token: { a: 1 } }, /^token must be a string, not an object/],
      ['POST', '/v1/sessions/elevate', { token: 'x', level: 'high' }, /^level must be an integer/],
      ['POST', '/v1/sessions/revoke', { token: true }, /^token must be a string, not a boolean/],
      ['PATCH', `/v1/sessions/${'A'.repeat(26)}/data`, {}, /^set or unset is required/],
      ['PATCH', `/v1/sessions/${'A'.repeat(26)}/data`, { set: [] }, /^set must be a JSON object/],
      ['PATCH', `/v1/sessions/${'A'.repeat(26)}/data`, { unset: 'a' }, /^unset must be an array of strings/],
      ['PATCH', `/v1/sessions/${'A'.repeat(26)}/data`, { unset: [1] }, /^unset\[0\] must be a string/],
      [
        'PATCH',
        `/v1/sessions/${'A'.repeat(26)}/data`,
        { set: { a: 1 }, version: '1' },
        /^version must be an integer/,
      ],
      [
        'PATCH',
        `/v1/sessions/${'A'.repeat(26)}/data`,
        { set: { a: 1 }, version: 0 },
        /^version must be from 1/,
      ],
      ['PATCH', `/v1/sessions/${'A'.repeat(26)}/data`, { set: { a: 1 }, unset: ['a'] }, /^unset names "a"/],
      ['PATCH', '/v1/sessions/bad-id/data', { set: { a: 1 } }, /^id is not a session id/],
    ];
    for (const [method, path, body, message] of cases) {
      const response = await api.call(method, path, body);
      assert.equal(response.status, 400, `${method} ${path} ${JSON.stringify(body).slice(0, 80)}`);
      assert.equal(response.body.error?.code, 'invalid_request');
      assert.match(response.body.error?.message ?? '', message);
    }
  });

  it('NUL, lone surrogates, token-shaped subjects and 32-bit-overflowing versions are 400 and change nothing', async () => {
    const created = await api.call('POST', '/v1/sessions', { subject: 'unicode-user', data: { keep: 1 } });
    assert.equal(created.status, 201);
    const id = (created.body.session as { id: string }).id;
    const bad: [string, string, unknown][] = [
      ['POST', '/v1/sessions', { subject: 'nul\u0000user' }],
      ['POST', '/v1/sessions', { subject: 'lone\ud800user' }],
      ['POST', '/v1/sessions', { subject: `ts1.${'A'.repeat(26)}` }],
      ['POST', '/v1/sessions', { subject: 'unicode-user', userAgent: 'ua\u0000' }],
      ['POST', '/v1/sessions', { subject: 'unicode-user', ip: '1.2.3.4\udc00' }],
      ['POST', '/v1/sessions', { subject: 'unicode-user', data: { v: 'x\u0000' } }],
      ['POST', '/v1/sessions', { subject: 'unicode-user', data: { 'k\ud83d': 1 } }],
      ['PATCH', `/v1/sessions/${id}/data`, { set: { v: '\ud800' } }],
      ['PATCH', `/v1/sessions/${id}/data`, { unset: ['a\u0000'] }],
      ['PATCH', `/v1/sessions/${id}/data`, { set: { a: 1 }, version: 2 ** 31 }],
    ];
    for (const [method, path, body] of bad) {
      const response = await api.call(method, path, body);
      assert.equal(
        response.status,
        400,
        `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(response.body)}`,
      );
    }
    const listed = await api.call('GET', '/v1/subjects/unicode-user/sessions');
    assert.equal(listed.status, 200);
    const sessions = listed.body.sessions as { data: unknown }[];
    assert.equal(sessions.length, 1, 'nothing was created');
    assert.deepEqual(sessions[0]?.data, { keep: 1 }, 'nothing was patched');
  });

  it('400 messages never echo a long or token-shaped field name, and name an out-of-range number as such', async () => {
    const long = 'f'.repeat(5000);
    const tokenShaped = `ts1.${'A'.repeat(26)}.${'B'.repeat(43)}`;
    for (const name of [long, tokenShaped]) {
      const reply = await api.call('POST', '/v1/sessions', { subject: 'a', [name]: 1 });
      assert.equal(reply.status, 400);
      const message = reply.body.error?.message ?? '';
      assert.ok(message.length < 300, `message of ${message.length} characters`);
      assert.ok(!message.includes('B'.repeat(43)), 'no token in the message');
    }
    const huge = await api.call('POST', '/v1/sessions', undefined, {
      raw: '{"subject":"a","data":{"n":1e400}}',
    });
    assert.equal(huge.status, 400);
    assert.match(huge.body.error?.message ?? '', /not finite/);
  });

  it('deeply nested data is refused, not crashed on', async () => {
    let nested: unknown = 1;
    for (let i = 0; i < 40; i++) nested = { n: nested };
    const response = await api.call('POST', '/v1/sessions', { subject: 'deep', data: nested });
    assert.equal(response.status, 400);
    assert.match(response.body.error?.message ?? '', /^data is nested too deeply/);
  });

  it('a body that is not JSON by Content-Type is 415', async () => {
    const noType = await api.call('POST', '/v1/sessions', undefined, {
      raw: '{"subject":"a"}',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(noType.status, 415);
    assert.equal(noType.body.error?.code, 'unsupported_media_type');
    const form = await api.call('POST', '/v1/sessions', undefined, {
      raw: 'subject=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);
    const charset = await api.call('POST', '/v1/sessions', undefined, {
      raw: '{"subject":"charset"}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(charset.status, 201);
  });

  it('a body over 64 KiB is 413, by declared length or while streaming', async () => {
    const big = JSON.stringify({ subject: 'a', data: { blob: 'a'.repeat(70 * 1024) } });
    const declared = await api.call('POST', '/v1/sessions', undefined, { raw: big });
    assert.equal(declared.status, 413);
    assert.equal(declared.body.error?.code, 'payload_too_large');
    // 2 MiB in chunks without Content-Length: refused once 64 KiB have arrived.
    const streamed = await sendChunked(api.base, '/v1/sessions', 512, 4096);
    assert.equal(streamed.status, 413);
    assert.equal((JSON.parse(streamed.body) as { error: { code: string } }).error.code, 'payload_too_large');
    // Just under the limit is accepted.
    const fits = JSON.stringify({ subject: 'a', data: { blob: 'a'.repeat(60 * 1024) } });
    assert.equal((await api.call('POST', '/v1/sessions', undefined, { raw: fits })).status, 201);
    assert.equal((await api.call('GET', '/healthz')).status, 200);
  });

  it('tokens in the URL are refused', async () => {
    const created = await api.call('POST', '/v1/sessions', { subject: 'url' });
    const inQuery = await api.call('GET', `/v1/subjects/url/sessions?token=${created.body.token}`);
    assert.equal(inQuery.status, 400);
    assert.match(inQuery.body.error?.message ?? '', /never in the URL/);
    assert.ok(!api.logs.join('').includes(created.body.token as string));
    const refresh = `rt1.${'A'.repeat(22)}.0.${'B'.repeat(43)}.${'C'.repeat(22)}`;
    const jwt = `eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1cmwifQ.${'s'.repeat(86)}`;
    for (const value of [refresh, jwt]) {
      const reply = await api.call('GET', `/v1/subjects/url/sessions?t=${value}`);
      assert.equal(reply.status, 400, value.slice(0, 4));
      assert.match(reply.body.error?.message ?? '', /never in the URL/);
    }
  });

  it('bad percent-encoding in the path is 400', async () => {
    const response = await api.call('GET', '/v1/subjects/%E0%A4%A/sessions');
    assert.equal(response.status, 400);
    assert.equal(response.body.error?.code, 'invalid_request');
  });

  it('random JSON bodies never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/v1/sessions',
          '/v1/sessions/validate',
          '/v1/sessions/rotate',
          '/v1/sessions/elevate',
          '/v1/sessions/revoke',
        ),
        fc.jsonValue(),
        async (path, body) => {
          const response = await api.call('POST', path, undefined, { raw: JSON.stringify(body) });
          assert.ok(
            response.status < 500,
            `${path} ${JSON.stringify(body).slice(0, 200)} -> ${response.status}`,
          );
        },
      ),
      { numRuns: 150 },
    );
    const created = await api.call('POST', '/v1/sessions', { subject: 'fuzz' });
    const id = created.body.session?.id as string;
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { set: fc.jsonValue(), unset: fc.jsonValue(), version: fc.jsonValue() },
          { requiredKeys: [] },
        ),
        async (body) => {
          const response = await api.call('PATCH', `/v1/sessions/${id}/data`, body);
          assert.ok(response.status < 500, `${JSON.stringify(body).slice(0, 200)} -> ${response.status}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('HEAD /healthz answers without a body; every response is no-store', async () => {
    const response = await fetch(`${api.base}/healthz`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const health = await api.call('GET', '/healthz', undefined, { key: null });
    assert.deepEqual(health.body, { status: 'ok', store: 'memory' });
  });

  it('metrics count requests by route and events by type, with no subject or token', async () => {
    const created = await api.call('POST', '/v1/sessions', { subject: 'metrics-subject-xyz' });
    await api.call('POST', '/v1/sessions/validate', { token: created.body.token });
    const metrics = await api.call('GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(
      metrics.text,
      /tessera_http_requests_total\{method="POST",route="\/v1\/sessions",status="201"\} \d+/,
    );
    assert.match(
      metrics.text,
      /tessera_http_requests_total\{method="POST",route="\/v1\/sessions\/validate",status="200"\} \d+/,
    );
    assert.match(metrics.text, /tessera_events_total\{type="created"\} \d+/);
    assert.match(metrics.text, /tessera_store_errors_total 0/);
    assert.ok(!metrics.text.includes('metrics-subject-xyz'));
    assert.ok(!metrics.text.includes(created.body.session?.id as string));
    assert.ok(!metrics.text.includes('ts1.'));
  });

  it('request logs are one JSON line each with route, status, duration and public id, never a secret', async () => {
    const created = await api.call('POST', '/v1/sessions', { subject: 'logged' });
    await api.call('POST', '/v1/sessions/validate', { token: created.body.token });
    const lines = api.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const entry = lines.find(
      (line) => line.route === '/v1/sessions/validate' && line.sessionId === created.body.session?.id,
    );
    assert.ok(entry, 'a log line for the validate call');
    assert.equal(entry.method, 'POST');
    assert.equal(entry.status, 200);
    assert.equal(typeof entry.durationMs, 'number');
    const all = api.logs.join('');
    assert.ok(!all.includes(created.body.token as string));
    assert.ok(!all.includes(api.apiKey));
    assert.ok(!all.includes('ts1.'));
  });

  it('the admin console is one self-contained page under a strict CSP', async () => {
    const response = await fetch(`${api.base}/admin`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const html = await response.text();
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(!csp.includes('unsafe-inline'));
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*)<\/style>/.exec(html)?.[1] ?? '';
    const digest = (text: string): string => createHash('sha256').update(text).digest('base64');
    assert.ok(
      csp.includes(`script-src 'sha256-${digest(script)}'`),
      'the inline script is allowed by its hash',
    );
    assert.ok(csp.includes(`style-src 'sha256-${digest(style)}'`), 'the inline style is allowed by its hash');
    assert.ok(!/\s(src|href)=/i.test(html), 'no external assets');
    assert.ok(!/innerHTML/.test(script), 'values are written as text');
    assert.ok(script.includes('sessionStorage'));
    assert.ok(!script.includes('localStorage'));
  });
});

describe('service store faults', () => {
  it('a store fault fails closed with 503 store_unavailable and Retry-After, and the process keeps serving', async () => {
    const store = new MemoryStore();
    const api = await startService({}, { storeInstance: store });
    try {
      const created = await api.call('POST', '/v1/sessions', { subject: 'fault' });
      assert.equal(created.status, 201);
      await store.close();
      const checks = [
        await api.call('POST', '/v1/sessions/validate', { token: created.body.token }),
        await api.call('POST', '/v1/sessions', { subject: 'fault' }),
        await api.call('POST', '/v1/sessions/rotate', { token: created.body.token }),
        await api.call('GET', '/v1/subjects/fault/sessions'),
        await api.call('PATCH', `/v1/sessions/${created.body.session?.id}/data`, { set: { a: 1 } }),
        await api.call('GET', '/healthz'),
      ];
      for (const response of checks) {
        assert.equal(response.status, 503);
        assert.equal(response.body.error?.code, 'store_unavailable');
        assert.match(response.headers.get('retry-after') ?? '', /^\d+$/);
      }
      const metrics = await api.call('GET', '/metrics');
      assert.match(metrics.text, /tessera_store_errors_total 6/);
      assert.ok(api.logs.some((line) => line.includes('"store unavailable"')));
      // A malformed token is still refused before any store access: 401, not 503.
      assert.equal((await api.call('POST', '/v1/sessions/validate', { token: 'nope' })).status, 401);
    } finally {
      await api.close();
    }
  });
});
