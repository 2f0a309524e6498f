import type { InvalidReason } from '../../core/outcome.js';
import { MAX_COOKIE_HEADER_BYTES } from '../../transport/cookie.js';
import { peekCount, SEAL_TEXT } from './envelope.js';

/**
 * Chunking: a seal too large for one cookie (browsers keep at most 4096 bytes of name, value and attributes)
 * is split across `name.0`, `name.1`, … in order. The chunk count is in the seal's authenticated header and the
 * order is fixed by the ciphertext, so a missing, extra, duplicated or swapped chunk fails to open.
 *
 * Each value must be bare base64url as the writer sets it: a double-quoted value, the standard base64 alphabet
 * (`+`, `/`), padding or any other character is refused before any decryption, so one seal has one spelling.
 */
export type SealedCookieRead =
  | { readonly kind: 'missing' }
  | {
      readonly kind: 'present';
      readonly text: string;
      readonly count: number;
      /** Names of the sealed cookies the request carried, to clear or replace them. */
      readonly names: readonly string[];
    }
  | { readonly kind: 'refused'; readonly reason: InvalidReason; readonly names: readonly string[] };

const INDEX = /^(?:0|[1-9][0-9]{0,2})$/;

/** Reads a sealed cookie, chunked or not, from a `Cookie` header, refusing every ambiguous layout or spelling. */
export function readSealedCookies(header: string | null | undefined, name: string): SealedCookieRead {
  if (header === null || header === undefined || header === '') return { kind: 'missing' };
  if (header.length > MAX_COOKIE_HEADER_BYTES)
    return { kind: 'refused', reason: 'header_too_large', names: [] };
  let single = null as string | null;
  let duplicate = false;
  let chunks = null as string[] | null;
  let foreign = false;
  const names: string[] = [];
  const prefix = `${name}.`;
  forEachRawCookie(header, (key, value) => {
    if (key === name) {
      if (single !== null) duplicate = true;
      else names.push(key);
      single = value;
    } else if (key.startsWith(prefix)) {
      const suffix = key.slice(prefix.length);
      if (!INDEX.test(suffix)) {
        foreign = true;
        return;
      }
      chunks ??= [];
      const index = Number(suffix);
      if (chunks[index] !== undefined) duplicate = true;
      else names.push(key);
      chunks[index] = value;
    }
  });
  if (single === null && chunks === null) return foreign ? refused('malformed', names) : { kind: 'missing' };
  // Two cookies of one name (cookie tossing from a sibling domain), or both layouts at once: refuse, never guess.
  if (duplicate || (single !== null && chunks !== null)) return refused('ambiguous', names);
  if (foreign) return refused('malformed', names);
  if (single !== null) {
    return SEAL_TEXT.test(single)
      ? { kind: 'present', text: single, count: 1, names }
      : refused('malformed', names);
  }
  const list = chunks as string[];
  const count = list.length;
  if (count < 2) return refused('malformed', names);
  for (let index = 0; index < count; index += 1) {
    const chunk = list[index];
    if (chunk === undefined || !SEAL_TEXT.test(chunk)) return refused('malformed', names);
  }
  // The first chunk declares how many there are; any difference means a chunk was lost or added.
  if (peekCount(list[0] as string) !== count) return refused('malformed', names);
  return { kind: 'present', text: list.join(''), count, names };
}

/** Splits a seal's text into `count` chunks of at most `capacity` characters each. */
export function splitChunks(text: string, count: number, capacity: number): string[] {
  if (count === 1) return [text];
  if (Math.ceil(text.length / count) > capacity || text.length < count) {
    throw new RangeError('chunk count does not fit the text');
  }
  const parts: string[] = [];
  for (let index = 0; index < count; index += 1) {
    parts.push(
      text.slice(Math.floor((index * text.length) / count), Math.floor(((index + 1) * text.length) / count)),
    );
  }
  return parts;
}

/** Cookie names for a layout: the bare name for one cookie, `name.0` … `name.(count-1)` otherwise. */
export function chunkNames(name: string, count: number): string[] {
  if (count === 1) return [name];
  return Array.from({ length: count }, (_, index) => `${name}.${index}`);
}

/**
 * `forEachCookie` (transport/cookie.ts) without its unquoting: the same split on `;` and the first `=`, names and
 * values trimmed, pairs without `=` skipped, but a value's double quotes are kept, so the sealed reader can
 * refuse them (a sealed value is never quoted).
 */
function forEachRawCookie(header: string, visit: (name: string, value: string) => void): void {
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end) visit(header.slice(start, eq).trim(), header.slice(eq + 1, end).trim());
    start = end + 1;
  }
}

function refused(reason: InvalidReason, names: readonly string[]): SealedCookieRead {
  return { kind: 'refused', reason, names };
}
