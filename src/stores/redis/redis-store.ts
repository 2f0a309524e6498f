import type { Cluster, Redis } from 'ioredis';
import { type Clock, systemClock } from '../../core/clock.js';
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
  TouchUpdate,
  UpdateOptions,
  UpdateResult,
} from '../../core/store.js';
import {
  isNoScript,
  LuaScript,
  openClient,
  type RedisClient,
  type RedisTarget,
  unavailable,
} from './client.js';
import { decodeFamily, decodeSession, encodeFamily, encodeSession } from './codec.js';
import { KeyLayout } from './keys.js';
import * as lua from './scripts.js';

export interface ReplicaAcknowledgement {
  /** Replicas that must hold a write before it counts as done (Redis `WAIT`). */
  replicas: number;
  /** Longest wait for them, in ms; must be below `commandTimeoutMs`. */
  timeoutMs: number;
}

export interface RedisStoreOptions {
  /**
   * `redis://host:port/db`, `rediss://…`, `redis-cluster://host:port,host:port` (cluster seed nodes),
   * or an ioredis `Redis` / `Cluster` you created (you close it). A client you pass should have
   * `enableOfflineQueue: false` and a `commandTimeout`, or a dead server makes requests wait.
   */
  connection: RedisTarget;
  /**
   * Prefix of every key, so several apps (or test runs) share one server. Must not contain braces.
   * @default 'tessera:'
   */
  prefix?: string;
  /**
   * Key for the HMAC that maps a subject to its 4-character shard (which appears in public session ids).
   * Without it a plain SHA-256 is used. Every node must use the same value.
   * @default null
   */
  shardKey?: string | null;
  /**
   * How long an expired session is kept before Redis drops it (ms), so its token is answered "expired"
   * rather than "invalid". Match the manager's `expiredRetention`.
   * @default 600000
   */
  retentionMs?: number;
  /** Longest a command may take before it fails with StoreUnavailableError (ms). @default 2000 */
  commandTimeoutMs?: number;
  /** Longest wait for a connection (ms). @default 2000 */
  connectTimeoutMs?: number;
  /**
   * Durability: after every write, `WAIT` until this many replicas hold it; a write that is not acknowledged
   * in time fails with StoreUnavailableError, so an acknowledged revoke or create survives a failover.
   * @default null (asynchronous replication, as Redis does by default)
   */
  waitForReplicas?: ReplicaAcknowledgement | null;
  /** Clock for key lifetimes where the caller passes no time (refresh families). @default Date.now */
  clock?: Clock;
}

type Reply = unknown;

/**
 * Sessions in Redis or Redis Cluster. A session is one string (fixed fields and the opaque data JSON); a
 * validation that needs no renewal is one GET of a key derived from the session id alone; every multi-key operation is one Lua script on one hash slot (the subject's
 * shard); keys expire on their own (PEXPIRE at the session's end plus the retention), so nothing lingers
 * and no keyspace notifications are needed.
 */
export class RedisStore implements SessionStore {
  readonly kind: string;
  readonly keys: KeyLayout;
  readonly #client: RedisClient;
  readonly #owned: boolean;
  readonly #retention: number;
  readonly #connectTimeout: number;
  readonly #wait: ReplicaAcknowledgement | null;
  readonly #clock: Clock;
  #closed = false;
  #everReady = false;
  #readying: Promise<void> | null = null;

