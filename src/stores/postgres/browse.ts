import type { SessionBrowse } from '../../core/store.js';
import { quoteIdent } from './migrations.js';
import { SESSION_COLUMNS } from './rows.js';

/** Sort columns by order name: a fixed map, so no caller text ever reaches the SQL. */
const ORDER_COLUMN = { createdAt: 'created_at', lastSeenAt: 'last_seen_at' } as const;

/** One browse as SQL text and its parameters. */
export interface BrowseStatement {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * The SQL of one `browseSessions` call (`BrowsableStore`). Ids are compared and ordered with `COLLATE "C"`:
 * the contract orders ties by code unit, and a database's default collation (say `en_US.UTF-8`) would put
 * `a` and `A`, `-` and `_` elsewhere, so a keyset cursor would skip or repeat rows. The address filter and the
 * orders have no index of their own: a scan of the live sessions, for an operator's search.
 */
export function browseStatement(schema: string, query: SessionBrowse): BrowseStatement {
  const column = ORDER_COLUMN[query.order];
  const direction = query.descending ? 'DESC' : 'ASC';
  const beyond = query.descending ? '<' : '>';
  const params: unknown[] = [query.now];
  const where = ['expires_at > $1'];
  if (query.ip !== null) {
    params.push(query.ip);
    where.push(`ip = $${params.length}`);
  }
  if (query.after !== null) {
    params.push(query.after.value, query.after.id);
    const value = `$${params.length - 1}::bigint`;
    const id = `$${params.length}::text`;
    where.push(`(${column} ${beyond} ${value} OR (${column} = ${value} AND id COLLATE "C" ${beyond} ${id}))`);
  }
  params.push(query.limit);
  const sql =
    `SELECT ${SESSION_COLUMNS} FROM ${quoteIdent(schema)}.sessions WHERE ${where.join(' AND ')} ` +
    `ORDER BY ${column} ${direction}, id COLLATE "C" ${direction} LIMIT $${params.length}`;
  return { sql, params };
}

/** Live sessions at $1, through the expiry index. */
export function countStatement(schema: string): string {
  return `SELECT count(*)::bigint AS live FROM ${quoteIdent(schema)}.sessions WHERE expires_at > $1`;
}
