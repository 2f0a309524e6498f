import { StoreFullError, StoreUnavailableError } from '../../core/errors.js';
import { browsePage, checkBrowse } from '../shared/browse.js';
import { dataBytes, overLimit } from '../shared/data-size.js';
import { applyPatch, type DataPatch, expiresAt, type SessionRecord } from '../../core/session.js';
import type {
  CreateOptions,
  CreateResult,
  RefreshAdvance,
  RefreshExpectation,
  RefreshFamilyRecord,
  RotateUpdate,
  BrowsableStore,
  SessionBrowse,
  SessionStore,
  TouchUpdate,
  UpdateOptions,
  UpdateResult,
} from '../../core/store.js';
import { deepFreeze } from '../../core/freeze.js';
import { MinHeap } from '../shared/min-heap.js';
import { checkOnceKey } from '../shared/once-key.js';

export interface MemoryStoreOptions {
  /**
   * Most sessions held at once. When full, expired sessions are removed first; if it is still full, `create`
   * refuses with `StoreFullError` (507 `store_full`, not an outage: existing sessions keep working) rather than
   * silently evicting live sessions. Memory: about 1.1 KB of heap per session with a 188-byte data payload, so
   * about 110 MB at the default (docs/stores.md).
   * @default 100000
   */
  maxSessions?: number;
  /**
   * Most one-time keys (DPoP proof ids) held at once; each is held only while its proof could still be accepted
   * (about a minute), so this bounds proofs per minute, not sessions. Past it `useOnce` refuses with
   * `StoreFullError`. About 150 bytes of heap per key.
   * @default 1000000
   */
  maxOnceKeys?: number;
}

const SESSION = 's:';
const FAMILY = 'f:';
const NOT_BEFORE = 'n:';

/**
 * An in-process store for tests, development and single-process apps. Bounded; expiry runs from a
 * min-heap of expiry times, so cleaning costs what expired, never a full scan. Not shared across processes.
 */
