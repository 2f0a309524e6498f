import { toBase64Url } from '../../core/encoding.js';
import { constantTimeEqual, hmacSha256 } from '../../core/hash.js';
import type { RandomSource } from '../../core/random.js';

/**
 * Session-bound signed CSRF tokens: `<random>.<mac>` where
 * `mac = HMAC-SHA256(secret, len(sessionId) "!" sessionId "!" len(random) "!" random)`, as the OWASP CSRF
 * Prevention Cheat Sheet's "signed double-submit cookie" describes (length prefixes stop two inputs from
 * concatenating to the same message). Binding to the public session id means a token taken from another
 * session (the attacker's own, for example) is refused; a fresh random value per token means tokens differ on
 * every page, which also blunts compression side channels (BREACH). The token survives rotation (same session
 * id) and dies with the session at login or logout.
 */
const RANDOM_BYTES = 32;
const PART = /^[A-Za-z0-9_-]{43}$/;
/** Longest token text we look at: anything longer is refused before hashing. */
const MAX_TOKEN_LENGTH = 128;

function mac(secret: string, sessionId: string, value: string): string {
  return hmacSha256(secret, `${sessionId.length}!${sessionId}!${value.length}!${value}`);
}

/** Issues a new token for a session. */
export function issueCsrfToken(secret: string, sessionId: string, random: RandomSource): string {
  const value = toBase64Url(random(RANDOM_BYTES));
  return `${value}.${mac(secret, sessionId, value)}`;
}

/** Whether `token` was issued for `sessionId` under one of `secrets`. Compares MACs in constant time. */
export function verifyCsrfToken(secrets: readonly string[], sessionId: string, token: string): boolean {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return false;
  const dot = token.indexOf('.');
  if (dot === -1) return false;
  const value = token.slice(0, dot);
  const given = token.slice(dot + 1);
  if (!PART.test(value) || !PART.test(given)) return false;
  let ok = false;
  // Every key is tried (no early exit), so timing does not tell which key matched.
  for (const secret of secrets) {
    if (constantTimeEqual(mac(secret, sessionId, value), given)) ok = true;
  }
  return ok;
}
