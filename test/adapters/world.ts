import { type ManualClock, manualClock } from '../../src/core/clock.js';
import type { TesseraEvent } from '../../src/core/events.js';
import { createTessera } from '../../src/core/manager.js';
import type { Session } from '../../src/core/session.js';
import { SealedSessions } from '../../src/stateless/sealed/sealed-sessions.js';
import type { SessionStore } from '../../src/core/store.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import {
  AccessTokenAuthenticator,
  AccessTokens,
  generateJwtKey,
  JwtKeyRing,
} from '../../src/stateless/jwt/index.js';
import type { SessionAuthenticator } from '../../src/transport/authenticator.js';
import { DpopNonces, DpopProofs } from '../../src/stateless/dpop/index.js';
import { DeviceBoundSessions } from '../../src/transport/dbsc/index.js';

/** The session modes every adapter serves through the one request path. */
export type ModeName =
  | 'server-side'
  | 'server-side-dbsc'
  | 'sealed'
  | 'sealed-store'
  | 'access-token'
  | 'access-token-dpop';
/** The modes whose credential is a cookie (`matrix.ts`); access tokens have their own rows (`access-matrix.ts`). */
export const COOKIE_MODES: readonly ModeName[] = ['server-side', 'sealed', 'sealed-store'];
export const ACCESS_TTL_SECONDS = 900;

/**
 * Everything a matrix scenario needs around one adapter: a session mode on a memory store, a clock the tests
 * move, a switch that makes the store fail like a lost connection, the events the core emitted, and a log
 * of store calls.
 */
export interface World {
  readonly name: ModeName;
  readonly mode: SessionAuthenticator;
  readonly clock: ManualClock;
  readonly events: TesseraEvent[];
  /** The store methods called, in order (server-side mode). */
  readonly storeCalls: string[];
  /** While true, every store call rejects (the manager turns that into 503 store_unavailable). */
  storeDown: boolean;
  /** Whether a token stops working at once when its session ends (false for stateless seals). */
  readonly revocable: boolean;
  /** Whether a logged-out token is refused afterwards (server-side; sealed with a store cuts the seal off). */
  readonly logoutEndsCopies: boolean;
  /** `/revoke-others`: ends the subject's other sessions (server-side only). */
  revokeOthers(session: Session): Promise<number>;
  /** DBSC of the server-side-dbsc world (its endpoints are driven in-process; the adapters serve the rest). */
  readonly deviceBound?: DeviceBoundSessions;
  /** An access token for a new session id (access-token modes only); bound to the DPoP key `jkt` when given. */
  issueAccess(subject: string, level?: number, jkt?: string): string;
}

export const IDLE_SECONDS = 600;
export const ABSOLUTE_SECONDS = 3600;
export const CSRF_SECRET = 'matrix-csrf-secret-0123456789abcdef';
const SEAL_SECRET = 'matrix-seal-secret-0123456789abcdef-0123456789';
const DBSC_SECRET = 'matrix-dbsc-secret-0123456789abcdef-0123456789';
const DPOP_SECRET = 'matrix-dpop-secret-0123456789abcdef-0123456789';

export function createWorld(name: ModeName = 'server-side'): World {
  const clock = manualClock();
  const events: TesseraEvent[] = [];
  const storeCalls: string[] = [];
  const world = { name, clock, events, storeCalls, storeDown: false } as World & { storeDown: boolean };
  const store = failingWhenDown(new MemoryStore(), () => world.storeDown, storeCalls);
  const onEvent = (event: TesseraEvent): void => {
    events.push(event);
  };
  if (name === 'server-side' || name === 'server-side-dbsc') {
    const manager = createTessera({
      store,
      clock,
      idleTimeout: IDLE_SECONDS,
      absoluteTimeout: ABSOLUTE_SECONDS,
      onEvent,
    });
    const deviceBound =
      name === 'server-side-dbsc'
        ? new DeviceBoundSessions({ secret: DBSC_SECRET, boundCookieLifetime: 120 })
        : undefined;
    Object.assign(world, {
      mode: new HttpSessions(manager, {
        csrf: { secret: CSRF_SECRET },
        ...(deviceBound === undefined ? {} : { deviceBound }),
      }),
      deviceBound,
      revocable: true,
      logoutEndsCopies: true,
      revokeOthers: (session: Session) => manager.revokeSubject(session.subject, { except: session.id }),
      issueAccess: noAccessTokens,
    });
  } else if (name === 'access-token' || name === 'access-token-dpop') {
    const tokens = new AccessTokens({
      keys: new JwtKeyRing([generateJwtKey('EdDSA', 0, 'matrix')]),
      issuer: 'https://tessera.test',
      audience: 'matrix',
      ttl: ACCESS_TTL_SECONDS,
      clock,
    });
    let sessions = 0;
    // 'access-token-dpop': DPoP (RFC 9449) with server nonces; proofs are recorded in the (failable) store.
    const dpop =
      name === 'access-token-dpop'
        ? { proofs: new DpopProofs({ store, clock, nonces: new DpopNonces({ secret: DPOP_SECRET, clock }) }) }
        : undefined;
    Object.assign(world, {
      mode: new AccessTokenAuthenticator(tokens, dpop === undefined ? {} : { dpop }),
      revocable: false,
      logoutEndsCopies: false,
      revokeOthers: () => Promise.reject(new TypeError('access tokens are revoked through their session')),
      issueAccess: (subject: string, level = 1, jkt?: string) =>
        tokens.issue({
          subject,
          sessionId: `s${String(++sessions).padStart(25, '0')}`,
          level,
          ...(jkt === undefined ? {} : { jkt }),
        }).token,
    });
  } else {
    Object.assign(world, {
      mode: new SealedSessions({
        keys: [{ id: 'k1', secret: SEAL_SECRET }],
        clock,
        idleTimeout: IDLE_SECONDS,
        absoluteTimeout: ABSOLUTE_SECONDS,
        csrf: { secret: CSRF_SECRET },
        onEvent,
        // 'sealed-store': the cut-offs (logout, log out everywhere, end every session) live in the store.
        ...(name === 'sealed-store' ? { store } : {}),
      }),
      revocable: false,
      logoutEndsCopies: name === 'sealed-store',
      revokeOthers: () => Promise.reject(new TypeError('sealed sessions have no per-session revocation')),
      issueAccess: noAccessTokens,
    });
  }
  return world;
}

/** Wraps a real store so that its calls reject while `down()` is true, and logs every call. */
function failingWhenDown(inner: SessionStore, down: () => boolean, calls: string[]): SessionStore {
  return new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return down() ? Promise.reject(new Error('connect ECONNREFUSED')) : value.apply(target, args);
      };
    },
  });
}

function noAccessTokens(): never {
  throw new TypeError('this world issues no access tokens');
}
