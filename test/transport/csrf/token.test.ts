import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { issueCsrfToken, verifyCsrfToken } from '../../../src/transport/csrf/token.js';

const SECRET = 'unit-test-csrf-secret-0123456789abcdef';
const OTHER_SECRET = 'another-csrf-secret-0123456789abcdefgh';
const SESSION = 'AAAAbbbbccccddddeeeeffffgg';
const OTHER_SESSION = 'ZZZZbbbbccccddddeeeeffffgg';
const fixedRandom = (byte: number) => (length: number) => new Uint8Array(length).fill(byte);

describe('CSRF tokens', () => {
  it('verifies a token issued for the same session', () => {
    const token = issueCsrfToken(SECRET, SESSION, fixedRandom(7));
    assert.equal(verifyCsrfToken([SECRET], SESSION, token), true);
  });

  it('refuses a token issued for another session (bound to the public session id)', () => {
    const token = issueCsrfToken(SECRET, OTHER_SESSION, fixedRandom(7));
    assert.equal(verifyCsrfToken([SECRET], SESSION, token), false);
  });

  it('refuses a token signed with another key, and accepts an older key kept for rotation', () => {
    const old = issueCsrfToken(OTHER_SECRET, SESSION, fixedRandom(1));
    assert.equal(verifyCsrfToken([SECRET], SESSION, old), false);
    assert.equal(verifyCsrfToken([SECRET, OTHER_SECRET], SESSION, old), true);
  });

  it('is HMAC-SHA256 over the length-prefixed session id and random value (OWASP signed token)', () => {
    const token = issueCsrfToken(SECRET, SESSION, fixedRandom(9));
    const [value, mac] = token.split('.') as [string, string];
    assert.equal(value, Buffer.alloc(32, 9).toString('base64url'));
    const message = `${SESSION.length}!${SESSION}!${value.length}!${value}`;
    assert.equal(mac, createHmac('sha256', SECRET).update(message).digest('base64url'));
  });

  it('differs on every issue (a fresh random value each time)', () => {
    const tokens = new Set(
      Array.from({ length: 20 }, () =>
        issueCsrfToken(SECRET, SESSION, (n) => crypto.getRandomValues(new Uint8Array(n))),
      ),
    );
    assert.equal(tokens.size, 20);
  });

  it('refuses malformed tokens before computing anything', () => {
    const good = issueCsrfToken(SECRET, SESSION, fixedRandom(3));
    for (const bad of [
      '',
      '.',
      'abc',
      good.replace('.', ''),
      `${good}.x`,
      `${good}x`,
      good.replace(/^./, '*'),
      'x'.repeat(5000),
    ]) {
      assert.equal(verifyCsrfToken([SECRET], SESSION, bad), false, bad.slice(0, 40));
    }
    assert.equal(verifyCsrfToken([SECRET], SESSION, 42 as unknown as string), false);
  });

  it('refuses any single-character change (property)', () => {
    const token = issueCsrfToken(SECRET, SESSION, fixedRandom(5));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), (index, char) => {
        fc.pre(token[index] !== char && token[index] !== '.');
        const changed = token.slice(0, index) + char + token.slice(index + 1);
        return verifyCsrfToken([SECRET], SESSION, changed) === false;
      }),
    );
  });

  it('compares MACs only in constant time', () => {
    // A static check: the MAC comparison must go through constantTimeEqual (crypto.timingSafeEqual),
    // never through === / !== on the secret-derived string (OWASP: compare tokens in constant time).
    const source = readFileSync(new URL('../../../src/transport/csrf/token.ts', import.meta.url), 'utf8');
    assert.match(source, /constantTimeEqual\(mac\(secret, sessionId, value\), given\)/);
    assert.doesNotMatch(source, /given\s*[!=]==|[!=]==\s*given/);
    const hash = readFileSync(new URL('../../../src/core/hash.ts', import.meta.url), 'utf8');
    assert.match(hash, /return equalInConstantTime\(a, b\)/);
    // Each provider behind it: node:crypto's timingSafeEqual, or an XOR over every byte with no early exit.
    const node = readFileSync(new URL('../../../runtime/crypto-node.js', import.meta.url), 'utf8');
    assert.match(node, /timingSafeEqual\(left, right\)/);
    const web = readFileSync(new URL('../../../runtime/crypto-web.js', import.meta.url), 'utf8');
    assert.match(web, /difference \|= \(left\[i\] \?\? 0\) \^ \(other\[i\] \?\? 0\)/);
    assert.doesNotMatch(
      web.slice(web.indexOf('function constantTimeEqual')).split('\n}')[0] ?? '',
      /return false|break/,
    );
  });
});
