// Both crypto providers (runtime/crypto-node.js for Node, Bun and Deno; runtime/crypto-web.js for workerd,
// edge-light and browser bundles) against published vectors and against each other: the same input gives the
// same bytes whichever one `#crypto` resolves to.
import assert from 'node:assert/strict';
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as node from '../../runtime/crypto-node.js';
import * as web from '../../runtime/crypto-web.js';
import * as selected from '#crypto';

type Provider = typeof selected;
const PROVIDERS: ReadonlyArray<readonly [string, Provider]> = [
  ['node', node],
  ['web', web],
];

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

interface MacVector {
  readonly tcId: number;
  readonly key: string;
  readonly msg: string;
  readonly tag: string;
  readonly result: 'valid' | 'invalid';
}
const wycheproof = JSON.parse(
  readFileSync(new URL('../../../shared/testdata/wycheproof/hmac_sha256_test.json', import.meta.url), 'utf8'),
) as { testGroups: { tagSize: number; tests: MacVector[] }[] };

/** The vectors this API can take: full 256-bit tags and messages whose bytes are UTF-8 text. */
const macVectors: MacVector[] = wycheproof.testGroups
  .filter((group) => group.tagSize === 256)
  .flatMap((group) => group.tests)
  .filter((vector) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(hex(vector.msg));
      return true;
    } catch {
      return false;
    }
  });

