import { hkdfSha256, utf8Encode } from '#crypto';
import { constantTimeEqual, hmacSha256 } from '../../core/hash.js';

/** The keys of a DBSC deployment, from one server secret (HKDF-SHA256): challenges and bound cookies. */
export interface DbscKeys {
  readonly challenge: Uint8Array;
  readonly cookie: Uint8Array;
}

export function dbscKeys(secret: string | Uint8Array): DbscKeys {
  const bytes = typeof secret === 'string' ? utf8Encode(secret) : Uint8Array.from(secret ?? []);
  if (bytes.byteLength < 32) throw new TypeError('tessera: the DBSC secret needs at least 32 bytes');
  const derive = (info: string): Uint8Array => hkdfSha256(bytes, 'tessera/dbsc/v1', info, 32);
  return { challenge: derive('challenge'), cookie: derive('bound-cookie') };
}

/**
 * A challenge for one session in one period: `<period>.<random>.<mac>`. Checked without a store (the MAC names the
 * session and the period); each is accepted once, through the store's one-time keys.
 */
export function makeChallenge(keys: DbscKeys, sessionId: string, period: number, nonce: string): string {
  const label = period.toString(36);
  return `${label}.${nonce}.${hmacSha256(keys.challenge, `${sessionId}|${label}|${nonce}`).slice(0, 22)}`;
}

/** The period a challenge was made in, when it is this server's for `sessionId`; else null. */
export function challengePeriod(keys: DbscKeys, sessionId: string, challenge: unknown): number | null {
  if (typeof challenge !== 'string' || challenge.length > 80) return null;
  const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{16,43})\.([A-Za-z0-9_-]{22})$/.exec(challenge);
  if (match === null) return null;
  const [, label, nonce, mac] = match as unknown as [string, string, string, string];
  const expected = hmacSha256(keys.challenge, `${sessionId}|${label}|${nonce}`).slice(0, 22);
  return constantTimeEqual(mac, expected) ? Number.parseInt(label, 36) : null;
}

/**
 * The short-lived bound cookie: `db1.<session id>.<expiry, s>.<mac>`. It says "this session's device proved its
 * key until then"; it is worthless without the session cookie, and the session cookie is refused without it.
 */
export function boundCookieValue(keys: DbscKeys, sessionId: string, expiresAtSeconds: number): string {
  const body = `db1.${sessionId}.${expiresAtSeconds}`;
  return `${body}.${hmacSha256(keys.cookie, body).slice(0, 22)}`;
}

/** Whether a bound cookie is this server's, for `sessionId`, and not expired at `nowSeconds`. */
export function boundCookieIsValid(
  keys: DbscKeys,
  value: string | null,
  sessionId: string,
  nowSeconds: number,
): boolean {
  if (value === null || value.length > 128) return false;
  const match = /^db1\.([A-Za-z0-9_-]{26})\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})$/.exec(value);
  if (match === null || match[1] !== sessionId) return false;
  const body = `db1.${match[1]}.${match[2]}`;
  if (!constantTimeEqual(match[3] as string, hmacSha256(keys.cookie, body).slice(0, 22))) return false;
  return Number(match[2]) > nowSeconds;
}
