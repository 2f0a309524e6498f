import type { TesseraEvent } from '../core/events.js';
import { hmacSha256 } from '../core/hash.js';
import { containsTokenShape } from '../core/token.js';

/** Record types of the trail: every engine event, plus the trail's own notes about itself. */
export type AuditRecordType = TesseraEvent['type'] | 'audit-dropped' | 'audit-recovered';

/**
 * One audit record, as written on one line (without the chain field `prev`). It carries the public session
 * id and, when a key is configured, a keyed hash of the subject instead of the subject: never a token or a
 * secret hash (docs/audit.md).
 */
export interface AuditRecord {
  /** Format version. */
  readonly v: 1;
  /** Position in the trail: 1 for the first line, then +1 per line (a gap or repeat shows an edit). */
  readonly seq: number;
  /** When the event happened (ISO 8601, from the engine's clock), or null if the clock gave no valid time. */
  readonly time: string | null;
  readonly type: AuditRecordType;
  readonly sessionId: string | null;
  /** The subject, when no pseudonymisation key is configured. */
  readonly subject?: string | null;
  /** HMAC-SHA256 (base64url) of the subject under the audit key, when a key is configured. */
  readonly subjectHmac?: string | null;
  readonly reason?: string;
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

/** The fields of a record before the trail assigns its position. */
export type AuditEntry = Omit<AuditRecord, 'seq'>;

/** Longest string kept in a record; longer values are cut, so every line stays small. */
const MAX_STRING = 512;
const MAX_DETAIL_KEYS = 16;
const REDACTED = '[redacted]';

/**
 * The pseudonym of a subject under an audit key: HMAC-SHA256, base64url. Stable for one key, so an operator
 * holding the key finds a user's records by computing it; without the key the trail names no one.
 */
export function auditPseudonym(key: string | Uint8Array, subject: string): string {
  return hmacSha256(key, subject);
}

/** Turns an engine event into a record's fields: pseudonymised, bounded, scrubbed of anything token-shaped. */
export function toAuditEntry(event: TesseraEvent, key: string | Uint8Array | null): AuditEntry {
  const subject = event.subject === null || event.subject === undefined ? null : clean(event.subject);
  const entry: Record<string, unknown> = {
    v: 1,
    time: isoTime(event.at),
    type: event.type,
    sessionId: event.sessionId === null || event.sessionId === undefined ? null : clean(event.sessionId),
  };
  if (key === null) entry.subject = subject;
  else entry.subjectHmac = subject === null ? null : auditPseudonym(key, event.subject as string);
  if (typeof event.reason === 'string') entry.reason = clean(event.reason);
  const detail = cleanDetail(event.detail);
  if (detail !== undefined) entry.detail = detail;
  return entry as unknown as AuditEntry;
}

/** A record the trail writes about itself (lost records, a recovered torn write). */
export function trailEntry(
  type: 'audit-dropped' | 'audit-recovered',
  at: number,
  detail: Record<string, number>,
): AuditEntry {
  return { v: 1, time: isoTime(at), type, sessionId: null, detail };
}

function isoTime(at: number): string | null {
  return Number.isFinite(at) && Math.abs(at) <= 8.64e15 ? new Date(at).toISOString() : null;
}

// Defence in depth: the engine never puts a token in an event, but a custom emitter (or a subject that an
// attacker chose to look like a token) must not be able to write one to disk either.
function clean(value: string): string {
  if (containsTokenShape(value)) return REDACTED;
  return value.length > MAX_STRING ? value.slice(0, MAX_STRING) : value;
}

function cleanDetail(detail: TesseraEvent['detail']): AuditRecord['detail'] | undefined {
  if (detail === undefined || detail === null) return undefined;
  const out: Record<string, string | number | boolean | null> = {};
  let count = 0;
  for (const [name, value] of Object.entries(detail)) {
    if (count++ >= MAX_DETAIL_KEYS) break;
    if (typeof value === 'string') out[clean(name)] = clean(value);
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null)
      out[clean(name)] = value;
  }
  return out;
}
