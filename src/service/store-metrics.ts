import { performance } from 'node:perf_hooks';
import type { SessionStore } from '../core/store.js';
import type { Metrics } from './metrics.js';

/** Store methods that are not calls to time: synchronous helpers. */
const UNTIMED = new Set<PropertyKey>(['shardFor']);

/**
 * The store as the service's engines see it: every asynchronous method call is timed into
 * `tessera_store_call_duration_seconds` (store kind, method name, ok/error). Methods run on the real store
 * (`this` is the store, so private fields work) and are looked up on every call, so a test that swaps a store
 * method (fault injection) is timed too. The labels are the store kind and the method name, never an argument.
 */
export function timedStore<S extends SessionStore>(store: S, metrics: Metrics): S {
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string' || UNTIMED.has(property)) return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        const started = performance.now();
        const observe = (outcome: 'ok' | 'error'): void =>
          metrics.storeCall(target.kind, property, outcome, (performance.now() - started) / 1000);
        let result: unknown;
        try {
          result = method.apply(target, args);
        } catch (error) {
          observe('error');
          throw error;
        }
        if (!isPromise(result)) return result;
        return result.then(
          (settled) => {
            observe('ok');
            return settled;
          },
          (error: unknown) => {
            observe('error');
            throw error;
          },
        );
      };
    },
  });
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
