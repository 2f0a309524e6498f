import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type CookieOptions,
  MAX_COOKIE_HEADER_BYTES,
  parseCookieHeader,
  readCookie,
  resolveCookieOptions,
  serializeClearCookie,
  serializeCookie,
} from '../../src/transport/cookie.js';
import { CookieJar, parseSetCookie } from '../support/set-cookie-parser.js';

const cookieName = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/);
// RFC 6265 cookie-octet: what serializeCookie accepts.
const cookieValue = fc.stringMatching(/^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]{0,60}$/);
const anyText = fc.string({ unit: 'binary', maxLength: 300 });

describe('cookie options', () => {
  it('defaults to __Host-session; Path=/; HttpOnly; Secure; SameSite=Strict without Domain', () => {
    const options = resolveCookieOptions();
    assert.deepEqual(
      { ...options },
      {
        name: '__Host-session',
        path: '/',
        domain: undefined,
        sameSite: 'Strict',
        httpOnly: true,
        secure: true,
        persistent: true,
      },
    );
    assert.equal(
      serializeCookie(options, 'abc', 1800),
      '__Host-session=abc; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=1800',
    );
    assert.ok(Object.isFrozen(options));
  });

  const refused: [string, CookieOptions, RegExp][] = [
    ['a __Host- name with a Domain', { domain: 'example.com' }, /__Host- cookie must not have a Domain/],
    ['a __Host- name with another Path', { path: '/app' }, /__Host- cookie must have Path=\//],
    [
      'SameSite=None without Secure',
      { development: true, sameSite: 'None', name: 'dev' },
      /SameSite=None requires Secure/,
    ],
    ['Secure off without the development switch', { secure: false, name: 'plain' }, /development: true/],
    ['Secure off on a __Host- name, even in development', { development: true, name: '__Host-x' }, /Secure/],
    [
      'Secure off on a __Secure- name',
      { development: true, name: '__Secure-x' },
      /__Secure- cookie must be Secure/,
    ],
    ['an invalid name', { name: 'bad name' }, /not a valid cookie name/],
    ['a path with a semicolon', { name: 'x', path: '/a;b' }, /path/],
    ['a path not starting with /', { name: 'x', path: 'a' }, /path/],
    ['an invalid domain', { name: 'x', domain: 'exa mple.com' }, /domain is not valid/],
    ['an unknown SameSite', { sameSite: 'strict' as 'Strict' }, /sameSite/],
    // ASVS 5.0 3.3.1 and 3.3.4: each message names the rule and its opt-out.
    [
      'a name without a prefix',
      { name: 'sid' },
      /"sid" has no __Host- \(or __Secure-\) prefix.*3\.3\.1.*`unsafeAllowUnprefixedName: true`/,
    ],
    [
      'a prefix in another case',
      { name: '__host-sid' },
      /"__host-sid" has no __Host- .*unsafeAllowUnprefixedName/,
    ],
    [
      'a Domain without the __Secure- prefix',
      { name: 'sid', domain: 'example.com' },
      /"sid" has a Domain but no __Secure- prefix.*`unsafeAllowUnprefixedName: true`/,
    ],
    [
      'an unprefixed name with only the other opt-out',
      { name: 'sid', unsafeAllowScriptAccess: true },
      /unsafeAllowUnprefixedName/,
    ],
    ['httpOnly: false', { httpOnly: false }, /`httpOnly: false`.*3\.3\.4.*`unsafeAllowScriptAccess: true`/],
    ['httpOnly: false in development', { development: true, httpOnly: false }, /unsafeAllowScriptAccess/],
    [
      'httpOnly: false with only the other opt-out',
      { name: 'sid', httpOnly: false, unsafeAllowUnprefixedName: true },
      /unsafeAllowScriptAccess/,
    ],
  ];
  for (const [label, options, message] of refused) {
    it(`refuses ${label} at construction, with a clear message`, () => {
      assert.throws(
        () => resolveCookieOptions(options),
        (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it('development mode drops Secure and the __Host- name', () => {
    const options = resolveCookieOptions({ development: true });
    assert.equal(options.name, 'tessera-session');
    assert.equal(options.secure, false);
    assert.doesNotMatch(serializeCookie(options, 'v', 10), /Secure/);
  });

  it('development mode accepts any name without an opt-out, the default one included', () => {
    for (const name of [undefined, 'app-session']) {
      const options = resolveCookieOptions({ development: true, ...(name === undefined ? {} : { name }) });
      assert.equal(options.name, name ?? 'tessera-session');
      assert.equal(options.httpOnly, true);
    }
  });

  it('accepts __Secure- with or without a Domain (it still guarantees Secure) and __Host- without one', () => {
    assert.equal(resolveCookieOptions({ name: '__Host-app' }).name, '__Host-app');
    const anyPath = resolveCookieOptions({ name: '__Secure-app', path: '/app' });
    assert.deepEqual([anyPath.secure, anyPath.path, anyPath.domain], [true, '/app', undefined]);
    const shared = resolveCookieOptions({ name: '__Secure-app', domain: 'example.com' });
    assert.deepEqual([shared.secure, shared.domain], [true, 'example.com']);
  });

  it('the explicit opt-outs accept an unprefixed name and httpOnly: false, each on its own', () => {
    const legacy = resolveCookieOptions({
      name: 'sid',
      domain: 'example.com',
      unsafeAllowUnprefixedName: true,
    });
    assert.equal(serializeCookie(legacy, 'v', 10).split(';')[0], 'sid=v');
    assert.equal(legacy.httpOnly, true);
    const scripted = resolveCookieOptions({ httpOnly: false, unsafeAllowScriptAccess: true });
    assert.equal(scripted.name, '__Host-session');
    assert.doesNotMatch(serializeCookie(scripted, 'v', 10), /HttpOnly/);
    // Only `true` opts out: a truthy non-boolean from a loosely typed config does not.
    assert.throws(
      () => resolveCookieOptions({ name: 'sid', unsafeAllowUnprefixedName: 'yes' as unknown as boolean }),
      TypeError,
    );
  });

  it('refuses values a cookie cannot carry', () => {
    const options = resolveCookieOptions();
    for (const bad of ['a b', 'a;b', 'a,b', 'a"b', 'a\\b', 'é', 'a\nb', '\u0000']) {
      assert.throws(() => serializeCookie(options, bad, 10), TypeError);
    }
  });

  it('clearing repeats Path and Domain, expires the cookie and carries no value', () => {
    const options = resolveCookieOptions({ name: '__Secure-sid', path: '/app', domain: 'example.com' });
    assert.equal(
      serializeClearCookie(options),
      '__Secure-sid=; Path=/app; Domain=example.com; HttpOnly; Secure; SameSite=Strict; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    );
  });
});

describe('Cookie header parsing (properties)', () => {
  it('readCookie and parseCookieHeader never throw on arbitrary strings', () => {
    fc.assert(
      fc.property(anyText, cookieName, (header, name) => {
        const found = readCookie(header, name);
        assert.ok(found.found === false || found.found === true || found.found === 'too_large');
        assert.ok(parseCookieHeader(header) instanceof Map);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a cookie serialized among arbitrary other cookies, and flags a duplicate', () => {
    const others = fc.array(fc.tuple(cookieName, cookieValue), { maxLength: 10 });
    fc.assert(
      fc.property(
        cookieName,
        cookieValue,
        others,
        fc.nat(),
        fc.boolean(),
        (name, value, rest, at, spaced) => {
          const filtered = rest.filter(([other]) => other !== name);
          const parts = filtered.map(([n, v]) => `${n}=${v}`);
          parts.splice(at % (parts.length + 1), 0, `${name}=${value}`);
          const header = parts.join(spaced ? '; ' : ';');
          assert.deepEqual(readCookie(header, name), { found: true, value, duplicate: false });
          assert.equal(parseCookieHeader(header).get(name), value);
          const twice = `${header}; ${name}=other`;
          assert.deepEqual(readCookie(twice, name), { found: true, value, duplicate: true });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a cookie whose name only contains or extends ours is not ours', () => {
    assert.deepEqual(readCookie('x__Host-session=a; __Host-sessionx=b', '__Host-session'), { found: false });
    assert.deepEqual(readCookie('session=a', '__Host-session'), { found: false });
  });

  it('refuses an oversized header instead of scanning it', () => {
    const header = `a=${'x'.repeat(MAX_COOKIE_HEADER_BYTES)}; __Host-session=v`;
    assert.deepEqual(readCookie(header, '__Host-session'), { found: 'too_large' });
    assert.equal(parseCookieHeader(header).size, 0);
  });

  it('every serialized value parses back from a Cookie header', () => {
    fc.assert(
      fc.property(cookieValue, (value) => {
        const options = resolveCookieOptions();
        const setCookie = serializeCookie(options, value, 60);
        const parsed = parseSetCookie(setCookie);
        assert.ok(parsed);
        // The browser sends back `name=value`; Tessera must read exactly the value it set.
        const header = `${parsed.name}=${parsed.value}`;
        const found = readCookie(header, options.name);
        assert.deepEqual(found, { found: true, value, duplicate: false });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('every cookie Tessera serializes, read by an RFC 6265 parser', () => {
  const combos: CookieOptions[] = [];
  for (const sameSite of ['Strict', 'Lax', 'None'] as const) {
    for (const httpOnly of [true, false]) {
      for (const persistent of [true, false]) {
        // httpOnly: false only with its explicit opt-out (ASVS 5.0 3.3.4).
        const base: CookieOptions = {
          sameSite,
          httpOnly,
          persistent,
          ...(httpOnly ? {} : { unsafeAllowScriptAccess: true }),
        };
        combos.push(base);
        combos.push({ ...base, name: '__Secure-sid', path: '/app', domain: 'example.com' });
        combos.push({ ...base, name: '__Secure-sid', path: '/app/' });
        combos.push({
          ...base,
          name: 'sid',
          path: '/app/',
          domain: 'example.com',
          unsafeAllowUnprefixedName: true,
        });
        if (sameSite !== 'None') combos.push({ ...base, development: true });
        if (sameSite !== 'None') combos.push({ ...base, development: true, path: '/x' });
      }
    }
  }
  const NOW = Date.UTC(2026, 0, 1);

  for (const input of combos) {
    it(`reads back ${JSON.stringify(input)}`, () => {
      const options = resolveCookieOptions(input);
      const token = 'ts1.AAAAbbbbCCCCddddEEEEffff01.0123456789abcdefghijABCDEFGHIJ-_0123456789a';
      const set = serializeCookie(options, token, 1800.9);
      const parsed = parseSetCookie(set);
      assert.ok(parsed, set);
      assert.equal(parsed.name, options.name);
      assert.equal(parsed.value, token);
      const a = parsed.attributes;
      assert.equal(a.path, options.path);
      assert.equal(a.domain, options.domain);
      assert.equal(a.secure, options.secure);
      assert.equal(a.httpOnly, options.httpOnly);
      assert.equal(a.sameSite, options.sameSite);
      assert.equal(a.maxAge, options.persistent ? 1800 : undefined);
      assert.equal(a.expires, undefined);
      // Each attribute appears once, so no "last one wins" ambiguity between parsers.
      const names = a.list.map((item) => item.name.toLowerCase());
      assert.equal(new Set(names).size, names.length);

      // Stored by a jar for the right origin and sent back to a path inside the cookie's path.
      const host = options.domain === undefined ? 'example.org' : `www.${options.domain}`;
      const scheme = options.secure ? 'https' : 'http';
      const jar = new CookieJar(() => NOW);
      assert.ok(jar.setCookie(set, `${scheme}://${host}${options.path}`));
      const inside = `${scheme}://${host}${options.path.endsWith('/') ? options.path : `${options.path}/`}page`;
      assert.deepEqual(jar.cookiesFor(inside), [{ name: options.name, value: token }]);
      if (options.secure) assert.deepEqual(jar.cookiesFor(`http://${host}${options.path}`), []);
      if (options.domain === undefined) assert.deepEqual(jar.cookiesFor(`${scheme}://other.${host}/`), []);

      // Clearing removes it from the same jar: it repeats Path and Domain.
      const clear = serializeClearCookie(options);
      const cleared = parseSetCookie(clear);
      assert.ok(cleared);
      assert.equal(cleared.name, options.name);
      assert.equal(cleared.value, '');
      assert.equal(cleared.attributes.path, options.path);
      assert.equal(cleared.attributes.domain, options.domain);
      assert.equal(cleared.attributes.maxAge, 0);
      assert.equal(cleared.attributes.expires, 0);
      jar.setCookie(clear, `${scheme}://${host}${options.path}`);
      assert.deepEqual(jar.cookiesFor(inside), []);
    });
  }
});
