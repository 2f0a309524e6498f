import type { SessionStore } from './store.js';
import { EVERYONE_SCOPE } from './cutoffs.js';
import { SessionLimitError, StoreFullError } from './errors.js';
import { EventHub, type TesseraEvent, type TesseraEventListener, type TesseraEventType } from './events.js';
import { constantTimeEqual } from './hash.js';
import { sameNetwork } from './ip.js';
import { isJsonValue, isPlainObject } from './json.js';
import { type ResolvedOptions, resolveOptions, type TesseraOptions } from './options.js';
import {
  sessionExpired,
  TOKEN_MISSING,
  tokenInvalid,
  type ValidationFailure,
  type ValidationResult,
} from './outcome.js';
import {
  type DataPatch,
  expiresAt,
  type Session,
  type SessionData,
  type SessionRecord,
  toSession,
} from './session.js';
import {
  checkLevel,
  checkSessionData,
  checkSubject,
  expiryLimit,
  type LevelRequirement,
  meetsLevel,
  renewalDue,
  slidIdleExpiry,
} from './session-rules.js';
import { callStore } from './store-fault.js';
import { resultOutcome, traced } from './tracing.js';
import { checkText, truncateText } from './text.js';
import { hashSecret, isSessionId, mintToken, newSessionId, parseToken } from './token.js';

export interface ClientInfo {
  /** The client's address, as your proxy setup establishes it. */
  ip?: string | null;
  userAgent?: string | null;
}

export interface CreateInput<Data extends SessionData> extends ClientInfo {
  subject: string;
  data?: Data;
  /** Authentication level reached at login. @default 1 */
  level?: number;
}

export interface IssuedSession<Data extends SessionData> {
  /** The token to hand to the client. Never log it. */
  readonly token: string;
  readonly session: Session<Data>;
}

export type RotateResult<Data extends SessionData> = ({ ok: true } & IssuedSession<Data>) | ValidationFailure;

/**
 * What `update` did: the patched session, or why nothing was written. `data_too_large`: the data after the
 * patch would pass `maxDataBytes` (`bytes` is its size as the store measured it); the session is unchanged.
 */
export type UpdateDataResult<Data extends SessionData> =
  | { ok: true; session: Session<Data> }
  | { ok: false; code: 'version_conflict'; version: number }
  | { ok: false; code: 'data_too_large'; bytes: number }
  | { ok: false; code: 'not_found' };

export type { LevelRequirement } from './session-rules.js';

/** What `endOtherSessions` did: how many sessions ended, or that the session's level was too low (none did). */
export type EndOthersResult =
  | { readonly ok: true; readonly ended: number }
  | { readonly ok: false; readonly code: 'insufficient_level'; readonly status: 403 };

const INSUFFICIENT_LEVEL: EndOthersResult = Object.freeze({
  ok: false,
  code: 'insufficient_level',
  status: 403,
});

/**
 * The session engine: issues, validates, renews, rotates and ends opaque server-side sessions.
 * Framework-free: adapters translate HTTP to these calls.
 */
export class SessionManager<Data extends SessionData = SessionData> {
  readonly options: ResolvedOptions;
  readonly #store: SessionStore;
  readonly #events: EventHub;

  constructor(options: TesseraOptions) {
    this.options = resolveOptions(options);
    this.#store = this.options.store;
    this.#events = new EventHub();
    if (options.onEvent !== undefined) this.#events.on('*', options.onEvent);
  }

  get store(): SessionStore {
    return this.#store;
  }

  /** Subscribes to events (`*` for all). Returns the unsubscribe function. */
  on(type: TesseraEventType | '*', listener: TesseraEventListener): () => void {
    return this.#events.on(type, listener);
  }

  /** Emits an event through this manager's hub (used by transports and CSRF checks). */
  emit(event: Omit<TesseraEvent, 'at'> & { at?: number }): void {
    this.#events.emit({ ...event, at: event.at ?? this.options.clock() });
  }

