import type { ByteSlab } from './byte-slab.js';

/**
 * Several strings (or nulls) as one record in a `ByteSlab`: a 4-byte header with the UTF-8 byte length of the
 * text, one 4-byte header per field (its length in UTF-16 units × 4 + its kind), then the fields' text one after
 * another as UTF-8. A read decodes the text once and cuts the fields out of it. Exact for every string: one with
 * a UTF-16 surrogate, which UTF-8 could not carry unpaired, is kept as its JSON text (lone surrogates escaped)
 * and parsed back.
 */

const NULL = 0;
const TEXT = 1;
const ESCAPED = 2;
const HEADER_BYTES = 4;
/** UTF-16 units a field header can count (2^30 - 1). */
const MAX_FIELD_UNITS = 2 ** 30 - 1;
const SURROGATE = /[\ud800-\udfff]/;
const encoder = new TextEncoder();
/** `ignoreBOM`: keep a leading U+FEFF, which the decoder would otherwise drop. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function writeHeader(buffer: Uint8Array, position: number, value: number): void {
  buffer[position] = value & 0xff;
  buffer[position + 1] = (value >>> 8) & 0xff;
  buffer[position + 2] = (value >>> 16) & 0xff;
  buffer[position + 3] = value >>> 24;
}

function headerAt(buffer: Uint8Array, position: number): number {
  return (
    (buffer[position] as number) +
    (buffer[position + 1] as number) * 0x100 +
    (buffer[position + 2] as number) * 0x10000 +
    (buffer[position + 3] as number) * 0x1000000
  );
}

/** Writes `fields` as one new record and returns its handle. */
export function writeTextRecord(slab: ByteSlab, fields: readonly (string | null)[]): number {
  const headers: number[] = new Array(fields.length);
  let text = '';
  for (let index = 0; index < fields.length; index += 1) {
    const field = fields[index] ?? null;
    if (field === null) {
      headers[index] = NULL;
      continue;
    }
    const escaped = SURROGATE.test(field);
    const kept = escaped ? JSON.stringify(field) : field;
    if (kept.length > MAX_FIELD_UNITS)
      throw new RangeError('tessera: a session field is over 2^30 characters');
    headers[index] = kept.length * 4 + (escaped ? ESCAPED : TEXT);
    text += kept;
  }
  const bytes = encoder.encode(text);
  const start = HEADER_BYTES * (fields.length + 1);
  const handle = slab.allocate(start + bytes.length);
  const buffer = slab.bufferOf(handle);
  const offset = slab.offsetOf(handle);
  writeHeader(buffer, offset, bytes.length);
  for (let index = 0; index < fields.length; index += 1) {
    writeHeader(buffer, offset + HEADER_BYTES * (index + 1), headers[index] as number);
  }
  buffer.set(bytes, offset + start);
  return handle;
}

/** Every field of a record, into `out` (its length says how many fields the record has). */
export function readTextRecord(slab: ByteSlab, handle: number, out: (string | null)[]): void {
  const buffer = slab.bufferOf(handle);
  const offset = slab.offsetOf(handle);
  const start = offset + HEADER_BYTES * (out.length + 1);
  const text = decoder.decode(buffer.subarray(start, start + headerAt(buffer, offset)));
  let cut = 0;
  for (let index = 0; index < out.length; index += 1) {
    const header = headerAt(buffer, offset + HEADER_BYTES * (index + 1));
    const kind = header % 4;
    if (kind === NULL) {
      out[index] = null;
      continue;
    }
    const end = cut + (header - kind) / 4;
    const field = text.slice(cut, end);
    out[index] = kind === TEXT ? field : (JSON.parse(field) as string);
    cut = end;
  }
}
