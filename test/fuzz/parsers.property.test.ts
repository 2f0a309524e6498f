/**
 * Properties of every parser of untrusted text (docs/fuzz.md): the session token, the Cookie header (and the
 * token source over it), the sealed envelope and its chunked cookies, the refresh token, and the JWT header
 * checks. Each must answer its documented "no" (null, `found: false`, a refusal) for arbitrary input, including
 * lone surrogates and NUL, and never throw; what the matching serializer writes must parse back to the same
 * fields; and a one-character change to a valid credential is refused, never read as another identity.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { manualClock } from '../../src/core/clock.js';
import { createTessera } from '../../src/core/manager.js';
import { containsTokenShape, formatToken, isSessionId, mintToken, parseToken } from '../../src/core/token.js';
import { AccessTokens, generateJwtKey, JwtKeyRing } from '../../src/stateless/jwt/index.js';
import { hasDuplicateMembers, segmentText } from '../../src/stateless/jwt/duplicates.js';
import {
  formatRefreshToken,
  macIsValid,
  parseRefreshToken,
  refreshKeys,
} from '../../src/stateless/refresh/format.js';
import { chunkNames, readSealedCookies, splitChunks } from '../../src/stateless/sealed/chunks.js';
import { openSeal, peekCount, prepareBody, sealBody } from '../../src/stateless/sealed/envelope.js';
import { SealKeyRing } from '../../src/stateless/sealed/keys.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import {
  forEachCookie,
  MAX_COOKIE_HEADER_BYTES,
  parseCookieHeader,
  readCookie,
  resolveCookieOptions,
  serializeCookie,
} from '../../src/transport/cookie.js';
import { readToken } from '../../src/transport/token-source.js';
import { BASE64URL, mutate, mutationArb } from '../../fuzz/mutate.js';

const SEED = Number(process.env.TESSERA_FUZZ_SEED ?? 20_260_101);
const runs = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, seed: SEED });

/** Text of every kind: any code point, lone surrogates, NUL and controls, the characters tokens are made of. */
const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
    maxLength: 120,
  }),
  fc.string({
    unit: fc.constantFrom(...'ts1.rt1eyJ=;" \u0000\ud800\udc00%'.split(''), ...BASE64URL.split('')),
    maxLength: 140,
  }),
);
const b64 = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...BASE64URL.split('')), minLength: length, maxLength: length });
/** base64url text of `bytes` random bytes: canonical, as the issuers write it. */
const canonical = (bytes: number): fc.Arbitrary<string> =>
  fc
    .uint8Array({ minLength: bytes, maxLength: bytes })
    .map((value) => Buffer.from(value).toString('base64url'));

describe('session token parser (core/token.ts)', () => {
  it('never throws; returns null or fields that format back to exactly the input', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.anything() as fc.Arbitrary<unknown>), (input) => {
        const parsed = parseToken(input);
        if (parsed === null) return;
        assert.equal(formatToken(parsed.sessionId, parsed.secret), input);
        assert.ok(isSessionId(parsed.sessionId));
        assert.equal(typeof containsTokenShape(String(input)), 'boolean');
      }),
      runs(1000),
    );
  });

  it('format → parse gives the same fields; minted tokens parse back and are token-shaped', () => {
    fc.assert(
      fc.property(b64(26), b64(43), (id, secret) => {
        assert.deepEqual(parseToken(formatToken(id, secret)), { sessionId: id, secret });
        const minted = mintToken(id, (n) => randomBytes(n));
        assert.deepEqual(parseToken(minted.token), { sessionId: id, secret: minted.secret });
        assert.ok(containsTokenShape(minted.token));
      }),
      runs(500),
    );
  });

  it('a one-character change is refused by the parser or names other fields (never the same identity)', () => {
    fc.assert(
      fc.property(b64(26), canonical(32), mutationArb, (id, secret, mutation) => {
        const token = formatToken(id, secret);
        const changed = mutate(token, mutation);
        const parsed = parseToken(changed);
        if (parsed !== null) assert.ok(parsed.sessionId !== id || parsed.secret !== secret, changed);
      }),
      runs(1000),
    );
  });

  it('a one-character change of a live token never validates (the manager refuses it)', async () => {
    const manager = createTessera({ store: new MemoryStore(), clock: manualClock(Date.UTC(2026, 0, 1)) });
    const live = await Promise.all(
      Array.from({ length: 4 }, (_, i) => manager.create({ subject: `prop-${i}` })),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutationArb, async (pick, mutation) => {
        const issued = live[pick % live.length] as (typeof live)[number];
        const result = await manager.validate(mutate(issued.token, mutation));
        assert.equal(result.ok, false);
      }),
      runs(300),
    );
    for (const issued of live) assert.equal((await manager.validate(issued.token)).ok, true);
  });
});