  /** Creates a session: the only operation that inserts. Use it at login (never reuse a pre-login token). */
  create(input: CreateInput<Data>): Promise<IssuedSession<Data>> {
    return traced('tessera.create', this.#store.kind, () => this.#create(input), CREATED);
  }

  async #create(input: CreateInput<Data>): Promise<IssuedSession<Data>> {
    const subject = checkSubject(input?.subject);
    const data = (input.data ?? {}) as SessionData;
    checkSessionData(data, this.options.maxDataBytes);
    const level = checkLevel(input.level ?? 1);
    const { clock, random, idleMs, absoluteMs } = this.options;
    const now = clock();
    const id = newSessionId(random, this.#store.shardFor?.(subject));
    const minted = mintToken(id, random);
    const record: SessionRecord = {
      id,
      subject,
      secretHash: minted.secretHash,
      previousSecretHash: null,
      previousSecretValidUntil: null,
      data,
      version: 1,
      level,
      levelAt: now,
      createdAt: now,
      lastSeenAt: now,
      rotatedAt: null,
      idleExpiresAt: slidIdleExpiry(now, idleMs, now + absoluteMs),
      absoluteExpiresAt: now + absoluteMs,
      ip: optionalString(input.ip, 'ip', 64),
      userAgent: optionalString(input.userAgent, 'userAgent', 1024),
    };
    const result = await this.#call('create', () =>
      this.#store.create(record, {
        now,
        maxPerSubject: this.options.maxSessionsPerSubject,
        overflow: this.options.overflow,
      }),
    ).catch((error: unknown) => {
      // A full store answers: say so with an event (operators alert on it), then refuse the login.
      if (error instanceof StoreFullError) {
        this.emit({ type: 'session-limit', at: now, sessionId: null, subject, reason: 'store-full' });
      }
      throw error;
    });
    if (!result.created) {
      this.emit({ type: 'session-limit', at: now, sessionId: null, subject });
      throw new SessionLimitError(subject, this.options.maxSessionsPerSubject ?? 0);
    }
    for (const evictedId of result.evicted) {
      this.emit({ type: 'revoked', at: now, sessionId: evictedId, subject, reason: 'evicted' });
    }
    this.emit({ type: 'created', at: now, sessionId: id, subject, detail: { level } });
    return { token: minted.token, session: toSession<Data>(record) };
  }

  /**
   * Checks a token. Malformed tokens are refused before any store access. A valid session whose idle
   * window has moved far enough is renewed (one store write per `renewalFraction` of the idle timeout).
   */
  validate(token: string | null | undefined, client: ClientInfo = {}): Promise<ValidationResult<Data>> {
    return traced('tessera.validate', this.#store.kind, () => this.#validate(token, client), resultOutcome);
  }

  async #validate(token: string | null | undefined, client: ClientInfo): Promise<ValidationResult<Data>> {
    if (token === null || token === undefined || token === '') return TOKEN_MISSING;
    const parsed = parseToken(token);
    if (parsed === null) return tokenInvalid('malformed');
    const { clock } = this.options;
    const record = await this.#call('get', () => this.#store.get(parsed.sessionId));
    const now = clock();
    if (record === null) {
      if (this.options.strict) {
        this.emit({
          type: 'unknown-token',
          at: now,
          sessionId: parsed.sessionId,
          subject: null,
          reason: 'unknown',
        });
      }
      return tokenInvalid('unknown');
    }
    const secretHash = hashSecret(parsed.secret);
    let stale = false;
    if (!constantTimeEqual(secretHash, record.secretHash)) {
      const inGrace =
        record.previousSecretHash !== null &&
        record.previousSecretValidUntil !== null &&
        now < record.previousSecretValidUntil &&
        constantTimeEqual(secretHash, record.previousSecretHash);
      if (!inGrace) {
        this.emit({
          type: 'unknown-token',
          at: now,
          sessionId: record.id,
          subject: record.subject,
          reason: 'secret_mismatch',
        });
        return tokenInvalid('secret_mismatch');
      }
      stale = true;
    }
    return this.#continue(record, client, now, stale);
  }

  /**
   * Continues a session the caller holds another proof for (a refresh family of it), by public id: the same
   * expiry, binding and renewal rules as `validate`, with the same events, but no token secret to check.
   */
  async continueSession(sessionId: string, client: ClientInfo = {}): Promise<ValidationResult<Data>> {
    if (!isSessionId(sessionId)) return tokenInvalid('malformed');
    const record = await this.#call('get', () => this.#store.get(sessionId));
    if (record === null) return tokenInvalid('unknown');
    return this.#continue(record, client, this.options.clock(), false);
  }

  /**
   * Expiry, then binding, then the sliding renewal: what every way of presenting a session goes through.
   * Synchronous unless a renewal is due (the hot path adds no promise of its own).
   */
  #continue(
    record: SessionRecord,
    client: ClientInfo,
    now: number,
    stale: boolean,
  ): ValidationResult<Data> | Promise<ValidationResult<Data>> {
    const expired = this.#expiry(record, now);
    if (expired !== null) return expired;
    const binding = this.#checkBinding(record, client, now);
    if (binding !== null) return binding;
    if (!stale && renewalDue(record, now, this.options.renewAfterMs)) return this.#renew(record, now);
    return { ok: true, session: toSession<Data>(record), renewed: false, stale };
  }

  /** Slides the idle window (compare-and-set on the secret hash, never reviving a revoked session). */
  async #renew(record: SessionRecord, now: number): Promise<ValidationResult<Data>> {
    const idleExpiresAt = slidIdleExpiry(now, this.options.idleMs, record.absoluteExpiresAt);
    const wrote = await this.#call('touch', () =>
      this.#store.touch(record.id, {
        now,
        expectedSecretHash: record.secretHash,
        lastSeenAt: now,
        idleExpiresAt,
      }),
    );
    // The session was revoked or rotated between our read and the write: never revive it.
    if (!wrote) return tokenInvalid('revoked');
    record.lastSeenAt = now;
    record.idleExpiresAt = idleExpiresAt;
    return { ok: true, session: toSession<Data>(record), renewed: true, stale: false };
  }

  /**
   * Issues a new token for the same session; the old one stops working (after `rotationGrace`, if set).
   * `validated` is this request's own `validate` result for the same token: passing it saves a second read
   * (the store's compare-and-set on the secret hash still refuses a token revoked or rotated since).
   */
  rotate(
    token: string | null | undefined,
    client: ClientInfo = {},
    validated?: ValidationResult<Data>,
  ): Promise<RotateResult<Data>> {
    return traced(
      'tessera.rotate',
      this.#store.kind,
      () => this.#rotate(token, client, undefined, validated),
      resultOutcome,
    );
  }

  /**
   * Step-up ("sudo mode"): rotates the token and records a new authentication level and its time.
   * Call it after re-checking the user's credentials. Re-authentication resets both timeouts (NIST SP
   * 800-63B-4 §5.2, ASVS 5.0 7.1.1): a fresh absolute window of `absoluteTimeout` and a fresh idle window
   * from now, so a user who keeps re-authenticating keeps the session; someone holding only the token cannot.
   */
  elevate(
    token: string | null | undefined,
    level: number,
    client: ClientInfo = {},
    validated?: ValidationResult<Data>,
  ): Promise<RotateResult<Data>> {
    const checked = checkLevel(level);
    return traced(
      'tessera.elevate',
      this.#store.kind,
      () => this.#rotate(token, client, checked, validated),
      resultOutcome,
    );
  }

  /** Whether a session meets a level requirement (with an optional freshness window). */
  hasLevel(session: Session<SessionData>, requirement: LevelRequirement): boolean {
    return meetsLevel(session, requirement, this.options.clock());
  }

  /** Ends the session a token belongs to (logout). Returns whether a session was ended. */
  revoke(token: string | null | undefined, reason = 'logout'): Promise<boolean> {
    return traced('tessera.revoke', this.#store.kind, () => this.#revoke(token, reason), revokeOutcome);
  }

  async #revoke(token: string | null | undefined, reason: string): Promise<boolean> {
    const parsed = parseToken(token);
    if (parsed === null) return false;
    const record = await this.#call('get', () => this.#store.get(parsed.sessionId));
    if (record === null) return false;
    const hash = hashSecret(parsed.secret);
    // The replaced secret counts only inside its grace window, as in validate: a dead token ends nothing.
    const now = this.options.clock();
    const matches =
      constantTimeEqual(hash, record.secretHash) ||
      (record.previousSecretHash !== null &&
        record.previousSecretValidUntil !== null &&
        now < record.previousSecretValidUntil &&
        constantTimeEqual(hash, record.previousSecretHash));
    if (!matches) return false;
    return this.revokeById(parsed.sessionId, reason);
  }

  /** Ends a session by its public id (admin action, "sign out this device"). */
  async revokeById(sessionId: string, reason = 'admin'): Promise<boolean> {
    if (!isSessionId(sessionId)) return false;
    const removed = await this.#call('delete', () => this.#store.delete(sessionId));
    if (removed === null) return false;
    this.emit({ type: 'revoked', sessionId, subject: removed.subject, reason });
    return true;
  }

  /** Ends every session of a subject, optionally keeping one ("sign out all others"). Returns how many ended. */
  async revokeSubject(
    subject: string,
    options: { except?: string | null; reason?: string } = {},
  ): Promise<number> {
    const checked = checkSubject(subject);
    const except = options.except ?? null;
    if (except !== null && !isSessionId(except)) throw new TypeError('tessera: except must be a session id');
    const removed = await this.#call('deleteBySubject', () => this.#store.deleteBySubject(checked, except));
    const reason = options.reason ?? (except === null ? 'revoke-all' : 'revoke-others');
    const at = this.options.clock();
    for (const id of removed) this.emit({ type: 'revoked', at, sessionId: id, subject: checked, reason });
    return removed.length;
  }

  /**
   * "Sign out my other sessions": ends every session of `current`'s subject but `current` (pass the session this
   * request validated). With the `endOthersRequires` option (ASVS 5.0 7.5.2), a session below that level, or
   * whose level is older than its `maxAge`, gets `insufficient_level` (403) and nothing ends: re-check the
   * user's password, `elevate`, and call again. Returns how many sessions ended.
   * @example const ended = await manager.endOtherSessions(session); if (!ended.ok) askForPassword();
   */
  async endOtherSessions(
    current: Session<SessionData>,
    options: { reason?: string } = {},
  ): Promise<EndOthersResult> {
    if (typeof current !== 'object' || current === null)
      throw new TypeError('tessera: current must be a session');
    const requirement = this.options.endOthersRequires;
    if (requirement !== null && !this.hasLevel(current, requirement)) return INSUFFICIENT_LEVEL;
    const reason = options.reason ?? 'revoke-others';
    const ended = await this.revokeSubject(current.subject, { except: current.id, reason });
    return { ok: true, ended };
  }

  /**
   * Ends every session of every user at once (ASVS 5.0 7.4.5: after a breach, a leaked signing key, a mass
   * password reset). First sets the store-wide cut-off (`EVERYONE_SCOPE`), so sealed sessions and strictly
   * verified access tokens issued until now are refused wherever they use this store; then removes every
   * server-side session and refresh family (`deleteAllSessions`). Every node sharing the store refuses the old
   * tokens from then on (no node caches a session). Logins after the call work as usual; on Redis a login
   * that races the call may survive it (see `SessionRecords.deleteAllSessions`). Emits one
   * `revoked-everyone` event with the count. A store fault throws StoreUnavailableError; the call can then
   * be repeated (both steps are idempotent). Returns how many server-side sessions it ended.
   * @example await manager.endEverySession({ reason: 'signing-key-leak' });
   */
  async endEverySession(options: { reason?: string } = {}): Promise<number> {
    const reason = checkReason(options?.reason);
    const now = this.options.clock();
    // The cut-off first: a sealed cookie or access token must not outlive the records it stood for.
    await this.#call('setSubjectNotBefore', () =>
      this.#store.setSubjectNotBefore(EVERYONE_SCOPE, now + 1, now + this.options.absoluteMs),
    );
    const ended = await this.#call('deleteAllSessions', () => this.#store.deleteAllSessions());
    this.emit({
      type: 'revoked-everyone',
      at: now,
      sessionId: null,
      subject: null,
      reason,
      detail: { ended },
    });
    return ended;
  }

  /** A subject's live sessions, oldest first: metadata for "your active sessions" pages. */
  async list(subject: string): Promise<Session<Data>[]> {
    const checked = checkSubject(subject);
    const records = await this.#call('listBySubject', () =>
      this.#store.listBySubject(checked, this.options.clock()),
    );
    return records.map((record) => toSession<Data>(record));
  }

  /** A session by public id, if it is live. */
  async get(sessionId: string): Promise<Session<Data> | null> {
    if (!isSessionId(sessionId)) return null;
    const record = await this.#call('get', () => this.#store.get(sessionId));
    if (record === null || expiresAt(record) <= this.options.clock()) return null;
    return toSession<Data>(record);
  }

  /**
   * Patches session data atomically in the store. With `version`, a stale version is refused with
   * `version_conflict` instead of overwriting a concurrent change. Data that would grow past `maxDataBytes`
   * is refused with `data_too_large` in the same atomic step, so many small patches cannot add up past the
   * limit (a `set` that alone passes it is a caller error: TypeError, as before).
   */
  async update(
    sessionId: string,
    patch: DataPatch,
    options: { version?: number | null } = {},
  ): Promise<UpdateDataResult<Data>> {
    checkPatch(patch);
    checkSessionData(patch.set ?? {}, this.options.maxDataBytes);
    const version = options.version ?? null;
    // Every store keeps the version in 32 bits (PostgreSQL `integer`): a larger one is malformed, not a fault.
    if (version !== null && (!Number.isInteger(version) || version < 1 || version > MAX_VERSION)) {
      throw new TypeError(`tessera: version must be an integer from 1 to ${MAX_VERSION}`);
    }
    if (!isSessionId(sessionId)) return { ok: false, code: 'not_found' };
    const now = this.options.clock();
    const result = await this.#call('updateData', () =>
      this.#store.updateData(sessionId, patch, {
        now,
        expectedVersion: version,
        maxDataBytes: this.options.maxDataBytes,
      }),
    );
    if (result.status === 'not_found') return { ok: false, code: 'not_found' };
    if (result.status === 'conflict') return { ok: false, code: 'version_conflict', version: result.version };
    if (result.status === 'too_large') return { ok: false, code: 'data_too_large', bytes: result.bytes };
    this.emit({
      type: 'data-updated',
      at: now,
      sessionId,
      subject: result.record.subject,
      detail: { version: result.record.version },
    });
    return { ok: true, session: toSession<Data>(result.record) };
  }

  /** Removes expired sessions in one bounded batch. Returns how many it removed. */
  sweepExpired(limit = 500): Promise<number> {
    const before = this.options.clock() - this.options.retentionMs;
    return this.#call('deleteExpired', () => this.#store.deleteExpired(before, limit));
  }

  /**
   * Sweeps expired sessions every `intervalSeconds` (unref'd timer). Returns the function that stops it.
   * Each tick removes batches until fewer than `batch` were removed, so cost follows what expired.
   */
  startSweeper(intervalSeconds = 60, batch = 500): () => void {
    let running = false;
    const timer = setInterval(async () => {
      if (running) return;
      running = true;
      try {
        while ((await this.sweepExpired(batch)) >= batch) {
          /* keep draining */
        }
      } catch {
        // A store fault is retried on the next tick; requests already fail closed on their own.
      } finally {
        running = false;
      }
    }, intervalSeconds * 1000);
    timer.unref();
    return () => clearInterval(timer);
  }

  async #rotate(
    token: string | null | undefined,
    client: ClientInfo,
    level: number | undefined,
    validated: ValidationResult<Data> | undefined,
  ): Promise<RotateResult<Data>> {
    const current = validated?.ok === true ? validated : await this.validate(token, client);
    if (!current.ok) return current;
    if (current.stale) return tokenInvalid('secret_mismatch');
    const parsed = parseToken(token);
    // A `validated` result must be this token's own.
    if (parsed === null || parsed.sessionId !== current.session.id) return tokenInvalid('malformed');
    const { clock, random, idleMs, absoluteMs, rotationGraceMs } = this.options;
    const now = clock();
    // Re-authentication (a level given) starts a fresh overall window; a plain rotation keeps the old one.
    const absoluteExpiresAt = level === undefined ? current.session.absoluteExpiresAt : now + absoluteMs;
    const oldHash = hashSecret(parsed.secret);
    const minted = mintToken(current.session.id, random);
    const updated = await this.#call('rotate', () =>
      this.#store.rotate(current.session.id, {
        now,
        expectedSecretHash: oldHash,
        secretHash: minted.secretHash,
        previousSecretHash: rotationGraceMs > 0 ? oldHash : null,
        previousSecretValidUntil: rotationGraceMs > 0 ? now + rotationGraceMs : null,
        rotatedAt: now,
        lastSeenAt: now,
        idleExpiresAt: slidIdleExpiry(now, idleMs, absoluteExpiresAt),
        ...(level === undefined ? {} : { level, levelAt: now, absoluteExpiresAt }),
      }),
    );
    // Lost a race with another rotation or a revoke: the presented token is no longer the current one.
    if (updated === null) return tokenInvalid('revoked');
    const type = level === undefined ? 'rotated' : 'elevated';
    this.emit({
      type,
      at: now,
      sessionId: updated.id,
      subject: updated.subject,
      ...(level === undefined ? {} : { detail: { level } }),
    });
    return { ok: true, token: minted.token, session: toSession<Data>(updated) };
  }

  #expiry(record: SessionRecord, now: number): ValidationFailure | null {
    const limit = expiryLimit(record, now);
    if (limit === null) return null;
    this.emit({ type: 'expired', at: now, sessionId: record.id, subject: record.subject, reason: limit });
    return sessionExpired(limit, record.id);
  }

  #checkBinding(record: SessionRecord, client: ClientInfo, now: number): ValidationFailure | null {
    const { bindIp, bindUserAgent } = this.options;
    let reason: 'binding_ip' | 'binding_user_agent' | null = null;
    if (bindIp !== 'off' && record.ip !== null) {
      const ip = client.ip ?? '';
      const same =
        bindIp === 'exact'
          ? ip === record.ip || sameNetwork(ip, record.ip, 32, 128)
          : sameNetwork(ip, record.ip, this.options.ipv4PrefixBits, this.options.ipv6PrefixBits);
      if (!same) reason = 'binding_ip';
    }
    if (
      reason === null &&
      bindUserAgent &&
      record.userAgent !== null &&
      client.userAgent !== record.userAgent
    ) {
      reason = 'binding_user_agent';
    }
    if (reason === null) return null;
    this.emit({ type: 'binding-mismatch', at: now, sessionId: record.id, subject: record.subject, reason });
    return tokenInvalid(reason);
  }

  #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callStore(this.#store.kind, operation, run);
  }
}

