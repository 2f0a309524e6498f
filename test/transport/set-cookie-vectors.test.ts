import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CookieJar } from '../support/set-cookie-parser.js';

interface Vector {
  test: string;
  received: string[];
  sent: { name: string; value: string }[];
  'sent-to'?: string;
}

const file = fileURLToPath(new URL('../../../shared/testdata/http-state/parser.json', import.meta.url));
const vectors = JSON.parse(readFileSync(file, 'utf8')) as Vector[];

/**
 * The vectors were written around 2011; cases 0002 and COMMA0006 set `Expires=Fri, 07 Aug 2019` and expect
 * the cookie to be kept, so the jar runs on a clock fixed in April 2011 (0003 still sees 2007 as past).
 */
const VECTOR_NOW = Date.UTC(2011, 3, 1);
const ORIGIN = 'http://home.example.org:8888';

/**
 * RFC 6265 vs RFC 6265bis: 0004 (`foo`) and 0021 (`=x`) are nameless cookies. RFC 6265 ignores them,
 * which is what the vectors expect and what this parser does; RFC 6265bis would store a cookie with an
 * empty name. Tessera never emits a nameless cookie, so either reading is safe for it.
 */
const NAMELESS = new Set(['0004', '0021']);

describe('RFC 6265 parser against the http-state vectors', () => {
  it('loads all 222 cases', () => {
    assert.equal(vectors.length, 222);
  });

  for (const vector of vectors) {
    // DISABLED_* cases are disabled upstream too (browsers disagree with the expected answer).
    if (vector.test.startsWith('DISABLED_')) continue;
    it(`case ${vector.test}${NAMELESS.has(vector.test) ? ' (nameless: RFC 6265 reading)' : ''}`, () => {
      const jar = new CookieJar(() => VECTOR_NOW);
      for (const header of vector.received) jar.setCookie(header, `${ORIGIN}/cookie-parser?${vector.test}`);
      const target = new URL(vector['sent-to'] ?? `/cookie-parser-result?${vector.test}`, `${ORIGIN}/`).href;
      assert.deepEqual(jar.cookiesFor(target), vector.sent);
    });
  }

  it('with today’s clock, 0002 and COMMA0006 are expired (the reason for the fixed clock)', () => {
    for (const id of ['0002', 'COMMA0006']) {
      const vector = vectors.find((v) => v.test === id) as Vector;
      const jar = new CookieJar(() => Date.UTC(2026, 0, 1));
      for (const header of vector.received) jar.setCookie(header, `${ORIGIN}/cookie-parser`);
      assert.deepEqual(jar.cookiesFor(`${ORIGIN}/cookie-parser-result`), []);
    }
  });
});