describe('Cookie header parser (transport/cookie.ts, token-source.ts)', () => {
  const cookieName = fc.string({
    unit: fc.constantFrom(..."!#$%&'*+-.^_`|~0123456789ABCXYZabcxyz".split('')),
    minLength: 1,
    maxLength: 12,
  });
  const cookieValue = fc.string({
    unit: fc.constantFrom(...'!#$%&()*+-./0123456789:<=>?@ABCXYZ[]^_`abcxyz{|}~'.split('')),
    maxLength: 40,
  });

  it('never throws on arbitrary headers and names; oversized headers are refused', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.constantFrom(null, undefined, '')), anyText, (header, name) => {
        const found = readCookie(header, name);
        assert.ok(found.found === false || found.found === true || found.found === 'too_large');
        for (const [key, value] of parseCookieHeader(header)) {
          assert.equal(key, key.trim());
          assert.notEqual(key, '');
          assert.equal(typeof value, 'string');
        }
        forEachCookie(header ?? '', (key, value) =>
          assert.ok(typeof key === 'string' && typeof value === 'string'),
        );
        const result = readToken(
          {
            method: 'GET',
            url: '/',
            header: (h) => (h === 'cookie' ? (header ?? null) : h === 'authorization' ? name : null),
            ip: null,
          },
          { cookieName: '__Host-session', bearer: true, cookie: true },
        );
        assert.ok(['missing', 'present', 'refused'].includes(result.kind));
      }),
      runs(1000),
    );
    assert.deepEqual(readCookie(`a=${'b'.repeat(MAX_COOKIE_HEADER_BYTES)}`, 'a'), { found: 'too_large' });
  });

  it('a header built from cookies parses back to them (first occurrence wins), duplicates are flagged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cookieName, cookieValue), { maxLength: 12 }),
        fc.constantFrom('; ', ';', ' ;  '),
        (pairs, glue) => {
          const header = pairs.map(([name, value]) => `${name}=${value}`).join(glue);
          const expected = new Map<string, string>();
          for (const [name, value] of pairs) if (!expected.has(name)) expected.set(name, value);
          assert.deepEqual(parseCookieHeader(header), expected);
          for (const [name, value] of expected) {
            const count = pairs.filter(([key]) => key === name).length;
            assert.deepEqual(readCookie(header, name), { found: true, value, duplicate: count > 1 });
          }
        },
      ),
      runs(1000),
    );
  });

  it('serializeCookie output reads back as the same value; a value it cannot carry is a TypeError', () => {
    const options = resolveCookieOptions();
    fc.assert(
      fc.property(fc.oneof(cookieValue, anyText), cookieName, cookieValue, (value, other, otherValue) => {
        let line: string;
        try {
          line = serializeCookie(options, value, 600);
        } catch (error) {
          assert.ok(error instanceof TypeError);
          assert.ok(/[^\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]/.test(value), JSON.stringify(value));
          return;
        }
        const pair = line.split(';')[0] as string;
        const header = other === options.name ? pair : `${other}=${otherValue}; ${pair}`;
        const found = readCookie(header, options.name);
        const unquoted =
          value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
        assert.deepEqual(found, { found: true, value: unquoted, duplicate: false });
      }),
      runs(1000),
    );
  });
});

