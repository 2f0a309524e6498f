import { toBase64Url } from './encoding.js';
import { sha256 } from './hash.js';
import type { RandomSource } from './random.js';

/**
 * A session token is `ts1.<public id>.<secret>`:
 * - `ts1` names the format (and makes leaked tokens easy for secret scanners to spot);
 * - the public id (26 base64url characters: a 4-character shard then 128 random bits) names the session
 *   in lists, logs and events; it is not a credential;
 * - the secret is 32 bytes (256 bits) from the CSPRNG; only its SHA-256 is stored.
 * Nothing in a token is derived from user data, time or a counter.
 */
export const TOKEN_PREFIX = 'ts1';
export const SECRET_BYTES = 32;
export const SHARD_LENGTH = 4;
export const ID_RANDOM_BYTES = 16;
/** Length of a public session id in characters. */
export const SESSION_ID_LENGTH = SHARD_LENGTH + 22;
const SECRET_LENGTH = 43;
/** Length of a whole token in characters. */
export const TOKEN_LENGTH = TOKEN_PREFIX.length + 1 + SESSION_ID_LENGTH + 1 + SECRET_LENGTH;

const TOKEN_PATTERN = /^ts1\.([A-Za-z0-9_-]{26})\.([A-Za-z0-9_-]{43})$/;
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{26}$/;
const SHARD_PATTERN = /^[A-Za-z0-9_-]{4}$/;

export interface ParsedToken {
  readonly sessionId: string;
  readonly secret: string;
}

export interface MintedToken extends ParsedToken {
  readonly token: string;
  readonly secretHash: string;
}

/** Parses a token without touching any store. Returns `null` for anything that is not exactly a token. */
export function parseToken(token: unknown): ParsedToken | null {
  if (typeof token !== 'string' || token.length !== TOKEN_LENGTH) return null;
  const match = TOKEN_PATTERN.exec(token);
  if (match === null) return null;
  return { sessionId: match[1] as string, secret: match[2] as string };
}

export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}

/** Hash kept at rest for a secret. Stores never see the secret itself. */
export function hashSecret(secret: string): string {
  return sha256(secret);
}

export function newSecret(random: RandomSource): string {
  return toBase64Url(random(SECRET_BYTES));
}

/** A new public id. `shard` (4 base64url characters) lets a store co-locate a subject's sessions. */
export function newSessionId(random: RandomSource, shard?: string): string {
  const prefix = shard ?? toBase64Url(random(3));
  if (!SHARD_PATTERN.test(prefix)) throw new TypeError('a store shard must be 4 base64url characters');
  return prefix + toBase64Url(random(ID_RANDOM_BYTES));
}

export function formatToken(sessionId: string, secret: string): string {
  return `${TOKEN_PREFIX}.${sessionId}.${secret}`;
}

/** Mints the token for a session id: a fresh secret, the token string and the hash to store. */
export function mintToken(sessionId: string, random: RandomSource): MintedToken {
  const secret = newSecret(random);
  return { sessionId, secret, token: formatToken(sessionId, secret), secretHash: hashSecret(secret) };
}

/**
 * Whether a string holds something shaped like a credential Tessera issues, anywhere inside it, plain or with
 * percent-encoded dots: a session token (`ts1.<id>…`), a refresh token (`rt1.<family>…`) or a JWT (a header
 * segment `eyJ…` followed by a payload segment `eyJ…`). Used to refuse tokens in URLs (OWASP: they leak through
 * logs, history and Referer), to refuse token-shaped subjects, and to redact the audit trail.
 */
export function containsTokenShape(text: string): boolean {
  return CREDENTIAL_SHAPE.test(text);
}

const CREDENTIAL_SHAPE =
  /ts1(?:\.|%2E)[A-Za-z0-9_-]{26}|rt1(?:\.|%2E)[A-Za-z0-9_-]{22}|eyJ[A-Za-z0-9_-]{8,}(?:\.|%2E)eyJ[A-Za-z0-9_-]{8,}/i;
