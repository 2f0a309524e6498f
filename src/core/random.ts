import { randomBytes } from 'node:crypto';

/** Returns `length` bytes from a cryptographically secure source. Injected so tests can be deterministic. */
export type RandomSource = (length: number) => Uint8Array;

/** The default source: the operating system's CSPRNG through node:crypto. */
export const cryptoRandom: RandomSource = (length: number) => randomBytes(length);
