import { cookies, headers } from 'next/headers.js';
import type { SameSite, StructuredCookieOptions } from '../../transport/cookie.js';
import type { RequestFacts } from '../../transport/request.js';

/** What Tessera reads of Next's `headers()`: Next's `ReadonlyHeaders` is one. */
export interface HeaderSource {
  get(name: string): string | null;
}

/** Cookie options as Next's `cookies().set(name, value, options)` takes them. */
export interface NextCookieOptions {
  readonly path: string;
  readonly domain?: string;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly sameSite: Lowercase<SameSite>;
  readonly maxAge?: number;
  readonly expires?: Date;
}

/** What Tessera writes through Next's `cookies()` (writable in Server Actions and route handlers only). */
export interface CookieJar {
  set(name: string, value: string, options: NextCookieOptions): unknown;
}

/** Next's request functions, as the adapter uses them (a seam for tests; the default is `next/headers`). */
export interface NextRequestApi {
  headers(): Promise<HeaderSource>;
  cookies(): Promise<CookieJar>;
}

export const nextRequestApi: NextRequestApi = { headers, cookies };

/**
 * Request facts from `headers()`. Server components and Server Actions see no URL: the path is `/`, which
 * only the CSRF origin check could read, and it falls back to the `Host` header (and Fetch Metadata first).
 */
export function factsFromHeaders(source: HeaderSource, method: string, ip: string | null): RequestFacts {
  return { method, url: '/', header: (name) => source.get(name), ip };
}

/** A structured Tessera cookie in Next's option shape (SameSite in lower case). */
export function nextCookieOptions(options: StructuredCookieOptions): NextCookieOptions {
  const { sameSite, ...rest } = options;
  return { ...rest, sameSite: sameSite.toLowerCase() as Lowercase<SameSite> };
}
