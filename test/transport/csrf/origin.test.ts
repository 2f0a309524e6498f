import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CsrfOptions, resolveCsrfOptions } from '../../../src/transport/csrf/options.js';
import { checkRequestOrigin, isSafeMethod } from '../../../src/transport/csrf/origin.js';
import type { RequestFacts } from '../../../src/transport/request.js';

function facts(headers: Record<string, string>, url = '/form'): RequestFacts {
  return { method: 'POST', url, ip: null, header: (name) => headers[name] ?? null };
}

function check(headers: Record<string, string>, options: CsrfOptions = {}, url?: string): string | null {
  return checkRequestOrigin(facts({ host: 'app.example', ...headers }, url), resolveCsrfOptions(options));
}

describe('request origin checks (OWASP CSRF cheat sheet order)', () => {
  it('follows Fetch Metadata first', () => {
    assert.equal(check({ 'sec-fetch-site': 'same-origin' }), null);
    assert.equal(check({ 'sec-fetch-site': 'none' }), null, 'user navigation');
    assert.equal(check({ 'sec-fetch-site': 'cross-site' }), 'cross_site');
    assert.equal(check({ 'sec-fetch-site': 'same-site' }), 'same_site');
    assert.equal(check({ 'sec-fetch-site': 'same-site' }, { allowSameSite: true }), null);
    assert.equal(check({ 'sec-fetch-site': 'bogus' }), 'fetch_metadata_unknown');
    // Fetch Metadata is authoritative when present: a cross-site request is refused even with a matching Origin.
    assert.equal(check({ 'sec-fetch-site': 'cross-site', origin: 'https://app.example' }), 'cross_site');
  });

  it('compares the scheme too: an http page on the same host is another origin', () => {
    const known = (protocol: 'http:' | 'https:', origin: string): string | null =>
      checkRequestOrigin({ ...facts({ host: 'app.example', origin }), protocol }, resolveCsrfOptions({}));
    assert.equal(known('https:', 'https://app.example'), null);
    assert.equal(known('https:', 'http://app.example'), 'origin_mismatch');
    assert.equal(known('http:', 'http://app.example'), null);
    // Scheme unknown (a path-only URL, no TLS socket, no trusted proxy): only https, or http on loopback.
    assert.equal(check({ origin: 'http://app.example' }), 'origin_mismatch');
    assert.equal(check({ origin: 'https://app.example' }), null);
    assert.equal(check({ origin: 'http://localhost:3000', host: 'localhost:3000' }), null);
    assert.equal(check({ origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080' }), null);
    assert.equal(check({ referer: 'http://app.example/page' }), 'referer_mismatch');
  });

  it('falls back to Origin against the own host and configured origins', () => {
    assert.equal(check({ origin: 'https://app.example' }), null);
    assert.equal(check({ origin: 'https://app.example:443' }), null, 'default port normalized');
    assert.equal(check({ origin: 'https://evil.example' }), 'origin_mismatch');
    assert.equal(check({ origin: 'https://app.example.evil.example' }), 'origin_mismatch');
    assert.equal(check({ origin: 'null' }), 'origin_null');
    assert.equal(check({ origin: 'not a url' }), 'origin_mismatch');
    // Behind a proxy the Host header is internal: configure the public origin.
    assert.equal(
      check(
        { origin: 'https://public.example', host: 'internal:8080' },
        { trustedOrigins: ['https://public.example'] },
      ),
      null,
    );
    assert.equal(check({ origin: 'https://app.example' }, { trustHost: false }), 'origin_mismatch');
  });

  it('compares the scheme too when the request URL is absolute', () => {
    assert.equal(check({ origin: 'http://app.example' }, {}, 'https://app.example/form'), 'origin_mismatch');
    assert.equal(check({ origin: 'https://app.example' }, {}, 'https://app.example/form'), null);
  });

  it('then falls back to Referer', () => {
    assert.equal(check({ referer: 'https://app.example/page?x=1' }), null);
    assert.equal(check({ referer: 'https://evil.example/app.example' }), 'referer_mismatch');
  });

  it('refuses when the origin cannot be established, unless non-browser clients are allowed', () => {
    assert.equal(check({}), 'origin_missing');
    assert.equal(check({}, { allowMissingOrigin: true }), null);
  });

  it('treats only GET, HEAD, OPTIONS and TRACE as safe (RFC 9110 9.2.1)', () => {
    for (const method of ['GET', 'head', 'OPTIONS', 'TRACE'])
      assert.equal(isSafeMethod(method), true, method);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'post'])
      assert.equal(isSafeMethod(method), false, method);
  });
});

describe('CSRF options', () => {
  it('refuses unsafe or malformed settings at start-up', () => {
    assert.throws(() => resolveCsrfOptions({ secret: 'short' }), TypeError);
    assert.throws(() => resolveCsrfOptions({ secret: [] }), TypeError);
    assert.throws(() => resolveCsrfOptions({ trustedOrigins: ['https://app.example/path'] }), TypeError);
    assert.throws(() => resolveCsrfOptions({ trustedOrigins: ['app.example'] }), TypeError);
    assert.throws(() => resolveCsrfOptions({ trustedOrigins: ['ftp://app.example'] }), TypeError);
    assert.throws(() => resolveCsrfOptions({ headerName: 'bad header' }), TypeError);
    assert.throws(() => resolveCsrfOptions({ fieldName: '' }), TypeError);
  });

  it('makes a random key when none is given, and does not touch the caller object', () => {
    const options: CsrfOptions = { trustedOrigins: ['HTTPS://App.Example:443/'] };
    const a = resolveCsrfOptions(options);
    const b = resolveCsrfOptions(options);
    assert.notEqual(a.secrets[0], b.secrets[0]);
    assert.deepEqual([...a.trustedOrigins], ['https://app.example']);
    assert.deepEqual(options, { trustedOrigins: ['HTTPS://App.Example:443/'] });
    assert.ok(Object.isFrozen(a));
  });

  it('makes that key on first use, not while options are read (workerd refuses random values at module scope)', () => {
    let calls = 0;
    const random = (length: number): Uint8Array => {
      calls++;
      return new Uint8Array(length).fill(7);
    };
    const options = resolveCsrfOptions({ random });
    assert.equal(calls, 0, 'nothing random while the options are read');
    const key = options.secrets[0];
    assert.equal(calls, 1);
    assert.equal(key, 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc');
    assert.equal(options.secrets[0], key, 'one key for the life of the options');
    assert.equal(calls, 1);
    assert.equal(resolveCsrfOptions({ random, secret: 'k'.repeat(32) }).secrets[0], 'k'.repeat(32));
    assert.equal(calls, 1, 'a given secret needs no random key');
  });
});
