import type { KeyObject } from 'node:crypto';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT, exportJWK } from 'jose';
import { manualClock } from '../../src/core/clock.js';
import { keyObject } from '../support/key-objects.js';
import { AccessTokens, generateJwtKey, hmacKey, JwtKeyRing } from '../../src/stateless/jwt/index.js';

const clock = manualClock(Date.UTC(2026, 0, 1));
const SID = 'AAAAbbbbccccddddeeeeffffgg';
const key = generateJwtKey('EdDSA', 0, 'main');
const ring = new JwtKeyRing([key]);
const tokens = new AccessTokens({ keys: ring, issuer: 'https://auth.test', audience: 'api', clock });

const nowSeconds = (): number => Math.floor(clock() / 1000);
const goodClaims = (): Record<string, unknown> => ({
  sub: 'alice',
  sid: SID,
  jti: 'jti-1',
  iat: nowSeconds(),
  exp: nowSeconds() + 900,
  aud: 'api',
  iss: 'https://auth.test',
});
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function signWith(
  signingKey: KeyObject | Uint8Array,
  header: Record<string, unknown>,
  claims: Record<string, unknown> = goodClaims(),
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(signingKey);
}

async function reasonOf(token: string): Promise<string> {
  const result = await tokens.verify(token);
  return result.ok ? 'ok' : result.reason;
}

