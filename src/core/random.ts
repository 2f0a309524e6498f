import { randomBytes } from '#crypto';

/** Returns `length` bytes from a cryptographically secure source. Injected so tests can be deterministic. */
export type RandomSource = (length: number) => Uint8Array;

/** The default source: the platform's CSPRNG (node:crypto on Node, Bun and Deno; WebCrypto elsewhere). */
export const cryptoRandom: RandomSource = (length: number) => randomBytes(length);
