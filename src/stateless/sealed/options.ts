import { type Clock, systemClock } from '../../core/clock.js';
import type { TesseraEventListener } from '../../core/events.js';
import { integerInRange, resolveLifetime } from '../../core/numbers.js';
import { cryptoRandom, type RandomSource } from '../../core/random.js';
import type { SubjectCutoffs } from '../../core/store.js';
import {
  type CookieOptions,
  type ResolvedCookieOptions,
  resolveCookieOptions,
} from '../../transport/cookie.js';
import type { CsrfOptions } from '../../transport/csrf/options.js';
import type { ClearSiteDataType } from '../../transport/session-mode.js';
import { type SealKey, SealKeyRing } from './keys.js';

export interface SealedSessionsOptions {
  /**
   * Sealing keys, newest first: the first seals, all of them open. To rotate, put a new key first; remove the
   * old one once every cookie sealed with it has expired or been re-sealed (at most the absolute timeout).
   * A compromised key is removed at once, not after that overlap: while it is in the ring, whoever holds it
   * can seal sessions (within the configured lifetimes: seals claiming more are refused).
   * @example [{ id: '2026-02', secret: process.env.SEAL_KEY_NEW }, { id: '2026-01', secret: process.env.SEAL_KEY_OLD }]
   */
  keys: SealKey[];
  /** Cookie settings (safe defaults: `__Host-session`, HttpOnly, Secure, SameSite=Strict). */
  cookie?: CookieOptions;
  /** Seconds without activity after which the session ends. @default 1800 */
  idleTimeout?: number;
  /** Seconds after login, or after the last `elevate` (re-authentication), after which the session ends. @default 43200 */
  absoluteTimeout?: number;
  /** The cookie is re-sealed (sliding the idle window) after this fraction of the idle timeout. @default 0.1 */
  renewalFraction?: number;
  /**
   * Split a seal larger than one cookie across `name.0`, `name.1`, …; when false, a too-large session is a
   * `cookie_too_large` error before any header is written.
   * @default true
   */
  chunking?: boolean;
  /** Most cookies one session may use. @default 3 */
  maxChunks?: number;
  /** Largest `Set-Cookie` value (name, value and attributes) per cookie, in bytes. @default 4096 */
  maxCookieBytes?: number;
  /** Deflate the payload when that makes it smaller. @default true */
  compress?: boolean;
  /** Largest serialized session data in bytes. @default 16384 */
  maxDataBytes?: number;
  /**
   * Optional store for per-subject "not before" times, so `revokeSubject` ("log out everywhere") kills sealed
   * sessions too. It costs one store read per request; without it, sealed sessions live until they expire.
   */
  store?: SubjectCutoffs;
  /**
   * Opened seals to keep in memory, keyed by the exact cookie value, so a cookie seen again (every request
   * between two renewals) skips the AES-GCM open. Expiry and not-before are still checked on every request;
   * sessions served from the cache are frozen. 0 turns it off.
   * @default 0
   */
  cacheSize?: number;
  /** @default Date.now */
  clock?: Clock;
  /** @default `cryptoRandom` (the platform CSPRNG: node:crypto, or WebCrypto on workerd and in browsers) */
  random?: RandomSource;
  onEvent?: TesseraEventListener;
  /**
   * CSRF defence for unsafe methods, as for server-side sessions: a sealed cookie is attached by the browser
   * on cross-site requests too. Fetch Metadata / Origin checks, then the session-bound signed token. `false`
   * turns it off (only where no browser ever holds the cookie).
   * @default {} (on, with a random per-process token key: set `secret` when you run more than one process)
   */
  csrf?: CsrfOptions | false;
  /**
   * `Clear-Site-Data` types sent on logout (ASVS 5.0 14.3.1); `false` sends none.
   * @default ['cookies']
   */
  clearSiteData?: readonly ClearSiteDataType[] | false;
}

export interface ResolvedSealedOptions {
  readonly ring: SealKeyRing;
  readonly cookie: ResolvedCookieOptions;
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly renewAfterMs: number;
  readonly chunking: boolean;
  readonly maxChunks: number;
  readonly maxCookieBytes: number;
  readonly compress: boolean;
  readonly maxDataBytes: number;
  readonly store: SubjectCutoffs | null;
  readonly cacheSize: number;
  readonly clock: Clock;
  readonly random: RandomSource;
}

export function resolveSealedOptions(options: SealedSessionsOptions): ResolvedSealedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('tessera: options are required');
  const lifetime = resolveLifetime(options);
  if (options.store !== undefined && typeof options.store?.getLatestNotBefore !== 'function') {
    throw new TypeError(
      'tessera: store must have getLatestNotBefore and setSubjectNotBefore (any Tessera store)',
    );
  }
  const cookie = resolveCookieOptions(options.cookie);
  return Object.freeze({
    ring: new SealKeyRing(options.keys, cookie.name),
    cookie,
    ...lifetime,
    chunking: options.chunking ?? true,
    maxChunks: integerInRange('maxChunks', options.maxChunks, 3, 1, 16),
    maxCookieBytes: integerInRange('maxCookieBytes', options.maxCookieBytes, 4096, 512, 65536),
    compress: options.compress ?? true,
    maxDataBytes: integerInRange('maxDataBytes', options.maxDataBytes, 16384, 2, 1024 * 1024),
    store: options.store ?? null,
    cacheSize: integerInRange('cacheSize', options.cacheSize, 0, 0, 1_000_000),
    clock: options.clock ?? systemClock,
    random: options.random ?? cryptoRandom,
  });
}
