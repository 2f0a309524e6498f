/**
 * The small part of HTTP Structured Field Values (RFC 9651) that DBSC headers use: an sf-string item
 * (`"text"`, with `\"` and `\\` escapes, printable ASCII only), optionally followed by parameters.
 */

/** Reads a header that is one sf-string, ignoring parameters; null when it is not one. */
export function parseSfString(value: string | null): string | null {
  if (value === null) return null;
  const text = value.trim();
  if (!text.startsWith('"')) return null;
  let out = '';
  for (let i = 1; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (char === 0x5c) {
      const next = text[i + 1];
      if (next !== '"' && next !== '\\') return null;
      out += next;
      i += 1;
    } else if (char === 0x22) {
      const rest = text.slice(i + 1);
      // Only parameters may follow (`;name=value`); a second list member would be a second value.
      if (rest !== '' && !rest.startsWith(';')) return null;
      return out;
    } else if (char < 0x20 || char > 0x7e) {
      return null;
    } else {
      out += text[i];
    }
  }
  return null;
}

/** Serialises text as an sf-string; `TypeError` when it is not printable ASCII. */
export function sfString(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text))
    throw new TypeError('tessera: a structured-field string is printable ASCII');
  return `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}
