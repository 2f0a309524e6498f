import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * A refresh token is `rt1.<family id>.<generation>.<secret>.<mac>`:
 * - family id: 128 random bits (22 base64url characters), names the chain of tokens from one issue;
 * - generation: decimal, 0 for the first token of the family;
 * - secret: 256 bits; generation 0 is random, each successor is HMAC(derive key, family|generation|secret),
 *   so every node recomputes the same successor inside the grace window;
 * - mac: 128-bit HMAC over the rest, so only tokens this server issued are ever judged. A forged "old" token
 *   for a known family id fails here and can never trigger a family revocation.
 * The store keeps only SHA-256 of the current and previous secrets.
 */
export const REFRESH_PREFIX = 'rt1';
const PATTERN = /^rt1\.([A-Za-z0-9_-]{22})\.(0|[1-9][0-9]{0,8})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{22})$/;
const MAX_LENGTH = 3 + 1 + 22 + 1 + 9 + 1 + 43 + 1 + 22;

export interface ParsedRefreshToken {
  readonly familyId: string;
  readonly generation: number;
  readonly secret: string;
  readonly mac: string;
}

export interface RefreshKeys {
  readonly mac: Buffer;
  readonly derive: Buffer;
  readonly jti: Buffer;
}

/** Three independent keys from one server secret (HKDF-SHA256, RFC 5869). */
export function refreshKeys(secret: string | Uint8Array): RefreshKeys {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.byteLength < 32) throw new TypeError('tessera: the refresh-token secret needs at least 32 bytes');
  const derive = (info: string): Buffer =>
    Buffer.from(hkdfSync('sha256', bytes, 'tessera/refresh/v1', info, 32));
  return { mac: derive('mac'), derive: derive('successor'), jti: derive('jti') };
}

export function parseRefreshToken(token: unknown): ParsedRefreshToken | null {
  if (typeof token !== 'string' || token.length > MAX_LENGTH) return null;
  const match = PATTERN.exec(token);
  if (match === null) return null;
  return {
    familyId: match[1] as string,
    generation: Number(match[2]),
    secret: match[3] as string,
    mac: match[4] as string,
  };
}

export function formatRefreshToken(
  keys: RefreshKeys,
  familyId: string,
  generation: number,
  secret: string,
): string {
  const body = `${REFRESH_PREFIX}.${familyId}.${generation}.${secret}`;
  return `${body}.${macOf(keys, body)}`;
}

export function macIsValid(keys: RefreshKeys, parsed: ParsedRefreshToken): boolean {
  const expected = Buffer.from(
    macOf(keys, `${REFRESH_PREFIX}.${parsed.familyId}.${parsed.generation}.${parsed.secret}`),
  );
  const given = Buffer.from(parsed.mac);
  return expected.byteLength === given.byteLength && timingSafeEqual(expected, given);
}

/** The successor of a generation's secret: deterministic, so concurrent refreshes agree on it. */
export function successorSecret(
  keys: RefreshKeys,
  familyId: string,
  generation: number,
  secret: string,
): string {
  return createHmac('sha256', keys.derive).update(`${familyId}|${generation}|${secret}`).digest('base64url');
}

/** The `jti` of the access token issued with a generation: deterministic for the same reason. */
export function accessJti(keys: RefreshKeys, familyId: string, generation: number): string {
  return createHmac('sha256', keys.jti).update(`${familyId}|${generation}`).digest('base64url').slice(0, 22);
}

function macOf(keys: RefreshKeys, body: string): string {
  return createHmac('sha256', keys.mac).update(body).digest().subarray(0, 16).toString('base64url');
}
