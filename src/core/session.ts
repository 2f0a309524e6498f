import type { JsonObject, JsonValue } from './json.js';

/** Data kept with a session: a JSON object. Narrow it with the `Data` type parameter. */
export type SessionData = JsonObject;

/**
 * What a store keeps for one session. Times are milliseconds since the epoch.
 * There is no token here: only the SHA-256 of its secret.
 */
export interface SessionRecord {
  /** Public id: safe to log, list and show. Not a credential. */
  id: string;
  subject: string;
  /** base64url SHA-256 of the current secret. */
  secretHash: string;
  /** Hash of the secret before the last rotation, honoured until `previousSecretValidUntil` (in-flight grace). */
  previousSecretHash: string | null;
  previousSecretValidUntil: number | null;
  data: SessionData;
  /** Increments on every data update; a patch may name the version it expects. */
  version: number;
  /** Authentication level (for example 1 = password, 2 = second factor). */
  level: number;
  /** When the current level was reached (step-up time), or null. */
  levelAt: number | null;
  createdAt: number;
  lastSeenAt: number;
  rotatedAt: number | null;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  ip: string | null;
  userAgent: string | null;
}

/** The public view of a session, as handed to applications: no hashes. */
export interface Session<Data extends SessionData = SessionData> {
  readonly id: string;
  readonly subject: string;
  readonly data: Data;
  readonly version: number;
  readonly level: number;
  readonly levelAt: number | null;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly rotatedAt: number | null;
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export function toSession<Data extends SessionData>(record: SessionRecord): Session<Data> {
  return {
    id: record.id,
    subject: record.subject,
    data: record.data as Data,
    version: record.version,
    level: record.level,
    levelAt: record.levelAt,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    rotatedAt: record.rotatedAt,
    idleExpiresAt: record.idleExpiresAt,
    absoluteExpiresAt: record.absoluteExpiresAt,
    ip: record.ip,
    userAgent: record.userAgent,
  };
}

/** The instant a record stops being valid: the earlier of its idle and absolute limits. */
export function expiresAt(record: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>): number {
  return Math.min(record.idleExpiresAt, record.absoluteExpiresAt);
}

/** A patch of top-level data keys: `set` replaces keys, `unset` removes them. */
export interface DataPatch {
  set?: Record<string, JsonValue>;
  unset?: string[];
}

export function applyPatch(data: SessionData, patch: DataPatch): SessionData {
  const next: SessionData = { ...data };
  for (const key of patch.unset ?? []) delete next[key];
  for (const [key, value] of Object.entries(patch.set ?? {})) {
    // defineProperty, not assignment: a key named "__proto__" stays a plain data key.
    Object.defineProperty(next, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return next;
}
