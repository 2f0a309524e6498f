import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clearCookieFields,
  cookieAttributes,
  cookieFields,
  formatCookie,
  parseSetCookie,
  resolveCookieOptions,
  serializeClearCookie,
  serializeCookie,
} from '../../src/transport/cookie.js';

const VARIANTS = {
  host: resolveCookieOptions(),
  domain: resolveCookieOptions({ name: '__Secure-s', domain: 'example.com', sameSite: 'Lax' }),
  development: resolveCookieOptions({ development: true }),
  browserSession: resolveCookieOptions({ persistent: false, sameSite: 'None' }),
};

describe('structured cookies: the fields behind every Set-Cookie string', () => {
  it('serialise to exactly the strings Tessera has always written', () => {
    assert.equal(
      serializeCookie(VARIANTS.host, 'tok', 90.7),
      '__Host-session=tok; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=90',
    );
    assert.equal(
      serializeCookie(VARIANTS.domain, 'tok', 5),
      '__Secure-s=tok; Path=/; Domain=example.com; HttpOnly; Secure; SameSite=Lax; Max-Age=5',
    );
    assert.equal(
      serializeCookie(VARIANTS.development, 'tok', -3),
      'tessera-session=tok; Path=/; HttpOnly; SameSite=Strict; Max-Age=0',
    );
    assert.equal(
      serializeCookie(VARIANTS.browserSession, 'tok', 5),
      '__Host-session=tok; Path=/; HttpOnly; Secure; SameSite=None',
    );
    assert.equal(
      serializeClearCookie(VARIANTS.domain),
      '__Secure-s=; Path=/; Domain=example.com; HttpOnly; Secure; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    );
    assert.equal(cookieAttributes(VARIANTS.host), '; Path=/; HttpOnly; Secure; SameSite=Strict');
  });

  it('the string is formatCookie of the fields, and parseSetCookie reads the fields back, for every variant', () => {
    for (const [label, options] of Object.entries(VARIANTS)) {
      const fields = cookieFields(options, 'v.a-l_u~e', 60);
      assert.equal(formatCookie(fields), serializeCookie(options, 'v.a-l_u~e', 60), label);
      assert.deepEqual(parseSetCookie(serializeCookie(options, 'v.a-l_u~e', 60)), fields, label);
      const clear = clearCookieFields(options);
      assert.equal(formatCookie(clear), serializeClearCookie(options), label);
      assert.deepEqual(parseSetCookie(serializeClearCookie(options)), clear, label);
    }
  });

  it('fields carry what a framework cookie API needs, without a Domain key when there is none', () => {
    assert.deepEqual(cookieFields(VARIANTS.host, 'tok', 30), {
      name: '__Host-session',
      value: 'tok',
      options: { path: '/', httpOnly: true, secure: true, sameSite: 'Strict', maxAge: 30 },
    });
    assert.equal('domain' in cookieFields(VARIANTS.host, 'tok', 30).options, false);
    assert.equal(clearCookieFields(VARIANTS.host).options.expires?.getTime(), 0);
  });

  it('parseSetCookie refuses strings it did not write rather than dropping an attribute', () => {
    assert.equal(parseSetCookie('a=b; Path=/; SameSite=Lax; Partitioned'), null);
    assert.equal(parseSetCookie('a=b; Path=/; SameSite=lax'), null);
    assert.equal(parseSetCookie('a=b; SameSite=Lax'), null, 'no Path');
    assert.equal(parseSetCookie('=b; Path=/; SameSite=Lax'), null, 'no name');
    assert.equal(parseSetCookie('a=b c; Path=/; SameSite=Lax'), null, 'bad value');
    assert.equal(parseSetCookie('a=b; Path=/; SameSite=Lax; Max-Age=-1'), null);
  });

  it('cookieFields refuses a value a cookie cannot carry, like serializeCookie', () => {
    assert.throws(() => cookieFields(VARIANTS.host, 'a;b', 1), TypeError);
  });
});
