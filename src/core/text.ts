/**
 * Text every store can keep and give back unchanged. PostgreSQL refuses NUL in text and in `jsonb`; Redis's Lua
 * `cjson` refuses a lone UTF-16 surrogate; a store that turns either into something else (U+FFFD) would make a
 * session that cannot be listed or revoked by what the caller holds. So such text is refused at the boundary,
 * before any store, the same way on every store: a `TypeError` (400 in the service) that changes nothing.
 */

/** A NUL, or a UTF-16 surrogate without its partner. */
const MALFORMED = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `text` has a NUL or a lone surrogate. */
export function isMalformedText(text: string): boolean {
  return MALFORMED.test(text);
}

/** Throws a `TypeError` naming `what` when `text` has a NUL or a lone surrogate. */
export function checkText(text: string, what: string): string {
  if (isMalformedText(text)) {
    throw new TypeError(`tessera: ${what} must not contain NUL or malformed Unicode (a lone surrogate)`);
  }
  return text;
}

/** Every key and string value of JSON data, checked with `checkText`. */
export function checkJsonText(value: unknown, what: string): void {
  if (typeof value === 'string') checkText(value, what);
  else if (Array.isArray(value)) for (const item of value) checkJsonText(item, what);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      checkText(key, `${what} keys`);
      checkJsonText(item, what);
    }
  }
}

/** The first `max` UTF-16 units of `text`, never ending in half a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
