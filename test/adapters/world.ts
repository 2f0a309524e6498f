import { type ManualClock, manualClock } from '../../src/core/clock.js';
import type { TesseraEvent } from '../../src/core/events.js';
import { createTessera } from '../../src/core/manager.js';
import type { SessionStore } from '../../src/stores/contract.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';

/**
 * Everything a matrix scenario needs around one adapter: real sessions on a memory store, a clock the tests
 * move, a switch that makes the store fail like a lost connection, and the events the core emitted.
 */
export interface World {
  readonly sessions: HttpSessions;
  readonly clock: ManualClock;
  readonly events: TesseraEvent[];
  /** While true, every store call rejects (the manager turns that into 503 store_unavailable). */
  storeDown: boolean;
}

export const IDLE_SECONDS = 600;
export const ABSOLUTE_SECONDS = 3600;
export const CSRF_SECRET = 'matrix-csrf-secret-0123456789abcdef';

export function createWorld(): World {
  const clock = manualClock();
  const events: TesseraEvent[] = [];
  const world: World = {
    clock,
    events,
    storeDown: false,
    sessions: undefined as unknown as HttpSessions,
  };
  const store = failingWhenDown(new MemoryStore(), () => world.storeDown);
  const manager = createTessera({
    store,
    clock,
    idleTimeout: IDLE_SECONDS,
    absoluteTimeout: ABSOLUTE_SECONDS,
    onEvent: (event) => events.push(event),
  });
  Object.assign(world, { sessions: new HttpSessions(manager, { csrf: { secret: CSRF_SECRET } }) });
  return world;
}

/** Wraps a real store so that its calls reject while `down()` is true, as a store that lost its connection. */
function failingWhenDown(inner: SessionStore, down: () => boolean): SessionStore {
  return new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        down() ? Promise.reject(new Error('connect ECONNREFUSED')) : value.apply(target, args);
    },
  });
}
