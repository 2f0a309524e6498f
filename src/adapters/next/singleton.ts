const REGISTRY = Symbol.for('tessera.next.singletons');

type Registry = Map<string, unknown>;

/**
 * One value per process under `key`, however many times Next loads the module that asks for it. Next bundles
 * `proxy.ts`, route handlers, Server Actions and server components into separate module graphs (and reloads
 * modules on every edit in `next dev`), so a module-level `new MemoryStore()` silently becomes several stores
 * that do not see each other's sessions. `globalThis` is the one object they share in a process.
 *
 * The first call's `create` wins; later calls return its value. Use one key per thing (the store, the
 * manager, the `tesseraNext` object) and keep it stable across builds.
 *
 * @example
 * ```ts
 * export const auth = singleton('auth', () => tesseraNext(new HttpSessions(createTessera({ store: new MemoryStore() }))));
 * ```
 */
export function singleton<T>(key: string, create: () => T): T {
  if (typeof key !== 'string' || key === '') throw new TypeError('tessera: singleton needs a non-empty key');
  if (typeof create !== 'function') throw new TypeError('tessera: singleton needs a create function');
  const holder = globalThis as { [REGISTRY]?: Registry };
  holder[REGISTRY] ??= new Map();
  const registry = holder[REGISTRY];
  if (!registry.has(key)) registry.set(key, create());
  return registry.get(key) as T;
}
