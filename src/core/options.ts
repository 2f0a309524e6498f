import type { SessionStore } from './store.js';
import { type Clock, systemClock } from './clock.js';
import type { TesseraEventListener } from './events.js';
import { integerInRange, positiveNumber, resolveLifetime } from './numbers.js';
import { cryptoRandom, type RandomSource } from './random.js';
import type { LevelRequirement } from './session-rules.js';

/** Which parts of the client a session is bound to. A mismatch is answered as an invalid token. */
export interface BindingOptions {
  /**
   * `exact`: the address must match; `prefix`: the same network (see the prefix sizes); `off`: not checked.
   * Mobile clients change addresses often: prefer `prefix` or `off` for them.
   * @default 'off'
   */
  ip?: 'off' | 'exact' | 'prefix';
  /** @default 24 */
  ipv4PrefixBits?: number;
  /** @default 64 */
  ipv6PrefixBits?: number;
  /**
   * Whether the User-Agent header must stay the same for the life of the session.
   * @default false
   */
  userAgent?: boolean;
}

export interface TesseraOptions {
  /** Where sessions live. */
  store: SessionStore;
  /**
   * Seconds without activity after which a session ends (OWASP: 15-30 min for low-risk apps; NIST SP 800-63B-4:
   * at most 1 h at AAL2, 15 min at AAL3; ASVS 5.0 7.1.1). See `presets` for one per assurance level.
   * @default 1800
   */
  idleTimeout?: number;
  /**
   * Seconds after login, or after the last re-authentication (`elevate`, which starts a fresh window), after
   * which a session ends whatever the activity (NIST SP 800-63B-4: at most 24 h at AAL2, 12 h at AAL3).
   * @default 43200
   */
  absoluteTimeout?: number;
  /**
   * Activity is written back (sliding the idle window) once this fraction of the idle timeout has passed
   * since the last write, so a busy session costs one store write per window fraction, not one per request.
   * @default 0.1
   */
  renewalFraction?: number;
  /**
   * Seconds during which the token replaced by a rotation still validates, for requests already in flight.
   * 0 makes the old token dead at once.
   * @default 0
   */
  rotationGrace?: number;
  /**
   * Strict mode: a well-formed token the server does not know is refused and reported with an
   * `unknown-token` event (session fixation and token-guessing alarm).
   * @default true
   */
  strict?: boolean;
  /** Optional binding of a session to the client's address and user agent. */
  binding?: BindingOptions;
  /**
   * Live sessions one subject may hold at once, or null for no cap.
   * @default null
   */
  maxSessionsPerSubject?: number | null;
  /**
   * At the cap: `refuse` the new session (SessionLimitError) or `evict-oldest`.
   * @default 'evict-oldest'
   */
  overflow?: 'refuse' | 'evict-oldest';
  /**
   * Seconds an expired session is kept so its token is answered "expired" (440) rather than "invalid" (401).
   * @default 600
   */
  expiredRetention?: number;
  /**
   * Largest serialized session data, in UTF-8 bytes of JSON: checked at create, and on every update against
   * the data after the patch, atomically in the store (PostgreSQL measures its own jsonb text).
   * @default 65536
   */
  maxDataBytes?: number;
  /**
   * The level a session needs for `endOtherSessions` ("sign out my other sessions", ASVS 5.0 7.5.2): with a
   * `maxAge`, the user must have re-authenticated (`elevate`) within that many seconds, so someone holding a
   * stolen session cannot sign the real user out of their other devices. Below it, `endOtherSessions` answers
   * `insufficient_level` (403) and ends nothing. Unset: any session of the subject may end the others.
   * @default undefined (no requirement)
   * @example { level: 2, maxAge: 300 }
   */
  endOthersRequires?: LevelRequirement;
  /** Time source in ms since the epoch. @default Date.now */
  clock?: Clock;
  /** CSPRNG. @default `cryptoRandom` (the platform CSPRNG: node:crypto, or WebCrypto on workerd and in browsers) */
  random?: RandomSource;
  /** Called for every event (same as `manager.on('*', listener)`). */
  onEvent?: TesseraEventListener;
}