describe('crypto providers', () => {
  it('#crypto resolves to the node provider on Node (the default condition)', () => {
    assert.equal(selected.providerName, 'node');
    assert.equal(node.providerName, 'node');
    assert.equal(web.providerName, 'web');
    assert.deepEqual(Object.keys(web).sort(), Object.keys(node).sort(), 'one contract');
  });

  for (const [name, provider] of PROVIDERS) {
    describe(name, () => {
      it('SHA-256: the FIPS 180-2 vectors', () => {
        assert.equal(provider.sha256Base64url('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
        assert.equal(provider.sha256Base64url(''), '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
        assert.equal(
          provider.sha256Base64url('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
          b64u(hex('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')),
        );
      });

      it(`HMAC-SHA256: Wycheproof (${macVectors.length} vectors with text messages) and RFC 4231`, () => {
        assert.ok(macVectors.length >= 50);
        for (const vector of macVectors) {
          const tag = provider.hmacSha256Base64url(
            hex(vector.key),
            Buffer.from(vector.msg, 'hex').toString('utf8'),
          );
          assert.equal(tag === b64u(hex(vector.tag)), vector.result === 'valid', `tcId ${vector.tcId}`);
        }
        // RFC 4231 4.2, 4.3 (a string key is its UTF-8) and 4.7 (a key longer than the block: hashed first).
        assert.equal(
          provider.hmacSha256Base64url(new Uint8Array(20).fill(0x0b), 'Hi There'),
          b64u(hex('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7')),
        );
        assert.equal(
          provider.hmacSha256Base64url('Jefe', 'what do ya want for nothing?'),
          b64u(hex('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')),
        );
        assert.equal(
          provider.hmacSha256Base64url(
            new Uint8Array(131).fill(0xaa),
            'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
          ),
          b64u(hex('9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2')),
        );
      });

      it('HKDF-SHA256: RFC 5869 A.1 and A.3', () => {
        const a1 = provider.hkdfSha256(
          hex('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'),
          hex('000102030405060708090a0b0c'),
          hex('f0f1f2f3f4f5f6f7f8f9'),
          42,
        );
        assert.equal(
          Buffer.from(a1).toString('hex'),
          '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
        );
        const a3 = provider.hkdfSha256(hex('0b'.repeat(22)), new Uint8Array(0), new Uint8Array(0), 42);
        assert.equal(
          Buffer.from(a3).toString('hex'),
          '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
        );
      });

      it('random bytes: the length asked, past WebCrypto’s 65,536-byte limit too, and not all alike', () => {
        for (const length of [0, 1, 32, 65_536, 70_000])
          assert.equal(provider.randomBytes(length).length, length);
        const big = provider.randomBytes(70_000);
        assert.ok(
          big.subarray(65_536).some((byte) => byte !== 0),
          'the tail past the first chunk is filled',
        );
        assert.notDeepEqual(provider.randomBytes(32), provider.randomBytes(32));
      });

      it('base64url: Node’s encoding both ways, including a dropped partial last character', () => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
            const text = provider.toBase64url(bytes);
            assert.equal(text, b64u(bytes));
            assert.deepEqual(Uint8Array.from(provider.decodeBase64url(text)), bytes);
          }),
        );
        fc.assert(
          fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{0,80}$/), (text) => {
            assert.deepEqual(
              Uint8Array.from(provider.decodeBase64url(text)),
              Uint8Array.from(Buffer.from(text, 'base64url')),
            );
          }),
        );
      });

      it('UTF-8 lengths and constant-time equality agree with Buffer for any string, lone surrogates too', () => {
        fc.assert(
          fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
            assert.equal(provider.utf8ByteLength(a), Buffer.byteLength(a));
            assert.equal(provider.constantTimeEqual(a, a), true);
            assert.equal(provider.constantTimeEqual(a, b), Buffer.from(a).equals(Buffer.from(b)));
          }),
        );
        assert.equal(provider.utf8ByteLength('\ud800'), 3, 'a lone surrogate is U+FFFD');
        assert.equal(provider.utf8ByteLength('\ud83d\ude00'), 4);
        assert.equal(provider.constantTimeEqual('abc', 'abcd'), false);
        assert.equal(provider.constantTimeEqual('', ''), true);
        for (const length of [0, 1, 100, 9000]) assert.equal(provider.bytesToFill(length).byteLength, length);
      });
    });
  }

  it('web and node give the same digests, MACs and keys for any input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.oneof(fc.uint8Array({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 100 })),
        fc.integer({ min: 1, max: 255 }),
        (text, key, length) => {
          assert.equal(web.sha256Base64url(text), createHash('sha256').update(text).digest('base64url'));
          assert.equal(
            web.hmacSha256Base64url(key, text),
            createHmac('sha256', key).update(text).digest('base64url'),
          );
          assert.equal(web.hmacSha256Base64url(key, text), node.hmacSha256Base64url(key, text));
          assert.deepEqual(
            web.hkdfSha256(key, text, 'info', length),
            new Uint8Array(hkdfSync('sha256', key, text, 'info', length)),
          );
        },
      ),
    );
  });

  it("web and node inflate each other's raw DEFLATE, refuse what inflates past the bound, and refuse garbage", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }),
          fc.string({ maxLength: 3000 }).map((text) => new TextEncoder().encode(text.repeat(3))),
        ),
        (bytes) => {
          for (const [from, to] of [
            [node, web],
            [web, node],
            [web, web],
            [node, node],
          ] as const) {
            const packed = from.deflateRaw(bytes);
            assert.deepEqual(Buffer.from(to.inflateRaw(packed, bytes.byteLength) ?? [1]), Buffer.from(bytes));
            if (bytes.byteLength > 0) assert.equal(to.inflateRaw(packed, bytes.byteLength - 1), null);
          }
        },
      ),
    );
    for (const provider of [node, web]) {
      assert.equal(provider.inflateRaw(Uint8Array.of(0xff, 0xff, 0x01), 100), null, 'not DEFLATE');
      // A 10 MB run of zeros in a few kilobytes: refused at the bound, never inflated whole.
      const bomb = node.deflateRaw(new Uint8Array(10_000_000));
      assert.equal(provider.inflateRaw(bomb, 65_536), null, 'a bomb');
    }
  });

  it('web and node encode and decode UTF-8 as Buffer does, lone surrogates and bad sequences included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 64 }), (text, bytes) => {
        for (const provider of [node, web]) {
          assert.deepEqual(Buffer.from(provider.utf8Encode(text)), Buffer.from(text, 'utf8'));
          assert.equal(provider.utf8Decode(bytes), Buffer.from(bytes).toString('utf8'));
          assert.equal(provider.utf8Decode(bytes, 1, 5), Buffer.from(bytes).toString('utf8', 1, 5));
        }
      }),
    );
  });
});
