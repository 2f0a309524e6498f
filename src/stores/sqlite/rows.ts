import type { SessionRecord } from '../../core/session.js';
import type { RefreshFamilyRecord } from '../../core/store.js';

/** A `sessions` row as every driver returns it (integers as numbers). */
export interface SessionRow {
  id: string;
  subject: string;
  secret_hash: string;
  previous_secret_hash: string | null;
  previous_secret_valid_until: number | null;
  data: string;
  version: number;
  level: number;
  level_at: number | null;
  created_at: number;
  last_seen_at: number;
  rotated_at: number | null;
  idle_expires_at: number;
  absolute_expires_at: number;
  ip: string | null;
  user_agent: string | null;
}

/** A `refresh_families` row as every driver returns it. */
export interface FamilyRow {
  family_id: string;
  session_id: string;
  subject: string;
  generation: number;
  current_hash: string;
  previous_hash: string | null;
  rotated_at: number | null;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** The store-neutral record of a `sessions` row. */
export function rowToRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    subject: row.subject,
    secretHash: row.secret_hash,
    previousSecretHash: row.previous_secret_hash,
    previousSecretValidUntil: row.previous_secret_valid_until,
    // JSON.parse defines "__proto__" as an own data key, so stored data cannot change a prototype.
    data: JSON.parse(row.data),
    version: row.version,
    level: row.level,
    levelAt: row.level_at,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    rotatedAt: row.rotated_at,
    idleExpiresAt: row.idle_expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

/** Named parameters for the insert statement (every column but the generated `expires_at`). */
export function recordToRow(record: SessionRecord): SessionRow {
  return {
    id: record.id,
    subject: record.subject,
    secret_hash: record.secretHash,
    previous_secret_hash: record.previousSecretHash,
    previous_secret_valid_until: record.previousSecretValidUntil,
    data: JSON.stringify(record.data),
    version: record.version,
    level: record.level,
    level_at: record.levelAt,
    created_at: record.createdAt,
    last_seen_at: record.lastSeenAt,
    rotated_at: record.rotatedAt,
    idle_expires_at: record.idleExpiresAt,
    absolute_expires_at: record.absoluteExpiresAt,
    ip: record.ip,
    user_agent: record.userAgent,
  };
}

/** The store-neutral record of a `refresh_families` row. */
export function rowToFamily(row: FamilyRow): RefreshFamilyRecord {
  return {
    familyId: row.family_id,
    sessionId: row.session_id,
    subject: row.subject,
    generation: row.generation,
    currentHash: row.current_hash,
    previousHash: row.previous_hash,
    rotatedAt: row.rotated_at,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/** Named parameters for the family insert statement. */
export function familyToRow(family: RefreshFamilyRecord): FamilyRow {
  return {
    family_id: family.familyId,
    session_id: family.sessionId,
    subject: family.subject,
    generation: family.generation,
    current_hash: family.currentHash,
    previous_hash: family.previousHash,
    rotated_at: family.rotatedAt,
    created_at: family.createdAt,
    expires_at: family.expiresAt,
    revoked_at: family.revokedAt,
  };
}
