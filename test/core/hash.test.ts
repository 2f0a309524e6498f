import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sha256 } from '../../src/core/hash.js';

describe('sha256', () => {
  it('matches the FIPS 180-2 vectors, base64url-encoded', () => {
    // "abc" -> ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
    assert.equal(sha256('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    assert.equal(sha256(''), '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  });

  it('hashes the UTF-8 bytes of any string, like createHash', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        assert.equal(sha256(text), createHash('sha256').update(text, 'utf8').digest('base64url'));
      }),
    );
    assert.equal(
      sha256('é'),
      createHash('sha256')
        .update(Buffer.from([0xc3, 0xa9]))
        .digest('base64url'),
    );
  });
});
