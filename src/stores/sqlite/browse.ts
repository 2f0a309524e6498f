import type { SessionRecord } from '../../core/session.js';
import type { SessionBrowse } from '../../core/store.js';
import { checkBrowse } from '../shared/browse.js';
import type { SqliteDatabase, SqliteStatement } from './driver.js';
import { rowToRecord, type SessionRow } from './rows.js';

const COLUMNS =
  'id, subject, secret_hash, previous_secret_hash, previous_secret_valid_until, data, version, level, ' +
  'level_at, created_at, last_seen_at, rotated_at, idle_expires_at, absolute_expires_at, ip, user_agent';

/** Sort columns by order name: a fixed map, so no caller text ever reaches the SQL. */
const ORDER_COLUMN = { createdAt: 'created_at', lastSeenAt: 'last_seen_at' } as const;

interface BrowseParams {
  now: number;
  ip?: string;
  value?: number;
  id?: string;
  limit: number;
}

/**
 * The operator's reads across subjects (`BrowsableStore`): one statement per shape of query (order, direction,
 * address filter, cursor), prepared on first use. The live count walks the expiry index; the address filter
 * and the orders have no index of their own (a scan, bounded by the store's size, for an operator's search).
 */
export class SqliteBrowse {
  readonly #db: SqliteDatabase;
  readonly #statements = new Map<string, SqliteStatement<[BrowseParams], SessionRow>>();
  readonly #count: SqliteStatement<[number], number>;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#count = db.pluck<[number], number>('SELECT count(*) FROM sessions WHERE expires_at > ?');
  }

  browse(query: SessionBrowse): SessionRecord[] {
    checkBrowse(query);
    const params: BrowseParams = { now: query.now, limit: query.limit };
    if (query.ip !== null) params.ip = query.ip;
    if (query.after !== null) {
      params.value = query.after.value;
      params.id = query.after.id;
    }
    return this.#statement(query).all(params).map(rowToRecord);
  }

  count(now: number): number {
    return this.#count.get(now) ?? 0;
  }

  #statement(query: SessionBrowse): SqliteStatement<[BrowseParams], SessionRow> {
    const column = ORDER_COLUMN[query.order];
    const direction = query.descending ? 'DESC' : 'ASC';
    const beyond = query.descending ? '<' : '>';
    const shape = `${column} ${direction} ${query.ip !== null} ${query.after !== null}`;
    let statement = this.#statements.get(shape);
    if (statement === undefined) {
      const where = ['expires_at > @now'];
      if (query.ip !== null) where.push('ip = @ip');
      if (query.after !== null) where.push(`(${column}, id) ${beyond} (@value, @id)`);
      statement = this.#db.prepare<[BrowseParams], SessionRow>(
        `SELECT ${COLUMNS} FROM sessions WHERE ${where.join(' AND ')} ` +
          `ORDER BY ${column} ${direction}, id ${direction} LIMIT @limit`,
      );
      this.#statements.set(shape, statement);
    }
    return statement;
  }
}