describe('sealed envelope (stateless/sealed/envelope.ts, chunks.ts)', () => {
  const ring = new SealKeyRing(
    [{ id: 'k1', secret: 'a-very-long-random-secret-0123456789abcdefABCDEF' }],
    'sid',
  );
  const otherRing = new SealKeyRing(
    [{ id: 'k1', secret: 'another-long-random-secret-ZYXWVUT9876543210zyxw' }],
    'sid',
  );
  const seal = (plaintext: string, count = 1, compress = false): string =>
    sealBody(ring.current, prepareBody(plaintext, compress), count, (n) => randomBytes(n));

  it('never throws on arbitrary text: opening is null, the count peek null or a byte', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        assert.equal(openSeal(ring, text, 65_536), null);
        const count = peekCount(text);
        assert.ok(count === null || (Number.isInteger(count) && count >= 0 && count <= 255));
        const read = readSealedCookies(text, 'sid');
        assert.ok(['missing', 'present', 'refused'].includes(read.kind));
      }),
      runs(1000),
    );
  });

  it('seal → open gives the same plaintext, key id and count (compressed or not)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 1500 }),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (plaintext, count, compress) => {
          const opened = openSeal(ring, seal(plaintext, count, compress), 65_536);
          assert.ok(opened !== null);
          assert.equal(
            Buffer.from(opened.plaintext).toString('utf8'),
            Buffer.from(plaintext, 'utf8').toString('utf8'),
          );
          assert.equal(opened.keyId, 'k1');
          assert.equal(opened.count, count);
          assert.equal(openSeal(otherRing, seal(plaintext, count, compress), 65_536), null);
        },
      ),
      runs(300),
    );
  });

  it('any one-character change of a seal is refused, including the spellings a lenient decoder reads alike', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), mutationArb, (plaintext, mutation) => {
        const text = seal(plaintext);
        assert.equal(openSeal(ring, mutate(text, mutation), 65_536), null);
      }),
      runs(1000),
    );
  });

  it('chunks written by splitChunks/chunkNames read back to the same seal; a changed chunk never opens', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.nat(), mutationArb, (count, pick, mutation) => {
        const text = seal('x'.repeat(40 * count), count);
        const parts = splitChunks(text, count, 4000);
        const names = chunkNames('sid', count);
        const header = parts.map((part, i) => `${names[i]}=${part}`).join('; ');
        const read = readSealedCookies(header, 'sid');
        assert.ok(read.kind === 'present');
        assert.equal(read.text, text);
        assert.equal(read.count, count);
        const at = pick % count;
        // The header parser trims a value (RFC 6265): a change of surrounding white space is the same cookie.
        const bad = mutate(parts[at] as string, mutation).replace(/;/g, 'A');
        if (bad.trim() === parts[at]) return;
        const changed = parts.map((part, i) => `${names[i]}=${i === at ? bad : part}`).join('; ');
        const again = readSealedCookies(changed, 'sid');
        if (again.kind === 'present') assert.equal(openSeal(ring, again.text, 65_536), null);
      }),
      runs(300),
    );
  });
});

