import { MemoryStore } from '../../src/stores/memory/memory-store.js';

/**
 * A memory store with its browse methods (`browseSessions`, `countSessions`) hidden: what a store that does not
 * offer browsing (Redis) looks like to the admin console.
 */
export function unbrowsableStore(): MemoryStore {
  const store = new MemoryStore();
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'browseSessions' || name === 'countSessions') return undefined;
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
