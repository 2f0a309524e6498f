import { TesseraError } from '../../core/errors.js';
import type { Session, SessionData } from '../../core/session.js';
import {
  MAX_COOKIE_HEADER_BYTES,
  type ResolvedCookieOptions,
  serializeClearCookie,
  serializeCookie,
} from '../../transport/cookie.js';
import { chunkNames, splitChunks } from './chunks.js';
import { prepareBody, sealBody, sealedTextLength } from './envelope.js';
import type { ResolvedSealedOptions } from './options.js';
import { encodePayload } from './payload.js';

/** Bytes of the Cookie header left for the site's other cookies. */
const COOKIE_HEADER_RESERVE = 2048;

/**
 * Seals a session into the `Set-Cookie` values that carry it, and clears any cookie of an older layout
 * (`previous`) that the new one does not overwrite. Throws `cookie_too_large` before anything is written
 * when the seal does not fit (chunking off, or more than `maxChunks` cookies).
 */
export function sealToCookies(
  options: ResolvedSealedOptions,
  session: Session<SessionData>,
  previous: readonly string[],
  now: number,
): string[] {
  const { cookie, ring, maxCookieBytes } = options;
  const prepared = prepareBody(encodePayload(session), options.compress);
  const textLength = sealedTextLength(ring.current, prepared.body.byteLength);
  const maxAge = Math.max(
    0,
    Math.ceil((Math.min(session.idleExpiresAt, session.absoluteExpiresAt) - now) / 1000),
  );
  let count = 1;
  let capacity = maxCookieBytes - serializeCookie(cookie, '', maxAge).length;
  if (textLength > capacity) {
    if (!options.chunking) {
      throw new TesseraError(
        'cookie_too_large',
        `sealed session needs ${textLength} bytes, more than one ${maxCookieBytes}-byte cookie, and chunking is off`,
      );
    }
    const widest = named(cookie, `${cookie.name}.${options.maxChunks - 1}`);
    capacity = maxCookieBytes - serializeCookie(widest, '', maxAge).length;
    count = Math.ceil(textLength / capacity);
    if (count > options.maxChunks || count < 2) {
      throw new TesseraError(
        'cookie_too_large',
        `sealed session needs ${textLength} bytes, more than ${options.maxChunks} cookies of ${maxCookieBytes} bytes`,
      );
    }
  }
  // The reader refuses Cookie headers over MAX_COOKIE_HEADER_BYTES; keep room for the site's other cookies.
  const headerBytes = textLength + count * (cookie.name.length + 6);
  if (headerBytes > MAX_COOKIE_HEADER_BYTES - COOKIE_HEADER_RESERVE) {
    throw new TesseraError(
      'cookie_too_large',
      `sealed session needs about ${headerBytes} bytes of Cookie header; the limit is ${MAX_COOKIE_HEADER_BYTES - COOKIE_HEADER_RESERVE}`,
    );
  }
  const text = sealBody(ring.current, prepared, count, options.random);
  const names = chunkNames(cookie.name, count);
  const parts = splitChunks(text, count, capacity);
  const cookies = parts.map((part, index) =>
    serializeCookie(named(cookie, names[index] as string), part, maxAge),
  );
  for (const stale of previous) {
    if (!names.includes(stale)) cookies.push(serializeClearCookie(named(cookie, stale)));
  }
  return cookies;
}

/** Clears every sealed cookie the request carried (all chunks), or the bare name when it carried none. */
export function clearSealedCookies(cookie: ResolvedCookieOptions, present: readonly string[]): string[] {
  const names = present.length === 0 ? [cookie.name] : present;
  return names.map((name) => serializeClearCookie(named(cookie, name)));
}

function named(cookie: ResolvedCookieOptions, name: string): ResolvedCookieOptions {
  return name === cookie.name ? cookie : { ...cookie, name };
}
