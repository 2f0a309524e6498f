/**
 * One-character mutations of a valid credential (session token, session id, refresh token, access token, API
 * key). Each mutation is described by seeded numbers and always changes the text.
 */
import fc from 'fast-check';

export const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Characters outside base64url that decoders are lenient about, and a few that break parsers. */
const OUTSIDE = ['+', '/', '=', '.', ' ', '%', '\u0000', '\t', '\u00e9', '\uff21', '\ud800', '"', '\\', '\n'];

export type MutationKind =
  | 'replace'
  | 'replace-outside'
  | 'insert'
  | 'delete'
  | 'swap'
  | 'case'
  | 'truncate'
  | 'append'
  | 'pad'
  | 'percent'
  | 'low-bits';

export interface Mutation {
  readonly kind: MutationKind;
  readonly position: number;
  readonly pick: number;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<MutationKind>(
    'replace',
    'replace',
    'replace-outside',
    'insert',
    'delete',
    'swap',
    'case',
    'truncate',
    'append',
    'pad',
    'percent',
    'low-bits',
  ),
  position: fc.nat(),
  pick: fc.nat(),
});

/** Applies a mutation; the result always differs from `text`. */
export function mutate(text: string, mutation: Mutation): string {
  if (text === '') return 'A';
  const at = mutation.position % text.length;
  const char = text[at] as string;
  const alphabetChar = BASE64URL[mutation.pick % BASE64URL.length] as string;
  let out: string;
  switch (mutation.kind) {
    case 'replace':
      out = replaceAt(text, at, alphabetChar === char ? BASE64URL[(mutation.pick + 1) % 64]! : alphabetChar);
      break;
    case 'replace-outside':
      out = replaceAt(text, at, OUTSIDE[mutation.pick % OUTSIDE.length] as string);
      break;
    case 'insert':
      out = text.slice(0, at) + alphabetChar + text.slice(at);
      break;
    case 'delete':
      out = text.slice(0, at) + text.slice(at + 1);
      break;
    case 'swap': {
      const next = (at + 1) % text.length;
      const [a, b] = at < next ? [at, next] : [next, at];
      out = text.slice(0, a) + text[b] + text.slice(a + 1, b) + text[a] + text.slice(b + 1);
      break;
    }
    case 'case':
      out = replaceAt(text, at, char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase());
      break;
    case 'truncate':
      out = text.slice(0, at);
      break;
    case 'append':
      out = text + alphabetChar;
      break;
    case 'pad':
      out = [` ${text}`, `${text} `, `${text}\n`, `\u0000${text}`, `${text}\u0000`][
        mutation.pick % 5
      ] as string;
      break;
    case 'percent':
      out = replaceAt(text, at, `%${char.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
      break;
    case 'low-bits': {
      // The last character's unused low bits: a lenient base64url decoder reads the same bytes.
      const last = BASE64URL.indexOf(text.at(-1) as string);
      const flipped = last === -1 ? 'A' : (BASE64URL[last ^ (1 + (mutation.pick % 3))] as string);
      out = text.slice(0, -1) + flipped;
      break;
    }
  }
  return out === text ? `${text}A` : out;
}

function replaceAt(text: string, at: number, value: string): string {
  return text.slice(0, at) + value + text.slice(at + 1);
}
