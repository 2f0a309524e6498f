import type { ByteSlab } from './byte-slab.js';

/**
 * Several strings (or nulls) as one record in a `ByteSlab`: per field a 4-byte header, its UTF-8 byte length
 * times 4 plus its kind, then the bytes. Exact for every string: one with a UTF-16 surrogate, which UTF-8 could
 * not carry unpaired, is kept as its JSON text (lone surrogates escaped) and parsed back.
 */

const NULL = 0;
const UTF8 = 1;
const ESCAPED = 2;
const HEADER_BYTES = 4;
/** Field bytes a header can count (2^30 - 1). */
const MAX_FIELD_BYTES = 2 ** 30 - 1;
const SURROGATE = /[\ud800-\udfff]/;

/** Writes `fields` as one new record and returns its handle. */
export function writeTextRecord(slab: ByteSlab, fields: readonly (string | null)[]): number {
  const texts: (string | null)[] = new Array(fields.length);
  const kinds: number[] = new Array(fields.length);
  const lengths: number[] = new Array(fields.length);
  let total = 0;
  for (let index = 0; index < fields.length; index += 1) {
    const field = fields[index] ?? null;
    const escaped = field !== null && SURROGATE.test(field);
    const text = escaped ? JSON.stringify(field) : field;
    const length = text === null ? 0 : Buffer.byteLength(text, 'utf8');
    if (length > MAX_FIELD_BYTES) throw new RangeError('tessera: a session field is over 1 GiB');
    texts[index] = text;
    kinds[index] = field === null ? NULL : escaped ? ESCAPED : UTF8;
    lengths[index] = length;
    total += HEADER_BYTES + length;
  }
  const handle = slab.allocate(total);
  const buffer = slab.bufferOf(handle);
  let position = slab.offsetOf(handle);
  for (let index = 0; index < fields.length; index += 1) {
    const length = lengths[index] as number;
    buffer.writeUInt32LE(length * 4 + (kinds[index] as number), position);
    position += HEADER_BYTES;
    const text = texts[index];
    if (text !== null && text !== undefined) buffer.write(text, position, length, 'utf8');
    position += length;
  }
  return handle;
}

/** The UTF-8 header at `position`: byte length × 4 + kind. */
function headerAt(buffer: Buffer, position: number): number {
  return (
    (buffer[position] as number) +
    (buffer[position + 1] as number) * 0x100 +
    (buffer[position + 2] as number) * 0x10000 +
    (buffer[position + 3] as number) * 0x1000000
  );
}

function decode(buffer: Buffer, start: number, header: number): string | null {
  const kind = header % 4;
  if (kind === NULL) return null;
  const text = buffer.toString('utf8', start, start + (header - kind) / 4);
  return kind === UTF8 ? text : (JSON.parse(text) as string);
}

/** Field `field` (0-based) of a record. */
export function readTextField(slab: ByteSlab, handle: number, field: number): string | null {
  const buffer = slab.bufferOf(handle);
  let position = slab.offsetOf(handle);
  for (let index = 0; index < field; index += 1) {
    position += HEADER_BYTES + Math.floor(headerAt(buffer, position) / 4);
  }
  return decode(buffer, position + HEADER_BYTES, headerAt(buffer, position));
}

/** Every field of a record, in one pass, into `out` (its length says how many). */
export function readTextRecord(slab: ByteSlab, handle: number, out: (string | null)[]): void {
  const buffer = slab.bufferOf(handle);
  let position = slab.offsetOf(handle);
  for (let index = 0; index < out.length; index += 1) {
    const header = headerAt(buffer, position);
    position += HEADER_BYTES;
    out[index] = decode(buffer, position, header);
    position += Math.floor(header / 4);
  }
}
