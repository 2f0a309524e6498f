/**
 * The Authorization header of a fuzz request: the right API key on most requests, a missing, malformed or
 * mutated one on some. Each variant says whether the service should accept it.
 */
import fc from 'fast-check';
import { type Mutation, mutate, mutationArb } from './mutate.js';

export type AuthVariant =
  | 'valid'
  | 'valid-lowercase'
  | 'valid-spaces'
  | 'missing'
  | 'empty'
  | 'scheme-only'
  | 'basic'
  | 'token-scheme'
  | 'no-scheme'
  | 'tab'
  | 'mutated'
  | 'trailing-junk'
  | 'oversized'
  | 'latin1'
  | 'duplicate-bad-first';

export interface AuthChoice {
  readonly variant: AuthVariant;
  readonly mutation: Mutation;
}

export interface AuthHeaders {
  readonly headers: Array<readonly [string, string]>;
  readonly valid: boolean;
}

const VALID: AuthVariant[] = ['valid', 'valid-lowercase', 'valid-spaces'];
const INVALID: AuthVariant[] = [
  'missing',
  'empty',
  'scheme-only',
  'basic',
  'token-scheme',
  'no-scheme',
  'tab',
  'mutated',
  'mutated',
  'trailing-junk',
  'oversized',
  'latin1',
  'duplicate-bad-first',
];

/** `invalidShare` of requests (0..1) get a bad key. */
export function authArb(invalidShare: number): fc.Arbitrary<AuthChoice> {
  const bad = Math.round(invalidShare * 1000);
  return fc.record({
    variant: fc.oneof(
      {
        weight: 1000 - bad,
        arbitrary: fc.oneof(
          { weight: 8, arbitrary: fc.constant<AuthVariant>('valid') },
          { weight: 1, arbitrary: fc.constantFrom(...VALID) },
        ),
      },
      { weight: bad, arbitrary: fc.constantFrom(...INVALID) },
    ),
    mutation: mutationArb,
  });
}

export function authHeaders(choice: AuthChoice, key: string): AuthHeaders {
  const line = (value: string): AuthHeaders => ({ headers: [['authorization', value]], valid: false });
  switch (choice.variant) {
    case 'valid':
      return { headers: [['authorization', `Bearer ${key}`]], valid: true };
    case 'valid-lowercase':
      return { headers: [['authorization', `bearer ${key}`]], valid: true };
    case 'valid-spaces':
      return { headers: [['authorization', `Bearer    ${key}   `]], valid: true };
    case 'missing':
      return { headers: [], valid: false };
    case 'empty':
      return line('');
    case 'scheme-only':
      return line('Bearer');
    case 'basic':
      return line(`Basic ${Buffer.from(`api:${key}`).toString('base64')}`);
    case 'token-scheme':
      return line(`Token ${key}`);
    case 'no-scheme':
      return line(key);
    case 'tab':
      return line(`Bearer\t${key}`);
    case 'mutated': {
      // Only mutations an HTTP client can put in a header; `pad` would be trimmed back to the key.
      let bad = mutate(
        key,
        choice.mutation.kind === 'pad' ? { ...choice.mutation, kind: 'replace' } : choice.mutation,
      );
      bad = bad.replace(/[^\x21-\x7e]/g, 'A');
      return line(`Bearer ${bad === key ? `${key}A` : bad}`);
    }
    case 'trailing-junk':
      return line(`Bearer ${key} extra`);
    case 'oversized':
      // Right key, but the header is over the 1024-character cap (inner spaces are not trimmed).
      return line(`Bearer${' '.repeat(1100)}${key}`);
    case 'latin1':
      return line(`Bearer ${key.slice(0, -1)}\u00e9`);
    case 'duplicate-bad-first':
      // node keeps the first Authorization header and drops the rest.
      return {
        headers: [
          ['authorization', `Bearer ${key}x`],
          ['authorization', `Bearer ${key}`],
        ],
        valid: false,
      };
  }
}
