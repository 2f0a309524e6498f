import type { Session, SessionData } from '../../core/session.js';

/**
 * Clock skew tolerated on the times written inside a seal (ms): another process, its clock a little ahead, may
 * have sealed the cookie. The same 5 s as the access tokens' default `clockTolerance`.
 */
export const SEAL_CLOCK_SKEW_MS = 5_000;

/** Which claim of an opened seal breaks the configured policy. */
export type LifetimeBreach =
  | 'absolute-lifetime'
  | 'idle-after-absolute'
  | 'idle-lifetime'
  | 'created-in-future'
  | 'last-seen-in-future'
  | 'level-time-in-future'
  | 'rotated-in-future';

/**
 * Checks the times an authenticated seal claims against this server's policy, or null when they fit. A seal
 * authenticates only that some key of the ring sealed it, not that this server wrote those times: a leaked
 * (retiring) key could seal any lifetime, and renewal would carry it over to the new key. So a seal never gets
 * more than `login` or `elevate` grants here: an absolute expiry at most `absoluteMs` after the later of
 * `createdAt` and `levelAt` (re-authentication starts a fresh overall window, NIST SP 800-63B-4 §5.2), an
 * idle expiry at most `idleMs` ahead and never after the absolute one, and no time in the future (beyond
 * `SEAL_CLOCK_SKEW_MS`), so a forged `levelAt` cannot lie ahead to stretch the window.
 */
export function lifetimeBreach(
  session: Session<SessionData>,
  now: number,
  idleMs: number,
  absoluteMs: number,
): LifetimeBreach | null {
  const latest = now + SEAL_CLOCK_SKEW_MS;
  const windowStart = Math.max(session.createdAt, session.levelAt ?? session.createdAt);
  if (session.absoluteExpiresAt - windowStart > absoluteMs) return 'absolute-lifetime';
  if (session.idleExpiresAt > session.absoluteExpiresAt) return 'idle-after-absolute';
  if (session.idleExpiresAt > latest + idleMs) return 'idle-lifetime';
  if (session.createdAt > latest) return 'created-in-future';
  if (session.lastSeenAt > latest) return 'last-seen-in-future';
  if (session.levelAt !== null && session.levelAt > latest) return 'level-time-in-future';
  if (session.rotatedAt !== null && session.rotatedAt > latest) return 'rotated-in-future';
  return null;
}
