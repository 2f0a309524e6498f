import { expiresAt, type Session } from '../../core/session.js';
import { dataBytes } from '../../stores/shared/data-size.js';
import { type ParsedAgent, parseUserAgent } from './user-agent.js';

/** Most data keys the detail lists. */
export const MAX_DATA_KEYS = 100;

/** A row of the console's session list: metadata only (no data, never a token or a hash), times in ISO 8601. */
export interface AdminSessionSummary {
  id: string;
  subject: string;
  level: number;
  createdAt: string;
  lastSeenAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  /** The earlier of the two limits: when the session ends unless it is used again. */
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  agent: ParsedAgent;
}

/**
 * The console's session detail: the summary, the rest of the metadata, and the data's keys and size. Never the
 * data's values: an application may keep there what it treats as secret (a provider's token, a nonce), and an
 * operator finding a session needs its shape, not its contents.
 */
export interface AdminSessionDetail extends AdminSessionSummary {
  version: number;
  levelAt: string | null;
  rotatedAt: string | null;
  /** Which limit `expiresAt` is. */
  expiresBy: 'idle' | 'absolute';
  /** The data's top-level keys, at most `MAX_DATA_KEYS`. */
  dataKeys: string[];
  /** UTF-8 bytes of the data's JSON: what the engine's `maxDataBytes` limit measures. */
  dataBytes: number;
}

export function adminSummary(session: Session): AdminSessionSummary {
  return {
    id: session.id,
    subject: session.subject,
    level: session.level,
    createdAt: iso(session.createdAt),
    lastSeenAt: iso(session.lastSeenAt),
    idleExpiresAt: iso(session.idleExpiresAt),
    absoluteExpiresAt: iso(session.absoluteExpiresAt),
    expiresAt: iso(expiresAt(session)),
    ip: session.ip,
    userAgent: session.userAgent,
    agent: parseUserAgent(session.userAgent),
  };
}

export function adminDetail(session: Session): AdminSessionDetail {
  return {
    ...adminSummary(session),
    version: session.version,
    levelAt: session.levelAt === null ? null : iso(session.levelAt),
    rotatedAt: session.rotatedAt === null ? null : iso(session.rotatedAt),
    expiresBy: session.idleExpiresAt <= session.absoluteExpiresAt ? 'idle' : 'absolute',
    dataKeys: Object.keys(session.data).slice(0, MAX_DATA_KEYS),
    dataBytes: dataBytes(session.data),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
