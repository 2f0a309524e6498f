import type { Cluster, Redis } from 'ioredis';
import { systemClock } from '../../core/clock.js';
import { StoreUnavailableError } from '../../core/errors.js';
import { overLimit } from '../shared/data-size.js';
import { applyPatch, type DataPatch, expiresAt, type SessionRecord } from '../../core/session.js';
import { isSessionId } from '../../core/token.js';
import type {
  CreateOptions,
  CreateResult,
  RefreshAdvance,
  RefreshExpectation,
  RefreshFamilyRecord,
  RotateUpdate,
  SessionStore,
  StoreInspection,
  TouchUpdate,
  UpdateOptions,
  UpdateResult,
} from '../../core/store.js';
import { decodeSession, encodeSession, storedHash } from './codec.js';
import { RedisConnection } from './connection.js';
import * as once from './once.js';
import type { RedisContext } from './context.js';
import * as families from './families.js';
import { KeyLayout } from './keys.js';
import * as subjectCutoffs from './not-before.js';
import { type RedisStoreOptions, resolveSettings } from './options.js';
import * as lua from './scripts.js';
import * as sweeps from './sweeps.js';
import * as wipe from './wipe.js';

/**
 * Sessions in Redis or Redis Cluster. A session is one string (fixed fields and the opaque data JSON); a
 * validation that needs no renewal is one GET of a key derived from the session id alone; every multi-key
 * operation is one Lua script on one hash slot (the subject's shard); keys expire on their own (PEXPIRE at
 * the session's end plus the retention), so nothing lingers and no keyspace notifications are needed.
 *
 * The session operations are here; connection and commands are in connection.ts, the expiry sweep in
 * sweeps.ts, refresh families in families.ts and subject not-before times in not-before.ts.
 *
 * Not a `BrowsableStore`, on purpose: sessions have no cross-subject order or count here, so a page of "every
 * session" would be a `SCAN` of the whole keyspace (every primary of a cluster). The console says browsing is not
 * offered and still finds sessions by subject (`listBySubject`) and by id (`get`): docs/console.md.
 */
export class RedisStore implements SessionStore {
  readonly kind: string;
  readonly keys: KeyLayout;
  readonly #redis: RedisConnection;
  readonly #retention: number;
  readonly #context: RedisContext;

  constructor(options: RedisStoreOptions) {
    const settings = resolveSettings(options);
    this.#retention = settings.retentionMs;
    this.keys = new KeyLayout(options.prefix ?? 'tessera:', options.shardKey ?? null);
    const clock = options.clock ?? systemClock;
    this.#redis = new RedisConnection(options.connection, settings);
    this.kind = this.#redis.cluster ? 'redis-cluster' : 'redis';
    this.#context = { redis: this.#redis, keys: this.keys, retention: this.#retention, clock };
  }

  /** The underlying ioredis client (for benches and tests). */
  get client(): Redis | Cluster {
    return this.#redis.client;
  }

  shardFor(subject: string): string {
    return this.keys.shardFor(subject);
  }

  async create(record: SessionRecord, options: CreateOptions): Promise<CreateResult> {
    const shard = this.keys.shardFor(record.subject);
    if (!isSessionId(record.id) || !record.id.startsWith(shard)) {
      throw new TypeError('tessera: a Redis session id must start with store.shardFor(subject)');
    }
    const expiry = expiresAt(record);
    const [reply] = await Promise.all([
      this.#redis.eval(
        'create',
        lua.CREATE,
        true,
        [this.keys.session(record.id), this.keys.index(record.subject)],
        [
          options.now,
          options.maxPerSubject ?? '',
          options.overflow,
          this.#retention,
          this.keys.tag(shard),
          record.id,
          expiry,
          encodeSession(record),
        ],
      ),
      sweeps.hint(this.#context, `u:${record.subject}`, expiry),
    ]);
    const parts = reply as string[];
    if (parts[0] === 'exists') throw new Error(`session id already exists: ${record.id}`);
    if (parts[0] === 'limit') return { created: false, reason: 'limit' };
    return { created: true, evicted: parts.slice(1) };
  }

