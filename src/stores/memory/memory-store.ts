import { StoreFullError, StoreUnavailableError } from '../../core/errors.js';
import { type BrowsedFields, browsePage, checkBrowse } from '../shared/browse.js';
import { dataBytes, overLimit } from '../shared/data-size.js';
import { applyPatch, type DataPatch, type SessionRecord } from '../../core/session.js';
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
import { MinHeap } from '../shared/min-heap.js';
import { checkOnceKey } from '../shared/once-key.js';
import { flatString, SessionTable } from './session-table.js';
import { SubjectIndex } from './subject-index.js';

export interface MemoryStoreOptions {
  /**
   * Most sessions held at once. When full, expired sessions are removed first; if it is still full, `create`
   * refuses with `StoreFullError` (507 `store_full`, not an outage: existing sessions keep working) rather than
   * silently evicting live sessions. Memory: about 500 bytes of heap per session with a 188-byte data payload
   * (its strings plus about 120 bytes), so about 50 MB at the default (docs/stores.md).
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

const FAMILY = 'f:';
const NOT_BEFORE = 'n:';

/**
 * An in-process store for tests, development and single-process apps. Bounded; sessions are kept in columns
 * (`SessionTable`), and expiry runs from a min-heap holding one entry per session (a touch writes no entry: the
 * sweep re-queues a session it finds extended), so cleaning costs what expired, never a full scan. Not shared
 * across processes.
 */
export class MemoryStore implements SessionStore, BrowsableStore {
  readonly kind = 'memory';
  readonly #maxSessions: number;
  readonly #sessions = new SessionTable();
  readonly #bySubject = new SubjectIndex();
  readonly #families = new Map<string, RefreshFamilyRecord>();
  readonly #notBefore = new Map<string, { notBefore: number; expiresAt: number }>();
  /** Sessions by id, one entry each (`SessionTable` queued-at). */
  readonly #sessionExpiry = new MinHeap();
  /** Refresh families and not-before entries, by prefixed key. */
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

  /** Bytes of the sessions' off-heap text (secret hashes, IP, User-Agent, data), for diagnostics. */
  get textBytes(): number {
    return this.#sessions.textBytes;
  }

  /**
   * Entries waiting in the expiry queues (sessions, refresh families, not-before cut-offs), for diagnostics:
   * about one per live session, however often sessions are touched.
   */
  get queuedExpiries(): number {
    return this.#sessionExpiry.size + this.#expiry.size;
  }

