// Both JOSE providers (runtime/jose-node.js: node:crypto and fast-jwt, for Node, Bun and Deno;
// runtime/jose-web.js: @noble/curves and @noble/hashes, for workerd, edge and browsers) give the same answers:
// the same deterministic signatures (EdDSA, HS256), each other's tokens verified (ES256 too), the same
// refusals, and keys that move between them as JWKs. The JWT suites run again on the web provider in
// test/runtimes/web-providers.test.ts.
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as node from '../../runtime/jose-node.js';
import * as web from '../../runtime/jose-web.js';
import * as selected from '#jose';

type Provider = typeof selected;
const PROVIDERS: ReadonlyArray<readonly [string, Provider]> = [
  ['node', node],
  ['web', web],
];
const ALGS = ['EdDSA', 'ES256'] as const;
const b64u = (text: string): string => Buffer.from(text).toString('base64url');

/** A key pair of `alg` in both providers: made by node, moved to web as a JWK. */
function pairInBoth(alg: 'EdDSA' | 'ES256') {
  const made = node.generateKeyPair(alg);
  const jwk = node.exportJwk(made.privateKey);
  return { node: made, web: web.privateKeyPair(alg, jwk as never), jwk };
}

const payloads = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }).filter((key) => key !== '__proto__'),
  fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer(), fc.boolean()),
  { maxKeys: 6 },
);