  constructor(options: RedisStoreOptions) {
    const commandTimeoutMs = positive('commandTimeoutMs', options.commandTimeoutMs, 2000);
    this.#connectTimeout = positive('connectTimeoutMs', options.connectTimeoutMs, 2000);
    this.#retention = positive('retentionMs', options.retentionMs, 600_000, true);
    this.#wait = options.waitForReplicas ?? null;
    if (this.#wait !== null) {
      const { replicas, timeoutMs } = this.#wait;
      if (!Number.isInteger(replicas) || replicas < 1)
        throw new TypeError('tessera: waitForReplicas.replicas must be >= 1');
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs >= commandTimeoutMs) {
        throw new TypeError(
          'tessera: waitForReplicas.timeoutMs must be a positive integer below commandTimeoutMs',
        );
      }
    }
    this.keys = new KeyLayout(options.prefix ?? 'tessera:', options.shardKey ?? null);
    this.#clock = options.clock ?? systemClock;
    if (typeof options.connection === 'string') {
      this.#client = openClient(options.connection, {
        commandTimeoutMs,
        connectTimeoutMs: this.#connectTimeout,
      });
      this.#owned = true;
    } else if (typeof options.connection === 'object' && options.connection !== null) {
      this.#client = options.connection;
      this.#owned = false;
    } else {
      throw new TypeError('tessera: RedisStore needs a connection (URL, Redis or Cluster)');
    }
    this.kind = isCluster(this.#client) ? 'redis-cluster' : 'redis';
    // A client without an error listener crashes the process on the first connection fault.
    this.#client.on('error', () => {});
  }

  /** The underlying ioredis client (for benches and tests). */
  get client(): Redis | Cluster {
    return this.#client;
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
      this.#eval(
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
      this.#hint(`u:${record.subject}`, expiry),
    ]);
    const parts = reply as string[];
    if (parts[0] === 'exists') throw new Error(`session id already exists: ${record.id}`);
    if (parts[0] === 'limit') return { created: false, reason: 'limit' };
    return { created: true, evicted: parts.slice(1) };
  }

  async get(id: string): Promise<SessionRecord | null> {
    this.#open();
    if (!isSessionId(id)) return null;
    const client = this.#client;
    const raw = await this.#command('get', () => client.get(this.keys.session(id)));
    return decodeSession(id, raw);
  }

  async touch(id: string, update: TouchUpdate): Promise<boolean> {
    this.#open();
    if (!isSessionId(id)) return false;
    const reply = await this.#eval(
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
    this.#open();
    if (!isSessionId(id)) return null;
    const reply = await this.#eval(
      'rotate',
      lua.ROTATE,
      true,
      [this.keys.session(id)],
      [
        update.now,
        update.expectedSecretHash,
        update.secretHash,
        update.previousSecretHash ?? '',
        update.previousSecretHash === null ? '' : (update.previousSecretValidUntil ?? ''),
        update.rotatedAt,
        update.lastSeenAt,
        update.idleExpiresAt,
        update.level ?? '',
        update.level === undefined ? '' : (update.levelAt ?? ''),
        this.#retention,
        this.keys.tagOfId(id),
        id,
      ],
    );
    return decodeSession(id, reply as string | null);
  }

  /**
   * The patch is applied here (Lua never parses application data) and written with a compare-and-set on
   * the version; without an expected version a lost race is retried on the fresh record, so concurrent
   * patches of different keys all survive.
   */
  async updateData(id: string, patch: DataPatch, options: UpdateOptions): Promise<UpdateResult> {
    this.#open();
    if (!isSessionId(id)) return { status: 'not_found' };
    const client = this.#client;
    const key = this.keys.session(id);
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const current = decodeSession(id, await this.#command('updateData', () => client.get(key)));
      if (current === null || expiresAt(current) <= options.now) return { status: 'not_found' };
      if (options.expectedVersion !== null && options.expectedVersion !== current.version) {
        return { status: 'conflict', version: current.version };
      }
      const json = JSON.stringify(applyPatch(current.data, patch));
      // The compare-and-set below writes only over this exact version, so the size checked here is the size
      // of what would be stored: a refusal needs no write, a lost race re-reads and checks again.
      const bytes = Buffer.byteLength(json);
      if (overLimit(bytes, options.maxDataBytes)) return { status: 'too_large', bytes };
      const reply = (await this.#eval(
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
    this.#open();
    if (!isSessionId(id)) return null;
    const reply = (await this.#eval(
      'delete',
      lua.DELETE,
      true,
      [this.keys.session(id)],
      [this.keys.tagOfId(id), id],
    )) as string | null;
    return decodeSession(id, reply);
  }

  async deleteBySubject(subject: string, exceptId: string | null): Promise<string[]> {
    this.#open();
    const reply = await this.#eval(
      'deleteBySubject',
      lua.DELETE_BY_SUBJECT,
      true,
      [this.keys.index(subject)],
      [this.keys.tag(this.keys.shardFor(subject)), exceptId ?? ''],
    );
    return reply as string[];
  }

  async listBySubject(subject: string, now: number): Promise<SessionRecord[]> {
    this.#open();
    const reply = (await this.#eval(
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

  /**
   * Keys expire by themselves; this removes what expired before `before` (by the caller's clock) in bounded
   * work: it reads up to a batch of due entries from the sweep-hint set, cleans that one subject / family /
   * not-before entry with a script in its own slot, and reschedules or drops the hint.
   */
  async deleteExpired(before: number, limit: number): Promise<number> {
    this.#open();
    const client = this.#client;
    const hint = this.keys.hint;
    let removed = 0;
    for (let round = 0; removed < limit && round < 1000; round += 1) {
      const due = await this.#command('deleteExpired', () =>
        client.zrangebyscore(hint, '-inf', `(${before}`, 'WITHSCORES', 'LIMIT', 0, 32),
      );
      if (due.length === 0) break;
      for (let n = 0; n + 1 < due.length && removed < limit; n += 2) {
        const member = due[n] as string;
        const seen = due[n + 1] as string;
        const name = member.slice(2);
        let reply: [number, number | string];
        if (member.startsWith('u:')) {
          reply = (await this.#eval(
            'deleteExpired',
            lua.SWEEP_SUBJECT,
            true,
            [this.keys.index(name)],
            [before, limit - removed, this.keys.tag(this.keys.shardFor(name))],
          )) as [number, number | string];
        } else {
          const key = member.startsWith('f:') ? this.keys.family(name) : this.keys.notBefore(name);
          reply = (await this.#eval('deleteExpired', lua.SWEEP_ONE, true, [key], [before])) as [
            number,
            number | string,
          ];
        }
        removed += Number(reply[0]);
        const next = Number(reply[1]);
        if (next < 0) await this.#eval('deleteExpired', lua.UNHINT, false, [hint], [member, seen]);
        else await this.#command('deleteExpired', () => client.zadd(hint, next, member));
      }
    }
    return removed;
  }

  async getSubjectNotBefore(subject: string): Promise<number | null> {
    this.#open();
    const client = this.#client;
    const value = await this.#command('getSubjectNotBefore', () =>
      client.hget(this.keys.notBefore(subject), 'nb'),
    );
    return value === null ? null : Number(value);
  }

  async setSubjectNotBefore(subject: string, notBefore: number, expiresAtTime: number): Promise<void> {
    this.#open();
    await Promise.all([
      this.#eval(
        'setSubjectNotBefore',
        lua.NOT_BEFORE,
        true,
        [this.keys.notBefore(subject)],
        [notBefore, expiresAtTime, this.#clock(), this.#retention],
      ),
      this.#hint(`n:${subject}`, expiresAtTime),
    ]);
  }

  async createRefreshFamily(record: RefreshFamilyRecord): Promise<void> {
    this.#open();
    const ttl = Math.max(record.expiresAt - this.#clock(), 0) + this.#retention;
    const [reply] = await Promise.all([
      this.#eval(
        'createRefreshFamily',
        lua.FAMILY_CREATE,
        true,
        [this.keys.family(record.familyId)],
        [ttl, ...encodeFamily(record)],
      ),
      this.#hint(`f:${record.familyId}`, record.expiresAt),
    ]);
    if (reply !== 1) throw new Error(`refresh family already exists: ${record.familyId}`);
  }

  async getRefreshFamily(familyId: string): Promise<RefreshFamilyRecord | null> {
    this.#open();
    const client = this.#client;
    const hash = await this.#command('getRefreshFamily', () => client.hgetall(this.keys.family(familyId)));
    return decodeFamily(familyId, hash);
  }

  async advanceRefreshFamily(
    familyId: string,
    expected: RefreshExpectation,
    next: RefreshAdvance,
  ): Promise<boolean> {
    this.#open();
    const reply = await this.#eval(
      'advanceRefreshFamily',
      lua.FAMILY_ADVANCE,
      true,
      [this.keys.family(familyId)],
      [
        expected.generation,
        expected.currentHash,
        next.generation,
        next.currentHash,
        next.previousHash,
        next.rotatedAt,
      ],
    );
    return reply === 1;
  }

  async revokeRefreshFamily(familyId: string, now: number): Promise<boolean> {
    this.#open();
    const reply = await this.#eval(
      'revokeRefreshFamily',
      lua.FAMILY_REVOKE,
      true,
      [this.keys.family(familyId)],
      [now],
    );
    return reply === 1;
  }

  async ping(): Promise<void> {
    this.#open();
    const client = this.#client;
    await this.#command('ping', () => client.ping());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#owned) return;
    const client = this.#client;
    // QUIT lets queued replies arrive; it is bounded, and disconnect() then stops any reconnection for good
    // (a QUIT cut short by a network fault would otherwise leave the client retrying in the background).
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.status === 'ready' ? client.quit() : Promise.resolve(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, this.#connectTimeout);
        }),
      ]);
    } catch {
      // Already gone: nothing to say goodbye to.
    } finally {
      clearTimeout(timer);
      client.disconnect();
    }
  }

  /** Schedules a sweep of `member` no later than `at` (ZADD LT keeps the earliest time). */
  async #hint(member: string, at: number): Promise<void> {
    await this.#eval('hint', lua.HINT, false, [this.keys.hint], [at, member, this.#clock(), this.#retention]);
  }

  async #command<T>(operation: string, run: () => Promise<T>): Promise<T> {
    this.#open();
    await this.#ready(operation);
    try {
      return await run();
    } catch (error) {
      throw unavailable(operation, error);
    }
  }

  async #eval(
    operation: string,
    script: LuaScript | string,
    write: boolean,
    keys: string[],
    args: (string | number)[],
  ): Promise<Reply> {
    const compiled = typeof script === 'string' ? compiledScript(script) : script;
    return this.#command(operation, async () => {
      if (write && this.#wait !== null) return this.#evalDurable(compiled, keys, args, this.#wait);
      const client = this.#client;
      try {
        return await client.evalsha(compiled.sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return await client.eval(compiled.source, keys.length, ...keys, ...args);
      }
    });
  }

  /** The script and a WAIT on the same connection (a pipeline goes to the node that owns the keys). */
  async #evalDurable(
    script: LuaScript,
    keys: string[],
    args: (string | number)[],
    wait: ReplicaAcknowledgement,
  ): Promise<Reply> {
    const run = async (useSha: boolean): Promise<[Error | null, unknown][]> => {
      const pipeline = this.#client.pipeline();
      if (useSha) pipeline.evalsha(script.sha, keys.length, ...keys, ...args);
      else pipeline.eval(script.source, keys.length, ...keys, ...args);
      pipeline.call('WAIT', wait.replicas, wait.timeoutMs);
      return ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
    };
    let results = await run(true);
    if (isNoScript(results[0]?.[0])) results = await run(false);
    const [scriptError, reply] = results[0] ?? [new Error('empty pipeline reply'), null];
    if (scriptError !== null) throw scriptError;
    const [waitError, acknowledged] = results[1] ?? [new Error('no WAIT reply'), 0];
    if (waitError !== null) throw waitError;
    if (Number(acknowledged) < wait.replicas) {
      throw new StoreUnavailableError(
        `redis write reached ${Number(acknowledged)} of ${wait.replicas} replicas within ${wait.timeoutMs} ms`,
      );
    }
    return reply;
  }

  async #ready(operation: string): Promise<void> {
    const client = this.#client;
    if (client.status === 'ready') {
      this.#everReady = true;
      return;
    }
    // After a connection loss, fail at once (503) while the client reconnects in the background.
    if (this.#everReady || client.status === 'end' || client.status === 'close') {
      throw new StoreUnavailableError(`redis store is not connected (${client.status}) during ${operation}`);
    }
    this.#readying ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new StoreUnavailableError(`redis store did not connect within ${this.#connectTimeout} ms`));
      }, this.#connectTimeout);
      const onReady = (): void => {
        done();
        resolve();
      };
      const done = (): void => {
        clearTimeout(timer);
        client.off('ready', onReady);
        this.#readying = null;
      };
      client.on('ready', onReady);
      if (client.status === 'wait') client.connect().catch(() => {});
    });
    await this.#readying;
    this.#everReady = true;
  }

  #open(): void {
    if (this.#closed) throw new StoreUnavailableError('redis store is closed');
  }
}

const compiled = new Map<string, LuaScript>();
function compiledScript(source: string): LuaScript {
  let script = compiled.get(source);
  if (script === undefined) {
    script = new LuaScript(source);
    compiled.set(source, script);
  }
  return script;
}

function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(`tessera: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number of ms`);
  }
  return value;
}
