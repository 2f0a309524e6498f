import type { Session } from '../core/session.js';

/** A session as the API shows it: public fields only (never a token or a hash), times as ISO-8601. */
export interface SessionJson {
  id: string;
  subject: string;
  data: Session['data'];
  version: number;
  level: number;
  levelAt: string | null;
  createdAt: string;
  lastSeenAt: string;
  rotatedAt: string | null;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

export function sessionJson(session: Session): SessionJson {
  return {
    id: session.id,
    subject: session.subject,
    data: session.data,
    version: session.version,
    level: session.level,
    levelAt: iso(session.levelAt),
    createdAt: new Date(session.createdAt).toISOString(),
    lastSeenAt: new Date(session.lastSeenAt).toISOString(),
    rotatedAt: iso(session.rotatedAt),
    idleExpiresAt: new Date(session.idleExpiresAt).toISOString(),
    absoluteExpiresAt: new Date(session.absoluteExpiresAt).toISOString(),
    ip: session.ip,
    userAgent: session.userAgent,
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
