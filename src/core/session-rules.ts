import { byteLengthOf } from './encoding.js';
import { isJsonValue, isPlainObject } from './json.js';
import { checkJsonText, checkText } from './text.js';
import { containsTokenShape } from './token.js';
import type { ExpiryLimit } from './outcome.js';
import type { Session, SessionData } from './session.js';

/** Subject prefix of anonymous pre-login sessions (`startAnonymous`). Do not give users subjects like it. */
export const ANONYMOUS_SUBJECT_PREFIX = 'anonymous:';

export interface LevelRequirement {
  /** Minimum authentication level. */
  level: number;
  /** Seconds since the level was reached after which it no longer counts ("sudo mode" window). */
  maxAge?: number;
}

/**
 * Whether a session is an anonymous pre-login one (level 0, anonymous subject). Such a session carries a CSRF
 * token for a login form; it never counts as signed in, in any mode.
 */
export function isAnonymousSession(session: Pick<Session<SessionData>, 'subject' | 'level'>): boolean {
  return session.level === 0 && session.subject.startsWith(ANONYMOUS_SUBJECT_PREFIX);
}

/** Whether a session meets a level requirement at `now` (with the optional freshness window). */
export function meetsLevel(
  session: Pick<Session<SessionData>, 'level' | 'levelAt'>,
  requirement: LevelRequirement,
  now: number,
): boolean {
  if (session.level < requirement.level) return false;
  if (requirement.maxAge === undefined) return true;
  return session.levelAt !== null && now - session.levelAt <= requirement.maxAge * 1000;
}

/** Which limit has passed at `now` (absolute first), or null while the session is live. */
export function expiryLimit(
  session: Pick<Session<SessionData>, 'idleExpiresAt' | 'absoluteExpiresAt'>,
  now: number,
): ExpiryLimit | null {
  if (now >= session.absoluteExpiresAt) return 'absolute';
  if (now >= session.idleExpiresAt) return 'idle';
  return null;
}

/** Whether activity at `now` should slide the idle window (at most one write per `renewAfterMs`). */
export function renewalDue(
  session: Pick<Session<SessionData>, 'lastSeenAt'>,
  now: number,
  renewAfterMs: number,
): boolean {
  return now - session.lastSeenAt >= renewAfterMs;
}

/** The idle expiry after activity at `now`: a full idle window, never past the absolute limit. */
export function slidIdleExpiry(now: number, idleMs: number, absoluteExpiresAt: number): number {
  return Math.min(now + idleMs, absoluteExpiresAt);
}

/** Whether `text` has a C0 control character or DEL. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A subject: a non-empty string of at most 256 characters (`TypeError` otherwise). */
export function checkSubject(subject: unknown): string {
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256) {
    throw new TypeError('tessera: subject must be a non-empty string of at most 256 characters');
  }
  checkText(subject, 'subject');
  // C0 controls also keep subjects apart from the reserved cut-off scopes (core/cutoffs.ts) and out of log lines.
  if (hasControlCharacter(subject))
    throw new TypeError('tessera: subject must not contain control characters');
  // A token-shaped subject could not be listed or revoked (tokens are refused in URLs) and is redacted in
  // the audit trail: refused at creation instead.
  if (containsTokenShape(subject)) throw new TypeError('tessera: subject must not look like a session token');
  return subject;
}

/** An authentication level: a non-negative integer (`TypeError` otherwise). */
export function checkLevel(level: unknown): number {
  if (typeof level !== 'number' || !Number.isInteger(level) || level < 0) {
    throw new TypeError('tessera: level must be a non-negative integer');
  }
  return level;
}

/** Session data: a plain JSON object of at most `maxBytes` UTF-8 bytes as JSON (`TypeError` otherwise). */
export function checkSessionData(data: unknown, maxBytes: number): void {
  if (!isPlainObject(data) || !isJsonValue(data)) throw new TypeError('tessera: data must be a JSON object');
  checkJsonText(data, 'data');
  if (byteLengthOf(JSON.stringify(data)) > maxBytes) {
    throw new TypeError(`tessera: session data exceeds ${maxBytes} bytes`);
  }
}
