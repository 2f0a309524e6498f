import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toBase64Url } from '../../src/core/encoding.js';
import { sha256 } from '../../src/core/hash.js';
import { cryptoRandom, type RandomSource } from '../../src/core/random.js';
import {
  containsTokenShape,
  formatToken,
  hashSecret,
  isSessionId,
  mintToken,
  newSessionId,
  parseToken,
  SECRET_BYTES,
  SESSION_ID_LENGTH,
  TOKEN_LENGTH,
} from '../../src/core/token.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64url = (length: number) =>
  fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: length, maxLength: length });
const sessionId = b64url(26);
const secret = b64url(43);
/** A deterministic source for properties: bytes from a seed. */
const bytesSource = (bytes: Uint8Array): RandomSource => {
  let offset = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = bytes[(offset + i) % bytes.length] as number;
    offset += length;
    return out;
  };
};

describe('token format', () => {
  it('a minted token is ts1.<26>.<43>, carries 256 random bits and stores only their hash', () => {
    const id = newSessionId(cryptoRandom);
    const minted = mintToken(id, cryptoRandom);
    assert.equal(minted.token.length, TOKEN_LENGTH);
    assert.match(minted.token, /^ts1\.[A-Za-z0-9_-]{26}\.[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(minted.secret, 'base64url').length, SECRET_BYTES);
    assert.ok(SECRET_BYTES * 8 >= 256);
    assert.equal(minted.secretHash, sha256(minted.secret));
    assert.notEqual(minted.secretHash, minted.secret);
    assert.ok(!minted.token.includes(minted.secretHash));
    assert.equal(id.length, SESSION_ID_LENGTH);
  });

  it('the secret is exactly the random bytes, base64url: no time, counter or user data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (bytes) => {
        const minted = mintToken('AAAAAAAAAAAAAAAAAAAAAAAAAA', bytesSource(bytes));
        assert.equal(minted.secret, toBase64Url(bytes.slice(0, SECRET_BYTES)));
        const again = mintToken('AAAAAAAAAAAAAAAAAAAAAAAAAA', bytesSource(bytes));
        assert.equal(again.token, minted.token);
      }),
    );
  });

  it('session ids: 4-character shard plus 128 random bits; a bad shard is caller misuse', () => {
    const id = newSessionId(cryptoRandom, 'ab_-');
    assert.ok(id.startsWith('ab_-'));
    assert.ok(isSessionId(id));
    assert.equal(Buffer.from(id.slice(4), 'base64url').length, 16);
    for (const shard of ['abc', 'abcde', 'ab+/', 'ab.c'])
      assert.throws(() => newSessionId(cryptoRandom, shard), TypeError);
    const seen = new Set(Array.from({ length: 1000 }, () => newSessionId(cryptoRandom)));
    assert.equal(seen.size, 1000);
  });

  it('parseToken accepts every token formatToken builds and returns its parts', () => {
    fc.assert(
      fc.property(sessionId, secret, (id, s) => {
        assert.deepEqual(parseToken(formatToken(id, s)), { sessionId: id, secret: s });
      }),
      { numRuns: 2000 },
    );
    const minted = mintToken(newSessionId(cryptoRandom), cryptoRandom);
    assert.deepEqual(parseToken(minted.token), { sessionId: minted.sessionId, secret: minted.secret });
  });

  it('parseToken rejects a character outside the alphabet at any position', () => {
    const outside = fc
      .string({ minLength: 1, maxLength: 1, unit: 'binary' })
      .filter((c) => !ALPHABET.includes(c));
    fc.assert(
      fc.property(sessionId, secret, fc.nat(), outside, (id, s, at, bad) => {
        const token = formatToken(id, s);
        const index = at % token.length;
        const mutated = token.slice(0, index) + bad + token.slice(index + 1);
        // Replacing a separator dot with a dot is no change: skip that single case.
        fc.pre(mutated !== token);
        assert.equal(parseToken(mutated), null, JSON.stringify(mutated));
      }),
      { numRuns: 3000 },
    );
  });

  it('parseToken rejects any other length, split or prefix', () => {
    fc.assert(
      fc.property(sessionId, secret, fc.nat(), b64url(1), (id, s, at, extra) => {
        const token = formatToken(id, s);
        const index = at % (token.length + 1);
        assert.equal(parseToken(token.slice(0, index) + extra + token.slice(index)), null);
        const cut = at % token.length;
        assert.equal(parseToken(token.slice(0, cut) + token.slice(cut + 1)), null);
        // Moving a character across a dot keeps the length but breaks the split.
        assert.equal(parseToken(`ts1.${id}${s[0]}.${s.slice(1)}`), null);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 3, maxLength: 3 }), sessionId, secret, (prefix, id, s) => {
        fc.pre(prefix !== 'ts1');
        assert.equal(parseToken(`${prefix}.${id}.${s}`), null);
      }),
    );
  });

  it('parseToken agrees with the grammar on arbitrary strings and never throws', () => {
    const grammar = /^ts1\.[A-Za-z0-9_-]{26}\.[A-Za-z0-9_-]{43}$/;
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (text) => {
        assert.equal(parseToken(text) !== null, grammar.test(text));
      }),
      { numRuns: 3000 },
    );
    for (const value of [null, undefined, 42, {}, [], Symbol('x'), new String('ts1')]) {
      assert.equal(parseToken(value), null);
    }
  });

  it('hashSecret is SHA-256 base64url and differs for every secret', () => {
    fc.assert(
      fc.property(secret, secret, (a, b) => {
        assert.match(hashSecret(a), /^[A-Za-z0-9_-]{43}$/);
        assert.equal(hashSecret(a) === hashSecret(b), a === b);
      }),
    );
  });

  it('containsTokenShape spots a token anywhere, also percent-encoded', () => {
    const token = mintToken(newSessionId(cryptoRandom), cryptoRandom).token;
    assert.ok(containsTokenShape(`?session=${token}`));
    assert.ok(containsTokenShape(`?s=${token.replace(/\./g, '%2E')}`));
    assert.ok(containsTokenShape(`?s=${token.replace(/\./g, '%2e')}`));
    assert.ok(!containsTokenShape('?page=2&q=ts1'));
  });
});