export interface ResolvedOptions {
  readonly store: SessionStore;
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly renewAfterMs: number;
  readonly rotationGraceMs: number;
  readonly strict: boolean;
  readonly bindIp: 'off' | 'exact' | 'prefix';
  readonly ipv4PrefixBits: number;
  readonly ipv6PrefixBits: number;
  readonly bindUserAgent: boolean;
  readonly maxSessionsPerSubject: number | null;
  readonly overflow: 'refuse' | 'evict-oldest';
  readonly retentionMs: number;
  readonly maxDataBytes: number;
  readonly endOthersRequires: Readonly<LevelRequirement> | null;
  readonly clock: Clock;
  readonly random: RandomSource;
}

/** Validates options once, at construction, and returns a new normalized object (the caller's is not touched). */
export function resolveOptions(options: TesseraOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('tessera: options are required');
  const store = options.store;
  if (typeof store !== 'object' || store === null || typeof store.get !== 'function') {
    throw new TypeError('tessera: options.store must be a SessionStore');
  }
  const lifetime = resolveLifetime(options);
  const binding = options.binding ?? {};
  const bindIp = binding.ip ?? 'off';
  if (!['off', 'exact', 'prefix'].includes(bindIp)) {
    throw new TypeError("tessera: binding.ip must be 'off', 'exact' or 'prefix'");
  }
  const overflow = options.overflow ?? 'evict-oldest';
  if (overflow !== 'refuse' && overflow !== 'evict-oldest') {
    throw new TypeError("tessera: overflow must be 'refuse' or 'evict-oldest'");
  }
  const cap = options.maxSessionsPerSubject ?? null;
  if (cap !== null && (!Number.isInteger(cap) || cap < 1)) {
    throw new TypeError('tessera: maxSessionsPerSubject must be a positive integer or null');
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new TypeError('tessera: clock must be a function returning milliseconds');
  }
  if (options.random !== undefined && typeof options.random !== 'function') {
    throw new TypeError('tessera: random must be a function returning random bytes');
  }
  return Object.freeze({
    store,
    ...lifetime,
    rotationGraceMs: positiveNumber('rotationGrace', options.rotationGrace, 0, { allowZero: true }) * 1000,
    strict: options.strict ?? true,
    bindIp,
    ipv4PrefixBits: integerInRange('binding.ipv4PrefixBits', binding.ipv4PrefixBits, 24, 1, 32),
    ipv6PrefixBits: integerInRange('binding.ipv6PrefixBits', binding.ipv6PrefixBits, 64, 1, 128),
    bindUserAgent: binding.userAgent ?? false,
    maxSessionsPerSubject: cap,
    overflow,
    retentionMs:
      positiveNumber('expiredRetention', options.expiredRetention, 600, { allowZero: true }) * 1000,
    maxDataBytes: integerInRange('maxDataBytes', options.maxDataBytes, 65536, 2, 16 * 1024 * 1024),
    endOthersRequires: resolveRequirement('endOthersRequires', options.endOthersRequires),
    clock: options.clock ?? systemClock,
    random: options.random ?? cryptoRandom,
  });
}

/** A level requirement option, copied and frozen; `TypeError` naming the option on a bad one. */
function resolveRequirement(name: string, value: unknown): Readonly<LevelRequirement> | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`tessera: ${name} must be { level, maxAge? }`);
  }
  const { level, maxAge } = value as Partial<LevelRequirement>;
  if (typeof level !== 'number' || !Number.isInteger(level) || level < 0) {
    throw new TypeError(`tessera: ${name}.level must be a non-negative integer`);
  }
  if (maxAge === undefined) return Object.freeze({ level });
  return Object.freeze({ level, maxAge: positiveNumber(`${name}.maxAge`, maxAge, 0) });
}