const CREATED = (): { 'tessera.outcome': string } => ({ 'tessera.outcome': 'ok' });
const revokeOutcome = (ended: boolean): { 'tessera.outcome': string } => ({
  'tessera.outcome': ended ? 'revoked' : 'not_found',
});

/** The largest data version: stores keep it as a 32-bit integer. */
export const MAX_VERSION = 2_147_483_647;

/** Creates the session engine. */
export function createTessera<Data extends SessionData = SessionData>(
  options: TesseraOptions,
): SessionManager<Data> {
  return new SessionManager<Data>(options);
}

function optionalString(value: unknown, name: string, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new TypeError(`tessera: ${name} must be a string`);
  return truncateText(checkText(value, name), max);
}

/** An event reason from the caller: bounded text, never control characters (it lands in logs and the trail). */
function checkReason(reason: unknown): string {
  if (reason === undefined) return 'end-every-session';
  if (typeof reason !== 'string' || reason === '' || hasControl(reason)) {
    throw new TypeError('tessera: reason must be a non-empty string without control characters');
  }
  return truncateText(checkText(reason, 'reason'), 64);
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function checkPatch(patch: DataPatch): void {
  if (!isPlainObject(patch)) throw new TypeError('tessera: a patch must be an object with set and/or unset');
  const set = patch.set ?? {};
  const unset = patch.unset ?? [];
  if (!isPlainObject(set) || !isJsonValue(set))
    throw new TypeError('tessera: patch.set must be a JSON object');
  if (!Array.isArray(unset) || !unset.every((key) => typeof key === 'string')) {
    throw new TypeError('tessera: patch.unset must be an array of strings');
  }
  for (const key of unset) {
    checkText(key, 'patch.unset items');
    if (Object.hasOwn(set, key))
      throw new TypeError(`tessera: key "${key.slice(0, 64)}" is both set and unset`);
  }
}
