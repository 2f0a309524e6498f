import type { DataPatch, SessionRecord } from './session.js';

/**
 * The store contract, split by capability: `SessionRecords` (server-side sessions), `SubjectCutoffs` (per-subject
 * "not before" times, for "log out everywhere" in stateless modes), `RefreshFamilies` (rotating refresh
 * tokens) and `OneTimeKeys` (DPoP proof replay). A mode asks only for what it uses: sealed sessions and access tokens a `SubjectCutoffs`, refresh
 * tokens a store with `RefreshFamilies` behind their manager. Every store implements all four
 * (`SessionStore`) and passes one conformance suite against its real server.
 *
 * Every method returns a Promise; "not found" is `null` / `false`, faults throw (a store that cannot answer
 * throws `StoreUnavailableError`). Each method is atomic on its own, as documented per method; the manager
 * never needs a multi-call transaction.
 *
 * Invariants every store keeps (the conformance suite checks each one):
 * - only `create` inserts a session: `touch`, `rotate` and `updateData` on a missing id do nothing,
 *   so an update racing a revoke never brings a session back;
 * - a record is never returned with a different `secretHash` than the one last written;
 * - records may be dropped any time after `expiresAt(record) + retention`, never before their expiry.
 */
export interface SessionStore
  extends SessionRecords,
    SubjectCutoffs,
    RefreshFamilies,
    OneTimeKeys,
    StoreLifecycle {}

/** What every store has, whatever it holds. */
export interface StoreLifecycle {
  /** Short name for logs and metrics, e.g. `memory`, `sqlite`, `postgres`, `redis`. */
  readonly kind: string;
  /** Cheap liveness check for health endpoints; throws when the store cannot answer. */
  ping(): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** What `tessera doctor` reads from a store, without changing anything (no migration, no write). */
export interface StoreInspection {
  /** The store server's clock (ms since the epoch), for clock-skew checks; null for an in-process store. */
  readonly serverTime: number | null;
  /** The schema version found and the one this release writes; null when the store has no versioned schema. */
  readonly schema: { readonly version: number; readonly latest: number } | null;
}

/** Optional capability of a store: an operator's look at it (`tessera doctor`). */
export interface InspectableStore {
  inspect(): Promise<StoreInspection>;
}

/**
 * Optional capability of a store: an operator's look across every subject's live sessions (the admin console's
 * list of all sessions, its search by address, its live count). Read-only. Without it a console still finds
 * sessions by subject (`listBySubject`) and by id (`get`).
 */
export interface BrowsableStore {
  /**
   * One page of the sessions live at `query.now`, in the asked order (ties broken by `id`, in the same
   * direction), starting strictly after `query.after`. May scan every session (no index on the address).
   */
  browseSessions(query: SessionBrowse): Promise<SessionRecord[]>;
  /** How many sessions are live at `now`. */
  countSessions(now: number): Promise<number>;
}

/** What `browseSessions` reads: a filter, an order and a keyset cursor. */
export interface SessionBrowse {
  readonly now: number;
  /** Only sessions whose `ip` is exactly this, or null for every live session. */
  readonly ip: string | null;
  readonly order: 'createdAt' | 'lastSeenAt';
  readonly descending: boolean;
  /** The sort value and id of the last record of the page before, or null for the first page. */
  readonly after: { readonly value: number; readonly id: string } | null;
  /** Most records to return, 1 to 1000. */
  readonly limit: number;
}

/** Server-side session records: what `SessionManager` needs. */
export interface SessionRecords {
  /**
   * Optional: a 4-character base64url shard for a subject, put at the start of each session id so
   * a store can co-locate a subject's sessions (Redis Cluster hash slots). Stores without it get a random one.
   */
  shardFor?(subject: string): string;

  /**
   * Inserts a new session. Atomic with the per-subject cap: counts the subject's live sessions
   * (those with `expiresAt > now`), and when `maxPerSubject` would be passed either refuses or removes the
   * oldest live sessions (by `createdAt`) first. Throws if `record.id` already exists.
   */
  create(record: SessionRecord, options: CreateOptions): Promise<CreateResult>;

