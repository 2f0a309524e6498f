import { expiresAt, type SessionRecord } from '../../core/session.js';
import type { SessionBrowse } from '../../core/store.js';

/** Largest page `browseSessions` returns. */
export const MAX_BROWSE_LIMIT = 1000;

/** Checks a browse query once, as every store does: caller misuse is a `TypeError`. */
export function checkBrowse(query: SessionBrowse): void {
  if (!Number.isFinite(query?.now)) throw new TypeError('tessera: browse needs a finite now');
  if (query.order !== 'createdAt' && query.order !== 'lastSeenAt') {
    throw new TypeError("tessera: browse order must be 'createdAt' or 'lastSeenAt'");
  }
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_BROWSE_LIMIT) {
    throw new TypeError(`tessera: browse limit must be an integer from 1 to ${MAX_BROWSE_LIMIT}`);
  }
  if (query.after !== null && (!Number.isFinite(query.after.value) || typeof query.after.id !== 'string')) {
    throw new TypeError('tessera: browse cursor needs a finite value and a string id');
  }
}

/** What a browse reads of a record (a stored record, or the public `Session`). */
export type BrowsedFields = Pick<
  SessionRecord,
  'id' | 'createdAt' | 'lastSeenAt' | 'ip' | 'idleExpiresAt' | 'absoluteExpiresAt'
>;

/**
 * One page of `records` as `browseSessions` defines it: live at `now`, matching the address filter, sorted by
 * the order then id, strictly after the cursor. For an in-process store (a scan) and for a subject's list.
 */
export function browsePage<R extends BrowsedFields>(records: Iterable<R>, query: SessionBrowse): R[] {
  const sign = query.descending ? -1 : 1;
  const key = query.order;
  const compare = (a: R, b: R): number =>
    sign * (a[key] - b[key] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const after = query.after;
  const isAfter = (record: R): boolean => {
    if (after === null) return true;
    const delta = sign * (record[key] - after.value);
    return (
      delta > 0 || (delta === 0 && sign * (record.id < after.id ? -1 : record.id > after.id ? 1 : 0) > 0)
    );
  };
  const out: R[] = [];
  for (const record of records) {
    if (expiresAt(record) <= query.now) continue;
    if (query.ip !== null && record.ip !== query.ip) continue;
    if (isAfter(record)) out.push(record);
  }
  return out.sort(compare).slice(0, query.limit);
}
