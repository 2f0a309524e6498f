import { createMemoryAuditTrail, type MemoryAuditTrail } from '../../audit/memory-trail.js';
import { type AuditRecord, auditPseudonym } from '../../audit/record.js';
import type { SessionManager } from '../../core/manager.js';
import type { ServiceParts } from '../context.js';
import { readTrailBackwards } from './trail-reader.js';

/** How far back the feed reads the trail file: the newest 16 MiB (about 60,000 records); `tessera audit` for more. */
export const FEED_READ_BUDGET = 16 * 1024 * 1024;
/** Records kept in memory when the service has no trail file (`TESSERA_AUDIT_FILE=off`). */
const MEMORY_CAPACITY = 2000;

/** One audit record as the feed shows it: every field present, null when the record has none. */
export interface FeedEvent {
  seq: number;
  time: string | null;
  type: string;
  sessionId: string | null;
  subject: string | null;
  subjectHmac: string | null;
  reason: string | null;
  detail: Readonly<Record<string, string | number | boolean | null>> | null;
}

export interface FeedQuery {
  /** Only these record types, or null for all. */
  readonly types: ReadonlySet<string> | null;
  /** Only records older than this `seq` (the next page), or null. */
  readonly before: number | null;
  /** Only records newer than this `seq` (polling for new ones), or null. */
  readonly after: number | null;
  /** Only records of this subject (matched in clear, or by its pseudonym under the audit key), or null. */
  readonly subject: string | null;
  readonly sessionId: string | null;
  readonly limit: number;
}

export interface FeedPage {
  /** `file`: the service's audit trail; `memory`: recent events kept in memory (no trail file configured). */
  source: 'file' | 'memory';
  /** For `memory`: when the service began keeping them. */
  since: string | null;
  /** Newest first. */
  events: FeedEvent[];
  /** `before` for the next (older) page, or null when there is none within reach. */
  next: number | null;
  /** `seq` of the newest record of the trail, whatever the filters: poll with `after` set to it. */
  latest: number | null;
}

interface Recent {
  readonly trail: MemoryAuditTrail;
  readonly since: number;
}

const recentByManager = new WeakMap<SessionManager, Recent>();

/**
 * Without a trail file, the feed keeps recent events in memory. The service attaches it at start-up
 * (`createService`), so the feed holds events from the start; later calls return the same buffer.
 */
export function recentEvents(parts: ServiceParts): Recent {
  let recent = recentByManager.get(parts.manager);
  if (recent === undefined) {
    const trail = createMemoryAuditTrail({ capacity: MEMORY_CAPACITY, key: parts.config.auditKey });
    parts.manager.on('*', trail.listener);
    recent = { trail, since: parts.manager.options.clock() };
    recentByManager.set(parts.manager, recent);
  }
  return recent;
}

/** One page of the security feed, from the audit trail file when there is one, else from memory. */
export async function readFeed(parts: ServiceParts, query: FeedQuery): Promise<FeedPage> {
  const matches = matcher(query, parts.config.auditKey);
  const events: FeedEvent[] = [];
  let next: number | null = null;
  // One record past the page says whether an older page exists.
  const visit = (record: AuditRecord): boolean => {
    if (query.after !== null && record.seq <= query.after) return false;
    if (query.before !== null && record.seq >= query.before) return true;
    if (!matches(record)) return true;
    if (events.length === query.limit) {
      next = (events.at(-1) as FeedEvent).seq;
      return false;
    }
    events.push(feedEvent(record));
    return true;
  };
  const file = parts.config.auditFile;
  if (file !== null) {
    // Past the budget, older records are out of the console's reach (not out of the trail): no further page.
    const read = await readTrailBackwards(file, FEED_READ_BUDGET, visit);
    return { source: 'file', since: null, events, next, latest: read.highestSeq };
  }
  const recent = recentEvents(parts);
  const records = recent.trail.records();
  for (let i = records.length - 1; i >= 0; i--) if (!visit(records[i] as AuditRecord)) break;
  return {
    source: 'memory',
    since: new Date(recent.since).toISOString(),
    events,
    next,
    latest: records.at(-1)?.seq ?? null,
  };
}

function matcher(query: FeedQuery, key: string | null): (record: AuditRecord) => boolean {
  const pseudonym = query.subject !== null && key !== null ? auditPseudonym(key, query.subject) : null;
  return (record) => {
    if (query.types !== null && !query.types.has(record.type)) return false;
    if (query.sessionId !== null && record.sessionId !== query.sessionId) return false;
    if (query.subject !== null) {
      const named = record.subject === query.subject;
      const hashed = pseudonym !== null && record.subjectHmac === pseudonym;
      if (!named && !hashed) return false;
    }
    return true;
  };
}

function feedEvent(record: AuditRecord): FeedEvent {
  return {
    seq: record.seq,
    time: typeof record.time === 'string' ? record.time : null,
    type: record.type,
    sessionId: typeof record.sessionId === 'string' ? record.sessionId : null,
    subject: typeof record.subject === 'string' ? record.subject : null,
    subjectHmac: typeof record.subjectHmac === 'string' ? record.subjectHmac : null,
    reason: typeof record.reason === 'string' ? record.reason : null,
    detail: primitives(record.detail),
  };
}

/** The trail writes only flat values; a line edited by hand may hold anything, so keep only those. */
function primitives(detail: unknown): FeedEvent['detail'] {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return null;
  const out: Record<string, string | number | boolean | null> = {};
  for (const [name, value] of Object.entries(detail)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[name] = value;
  }
  return out;
}
