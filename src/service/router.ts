import type { Route } from './context.js';
import { HttpError } from './http-errors.js';

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'method_not_allowed'; readonly allow: string[]; readonly pattern: string }
  | { readonly kind: 'not_found' };

/** One row of `Router.table()`. */
export interface RouteEntry {
  readonly method: Route['method'];
  readonly path: string;
  readonly auth: Route['auth'];
}

interface Compiled {
  readonly route: Route;
  readonly segments: readonly string[];
  /** Number of literal segments: the most specific pattern wins (`/v1/sessions/validate` over `/:id`). */
  readonly literals: number;
}

/** A tiny method + path router with `:param` segments. Parameters are percent-decoded. */
export class Router {
  readonly #routes: Compiled[];

  constructor(routes: readonly Route[]) {
    this.#routes = routes.map((route) => {
      const segments = route.path.split('/').slice(1);
      return { route, segments, literals: segments.filter((s) => !s.startsWith(':') && s !== '*').length };
    });
  }

  /**
   * Every route this router serves, as method, path pattern and auth, in the order given (read-only: the
   * OpenAPI tests compare it with docs/openapi.json). `HEAD` is served wherever `GET` is and is not listed.
   */
  table(): readonly RouteEntry[] {
    return this.#routes.map(({ route }) => ({ method: route.method, path: route.path, auth: route.auth }));
  }

  match(method: string, path: string): RouteMatch {
    const parts = path.split('/').slice(1);
    let best: { compiled: Compiled; params: Record<string, string> }[] = [];
    let bestLiterals = -1;
    for (const compiled of this.#routes) {
      const params = matchSegments(compiled.segments, parts);
      if (params === null) continue;
      if (compiled.literals > bestLiterals) {
        best = [];
        bestLiterals = compiled.literals;
      }
      if (compiled.literals === bestLiterals) best.push({ compiled, params });
    }
    if (best.length === 0) return { kind: 'not_found' };
    const wanted = method === 'HEAD' ? 'GET' : method;
    const hit =
      best.find((candidate) => candidate.compiled.route.method === wanted) ??
      best.find((candidate) => candidate.compiled.route.method === '*');
    if (hit !== undefined) return { kind: 'found', route: hit.compiled.route, params: hit.params };
    const allow: string[] = [...new Set(best.map((candidate) => candidate.compiled.route.method))];
    if (allow.includes('GET')) allow.push('HEAD');
    return { kind: 'method_not_allowed', allow, pattern: best[0]!.compiled.route.path };
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  const rest = pattern.at(-1) === '*';
  if (rest ? parts.length < pattern.length : pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  if (rest) params['*'] = parts.slice(pattern.length - 1).join('/');
  for (let i = 0; i < (rest ? pattern.length - 1 : pattern.length); i++) {
    const expected = pattern[i] as string;
    const actual = parts[i] as string;
    if (expected.startsWith(':')) {
      if (actual === '') return null;
      params[expected.slice(1)] = decodeSegment(actual);
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid_request', 'A path segment is not valid percent-encoding.');
  }
}
