import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createSecretKey } from 'node:crypto';
import { aesGcmDecrypt, aesGcmEncrypt, aesGcmOpenLayout } from '../../src/stateless/sealed/aead.js';

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
        assert.equal(opened.toString('hex'), v.msg, `tcId ${v.tcId} plaintext`);
      } else if (v.result === 'invalid') {
        assert.equal(opened, null, `tcId ${v.tcId} must be refused`);
      }
    }
  });

  it('seals every valid vector to the expected ciphertext and tag', () => {
    for (const v of vectors.filter((vector) => vector.result === 'valid')) {
      const sealed = aesGcmEncrypt(hex(v.key), hex(v.iv), hex(v.msg), hex(v.aad));
      assert.equal(sealed.toString('hex'), v.ct + v.tag, `tcId ${v.tcId}`);
    }
  });

  it('the seal-layout opener (aad | nonce | ciphertext | tag) agrees on every vector', () => {
    for (const v of vectors) {
      const aad = hex(v.aad);
      const layout = Buffer.concat([aad, hex(v.iv), hex(v.ct), hex(v.tag)]);
      const opened = aesGcmOpenLayout(createSecretKey(hex(v.key)), layout, aad.byteLength);
      if (v.result === 'valid') assert.equal(opened?.toString('hex'), v.msg, `tcId ${v.tcId}`);
      else if (v.result === 'invalid') assert.equal(opened, null, `tcId ${v.tcId} must be refused`);
    }
  });
});
