import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteSlab, MAX_CLASS_BYTES } from '../../src/stores/memory/byte-slab.js';
import { readTextRecord, writeTextRecord } from '../../src/stores/memory/text-record.js';

const CHUNK = 2 ** 16;

function bytesAt(slab: ByteSlab, handle: number, length: number): Uint8Array {
  const offset = slab.offsetOf(handle);
  return slab.bufferOf(handle).subarray(offset, offset + length);
}

describe('memory store: off-heap byte slab', () => {
  it('gives records of one size class cells of one chunk, 16 bytes apart at most, and never overlapping', () => {
    const slab = new ByteSlab();
    const a = slab.allocate(250);
    const b = slab.allocate(256);
    const c = slab.allocate(257);
    assert.equal(slab.bufferOf(a), slab.bufferOf(b), 'one 64 KiB chunk per class');
    assert.equal(slab.offsetOf(b) - slab.offsetOf(a), 256, 'a 250-byte record takes a 256-byte cell');
    assert.notEqual(slab.bufferOf(c), slab.bufferOf(a), '257 bytes go to the next class');
    assert.equal(slab.bytes, 2 * CHUNK);
    bytesAt(slab, a, 256).fill(0xaa);
    assert.ok(
      bytesAt(slab, b, 256).every((byte) => byte === 0),
      'writing a full cell leaves its neighbour alone',
    );
  });

  it('zeroes a released cell at once and hands it out again before the class grows', () => {
    const slab = new ByteSlab();
    const first = slab.allocate(100);
    bytesAt(slab, first, 100).fill(0x41);
    slab.release(first);
    assert.ok(
      bytesAt(slab, first, 112).every((byte) => byte === 0),
      'no secret hash stays behind in a free cell',
    );
    const again = slab.allocate(100);
    assert.equal(again, first);
    for (let round = 0; round < 10_000; round += 1) slab.release(slab.allocate(200));
    assert.equal(slab.bytes, 2 * CHUNK, 'allocating and releasing in turn does not grow the slab');
  });

  it('gives a record over MAX_CLASS_BYTES a chunk of its own size, freed (and zeroed) on release', () => {
    const slab = new ByteSlab();
    const big = slab.allocate(MAX_CLASS_BYTES + 1);
    assert.equal(slab.bufferOf(big).length, MAX_CLASS_BYTES + 1);
    assert.equal(slab.offsetOf(big), 0);
    assert.equal(slab.bytes, MAX_CLASS_BYTES + 1);
    const buffer = slab.bufferOf(big);
    buffer.fill(0x42);
    slab.release(big);
    assert.ok(buffer.every((byte) => byte === 0));
    assert.equal(slab.bytes, 0);
    slab.release(big);
    assert.equal(slab.bytes, 0, 'a second release of a freed own chunk changes nothing');
  });

  it('grows a class by whole chunks: cell n of a 2048-byte class is in chunk n / 32', () => {
    const slab = new ByteSlab();
    const handles = Array.from({ length: 65 }, () => slab.allocate(MAX_CLASS_BYTES));
    assert.equal(new Set(handles.map((handle) => slab.bufferOf(handle))).size, 3);
    assert.equal(slab.bytes, 3 * CHUNK);
    slab.clear();
    assert.equal(slab.bytes, 0);
    assert.equal(
      slab.offsetOf(slab.allocate(MAX_CLASS_BYTES)),
      0,
      'after clear the class starts a fresh chunk',
    );
  });
});

describe('memory store: text records', () => {
  it('round-trips every string exactly: nulls, empty strings, a leading BOM, NUL, non-ASCII, lone surrogates', () => {
    const slab = new ByteSlab();
    const fields = [
      '',
      null,
      '\ufeffa leading byte-order mark',
      'é\u0000€😀 ÿ',
      '\ud800 lone high',
      'lone low \udfff',
      '\udfff\ud800',
      'x'.repeat(5000),
    ];
    const handle = writeTextRecord(slab, fields);
    const out: (string | null)[] = new Array(fields.length).fill(null);
    readTextRecord(slab, handle, out);
    assert.deepEqual(out, fields);
  });

  it('any strings come back as written (property)', () => {
    const slab = new ByteSlab();
    const field = fc.option(fc.string({ unit: 'binary', maxLength: 300 }), { nil: null });
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), (fields) => {
        const handle = writeTextRecord(slab, fields);
        const out: (string | null)[] = new Array(fields.length).fill(null);
        readTextRecord(slab, handle, out);
        assert.deepEqual(out, fields);
        slab.release(handle);
      }),
      { numRuns: 500 },
    );
  });
});
