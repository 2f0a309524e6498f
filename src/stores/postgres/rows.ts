import type { SessionData, SessionRecord } from '../../core/session.js';
import type { RefreshFamilyRecord } from '../../core/store.js';

/** bigint columns arrive as strings from `pg`; times fit in a double exactly. */
function num(value: string | number | null): number | null {
  return value === null ? null : Number(value);
}

export interface SessionRow {
  id: string;
  subject: string;
  secret_hash: string;
  previous_secret_hash: string | null;
  previous_secret_valid_until: string | null;
  data: SessionData;
  version: number;
  level: number;
  level_at: string | null;
  created_at: string;
  last_seen_at: string;
  rotated_at: string | null;
  idle_expires_at: string;
  absolute_expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export const SESSION_COLUMNS =
  'id, subject, secret_hash, previous_secret_hash, previous_secret_valid_until, data, version, level, level_at, created_at, last_seen_at, rotated_at, idle_expires_at, absolute_expires_at, ip, user_agent';

export function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    subject: row.subject,
    secretHash: row.secret_hash,
    previousSecretHash: row.previous_secret_hash,
    previousSecretValidUntil: num(row.previous_secret_valid_until),
    data: row.data,
    version: Number(row.version),
    level: Number(row.level),
    levelAt: num(row.level_at),
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    rotatedAt: num(row.rotated_at),
    idleExpiresAt: Number(row.idle_expires_at),
    absoluteExpiresAt: Number(row.absolute_expires_at),
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

/** Parameters $1..$16 for an INSERT in SESSION_COLUMNS order. */
export function recordParams(record: SessionRecord): unknown[] {
  return [
    record.id,
    record.subject,
    record.secretHash,
    record.previousSecretHash,
    record.previousSecretValidUntil,
    JSON.stringify(record.data),
    record.version,
    record.level,
    record.levelAt,
    record.createdAt,
    record.lastSeenAt,
    record.rotatedAt,
    record.idleExpiresAt,
    record.absoluteExpiresAt,
    record.ip,
    record.userAgent,
  ];
}

export interface FamilyRow {
  family_id: string;
  session_id: string;
  subject: string;
  generation: number;
  current_hash: string;
  previous_hash: string | null;
  rotated_at: string | null;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export function toFamily(row: FamilyRow): RefreshFamilyRecord {
  return {
    familyId: row.family_id,
    sessionId: row.session_id,
    subject: row.subject,
    generation: Number(row.generation),
    currentHash: row.current_hash,
    previousHash: row.previous_hash,
    rotatedAt: num(row.rotated_at),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    revokedAt: num(row.revoked_at),
  };
}
