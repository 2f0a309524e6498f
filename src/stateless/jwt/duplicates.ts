import { decodeBase64url, utf8Decode } from '#crypto';
/**
 * Whether JSON text has an object with the same member name twice (RFC 8725 3.2 / RFC 7515 4: a JWS with
 * duplicate header parameters must be refused; JSON.parse would keep the last one silently, so two parsers
 * could read two different tokens). Names are compared after unescaping (`"a"` and `"\u0061"` are the same).
 * The text has already parsed as JSON; anything the scanner cannot read counts as a duplicate (refused).
 */
export function hasDuplicateMembers(text: string): boolean {
  const objects: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (expectName) {
        const names = objects.at(-1);
        let name: unknown;
        try {
          name = JSON.parse(text.slice(i, end + 1));
        } catch {
          return true;
        }
        if (!(names instanceof Set) || typeof name !== 'string' || names.has(name)) return true;
        names.add(name);
        expectName = false;
      }
      i = end;
    } else if (char === '{') {
      objects.push(new Set());
      expectName = true;
    } else if (char === '[') {
      objects.push(null);
      expectName = false;
    } else if (char === '}' || char === ']') {
      objects.pop();
      expectName = false;
    } else if (char === ',') {
      expectName = objects.at(-1) instanceof Set;
    }
  }
  return false;
}

/** The decoded JSON text of a compact JWS segment (header or payload), or null. */
export function segmentText(token: string, index: 0 | 1): string | null {
  const segment = token.split('.', 3)[index];
  if (segment === undefined || segment === '') return null;
  // As Node's decoder: characters outside the alphabet are skipped (the JWS layer refuses them anyway).
  return utf8Decode(decodeBase64url(segment.replace(/[^A-Za-z0-9_-]/g, '')));
}