describe('refresh token (stateless/refresh/format.ts)', () => {
  const keys = refreshKeys('refresh-secret-0123456789abcdefghijklmnop');

  it('never throws; returns null or fields that format back to the input when they carry a MAC', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.anything() as fc.Arbitrary<unknown>), (input) => {
        const parsed = parseRefreshToken(input);
        if (parsed === null) return;
        assert.equal(macIsValid(keys, parsed), false);
        assert.ok(Number.isSafeInteger(parsed.generation) && parsed.generation >= 0);
      }),
      runs(1000),
    );
  });

  it('format → parse gives the same fields and a valid MAC', () => {
    fc.assert(
      fc.property(
        canonical(16),
        fc.integer({ min: 0, max: 999_999_999 }),
        canonical(32),
        canonical(16),
        (family, generation, secret, tag) => {
          const token = formatRefreshToken(keys, family, generation, secret, tag);
          const parsed = parseRefreshToken(token);
          assert.ok(parsed !== null);
          assert.deepEqual(
            {
              familyId: parsed.familyId,
              generation: parsed.generation,
              secret: parsed.secret,
              audienceTag: parsed.audienceTag,
            },
            { familyId: family, generation, secret, audienceTag: tag },
          );
          assert.ok(macIsValid(keys, parsed));
        },
      ),
      runs(500),
    );
  });

  it('any one-character change fails to parse or fails its MAC', () => {
    fc.assert(
      fc.property(
        canonical(16),
        fc.nat({ max: 5000 }),
        canonical(32),
        canonical(16),
        mutationArb,
        (family, generation, secret, tag, mutation) => {
          const changed = mutate(formatRefreshToken(keys, family, generation, secret, tag), mutation);
          const parsed = parseRefreshToken(changed);
          if (parsed !== null) assert.equal(macIsValid(keys, parsed), false, changed);
        },
      ),
      runs(1000),
    );
  });
});

describe('JWT header checks (stateless/jwt/duplicates.ts, access-tokens.ts)', () => {
  const clock = manualClock(Date.UTC(2026, 0, 1));
  const ring = new JwtKeyRing([generateJwtKey('EdDSA', 0, 'main')]);
  const tokens = new AccessTokens({ keys: ring, issuer: 'tessera', audience: 'api', clock });
  const SID = 'AAAAbbbbccccddddeeeeffffgg';
  const segment = (value: string): string => Buffer.from(value).toString('base64url');

  it('the duplicate scanner and segment decoder never throw on arbitrary text', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom<0 | 1>(0, 1), (text, index) => {
        assert.equal(typeof hasDuplicateMembers(text), 'boolean');
        const decoded = segmentText(text, index);
        assert.ok(decoded === null || typeof decoded === 'string');
      }),
      runs(1000),
    );
  });

  it('JSON.stringify output has no duplicates; a repeated member (plain or escaped) is always found', () => {
    const member = fc.string({
      unit: fc.constantFrom(...'abkidtypalg_\u00e9'.split('')),
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        fc.dictionary(member, fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 6 }),
        fc.boolean(),
        (object, escaped) => {
          const text = JSON.stringify(object);
          assert.equal(hasDuplicateMembers(text), false, text);
          const name = Object.keys(object)[0] as string;
          const spelled = escaped
            ? `\\u${name.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(name).slice(2, -1)}`
            : JSON.stringify(name).slice(1, -1);
          const doubled = `${text.slice(0, -1)},"${spelled}":0}`;
          assert.equal(hasDuplicateMembers(doubled), true, doubled);
        },
      ),
      runs(300),
    );
  });

  it('verification never throws on arbitrary text or on a token with an arbitrary header', () => {
    const token = tokens.issue({ subject: 'alice', sessionId: SID }).token;
    const [, payload, signature] = token.split('.') as [string, string, string];
    fc.assert(
      fc.property(anyText, fc.oneof(fc.json(), anyText), (text, header) => {
        assert.equal(tokens.verifySync(text).ok, false);
        const result = tokens.verifySync(`${segment(header)}.${payload}.${signature}`);
        assert.equal(result.ok, false);
      }),
      runs(1000),
    );
  });

  it('an issued token verifies; any one-character change is refused', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
        mutationArb,
        (subject, mutation) => {
          const { token } = tokens.issue({ subject, sessionId: SID });
          assert.equal(tokens.verifySync(token).ok, true);
          assert.equal(tokens.verifySync(mutate(token, mutation)).ok, false);
        },
      ),
      runs(300),
    );
  });
});
