import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cryptoRandom } from '../../src/core/random.js';
import { mintToken, newSessionId } from '../../src/core/token.js';
import type { RequestFacts } from '../../src/transport/request.js';
import { readToken, type TokenSourceOptions } from '../../src/transport/token-source.js';

const BOTH: TokenSourceOptions = { cookieName: '__Host-session', cookie: true, bearer: true };
const token = (): string => mintToken(newSessionId(cryptoRandom), cryptoRandom).token;

function request(url: string, headers: Record<string, string> = {}): RequestFacts {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'GET', url, header: (name) => lower.get(name) ?? null, ip: '127.0.0.1' };
}

describe('token source', () => {
  it('no cookie and no Authorization: missing', () => {
    assert.deepEqual(readToken(request('/'), BOTH), { kind: 'missing' });
    assert.deepEqual(readToken(request('/', { cookie: 'other=1' }), BOTH), { kind: 'missing' });
  });

  it('reads the session cookie', () => {
    const t = token();
    assert.deepEqual(readToken(request('/', { cookie: `a=1; __Host-session=${t}; b=2` }), BOTH), {
      kind: 'present',
      token: t,
      via: 'cookie',
    });
  });

  it('reads Authorization: Bearer (case-insensitive scheme)', () => {
    const t = token();
    for (const header of [`Bearer ${t}`, `bearer ${t}`, `BEARER  ${t}`]) {
      assert.deepEqual(readToken(request('/', { authorization: header }), BOTH), {
        kind: 'present',
        token: t,
        via: 'bearer',
      });
    }
    assert.deepEqual(readToken(request('/', { authorization: `Basic ${t}` }), BOTH), { kind: 'missing' });
  });

  it('honours the switches: bearer off ignores Authorization, cookie off ignores the cookie', () => {
    const t = token();
    assert.deepEqual(readToken(request('/', { authorization: `Bearer ${t}` }), { ...BOTH, bearer: false }), {
      kind: 'missing',
    });
    assert.deepEqual(readToken(request('/', { cookie: `__Host-session=${t}` }), { ...BOTH, cookie: false }), {
      kind: 'missing',
    });
  });

  it('the same token in cookie and bearer is fine; two different ones are refused as ambiguous', () => {
    const t = token();
    assert.equal(
      readToken(request('/', { cookie: `__Host-session=${t}`, authorization: `Bearer ${t}` }), BOTH).kind,
      'present',
    );
    assert.deepEqual(
      readToken(request('/', { cookie: `__Host-session=${t}`, authorization: `Bearer ${token()}` }), BOTH),
      { kind: 'refused', reason: 'ambiguous' },
    );
  });

  it('refuses a token in the URL, even with a valid cookie, plain or percent-encoded', () => {
    const t = token();
    for (const url of [
      `/?session=${t}`,
      `/a?x=1&t=${t}`,
      `/?t=${t.replace(/\./g, '%2E')}`,
      `/login/${t}`,
      `https://h/s/${t.replace(/\./g, '%2e')}/x`,
      `https://h/p?t=${t}`,
    ]) {
      assert.deepEqual(readToken(request(url, { cookie: `__Host-session=${t}` }), BOTH), {
        kind: 'refused',
        reason: 'token_in_url',
      });
    }
  });

  it('refuses refresh tokens and JWTs in the URL too', () => {
    const t = token();
    const refresh = `rt1.${'A'.repeat(22)}.3.${'B'.repeat(43)}.${'C'.repeat(22)}`;
    const jwt = `eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyLTQyIn0.${'s'.repeat(86)}`;
    for (const url of [
      `/?refresh=${refresh}`,
      `/cb?access_token=${jwt}`,
      `/x/${jwt.replace(/\./g, '%2E')}`,
    ]) {
      assert.deepEqual(readToken(request(url, { cookie: `__Host-session=${t}` }), BOTH), {
        kind: 'refused',
        reason: 'token_in_url',
      });
    }
  });

  it('a host name that looks like a token prefix is not a token in the URL', () => {
    const t = token();
    const host = `ts1.${'a'.repeat(30)}.example`;
    assert.equal(
      readToken(request(`https://${host}/page`, { cookie: `__Host-session=${t}` }), BOTH).kind,
      'present',
    );
  });

  it('refuses a duplicated session cookie (cookie tossing) instead of guessing', () => {
    const t = token();
    assert.deepEqual(
      readToken(request('/', { cookie: `__Host-session=${t}; __Host-session=${token()}` }), BOTH),
      {
        kind: 'refused',
        reason: 'ambiguous',
      },
    );
    assert.deepEqual(readToken(request('/', { cookie: `__Host-session=${t}; __Host-session=${t}` }), BOTH), {
      kind: 'refused',
      reason: 'ambiguous',
    });
  });

  it('refuses oversized Cookie and Authorization headers', () => {
    const big = 'x'.repeat(20_000);
    assert.deepEqual(readToken(request('/', { cookie: `a=${big}; __Host-session=${token()}` }), BOTH), {
      kind: 'refused',
      reason: 'header_too_large',
    });
    assert.deepEqual(readToken(request('/', { authorization: `Bearer ${big}` }), BOTH), {
      kind: 'refused',
      reason: 'header_too_large',
    });
  });
});