describe('access-token attack list', () => {
  it('control: a token forged with the real key and a correct header verifies', async () => {
    assert.equal(
      await reasonOf(await signWith(keyObject(key.privateKey), { alg: 'EdDSA', typ: 'at+jwt', kid: 'main' })),
      'ok',
    );
    assert.equal(await reasonOf(tokens.issue({ subject: 'alice', sessionId: SID }).token), 'ok');
  });

  it('refuses alg "none" in every spelling', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const token = `${b64({ alg, typ: 'at+jwt', kid: 'main' })}.${b64(goodClaims())}.`;
      assert.notEqual(await reasonOf(token), 'ok', alg);
      const withoutKid = `${b64({ alg, typ: 'at+jwt' })}.${b64(goodClaims())}.`;
      assert.notEqual(await reasonOf(withoutKid), 'ok', `${alg} without kid`);
    }
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const pem = Buffer.from(keyObject(key.publicKey).export({ type: 'spki', format: 'pem' }) as string);
    const der = keyObject(key.publicKey).export({ type: 'spki', format: 'der' });
    const x = Buffer.from(String((await exportJWK(keyObject(key.publicKey))).x), 'base64url');
    for (const secret of [pem, der, x, Buffer.from(String((await exportJWK(keyObject(key.publicKey))).x))]) {
      const token = await signWith(new Uint8Array(secret), { alg: 'HS256', typ: 'at+jwt', kid: 'main' });
      assert.equal(await reasonOf(token), 'algorithm');
    }
  });

  it('refuses embedded jwk, jku, x5u, x5c and crit headers', async () => {
    const attacker = generateKeyPairSync('ed25519');
    const jwk = await exportJWK(attacker.publicKey);
    const headers = [
      { alg: 'EdDSA', typ: 'at+jwt', kid: 'main', jwk },
      { alg: 'EdDSA', typ: 'at+jwt', jwk },
      { alg: 'EdDSA', typ: 'at+jwt', kid: 'main', jku: 'https://evil.test/jwks.json' },
      { alg: 'EdDSA', typ: 'at+jwt', kid: 'main', x5u: 'https://evil.test/cert.pem' },
      { alg: 'EdDSA', typ: 'at+jwt', kid: 'main', x5c: ['MIIB'] },
    ];
    for (const header of headers) {
      const token = await signWith(keyObject(attacker.privateKey), header);
      assert.notEqual(await reasonOf(token), 'ok', Object.keys(header).join(','));
    }
    // Even signed by the real key, a token carrying such headers is refused: nothing in a token picks its key.
    const real = await signWith(keyObject(key.privateKey), {
      alg: 'EdDSA',
      typ: 'at+jwt',
      kid: 'main',
      jku: 'https://x',
    });
    assert.equal(await reasonOf(real), 'header');
    // jose will not sign an unknown critical header, so this one is put together by hand.
    const input = `${b64({ alg: 'EdDSA', typ: 'at+jwt', kid: 'main', crit: ['urn:x'], 'urn:x': 1 })}.${b64(goodClaims())}`;
    const crit = `${input}.${sign(null, Buffer.from(input), keyObject(key.privateKey)).toString('base64url')}`;
    assert.equal(await reasonOf(crit), 'header');
  });

  it('refuses an unknown kid, a missing kid, and a kid used with another algorithm', async () => {
    const stranger = generateKeyPairSync('ed25519');
    assert.equal(
      await reasonOf(
        await signWith(keyObject(stranger.privateKey), { alg: 'EdDSA', typ: 'at+jwt', kid: 'other' }),
      ),
      'unknown_kid',
    );
    assert.equal(
      await reasonOf(await signWith(keyObject(stranger.privateKey), { alg: 'EdDSA', typ: 'at+jwt' })),
      'unknown_kid',
    );
    assert.equal(
      await reasonOf(
        await signWith(keyObject(stranger.privateKey), { alg: 'EdDSA', typ: 'at+jwt', kid: 'main' }),
      ),
      'signature',
    );
    const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.equal(
      await reasonOf(await signWith(keyObject(es.privateKey), { alg: 'ES256', typ: 'at+jwt', kid: 'main' })),
      'algorithm',
    );
  });

  it('refuses expired and not-yet-valid tokens (beyond the small clock tolerance)', async () => {
    const issued = tokens.issue({ subject: 'alice', sessionId: SID });
    clock.advance(900_000 + 4_000);
    assert.equal(await reasonOf(issued.token), 'ok', 'inside the 5 s tolerance');
    clock.advance(2_000);
    assert.equal(await reasonOf(issued.token), 'expired');
    const future = tokens.issue({ subject: 'alice', sessionId: SID, issuedAt: clock() + 60_000 });
    assert.equal(await reasonOf(future.token), 'not_yet_valid');
    const nbf = await signWith(
      keyObject(key.privateKey),
      { alg: 'EdDSA', typ: 'at+jwt', kid: 'main' },
      { ...goodClaims(), nbf: nowSeconds() + 60 },
    );
    assert.equal(await reasonOf(nbf), 'not_yet_valid');
    const long = await signWith(
      keyObject(key.privateKey),
      { alg: 'EdDSA', typ: 'at+jwt', kid: 'main' },
      { ...goodClaims(), exp: nowSeconds() + 86400 },
    );
    assert.equal(await reasonOf(long), 'claims', 'a lifetime this issuer never grants');
  });

  it('refuses a wrong audience, issuer or type, and missing claims', async () => {
    const header = { alg: 'EdDSA', typ: 'at+jwt', kid: 'main' };
    assert.equal(
      await reasonOf(await signWith(keyObject(key.privateKey), header, { ...goodClaims(), aud: 'other' })),
      'audience',
    );
    assert.equal(
      await reasonOf(
        await signWith(keyObject(key.privateKey), header, { ...goodClaims(), iss: 'https://evil.test' }),
      ),
      'issuer',
    );
    assert.equal(
      await reasonOf(await signWith(keyObject(key.privateKey), { ...header, typ: 'JWT' })),
      'type',
    );
    assert.equal(
      await reasonOf(await signWith(keyObject(key.privateKey), { alg: 'EdDSA', kid: 'main' })),
      'type',
    );
    for (const claim of ['sub', 'sid', 'jti', 'iat', 'exp', 'aud', 'iss']) {
      const claims = goodClaims();
      delete claims[claim];
      assert.notEqual(
        await reasonOf(await signWith(keyObject(key.privateKey), header, claims)),
        'ok',
        `without ${claim}`,
      );
    }
  });

  it('refuses duplicate members in the header or the payload, even when validly signed', async () => {
    const header = '{"alg":"EdDSA","typ":"at+jwt","kid":"main"}';
    const claims = JSON.stringify(goodClaims()).slice(0, -1);
    const signRaw = (head: string, body: string): string => {
      const input = `${Buffer.from(head).toString('base64url')}.${Buffer.from(body).toString('base64url')}`;
      return `${input}.${sign(null, Buffer.from(input), keyObject(key.privateKey)).toString('base64url')}`;
    };
    assert.equal(await reasonOf(signRaw(header, `${claims}}`)), 'ok', 'control: the raw signer works');
    assert.notEqual(await reasonOf(signRaw(header, `${claims},"sub":"admin"}`)), 'ok', 'sub twice');
    assert.notEqual(
      await reasonOf(signRaw(header, `${claims},"\\u0073ub":"admin"}`)),
      'ok',
      'sub twice, escaped',
    );
    assert.notEqual(
      await reasonOf(signRaw('{"alg":"EdDSA","typ":"at+jwt","kid":"main","kid":"main"}', `${claims}}`)),
      'ok',
      'kid twice in the header',
    );
  });

  it('refuses an altered payload, a truncated signature and an oversized token', async () => {
    const { token } = tokens.issue({ subject: 'alice', sessionId: SID });
    const [head, body, signature] = token.split('.') as [string, string, string];
    const altered = b64({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), sub: 'admin' });
    assert.equal(await reasonOf(`${head}.${altered}.${signature}`), 'signature');
    assert.notEqual(await reasonOf(`${head}.${body}.${signature.slice(0, -4)}`), 'ok');
    assert.notEqual(await reasonOf(`${head}.${body}.${signature.slice(0, 10)}`), 'ok');
    assert.notEqual(await reasonOf(`${head}.${body}`), 'ok');
    // The same signature bytes spelled with non-zero unused bits in the last character: one token, one string.
    const last = signature[signature.length - 1] as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = `${signature.slice(0, -1)}${alphabet[alphabet.indexOf(last) + 1]}`;
    assert.deepEqual(Buffer.from(respelled, 'base64url'), Buffer.from(signature, 'base64url'));
    assert.equal(await reasonOf(`${head}.${body}.${respelled}`), 'signature');
    const big = await signWith(
      keyObject(key.privateKey),
      { alg: 'EdDSA', typ: 'at+jwt', kid: 'main' },
      { ...goodClaims(), pad: 'x'.repeat(5000) },
    );
    assert.equal(await reasonOf(big), 'oversized');
    assert.equal(await reasonOf('not a token'), 'malformed');
  });

  it('HS256 keys refuse tokens signed with another secret, and short secrets at start-up', async () => {
    const hsRing = new JwtKeyRing([hmacKey('h1', 'an-hs256-secret-of-at-least-32-bytes!!')]);
    const hs = new AccessTokens({ keys: hsRing, issuer: 'https://auth.test', audience: 'api', clock });
    const issued = hs.issue({ subject: 'alice', sessionId: SID });
    assert.ok((await hs.verify(issued.token)).ok, 'line 146');
    const forged = await signWith(new TextEncoder().encode('another-secret-of-at-least-32-bytes!!!'), {
      alg: 'HS256',
      typ: 'at+jwt',
      kid: 'h1',
    });
    const result = await hs.verify(forged);
    assert.equal(result.ok ? 'ok' : result.reason, 'signature');
    assert.equal(hs.keys.jwks().keys.length, 0, 'HMAC secrets are never published');
    assert.throws(() => hmacKey('h2', 'short'), TypeError);
  });
});
