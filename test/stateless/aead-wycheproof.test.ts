import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as node from '../../runtime/crypto-node.js';
import * as web from '../../runtime/crypto-web.js';
import { aesGcmDecrypt, aesGcmEncrypt, aesGcmOpenLayout } from '../../src/stateless/sealed/aead.js';
import { aesGcmKey } from '#crypto';

interface Vector {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface Group {
  keySize: number;
  ivSize: number;
  tagSize: number;
  tests: Vector[];
}

const file = new URL('../../../shared/testdata/wycheproof/aes_gcm_test.json', import.meta.url);
const groups = (JSON.parse(readFileSync(file, 'utf8')) as { testGroups: Group[] }).testGroups.filter(
  // The sealing layer only does AES-256-GCM with a 96-bit nonce and a 128-bit tag.
  (group) => group.keySize === 256 && group.ivSize === 96 && group.tagSize === 128,
);
const hex = (text: string): Buffer => Buffer.from(text, 'hex');
const toHex = (bytes: Uint8Array | null | undefined): string | undefined =>
  bytes === null || bytes === undefined ? undefined : Buffer.from(bytes).toString('hex');

describe('AES-256-GCM layer against Wycheproof vectors', () => {
  const vectors = groups.flatMap((group) => group.tests);

  it('covers the 256-bit key, 96-bit IV, 128-bit tag groups', () => {
    assert.ok(vectors.length >= 60, `only ${vectors.length} vectors`);
    assert.ok(
      vectors.some((v) => v.result === 'invalid'),
      'line 35',
    );
  });

  it('opens every valid vector and refuses every invalid one', () => {
    for (const v of vectors) {
      const opened = aesGcmDecrypt(hex(v.key), hex(v.iv), Buffer.concat([hex(v.ct), hex(v.tag)]), hex(v.aad));
      if (v.result === 'valid') {
        assert.ok(opened !== null, `tcId ${v.tcId} should open`);
        assert.equal(toHex(opened), v.msg, `tcId ${v.tcId} plaintext`);
      } else if (v.result === 'invalid') {
        assert.equal(opened, null, `tcId ${v.tcId} must be refused`);
      }
    }
  });

  it('seals every valid vector to the expected ciphertext and tag', () => {
    for (const v of vectors.filter((vector) => vector.result === 'valid')) {
      const sealed = aesGcmEncrypt(hex(v.key), hex(v.iv), hex(v.msg), hex(v.aad));
      assert.equal(toHex(sealed), v.ct + v.tag, `tcId ${v.tcId}`);
    }
  });

  it('the seal-layout opener (aad | nonce | ciphertext | tag) agrees on every vector', () => {
    for (const v of vectors) {
      const aad = hex(v.aad);
      const layout = Buffer.concat([aad, hex(v.iv), hex(v.ct), hex(v.tag)]);
      const opened = aesGcmOpenLayout(aesGcmKey(hex(v.key)), layout, aad.byteLength);
      if (v.result === 'valid') assert.equal(toHex(opened), v.msg, `tcId ${v.tcId}`);
      else if (v.result === 'invalid') assert.equal(opened, null, `tcId ${v.tcId} must be refused`);
    }
  });
});

// Both crypto providers on their own, whichever one `#crypto` picked above: node:crypto (Node, Bun, Deno) and
// @noble/ciphers (workerd, edge, browsers) must seal to the same bytes and refuse the same forgeries.
for (const [name, provider] of [
  ['node', node],
  ['web', web],
] as const) {
  describe(`AES-256-GCM, ${name} provider, against Wycheproof vectors`, () => {
    const vectors = groups.flatMap((group) => group.tests);

    it('seals every valid vector to its ciphertext and tag, with raw and with prepared keys', () => {
      for (const v of vectors.filter((vector) => vector.result === 'valid')) {
        for (const key of [hex(v.key), provider.aesGcmKey(hex(v.key))]) {
          const sealed = provider.aesGcmSeal(key, hex(v.iv), hex(v.msg), hex(v.aad));
          assert.equal(toHex(sealed), v.ct + v.tag, `tcId ${v.tcId}`);
        }
      }
    });

    it('opens every valid vector and refuses every invalid one, and every truncated tag', () => {
      for (const v of vectors) {
        const key = provider.aesGcmKey(hex(v.key));
        const sealed = Buffer.concat([hex(v.ct), hex(v.tag)]);
        const opened = provider.aesGcmOpen(key, hex(v.iv), sealed, hex(v.aad));
        if (v.result === 'valid') assert.equal(toHex(opened), v.msg, `tcId ${v.tcId}`);
        else if (v.result === 'invalid') assert.equal(opened, null, `tcId ${v.tcId} must be refused`);
        for (const cut of [1, 4, 15, 16]) {
          const short = provider.aesGcmOpen(
            key,
            hex(v.iv),
            sealed.subarray(0, sealed.byteLength - cut),
            hex(v.aad),
          );
          assert.equal(short, null, `tcId ${v.tcId} without its last ${cut} bytes`);
        }
      }
    });
  });
}
