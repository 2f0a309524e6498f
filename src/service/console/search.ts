import { isIP } from 'node:net';
import { type Session, toSession } from '../../core/session.js';
import type { BrowsableStore, SessionBrowse, SessionStore } from '../../core/store.js';
import { callStore } from '../../core/store-fault.js';
import { isSessionId } from '../../core/token.js';
import { browsePage } from '../../stores/shared/browse.js';
import type { ServiceParts } from '../context.js';
import { HttpError } from '../http-errors.js';
import { type AdminSessionSummary, adminSummary } from './admin-session.js';

/** What the query names: `auto` guesses from its shape (empty: every session; a session id; an address; else a subject). */
export type SearchBy = 'auto' | 'subject' | 'id' | 'ip' | 'all';
export const SEARCH_BY: readonly SearchBy[] = ['auto', 'subject', 'id', 'ip', 'all'];

export type SearchSort = 'lastSeenAt' | '-lastSeenAt' | 'createdAt' | '-createdAt';
export const SEARCH_SORTS: readonly SearchSort[] = ['-lastSeenAt', 'lastSeenAt', '-createdAt', 'createdAt'];

export interface SearchQuery {
  readonly q: string;
  readonly by: SearchBy;
  readonly sort: SearchSort;
  readonly cursor: SessionBrowse['after'];
  readonly limit: number;
}

export interface SearchPage {
  /** What was searched (`auto` resolved). */
  by: Exclude<SearchBy, 'auto'>;
  sessions: AdminSessionSummary[];
  /** `cursor` for the next page, or null on the last one. */
  next: string | null;
  /** How many sessions match in all, when known without a second scan; else null. */
  total: number | null;
}

/** The cursor's text: the sort value and the id of the last row, `<ms>~<id>` (never token-shaped). */
export function formatCursor(value: number, id: string): string {
  return `${value}~${id}`;
}

/** The cursor from its text, or null when it is not one. */
export function parseCursor(text: string): SessionBrowse['after'] {
  const match = /^(\d{1,16})~([A-Za-z0-9_-]{26})$/.exec(text);
  return match === null ? null : { value: Number(match[1]), id: match[2] as string };
}

/** Whether a store can list sessions across subjects (the optional `BrowsableStore` capability). */
export function isBrowsable(store: SessionStore): store is SessionStore & BrowsableStore {
  const candidate = store as Partial<BrowsableStore>;
  return typeof candidate.browseSessions === 'function' && typeof candidate.countSessions === 'function';
}

/** One page of the console's session search. */
export async function searchSessions(parts: ServiceParts, query: SearchQuery): Promise<SearchPage> {
  const by = resolve(query);
  const now = parts.manager.options.clock();
  const browse: SessionBrowse = {
    now,
    ip: by === 'ip' ? query.q : null,
    order: query.sort.endsWith('createdAt') ? 'createdAt' : 'lastSeenAt',
    descending: query.sort.startsWith('-'),
    after: query.cursor,
    // One more than the page says whether a next page exists.
    limit: query.limit + 1,
  };
  if (by === 'id') {
    if (!isSessionId(query.q)) {
      throw new HttpError(400, 'invalid_request', 'A session id is 26 base64url characters.');
    }
    const session = await parts.manager.get(query.q);
    if (session !== null) return page(by, [session], query, 1);
    // `auto` took a 26-character query for an id; a subject may look like one too.
    if (query.by === 'id') return page(by, [], query, 0);
    return searchSessions(parts, { ...query, by: 'subject' });
  }
  if (by === 'subject') {
    const all = await parts.manager.list(query.q);
    return page(by, browsePage(all, browse), query, all.length);
  }
  const store = parts.store;
  if (!isBrowsable(store)) {
    throw new HttpError(
      400,
      'invalid_request',
      `The ${store.kind} store cannot list sessions across subjects; search by subject or session id.`,
    );
  }
  const records = await callStore(store.kind, 'browseSessions', () => store.browseSessions(browse));
  const total =
    by === 'all' ? await callStore(store.kind, 'countSessions', () => store.countSessions(now)) : null;
  return page(by, records.map(toSession), query, total);
}

function resolve(query: SearchQuery): SearchPage['by'] {
  if (query.by !== 'auto') {
    if (query.by !== 'all' && query.q === '') {
      throw new HttpError(400, 'invalid_request', `Searching by ${query.by} needs a query (q).`);
    }
    return query.by;
  }
  if (query.q === '') return 'all';
  if (isSessionId(query.q)) return 'id';
  if (isIP(query.q) !== 0) return 'ip';
  return 'subject';
}

function page(
  by: SearchPage['by'],
  found: readonly Session[],
  query: SearchQuery,
  total: number | null,
): SearchPage {
  const rows = found.slice(0, query.limit);
  const last = rows.at(-1);
  const more = found.length > query.limit && last !== undefined;
  const value = query.sort.endsWith('createdAt') ? last?.createdAt : last?.lastSeenAt;
  return {
    by,
    sessions: rows.map(adminSummary),
    next: more ? formatCursor(value as number, last.id) : null,
    total,
  };
}