export class MemoryStore implements SessionStore, BrowsableStore {
  readonly kind = 'memory';
  readonly #maxSessions: number;
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #bySubject = new Map<string, Set<string>>();
  readonly #families = new Map<string, RefreshFamilyRecord>();
  readonly #notBefore = new Map<string, { notBefore: number; expiresAt: number }>();
  readonly #expiry = new MinHeap();
  readonly #maxOnceKeys: number;
  readonly #onceKeys = new Map<string, number>();
  readonly #onceExpiry = new MinHeap();
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    const max = options.maxSessions ?? 100_000;
    if (!Number.isInteger(max) || max < 1)
      throw new TypeError('tessera: maxSessions must be a positive integer');
    this.#maxSessions = max;
    const maxOnce = options.maxOnceKeys ?? 1_000_000;
    if (!Number.isInteger(maxOnce) || maxOnce < 1)
      throw new TypeError('tessera: maxOnceKeys must be a positive integer');
    this.#maxOnceKeys = maxOnce;
  }

  get size(): number {
    return this.#sessions.size;
  }

  async create(record: SessionRecord, options: CreateOptions): Promise<CreateResult> {
    this.#open();
    if (this.#sessions.has(record.id)) throw new Error(`session id already exists: ${record.id}`);
    const evicted: string[] = [];
    if (options.maxPerSubject !== null) {
      const live = this.#liveOf(record.subject, options.now);
      const excess = live.length + 1 - options.maxPerSubject;
      if (excess > 0) {
        if (options.overflow === 'refuse') return { created: false, reason: 'limit' };
        for (const old of live.slice(0, excess)) {
          this.#remove(old.id);
          evicted.push(old.id);
        }
      }
    }
    if (this.#sessions.size >= this.#maxSessions) {
      await this.deleteExpired(options.now, this.#maxSessions);
      if (this.#sessions.size >= this.#maxSessions) {
        throw new StoreFullError(this.#maxSessions);
      }
    }
    const stored = { ...record, data: deepFreeze(structuredClone(record.data)) };
    this.#sessions.set(record.id, stored);
    let ids = this.#bySubject.get(record.subject);
    if (ids === undefined) {
      ids = new Set();
      this.#bySubject.set(record.subject, ids);
    }
    ids.add(record.id);
    this.#expiry.push(expiresAt(stored), SESSION + record.id);
    return { created: true, evicted };
  }

  async get(id: string): Promise<SessionRecord | null> {
    this.#open();
    const record = this.#sessions.get(id);
    return record === undefined ? null : { ...record };
  }

  async touch(id: string, update: TouchUpdate): Promise<boolean> {
    this.#open();
    const record = this.#sessions.get(id);
    if (record === undefined || record.secretHash !== update.expectedSecretHash) return false;
    if (expiresAt(record) <= update.now) return false;
    record.lastSeenAt = update.lastSeenAt;
    record.idleExpiresAt = Math.min(update.idleExpiresAt, record.absoluteExpiresAt);
    this.#expiry.push(expiresAt(record), SESSION + id);
    return true;
  }

  async rotate(id: string, update: RotateUpdate): Promise<SessionRecord | null> {
    this.#open();
    const record = this.#sessions.get(id);
    if (record === undefined || record.secretHash !== update.expectedSecretHash) return null;
    if (expiresAt(record) <= update.now) return null;
    record.secretHash = update.secretHash;
    record.previousSecretHash = update.previousSecretHash;
    record.previousSecretValidUntil = update.previousSecretValidUntil;
    record.rotatedAt = update.rotatedAt;
    record.lastSeenAt = update.lastSeenAt;
    if (update.absoluteExpiresAt !== undefined) record.absoluteExpiresAt = update.absoluteExpiresAt;
    record.idleExpiresAt = Math.min(update.idleExpiresAt, record.absoluteExpiresAt);
    if (update.level !== undefined) {
      record.level = update.level;
      record.levelAt = update.levelAt ?? null;
    }
    this.#expiry.push(expiresAt(record), SESSION + id);
    return { ...record };
  }

  async updateData(id: string, patch: DataPatch, options: UpdateOptions): Promise<UpdateResult> {
    this.#open();
    const record = this.#sessions.get(id);
    if (record === undefined || expiresAt(record) <= options.now) return { status: 'not_found' };
    if (options.expectedVersion !== null && options.expectedVersion !== record.version) {
      return { status: 'conflict', version: record.version };
    }
    const data = applyPatch(record.data, patch);
    // Checked on the patched data, before any write: each patch alone may be small, the sum may not grow past the limit.
    if (options.maxDataBytes !== null && options.maxDataBytes !== undefined) {
      const bytes = dataBytes(data);
      if (overLimit(bytes, options.maxDataBytes)) return { status: 'too_large', bytes };
    }
    record.data = deepFreeze(structuredClone(data));
    record.version += 1;
    return { status: 'ok', record: { ...record } };
  }

  async delete(id: string): Promise<SessionRecord | null> {
    this.#open();
    const record = this.#sessions.get(id);
    if (record === undefined) return null;
    this.#remove(id);
    return { ...record };
  }

  async deleteBySubject(subject: string, exceptId: string | null): Promise<string[]> {
    this.#open();
    const removed: string[] = [];
    for (const id of [...(this.#bySubject.get(subject) ?? [])]) {
      if (id === exceptId) continue;
      this.#remove(id);
      removed.push(id);
    }
    return removed;
  }

  async listBySubject(subject: string, now: number): Promise<SessionRecord[]> {
    this.#open();
    return this.#liveOf(subject, now).map((record) => ({ ...record }));
  }

  /** A scan of every session (at most `maxSessions`). */
  async browseSessions(query: SessionBrowse): Promise<SessionRecord[]> {
    this.#open();
    checkBrowse(query);
    return browsePage(this.#sessions.values(), query).map((record) => ({ ...record }));
  }

  async countSessions(now: number): Promise<number> {
    this.#open();
    let live = 0;
    for (const record of this.#sessions.values()) if (expiresAt(record) > now) live += 1;
    return live;
  }

  async deleteExpired(before: number, limit: number): Promise<number> {
    this.#open();
    let removed = 0;
    while (removed < limit && this.#expiry.peekTime() < before) {
      const entry = this.#expiry.pop() as { time: number; key: string };
      const kind = entry.key.slice(0, 2);
      const key = entry.key.slice(2);
      if (kind === SESSION) {
        const record = this.#sessions.get(key);
        // A stale heap entry (the session was touched since): its newer entry is still in the heap.
        if (record === undefined || expiresAt(record) >= before) continue;
        this.#remove(key);
      } else if (kind === FAMILY) {
        const family = this.#families.get(key);
        if (family === undefined || family.expiresAt >= before) continue;
        this.#families.delete(key);
      } else {
        const entryNb = this.#notBefore.get(key);
        if (entryNb === undefined || entryNb.expiresAt >= before) continue;
        this.#notBefore.delete(key);
      }
      removed += 1;
    }
    return removed;
  }

  /** One synchronous step: nothing else runs in between. Stale expiry-heap entries are skipped by the sweep. */
  async deleteAllSessions(): Promise<number> {
    this.#open();
    const removed = this.#sessions.size;
    this.#sessions.clear();
    this.#bySubject.clear();
    this.#families.clear();
    return removed;
  }

  async getSubjectNotBefore(subject: string): Promise<number | null> {
    this.#open();
    return this.#notBefore.get(subject)?.notBefore ?? null;
  }

  async getLatestNotBefore(scopes: readonly string[]): Promise<number | null> {
    this.#open();
    let latest: number | null = null;
    for (const scope of scopes) {
      const time = this.#notBefore.get(scope)?.notBefore;
      if (time !== undefined && (latest === null || time > latest)) latest = time;
    }
    return latest;
  }

  async setSubjectNotBefore(subject: string, notBefore: number, expiresAtTime: number): Promise<void> {
    this.#open();
    const current = this.#notBefore.get(subject);
    this.#notBefore.set(subject, {
      notBefore: Math.max(current?.notBefore ?? notBefore, notBefore),
      expiresAt: Math.max(current?.expiresAt ?? expiresAtTime, expiresAtTime),
    });
    this.#expiry.push(expiresAtTime, NOT_BEFORE + subject);
  }

  async createRefreshFamily(record: RefreshFamilyRecord): Promise<void> {
    this.#open();
    if (this.#families.has(record.familyId))
      throw new Error(`refresh family already exists: ${record.familyId}`);
    this.#families.set(record.familyId, { ...record });
    this.#expiry.push(record.expiresAt, FAMILY + record.familyId);
  }

  async getRefreshFamily(familyId: string): Promise<RefreshFamilyRecord | null> {
    this.#open();
    const family = this.#families.get(familyId);
    return family === undefined ? null : { ...family };
  }

  async advanceRefreshFamily(
    familyId: string,
    expected: RefreshExpectation,
    next: RefreshAdvance,
  ): Promise<boolean> {
    this.#open();
    const family = this.#families.get(familyId);
    if (family === undefined || family.revokedAt !== null) return false;
    if (family.generation !== expected.generation || family.currentHash !== expected.currentHash)
      return false;
    family.generation = next.generation;
    family.currentHash = next.currentHash;
    family.previousHash = next.previousHash;
    family.rotatedAt = next.rotatedAt;
    return true;
  }

  async revokeRefreshFamily(familyId: string, now: number): Promise<boolean> {
    this.#open();
    const family = this.#families.get(familyId);
    if (family === undefined) return false;
    family.revokedAt ??= now;
    return true;
  }

  /**
   * Expired keys are dropped on every call (from a min-heap: cost follows what expired), so the map holds only keys
   * still inside their window; past `maxOnceKeys` live keys a new one is refused with `StoreFullError` (507).
   */
  async useOnce(key: string, expiresAtTime: number, now: number): Promise<boolean> {
    this.#open();
    checkOnceKey(key, expiresAtTime, now);
    const heap = this.#onceExpiry;
    while (heap.peekTime() <= now) {
      const entry = heap.pop() as { time: number; key: string };
      const until = this.#onceKeys.get(entry.key);
      if (until !== undefined && until <= now) this.#onceKeys.delete(entry.key);
    }
    const until = this.#onceKeys.get(key);
    if (until !== undefined && until > now) return false;
    if (this.#onceKeys.size >= this.#maxOnceKeys)
      throw new StoreFullError(this.#maxOnceKeys, 'one-time keys');
    this.#onceKeys.set(key, expiresAtTime);
    heap.push(expiresAtTime, key);
    return true;
  }

  async ping(): Promise<void> {
    this.#open();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #liveOf(subject: string, now: number): SessionRecord[] {
    const live: SessionRecord[] = [];
    for (const id of this.#bySubject.get(subject) ?? []) {
      const record = this.#sessions.get(id);
      if (record !== undefined && expiresAt(record) > now) live.push(record);
    }
    return live.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  #remove(id: string): void {
    const record = this.#sessions.get(id);
    if (record === undefined) return;
    this.#sessions.delete(id);
    const ids = this.#bySubject.get(record.subject);
    ids?.delete(id);
    if (ids !== undefined && ids.size === 0) this.#bySubject.delete(record.subject);
  }

  #open(): void {
    if (this.#closed) throw new StoreUnavailableError('memory store is closed');
  }
}
