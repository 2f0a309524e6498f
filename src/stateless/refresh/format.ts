import { decodeBase64url, hkdfSha256, toBase64url, utf8Encode } from '#crypto';
import { constantTimeEqual, hmacSha256, sha256 } from '../../core/hash.js';

/**
 * A refresh token is `rt1.<family id>.<generation>.<secret>.<audience>[.<jkt>].<mac>`:
 * - family id: 128 random bits (22 base64url characters), names the chain of tokens from one issue;
 * - generation: decimal, 0 for the first token of the family;
 * - secret: 256 bits; generation 0 is random, each successor is HMAC(derive key, family|generation|secret),
 *   so every node recomputes the same successor inside the grace window;
 * - audience: `audienceTag` of the family's one access-token audience (ASVS 5.0 9.2.4), copied to every successor
 *   under the MAC, so a family keeps its audience without a store field. Tokens issued before this part existed
 *   (`rt1.<family>.<generation>.<secret>.<mac>`) still parse, and refresh into the first configured audience;
 * - jkt: for a family bound to a DPoP key (RFC 9449 5), the key's RFC 7638 thumbprint, copied to every successor
 *   under the MAC: a refresh needs a proof by that key, so a stolen refresh token is useless without it;
 * - mac: 128-bit HMAC over the rest, so only tokens this server issued are ever judged. A forged "old" token
 *   for a known family id fails here and can never trigger a family revocation.
 * The store keeps only SHA-256 of the current secret, and of the previous one a keyed hash bound to the client that
 * rotated it (`graceHash`), so only that client is served inside the grace window.
 */
export const REFRESH_PREFIX = 'rt1';
const PATTERN =
  /^rt1\.([A-Za-z0-9_-]{22})\.(0|[1-9][0-9]{0,8})\.([A-Za-z0-9_-]{43})(?:\.([A-Za-z0-9_-]{22}))?(?:\.([A-Za-z0-9_-]{43}))?\.([A-Za-z0-9_-]{22})$/;
const MAX_LENGTH = 3 + 1 + 22 + 1 + 9 + 1 + 43 + 1 + 22 + 1 + 43 + 1 + 22;

export interface ParsedRefreshToken {
  readonly familyId: string;
  readonly generation: number;
  readonly secret: string;
  /** The family's audience tag; `null` for a token issued before tokens carried one. */
  readonly audienceTag: string | null;
  /** The DPoP key thumbprint of a bound family; `null` for a bearer family. */
  readonly jkt: string | null;
  readonly mac: string;
}

export interface RefreshKeys {
  readonly mac: Uint8Array;
  readonly derive: Uint8Array;
  readonly jti: Uint8Array;
  readonly grace: Uint8Array;
}

/** Four independent keys from one server secret (HKDF-SHA256, RFC 5869). */
export function refreshKeys(secret: string | Uint8Array): RefreshKeys {
  const bytes = typeof secret === 'string' ? utf8Encode(secret) : Uint8Array.from(secret);
  if (bytes.byteLength < 32) throw new TypeError('tessera: the refresh-token secret needs at least 32 bytes');
  const derive = (info: string): Uint8Array => hkdfSha256(bytes, 'tessera/refresh/v1', info, 32);
  return { mac: derive('mac'), derive: derive('successor'), jti: derive('jti'), grace: derive('grace') };
}

export function parseRefreshToken(token: unknown): ParsedRefreshToken | null {
  if (typeof token !== 'string' || token.length > MAX_LENGTH) return null;
  const match = PATTERN.exec(token);
  if (match === null) return null;
  return {
    familyId: match[1] as string,
    generation: Number(match[2]),
    secret: match[3] as string,
    audienceTag: match[4] ?? null,
    jkt: match[5] ?? null,
    mac: match[6] as string,
  };
}

export function formatRefreshToken(
  keys: RefreshKeys,
  familyId: string,
  generation: number,
  secret: string,
  audienceTag: string,
  jkt: string | null = null,
): string {
  const bound = jkt === null ? '' : `.${jkt}`;
  const body = `${REFRESH_PREFIX}.${familyId}.${generation}.${secret}.${audienceTag}${bound}`;
  return `${body}.${macOf(keys, body)}`;
}

export function macIsValid(keys: RefreshKeys, parsed: ParsedRefreshToken): boolean {
  const tag = parsed.audienceTag === null ? '' : `.${parsed.audienceTag}`;
  const bound = parsed.jkt === null ? '' : `.${parsed.jkt}`;
  const expected = macOf(
    keys,
    `${REFRESH_PREFIX}.${parsed.familyId}.${parsed.generation}.${parsed.secret}${tag}${bound}`,
  );
  return constantTimeEqual(expected, parsed.mac);
}

/** The successor of a generation's secret: deterministic, so concurrent refreshes agree on it. */
export function successorSecret(
  keys: RefreshKeys,
  familyId: string,
  generation: number,
  secret: string,
): string {
  return hmacSha256(keys.derive, `${familyId}|${generation}|${secret}`);
}

/** The `jti` of the access token issued with a generation: deterministic for the same reason. */
export function accessJti(keys: RefreshKeys, familyId: string, generation: number): string {
  return hmacSha256(keys.jti, `${familyId}|${generation}`).slice(0, 22);
}

/**
 * The previous-secret hash kept for the grace window: a keyed hash of the secret and the facts of the client that
 * rotated it (address and user agent, empty when not given). A copy of the replaced token presented by another
 * client does not match, so it is judged as reuse instead of being handed the successor.
 */
export function graceHash(
  keys: RefreshKeys,
  secret: string,
  client: { readonly ip?: string | null | undefined; readonly userAgent?: string | null | undefined } | null,
): string {
  const facts = client === null ? '' : JSON.stringify([client.ip ?? '', client.userAgent ?? '']);
  return hmacSha256(keys.grace, `${secret}|${facts}`);
}

/**
 * The audience part of a refresh token: 128 bits of SHA-256 of the audience, fixed-length whatever the audience
 * (a URL, say). Not secret; the MAC over it is what stops a token being moved to another audience.
 */
export function audienceTag(audience: string): string {
  return firstBytes(sha256(`tessera/refresh/audience|${audience}`));
}

function macOf(keys: RefreshKeys, body: string): string {
  return firstBytes(hmacSha256(keys.mac, body));
}

/** The first 16 bytes of a base64url digest, base64url (22 characters, canonical). */
function firstBytes(digest: string): string {
  return toBase64url(decodeBase64url(digest).subarray(0, 16));
}