  get(id: string): Promise<SessionRecord | null> {
    // Not `async`: one `then` on the GET is the whole of a validation's store work. A closed store rejects
    // (in `command`), as every other method does, rather than throwing.
    if (!isSessionId(id)) return this.#redis.command('get', async () => null);
    const client = this.#redis.client;
    return this.#redis
      .command('get', () => client.get(this.keys.session(id)))
      .then((raw) => decodeSession(id, raw));
  }

  async touch(id: string, update: TouchUpdate): Promise<boolean> {
    this.#redis.open();
    if (!isSessionId(id)) return false;
    const reply = await this.#redis.eval(
      'touch',
      lua.TOUCH,
      true,
      [this.keys.session(id)],
      [
        update.now,
        update.expectedSecretHash,
        update.lastSeenAt,
        update.idleExpiresAt,
        this.#retention,
        this.keys.tagOfId(id),
        id,
      ],
    );
    return reply === 1;
  }

  async rotate(id: string, update: RotateUpdate): Promise<SessionRecord | null> {
    this.#redis.open();
    if (!isSessionId(id)) return null;
    const reply = await this.#redis.eval(
      'rotate',
      lua.ROTATE,
      true,
      [this.keys.session(id)],
      [
        update.now,
        update.expectedSecretHash,
        storedHash(update.secretHash),
        update.previousSecretHash === null ? '' : storedHash(update.previousSecretHash),
        update.previousSecretHash === null ? '' : (update.previousSecretValidUntil ?? ''),
        update.rotatedAt,
        update.lastSeenAt,
        update.idleExpiresAt,
        update.level ?? '',
        update.level === undefined ? '' : (update.levelAt ?? ''),
        this.#retention,
        this.keys.tagOfId(id),
        id,
        update.absoluteExpiresAt ?? '',
      ],
    );
    const record = decodeSession(id, reply as string | null);
    // A moved absolute expiry may end the session earlier than its subject's sweep hint (ZADD LT keeps the
    // earlier one; a later end is rescheduled by the sweep itself).
    if (record !== null && update.absoluteExpiresAt !== undefined) {
      await sweeps.hint(this.#context, `u:${record.subject}`, expiresAt(record));
    }
    return record;
  }

  /**
   * The patch is applied here (Lua never parses application data) and written with a compare-and-set on
   * the version; without an expected version a lost race is retried on the fresh record, so concurrent
   * patches of different keys all survive.
   */
  async updateData(id: string, patch: DataPatch, options: UpdateOptions): Promise<UpdateResult> {
    this.#redis.open();
    if (!isSessionId(id)) return { status: 'not_found' };
    const client = this.#redis.client;
    const key = this.keys.session(id);
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const current = decodeSession(id, await this.#redis.command('updateData', () => client.get(key)));
      if (current === null || expiresAt(current) <= options.now) return { status: 'not_found' };
      if (options.expectedVersion !== null && options.expectedVersion !== current.version) {
        return { status: 'conflict', version: current.version };
      }
      const json = JSON.stringify(applyPatch(current.data, patch));
      // The compare-and-set below writes only over this exact version, so the size checked here is the size
      // of what would be stored: a refusal needs no write, a lost race re-reads and checks again.
      const bytes = Buffer.byteLength(json);
      if (overLimit(bytes, options.maxDataBytes)) return { status: 'too_large', bytes };
      const reply = (await this.#redis.eval(
        'updateData',
        lua.UPDATE,
        true,
        [key],
        [options.now, String(current.version), json],
      )) as string[];
      if (reply[0] === 'not_found') return { status: 'not_found' };
      if (reply[0] === 'ok') {
        const record = decodeSession(id, reply[1] ?? null);
        return record === null ? { status: 'not_found' } : { status: 'ok', record };
      }
      if (options.expectedVersion !== null) return { status: 'conflict', version: Number(reply[1]) };
    }
    throw new StoreUnavailableError('redis store: too many concurrent patches of one session');
  }

  async delete(id: string): Promise<SessionRecord | null> {
    this.#redis.open();
    if (!isSessionId(id)) return null;
    const reply = (await this.#redis.eval(
      'delete',
      lua.DELETE,
      true,
      [this.keys.session(id)],
      [this.keys.tagOfId(id), id],
    )) as string | null;
    return decodeSession(id, reply);
  }

  async deleteBySubject(subject: string, exceptId: string | null): Promise<string[]> {
    this.#redis.open();
    const reply = await this.#redis.eval(
      'deleteBySubject',
      lua.DELETE_BY_SUBJECT,
      true,
      [this.keys.index(subject)],
      [this.keys.tag(this.keys.shardFor(subject)), exceptId ?? ''],
    );
    return reply as string[];
  }

  async listBySubject(subject: string, now: number): Promise<SessionRecord[]> {
    this.#redis.open();
    const reply = (await this.#redis.eval(
      'listBySubject',
      lua.LIST,
      false,
      [this.keys.index(subject)],
      [now, this.#retention, this.keys.tag(this.keys.shardFor(subject))],
    )) as string[];
    const records: SessionRecord[] = [];
    for (let n = 0; n + 1 < reply.length; n += 2) {
      const record = decodeSession(reply[n] as string, reply[n + 1] as string);
      if (record !== null) records.push(record);
    }
    return records
      .filter((record) => expiresAt(record) > now)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** Bounded removal of what expired before `before`, led by the sweep hints (see sweeps.ts). */
  deleteExpired(before: number, limit: number): Promise<number> {
    return sweeps.deleteExpired(this.#context, before, limit);
  }

  /** SCAN over the key prefix on every primary; see wipe.ts for what a concurrent login may see. */
  deleteAllSessions(): Promise<number> {
    return wipe.deleteAllSessions(this.#context);
  }

  getSubjectNotBefore(subject: string): Promise<number | null> {
    return subjectCutoffs.getSubjectNotBefore(this.#context, subject);
  }

  getLatestNotBefore(scopes: readonly string[]): Promise<number | null> {
    return subjectCutoffs.getLatestNotBefore(this.#context, scopes);
  }

  setSubjectNotBefore(subject: string, notBefore: number, expiresAtTime: number): Promise<void> {
    return subjectCutoffs.setSubjectNotBefore(this.#context, subject, notBefore, expiresAtTime);
  }

  useOnce(key: string, expiresAtTime: number, now: number): Promise<boolean> {
    return once.useOnce(this.#context, key, expiresAtTime, now);
  }

  createRefreshFamily(record: RefreshFamilyRecord): Promise<void> {
    return families.createRefreshFamily(this.#context, record);
  }

  getRefreshFamily(familyId: string): Promise<RefreshFamilyRecord | null> {
    return families.getRefreshFamily(this.#context, familyId);
  }

  advanceRefreshFamily(
    familyId: string,
    expected: RefreshExpectation,
    next: RefreshAdvance,
  ): Promise<boolean> {
    return families.advanceRefreshFamily(this.#context, familyId, expected, next);
  }

  revokeRefreshFamily(familyId: string, now: number): Promise<boolean> {
    return families.revokeRefreshFamily(this.#context, familyId, now);
  }

  async ping(): Promise<void> {
    this.#redis.open();
    const client = this.#redis.client;
    await this.#redis.command('ping', () => client.ping());
  }

  /** The server's clock (`TIME`), for `tessera doctor`; Redis keeps no schema version. */
  async inspect(): Promise<StoreInspection> {
    this.#redis.open();
    const client = this.#redis.client;
    const [seconds, micros] = await this.#redis.command('inspect', () => client.time());
    return { serverTime: Number(seconds) * 1000 + Number(micros) / 1000, schema: null };
  }

  close(): Promise<void> {
    return this.#redis.close();
  }
}
