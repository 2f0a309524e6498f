import { type ManualClock, manualClock } from '../../src/core/clock.js';
import type { TesseraEvent } from '../../src/core/events.js';
import { createTessera, type SessionManager } from '../../src/core/manager.js';
import type { TesseraOptions } from '../../src/core/options.js';
import type { SessionStore } from '../../src/core/store.js';
import { T0 } from './fixtures.js';

export interface ManagerHarness {
  manager: SessionManager;
  store: SessionStore;
  clock: ManualClock;
  events: TesseraEvent[];
  /** Store calls by method name, through the counting wrapper the manager uses. */
  calls: Map<string, number>;
  totalCalls(): number;
}

export type WithManager = (
  options: Omit<TesseraOptions, 'store' | 'clock'>,
  body: (harness: ManagerHarness) => Promise<void>,
) => Promise<void>;

/**
 * Wraps a store so every method call is counted. Methods are bound to the real store (private fields).
 * `fault` makes every data method reject, as a store whose server went away does.
 */
export function instrument(
  store: SessionStore,
  calls: Map<string, number>,
  fault: () => boolean = () => false,
): SessionStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      if (property === 'close' || property === 'shardFor') return value.bind(target);
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1);
        if (fault()) return Promise.reject(new Error('connection refused (simulated store fault)'));
        return value.apply(target, args);
      };
    },
  });
}

export function harnessFactory(open: () => Promise<SessionStore>): WithManager {
  return async (options, body) => {
    const real = await open();
    const calls = new Map<string, number>();
    const store = instrument(real, calls);
    const clock = manualClock(T0);
    const events: TesseraEvent[] = [];
    const manager = createTessera({ ...options, store, clock, onEvent: (event) => events.push(event) });
    try {
      await body({
        manager,
        store: real,
        clock,
        events,
        calls,
        totalCalls: () => [...calls.values()].reduce((a, b) => a + b, 0),
      });
    } finally {
      await real.close();
    }
  };
}
