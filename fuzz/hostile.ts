/**
 * Hostile values, as JSON text (so literals such as `1e400` or a duplicate key reach the server's parser as
 * written) or as raw bytes. Only fast-check arbitraries: every value comes from the campaign's seed.
 */
import fc from 'fast-check';

/** JSON text of a value, exactly as written. */
export type JsonText = string;

export const json = (value: unknown): JsonText => JSON.stringify(value);

/** Values of every JSON type, for a field that expects another one. */
export const wrongTypeValue: fc.Arbitrary<JsonText> = fc.constantFrom(
  'null',
  'true',
  'false',
  '0',
  '-1',
  '1.5',
  '""',
  '"x"',
  '"0"',
  '"true"',
  '"null"',
  '[]',
  '[1]',
  '["a","b"]',
  '[null]',
  '[[]]',
  '{}',
  '{"a":1}',
  '{"token":"x"}',
  '{"":""}',
  '[{}]',
);

/** Numbers a JSON parser reads as out of range, not integers, negative zero, or past 2^53. */
export const hugeNumberText: fc.Arbitrary<JsonText> = fc.oneof(
  fc.constantFrom(
    '1e400',
    '-1e400',
    '1e308',
    '-1e308',
    '1.7976931348623157e308',
    '9007199254740993',
    '-9007199254740993',
    '9007199254740991',
    '18446744073709551616',
    '2147483648',
    '4294967296',
    '1000001',
    '1e6',
    '1E+6',
    '1.0',
    '0.1',
    '-0',
    '-0.0',
    '1e-400',
    '5e-324',
    '-1',
    `1${'0'.repeat(400)}`,
    `0.${'0'.repeat(400)}1`,
    `${'9'.repeat(5000)}`,
    `-${'9'.repeat(5000)}e-5000`,
  ),
  fc.double().map((value) => (Number.isFinite(value) ? String(value) : '1e999')),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).map(String),
  fc.integer().map(String),
);

const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00'];

/** A lone UTF-16 surrogate, somewhere inside otherwise plain text. */
export const loneSurrogateString: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...LONE_SURROGATES), fc.string({ maxLength: 8 }))
  .map(([before, lone, after]) => `${before}${lone}${after}`);

/** NUL and other control characters inside text. */
export const controlString: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ maxLength: 8 }),
    fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\n', '\r\n', '\t', '\u0085', '\u2028'),
    fc.string({ maxLength: 8 }),
  )
  .map(([before, control, after]) => `${before}${control}${after}`);

/** Text shaped like a credential: it must be refused in URLs and subjects, redacted in logs. */
export const tokenShapedString: fc.Arbitrary<string> = fc.constantFrom(
  `ts1.${'A'.repeat(26)}.${'B'.repeat(43)}`,
  `ts1%2E${'A'.repeat(26)}`,
  `rt1.${'A'.repeat(22)}.0.${'B'.repeat(43)}.${'C'.repeat(22)}`,
  `eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.`,
  `TS1.${'a'.repeat(26)}`,
);

/** Strings with characters people forget: quotes, backslashes, Unicode oddities. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    '"',
    '\\',
    '\\u0000',
    '%00',
    '%',
    '../../etc/passwd',
    '\u202e\u0041',
    '\u200b',
    '\ufeff',
    '\uffff',
    '\ud83d\ude00',
    'ＡＢＣ',
    '<script>alert(1)</script>',
    "'; DROP TABLE sessions; --",
    '$' + '{7*7}',
    '{{7*7}}',
    '__proto__',
    'constructor',
    'anonymous:x',
    '*',
    '?',
    '#',
    '/',
  ),
);

/** A long string: around every length limit of the API (64, 256, 1024, 8192) and past the 64 KiB body limit. */
export const longString: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(
      63,
      64,
      65,
      255,
      256,
      257,
      1023,
      1024,
      1025,
      4096,
      8191,
      8192,
      8193,
      16_384,
      65_000,
      70_000,
    ),
    fc.constantFrom('a', 'é', '\ud83d\ude00', '0', ' ', '-'),
  )
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

/** Any hostile string. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  oddString,
  loneSurrogateString,
  controlString,
  tokenShapedString,
  longString,
);

/** Deeply nested JSON text, `depth` levels of arrays or objects (kept under the 64 KiB body limit or not). */
export const deepText: fc.Arbitrary<JsonText> = fc
  .tuple(
    fc.constantFrom(30, 31, 32, 33, 34, 64, 65, 100, 1000, 5000, 9000, 20_000, 32_000),
    fc.constantFrom('array', 'object', 'mixed', 'unclosed'),
  )
  .map(([depth, kind]) => nestedText(depth, kind));

export function nestedText(depth: number, kind: 'array' | 'object' | 'mixed' | 'unclosed'): JsonText {
  switch (kind) {
    case 'array':
      return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    case 'object':
      return `${'{"a":'.repeat(Math.min(depth, 10_000))}1${'}'.repeat(Math.min(depth, 10_000))}`;
    case 'mixed':
      return `${'[{"a":'.repeat(Math.min(depth, 6000))}1${'}]'.repeat(Math.min(depth, 6000))}`;
    default:
      return '['.repeat(depth);
  }
}

/** JSON keys that touch the prototype chain or shadow built-ins. */
export const protoKey: fc.Arbitrary<string> = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  '__lookupSetter__',
  'isPrototypeOf',
  'then',
);

/** Any hostile JSON value: wrong types, huge numbers, deep nesting, hostile strings, prototype-ish objects. */
export const hostileValue: fc.Arbitrary<JsonText> = fc.oneof(
  wrongTypeValue,
  hugeNumberText,
  deepText,
  hostileString.map(json),
  protoKey.map((key) => `{"${key}":{"polluted":true}}`),
);

/** Bytes that are not UTF-8: overlong forms, surrogates as WTF-8, stray continuation bytes, cut sequences. */
export const invalidUtf8: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .constantFrom(
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xed, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0xff],
      [0xfe, 0xff],
      [0x80],
      [0xbf],
      [0xc3],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98],
      [0xc1, 0xbf],
    )
    .map((bytes) => Buffer.from(bytes)),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => Buffer.from(bytes.map((byte) => byte | 0x80))),
);