  /** The record for an id, or null. May return an expired record that has not been removed yet. */
  get(id: string): Promise<SessionRecord | null>;

  /**
   * Slides the idle window: sets `lastSeenAt` and `idleExpiresAt` only if the record exists, its secret hash
   * still equals `expectedSecretHash`, and it has not expired at `now`. Returns whether it wrote.
   */
  touch(id: string, update: TouchUpdate): Promise<boolean>;

  /**
   * Replaces the secret: compare-and-set on `expectedSecretHash`, on a live record only (liveness is judged on
   * the stored expiries, before the update). With `absoluteExpiresAt`, also moves the absolute expiry.
   * Returns the updated record, or null when the record is missing, expired or its hash differs.
   */
  rotate(id: string, update: RotateUpdate): Promise<SessionRecord | null>;

  /**
   * Applies a data patch to a live record, increments `version`. With `expectedVersion`, refuses
   * with `conflict` when the stored version differs. Concurrent patches of different keys all survive.
   * With `maxDataBytes`, refuses with `too_large` (nothing written, version unchanged) when the patched data
   * would serialize to more than that many UTF-8 bytes of JSON, checked in the same atomic step as the write,
   * so many small patches cannot grow data past the limit. The size is of the store's own JSON text
   * (JSON.stringify; PostgreSQL measures `jsonb::text`, which adds a space after each `:` and `,`).
   */
  updateData(id: string, patch: DataPatch, options: UpdateOptions): Promise<UpdateResult>;

  /** Removes a session. Returns the removed record (even if expired), or null. */
  delete(id: string): Promise<SessionRecord | null>;

  /** Removes every session of a subject except `exceptId`. Returns the removed ids. Atomic per subject. */
  deleteBySubject(subject: string, exceptId: string | null): Promise<string[]>;

  /** The subject's live sessions at `now` (expiry after `now`), oldest first. */
  listBySubject(subject: string, now: number): Promise<SessionRecord[]>;

  /**
   * Removes up to `limit` sessions and refresh families whose expiry is before `before`.
   * Returns how many it removed; cost is proportional to that number, never a full scan.
   */
  deleteExpired(before: number, limit: number): Promise<number>;

