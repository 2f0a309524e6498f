import { utf8ByteLength } from '#crypto';
import { RESERVED_CLAIMS } from './claims.js';

/** A bound token's `jkt`: a SHA-256 thumbprint, 43 base64url characters. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * An application's own claims for an access token, checked: a plain object of JSON values whose names are not
 * Tessera's or the registered ones (`RESERVED_CLAIMS`), at most `maxBytes` bytes of JSON together. Returns the
 * JSON copy that goes into the token; misuse throws `TypeError` (a caller's bug, not a client's input).
 */
export function customClaims(claims: unknown, maxBytes: number): Record<string, unknown> {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new TypeError('tessera: custom claims must be a plain object');
  }
  const prototype = Object.getPrototypeOf(claims);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError('tessera: custom claims must be a plain object');
  }
  for (const name of Object.keys(claims)) {
    if (RESERVED_CLAIMS.has(name)) throw new TypeError(`tessera: the claim "${name}" is reserved`);
    if (name === '' || name === '__proto__') throw new TypeError('tessera: invalid claim name');
  }
  let text: string;
  try {
    text = JSON.stringify(claims, (_key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('not finite');
      if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
        throw new TypeError('not JSON');
      }
      return value;
    });
  } catch {
    throw new TypeError('tessera: custom claims must be JSON values (no undefined, functions, BigInt, NaN)');
  }
  if (utf8ByteLength(text) > maxBytes) {
    throw new TypeError(`tessera: custom claims take more than ${maxBytes} bytes of JSON`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** Whether a verified token's `cnf` is absent, or exactly `{ jkt: <thumbprint> }`. */
export function confirmationIsValid(cnf: unknown): boolean {
  if (cnf === undefined) return true;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) return false;
  const keys = Object.keys(cnf);
  const jkt = (cnf as { jkt?: unknown }).jkt;
  return keys.length === 1 && typeof jkt === 'string' && THUMBPRINT.test(jkt);
}

/** Checks a `jkt` given to `issue`; throws `TypeError` when it is not a thumbprint. */
export function checkThumbprint(jkt: unknown): string {
  if (typeof jkt !== 'string' || !THUMBPRINT.test(jkt)) {
    throw new TypeError('tessera: a DPoP key thumbprint (jkt) is 43 base64url characters');
  }
  return jkt;
}
