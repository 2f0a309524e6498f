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