  /**
   * Removes every session record, every refresh family and the per-subject indexes in this store ("end every
   * session of every user", ASVS 5.0 7.4.5); "not before" times stay. Returns how many sessions it removed.
   * Atomicity differs by store: memory, SQLite and PostgreSQL remove everything in one step (one transaction);
   * Redis walks the store's key prefix with SCAN on every primary of a cluster and removes what it finds, so a
   * session present for the whole call is always removed, while one created after the call started (a new
   * login) may survive. Callers that must refuse stateless credentials too set a cut-off first
   * (`EVERYONE_SCOPE`, core/cutoffs.ts), as `SessionManager.endEverySession` does.
   */
  deleteAllSessions(): Promise<number>;
}

/** Per-subject cut-off times: what sealed sessions and access tokens need for "log out everywhere". */
export interface SubjectCutoffs {
  /** Short name for logs and metrics. */
  readonly kind: string;
  /** Per-subject "not before" time (ms): sealed cookies and access tokens issued earlier are refused. */
  getSubjectNotBefore(subject: string): Promise<number | null>;
  /**
   * The latest "not before" time of several scopes (subjects or the reserved scopes of `core/cutoffs.ts`), or null
   * when none has one: what a sealed session or a strict access token checks on every request, in one read where
   * the store can (one query, one script).
   */
  getLatestNotBefore(scopes: readonly string[]): Promise<number | null>;
  /** Sets the "not before" time; never moves it backwards. `expiresAt` bounds how long it must be kept. */
  setSubjectNotBefore(subject: string, notBefore: number, expiresAt: number): Promise<void>;
}

/**
 * Keys that may be used once: the `jti` of each DPoP proof (RFC 9449 11.1), so a captured proof cannot be replayed
 * on any node while it is fresh enough to be accepted.
 */
export interface OneTimeKeys {
  /**
   * Records `key` as used until `expiresAt` (ms). True the first time (or once an earlier record of it has
   * expired at `now`); false when it is already recorded: a replay. Atomic: of concurrent calls with one key,
   * exactly one is true. Keys are printable ASCII of 1..200 characters (callers pass a hash); else `TypeError`.
   */
  useOnce(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/** Refresh-token families: what `RefreshTokens` needs (through its manager's store). */
export interface RefreshFamilies {
  /** Inserts a refresh-token family. Throws if the id exists. */
  createRefreshFamily(record: RefreshFamilyRecord): Promise<void>;
  getRefreshFamily(familyId: string): Promise<RefreshFamilyRecord | null>;
  /**
   * Advances a family one generation: compare-and-set on `expected.generation` and `expected.currentHash`,
   * on a family that is not revoked. Returns whether it wrote (false: someone else advanced it first).
   */
  advanceRefreshFamily(
    familyId: string,
    expected: RefreshExpectation,
    next: RefreshAdvance,
  ): Promise<boolean>;
  /** Marks a family revoked. Returns false if it did not exist. */
  revokeRefreshFamily(familyId: string, now: number): Promise<boolean>;
}

export interface CreateOptions {
  now: number;
  /** Live sessions a subject may hold, or null for no cap. */
  maxPerSubject: number | null;
  /** What happens at the cap: refuse the new session, or remove the oldest. */
  overflow: 'refuse' | 'evict-oldest';
}

export type CreateResult = { created: true; evicted: string[] } | { created: false; reason: 'limit' };

export interface TouchUpdate {
  now: number;
  expectedSecretHash: string;
  lastSeenAt: number;
  idleExpiresAt: number;
}

export interface RotateUpdate {
  now: number;
  expectedSecretHash: string;
  secretHash: string;
  previousSecretHash: string | null;
  previousSecretValidUntil: number | null;
  rotatedAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  /** When given, the new authentication level and its time (elevation). */
  level?: number;
  levelAt?: number | null;
  /**
   * When given, the new absolute expiry: set on re-authentication (elevation), which starts a fresh overall
   * window (NIST SP 800-63B-4 §5.2). It may move the expiry later or earlier; the store's own expiry
   * bookkeeping (key TTLs, expiry indexes, sweep order) follows it, and `idleExpiresAt` is clamped to it.
   * Absent: the stored absolute expiry is unchanged.
   */
  absoluteExpiresAt?: number;
}

export interface UpdateOptions {
  now: number;
  expectedVersion: number | null;
  /** Largest serialized data (UTF-8 bytes of JSON) the patched record may hold, or null (or absent) for no limit. */
  maxDataBytes?: number | null;
}

export type UpdateResult =
  | { status: 'ok'; record: SessionRecord }
  | { status: 'conflict'; version: number }
  | { status: 'too_large'; bytes: number }
  | { status: 'not_found' };

/** One refresh-token family: the chain of refresh tokens that descend from one issue. */
export interface RefreshFamilyRecord {
  familyId: string;
  sessionId: string;
  subject: string;
  /** Generation of the current refresh token (0 for the first). */
  generation: number;
  /** SHA-256 of the current refresh secret. */
  currentHash: string;
  /**
   * A keyed hash of the previous refresh secret bound to the client that rotated it, for the concurrent-refresh
   * grace window. Opaque to stores.
   */
  previousHash: string | null;
  /** When the family last advanced. */
  rotatedAt: number | null;
  createdAt: number;
  /** Absolute end of the family. */
  expiresAt: number;
  revokedAt: number | null;
}

export interface RefreshExpectation {
  generation: number;
  currentHash: string;
}

export interface RefreshAdvance {
  generation: number;
  currentHash: string;
  previousHash: string;
  rotatedAt: number;
}