describe('JOSE providers', () => {
  it('#jose resolves to the node provider on Node (the default condition)', () => {
    assert.equal(selected.joseProviderName, 'node');
    assert.equal(web.joseProviderName, 'web');
  });

  it('EdDSA and HS256 signatures are the same bytes from both (both deterministic), for any payload', () => {
    const ed = pairInBoth('EdDSA');
    const secret = new Uint8Array(32).fill(7);
    const header = { alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' };
    const signers = {
      ed: [
        node.jwsSigner('EdDSA', ed.node.privateKey, header),
        web.jwsSigner('EdDSA', ed.web.privateKey, header),
      ],
      hs: [
        node.jwsSigner('HS256', node.secretKey(secret), { ...header, alg: 'HS256' }),
        web.jwsSigner('HS256', web.secretKey(secret), { ...header, alg: 'HS256' }),
      ],
    };
    fc.assert(
      fc.property(payloads, (payload) => {
        for (const [fromNode, fromWeb] of Object.values(signers)) {
          assert.equal(fromWeb?.(payload), fromNode?.(payload));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("each verifies the other's tokens for every algorithm, and returns the same payload", () => {
    for (const alg of ALGS) {
      const keys = pairInBoth(alg);
      const header = { alg, typ: 'at+jwt', kid: 'k1' };
      fc.assert(
        fc.property(payloads, (payload) => {
          const fromNode = node.jwsSigner(alg, keys.node.privateKey, header)(payload);
          const fromWeb = web.jwsSigner(alg, keys.web.privateKey, header)(payload);
          const expected = JSON.parse(JSON.stringify(payload)) as unknown;
          assert.deepEqual(web.jwsVerifier(alg, keys.web.publicKey)(fromNode), expected);
          assert.deepEqual(node.jwsVerifier(alg, keys.node.publicKey)(fromWeb), expected);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('an ES256 signature with a high s (OpenSSL makes them) verifies on both; a DER signature on neither', () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = pair.privateKey.export({ format: 'jwk' });
    const head = b64u('{"alg":"ES256"}');
    const body = b64u('{"a":1}');
    // The order of P-256. For a valid (r, s), (r, n - s) is valid too: one of the two has a high s. Built here,
    // whatever the signer makes (OpenSSL makes both kinds; some runtimes normalise to a low s).
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const toHex = (value: bigint): string => value.toString(16).padStart(64, '0');
    for (let i = 0; i < 8; i++) {
      const raw = sign('sha256', Buffer.from(`${head}.${body}`), {
        key: pair.privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      const r = raw.subarray(0, 32).toString('hex');
      const sValue = BigInt(`0x${raw.subarray(32).toString('hex')}`);
      const both = [sValue, n - sValue];
      assert.ok(
        both.some((value) => value > n / 2n),
        'one of the two has a high s',
      );
      for (const value of both) {
        const token = `${head}.${body}.${Buffer.from(r + toHex(value), 'hex').toString('base64url')}`;
        for (const [name, provider] of PROVIDERS) {
          const key = provider.privateKeyPair('ES256', jwk as never).publicKey;
          assert.deepEqual(
            provider.jwsVerifier('ES256', key)(token),
            { a: 1 },
            `${name}, s ${value > n / 2n ? 'high' : 'low'}`,
          );
        }
      }
    }
    const der = sign('sha256', Buffer.from(`${head}.${body}`), pair.privateKey).toString('base64url');
    for (const [name, provider] of PROVIDERS) {
      const key = provider.privateKeyPair('ES256', jwk as never).publicKey;
      // Refused on both: fast-jwt reports the wrong length as a malformed token, the web provider as a bad signature.
      assert.throws(
        () => provider.jwsVerifier('ES256', key)(`${head}.${body}.${der}`),
        (error: unknown) =>
          error instanceof provider.JwsError && ['signature', 'malformed'].includes(error.reason),
        name,
      );
    }
  });

  it('both refuse the same way: another algorithm, a changed byte, no signature, not JSON, not three parts', () => {
    const keys = pairInBoth('EdDSA');
    const token = node.jwsSigner('EdDSA', keys.node.privateKey, { alg: 'EdDSA' })({ sub: 'ada' });
    const [head, body, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const cases: ReadonlyArray<readonly [string, string]> = [
      [`${b64u('{"alg":"HS256"}')}.${body}.${signature}`, 'algorithm'],
      [`${b64u('{"alg":"none"}')}.${body}.${signature}`, 'algorithm'],
      [`${head}.${body}.${flipped}`, 'signature'],
      [`${head}.${b64u('{"sub":"eve"}')}.${signature}`, 'signature'],
      [`${head}.${body}.`, 'signature'],
      [`${head}.${b64u('[1]')}.${signature}`, 'malformed'],
      [`${b64u('nope')}.${body}.${signature}`, 'malformed'],
      [`${head}.${body}`, 'malformed'],
      ['', 'malformed'],
    ];
    for (const [name, provider] of PROVIDERS) {
      const verify = provider.jwsVerifier(
        'EdDSA',
        name === 'node' ? keys.node.publicKey : keys.web.publicKey,
      );
      assert.deepEqual(verify(token), { sub: 'ada' });
      for (const [bad, reason] of cases) {
        assert.throws(
          () => verify(bad),
          (error: unknown) => {
            assert.ok(error instanceof provider.JwsError, `${name}: ${bad}`);
            assert.equal(error.reason, reason, `${name}: ${bad}`);
            return true;
          },
        );
      }
    }
  });

  it('keys move between them as JWKs; the web provider refuses PEM, other curves and mismatched public members', () => {
    for (const alg of ALGS) {
      const keys = pairInBoth(alg);
      assert.deepEqual(web.exportJwk(keys.web.privateKey), keys.jwk, `${alg} private JWK`);
      assert.deepEqual(
        web.exportJwk(keys.web.publicKey),
        node.exportJwk(keys.node.publicKey),
        `${alg} public JWK`,
      );
      const pem = createPrivateKey({ key: keys.jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' });
      assert.throws(() => web.privateKeyPair(alg, pem as string), /PEM keys need node:crypto/);
      assert.ok(node.privateKeyPair(alg, pem as string).publicKey, 'node takes PEM');
      const other = alg === 'EdDSA' ? 'ES256' : 'EdDSA';
      for (const [name, provider] of PROVIDERS) {
        assert.throws(
          () => provider.privateKeyPair(other, keys.jwk as never),
          TypeError,
          `${name}: ${alg} as ${other}`,
        );
      }
      const wrongX = { ...keys.jwk, x: node.exportJwk(node.generateKeyPair(alg).publicKey).x };
      assert.throws(() => web.privateKeyPair(alg, wrongX as never), /do not match/);
    }
    // A point off the curve is refused when the public key is made, as node:crypto does.
    const off = { kty: 'EC', crv: 'P-256', x: b64u('x'.repeat(32)), y: b64u('y'.repeat(32)) };
    for (const [name, provider] of PROVIDERS) {
      assert.throws(() => provider.publicKeyFromJwk('ES256', off), Error, name);
    }
  });
});