  async create(record: SessionRecord, options: CreateOptions): Promise<CreateResult> {
    this.#open();
    if (this.#sessions.slotOf(record.id) !== -1) throw new Error(`session id already exists: ${record.id}`);
    const evicted: string[] = [];
    if (options.maxPerSubject !== null) {
      const live = this.#liveOf(record.subject, options.now);
      const excess = live.length + 1 - options.maxPerSubject;
      if (excess > 0) {
        if (options.overflow === 'refuse') return { created: false, reason: 'limit' };
        for (const old of live.slice(0, excess)) {
          evicted.push(this.#sessions.idOf(old));
          this.#remove(old);
        }
      }
    }
    if (this.#sessions.size >= this.#maxSessions) {
      await this.deleteExpired(options.now, this.#maxSessions);
      if (this.#sessions.size >= this.#maxSessions) {
        throw new StoreFullError(this.#maxSessions);
      }
    }
    const subject = flatString(record.subject);
    const slot = this.#sessions.insert(record, subject);
    this.#bySubject.add(subject, this.#sessions.idOf(slot));
    this.#queue(slot);
    return { created: true, evicted };
  }

  async get(id: string): Promise<SessionRecord | null> {
    this.#open();
    const slot = this.#sessions.slotOf(id);
    return slot === -1 ? null : this.#sessions.read(slot);
  }

  async touch(id: string, update: TouchUpdate): Promise<boolean> {
    this.#open();
    const slot = this.#live(id, update.expectedSecretHash, update.now);
    if (slot === -1) return false;
    const table = this.#sessions;
    table.setActivity(
      slot,
      update.lastSeenAt,
      Math.min(update.idleExpiresAt, table.absoluteExpiresAtOf(slot)),
    );
    this.#queue(slot);
    return true;
  }

  async rotate(id: string, update: RotateUpdate): Promise<SessionRecord | null> {
    this.#open();
    const slot = this.#live(id, update.expectedSecretHash, update.now);
    if (slot === -1) return null;
    const table = this.#sessions;
    table.setSecret(
      slot,
      update.secretHash,
      update.previousSecretHash,
      update.previousSecretValidUntil,
      update.rotatedAt,
    );
    if (update.absoluteExpiresAt !== undefined) table.setAbsoluteExpiresAt(slot, update.absoluteExpiresAt);
    table.setActivity(
      slot,
      update.lastSeenAt,
      Math.min(update.idleExpiresAt, table.absoluteExpiresAtOf(slot)),
    );
    if (update.level !== undefined) table.setLevel(slot, update.level, update.levelAt ?? null);
    this.#queue(slot);
    return table.read(slot);
  }

  async updateData(id: string, patch: DataPatch, options: UpdateOptions): Promise<UpdateResult> {
    this.#open();
    const table = this.#sessions;
    const slot = table.slotOf(id);
    if (slot === -1 || table.expiresAtOf(slot) <= options.now) return { status: 'not_found' };
    if (options.expectedVersion !== null && options.expectedVersion !== table.versionOf(slot)) {
      return { status: 'conflict', version: table.versionOf(slot) };
    }
    const data = applyPatch(table.dataOf(slot), patch);
    // Checked on the patched data, before any write: each patch alone may be small, the sum may not grow past the limit.
    if (options.maxDataBytes !== null && options.maxDataBytes !== undefined) {
      const bytes = dataBytes(data);
      if (overLimit(bytes, options.maxDataBytes)) return { status: 'too_large', bytes };
    }
    table.setData(slot, data);
    return { status: 'ok', record: table.read(slot) };
  }

  async delete(id: string): Promise<SessionRecord | null> {
    this.#open();
    const slot = this.#sessions.slotOf(id);
    if (slot === -1) return null;
    const record = this.#sessions.read(slot);
    this.#remove(slot);
    return record;
  }

  async deleteBySubject(subject: string, exceptId: string | null): Promise<string[]> {
    this.#open();
    const removed: string[] = [];
    for (const id of this.#bySubject.idsOf(subject)) {
      if (id === exceptId) continue;
      const slot = this.#sessions.slotOf(id);
      if (slot === -1) continue;
      this.#remove(slot);
      removed.push(id);
    }
    return removed;
  }

  async listBySubject(subject: string, now: number): Promise<SessionRecord[]> {
    this.#open();
    return this.#liveOf(subject, now).map((slot) => this.#sessions.read(slot));
  }

  /** A scan of every session (at most `maxSessions`). */
  async browseSessions(query: SessionBrowse): Promise<SessionRecord[]> {
    this.#open();
    checkBrowse(query);
    // The page is chosen on the fields it sorts and filters by; only its own sessions are read whole.
    const page = browsePage(this.#browsed(), query);
    return page.map((fields) => this.#sessions.read(fields.slot));
  }

  async countSessions(now: number): Promise<number> {
    this.#open();
    let live = 0;
    for (const slot of this.#sessions.slots()) if (this.#sessions.expiresAtOf(slot) > now) live += 1;
    return live;
  }

  async deleteExpired(before: number, limit: number): Promise<number> {
    this.#open();
    let removed = 0;
    const table = this.#sessions;
    const sessions = this.#sessionExpiry;
    while (removed < limit && sessions.peekTime() < before) {
      const entry = sessions.pop() as { time: number; key: string };
      const slot = table.slotOf(entry.key);
      // An entry of a session already gone, or superseded by an earlier one (its expiry was shortened).
      if (slot === -1 || table.queuedAtOf(slot) !== entry.time) continue;
      table.setQueuedAt(slot, Number.NaN);
      if (table.expiresAtOf(slot) >= before) {
        // Touched since it was queued: queue it again at its current expiry.
        this.#queue(slot);
        continue;
      }
      this.#remove(slot);
      removed += 1;
    }
    while (removed < limit && this.#expiry.peekTime() < before) {
      const entry = this.#expiry.pop() as { time: number; key: string };
      const kind = entry.key.slice(0, 2);
      const key = entry.key.slice(2);
      if (kind === FAMILY) {
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

  /** The subject's live sessions' slots, oldest first. */
  #liveOf(subject: string, now: number): number[] {
    const table = this.#sessions;
    const live: number[] = [];
    for (const id of this.#bySubject.idsOf(subject)) {
      const slot = table.slotOf(id);
      if (slot !== -1 && table.expiresAtOf(slot) > now) live.push(slot);
    }
    return live.sort(
      (a, b) => table.createdAtOf(a) - table.createdAtOf(b) || (table.idOf(a) < table.idOf(b) ? -1 : 1),
    );
  }

  /** The slot of a session that exists, is not expired at `now` and has this secret hash; else -1. */
  #live(id: string, secretHash: string, now: number): number {
    const table = this.#sessions;
    const slot = table.slotOf(id);
    if (slot === -1 || table.secretHashOf(slot) !== secretHash || table.expiresAtOf(slot) <= now) return -1;
    return slot;
  }

  /**
   * Keeps the session's one expiry-queue entry no later than its expiry: a new entry only when it has none or
   * its expiry moved earlier (a later expiry is found, and re-queued, by the sweep).
   */
  #queue(slot: number): void {
    const table = this.#sessions;
    const expires = table.expiresAtOf(slot);
    const queued = table.queuedAtOf(slot);
    if (!Number.isNaN(queued) && queued <= expires) return;
    table.setQueuedAt(slot, expires);
    this.#sessionExpiry.push(expires, table.idOf(slot));
  }

  /** What a browse sorts and filters on, for every session. */
  *#browsed(): IterableIterator<BrowsedFields & { readonly slot: number }> {
    for (const slot of this.#sessions.slots()) yield this.#sessions.browsedFieldsOf(slot);
  }

  #remove(slot: number): void {
    this.#bySubject.delete(this.#sessions.subjectOf(slot), this.#sessions.idOf(slot));
    this.#sessions.remove(slot);
  }

  #open(): void {
    if (this.#closed) throw new StoreUnavailableError('memory store is closed');
  }
}
