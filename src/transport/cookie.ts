/**
 * Session cookie serialization and `Cookie` header parsing (RFC 6265bis).
 * Defaults follow OWASP and ASVS 5.0 V3.3: `__Host-session; Path=/; HttpOnly; Secure; SameSite=Strict`, no Domain.
 * An unprefixed name or `httpOnly: false` is a start-up error unless explicitly opted out of (3.3.1, 3.3.4).
 */
export type SameSite = 'Strict' | 'Lax' | 'None';

export interface CookieOptions {
  /**
   * Cookie name. The `__Host-` prefix makes browsers refuse the cookie unless it is Secure, Path=/ and has no
   * Domain, which stops sibling subdomains from planting or overwriting it (RFC 6265bis 4.1.3.2). It must start
   * with `__Host-`, or `__Secure-` (Secure only: needed with a Domain or another Path), written in that case;
   * any other name needs `unsafeAllowUnprefixedName` (ASVS 5.0 3.3.1). Development mode accepts any name.
   * @default '__Host-session' ('tessera-session' in development mode)
   */
  name?: string;
  /** @default '/' */
  path?: string;
  /** Leave unset (host-only). Not allowed with the `__Host-` prefix. @default undefined */
  domain?: string;
  /** @default 'Strict' */
  sameSite?: SameSite;
  /**
   * Keeps the token away from page scripts (and so from XSS). `false` needs `unsafeAllowScriptAccess`
   * (ASVS 5.0 3.3.4).
   * @default true
   */
  httpOnly?: boolean;
  /**
   * Opt-out of the name rule: accept a name without the `__Host-` prefix (or without `__Secure-` when a Domain
   * is set). Such a cookie can be set or overwritten by a sibling subdomain or a plain-HTTP page of the same
   * host (cookie tossing, session fixation), so only set this to keep a legacy name during a migration.
   * @default false
   */
  unsafeAllowUnprefixedName?: boolean;
  /**
   * Opt-out of the HttpOnly rule: accept `httpOnly: false`, so page scripts, and any injected script, can read
   * the session token.
   * @default false
   */
  unsafeAllowScriptAccess?: boolean;
  /**
   * Plain-HTTP development on localhost: drops `Secure` and the `__Host-` default name (a prefixed cookie needs
   * Secure), so the name rule does not apply; the HttpOnly rule still does.
   * Never enable in production; without it, `secure: false` is refused.
   * @default false
   */
  development?: boolean;
  /** Only with `development: true`. @default !development */
  secure?: boolean;
  /**
   * Whether the cookie carries Max-Age (mirroring the session's idle expiry). When false it is a browser-session
   * cookie, and the server's timeouts still apply.
   * @default true
   */
  persistent?: boolean;
}

export interface ResolvedCookieOptions {
  readonly name: string;
  readonly path: string;
  readonly domain: string | undefined;
  readonly sameSite: SameSite;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly persistent: boolean;
}

// RFC 6265 cookie-name is an RFC 7230 token.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// cookie-octet: visible ASCII except space, DQUOTE, comma, semicolon and backslash.
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
const PATH_VALUE = /^\/[\x20-\x3A\x3C-\x7E]*$/;
const DOMAIN_VALUE =
  /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Validates cookie options once, at start-up; impossible or unsafe combinations throw a TypeError. */
export function resolveCookieOptions(options: CookieOptions = {}): ResolvedCookieOptions {
  const development = options.development ?? false;
  const secure = options.secure ?? !development;
  const name = options.name ?? (development ? 'tessera-session' : '__Host-session');
  const path = options.path ?? '/';
  const sameSite = options.sameSite ?? 'Strict';
  const domain = options.domain;
  if (!COOKIE_NAME.test(name))
    throw new TypeError(`tessera: cookie name "${name}" is not a valid cookie name`);
  if (!PATH_VALUE.test(path)) throw new TypeError('tessera: cookie path must start with "/" and hold no ";"');
  if (domain !== undefined && !DOMAIN_VALUE.test(domain))
    throw new TypeError('tessera: cookie domain is not valid');
  if (!['Strict', 'Lax', 'None'].includes(sameSite)) {
    throw new TypeError("tessera: cookie sameSite must be 'Strict', 'Lax' or 'None'");
  }
  if (!secure && !development) {
    throw new TypeError(
      'tessera: a session cookie without Secure needs the explicit `development: true` switch',
    );
  }
  const lower = name.toLowerCase();
  if (lower.startsWith('__host-')) {
    if (!secure) throw new TypeError('tessera: a __Host- cookie must be Secure');
    if (domain !== undefined) throw new TypeError('tessera: a __Host- cookie must not have a Domain');
    if (path !== '/') throw new TypeError('tessera: a __Host- cookie must have Path=/');
  }
  if (lower.startsWith('__secure-') && !secure)
    throw new TypeError('tessera: a __Secure- cookie must be Secure');
  if (sameSite === 'None' && !secure) throw new TypeError('tessera: SameSite=None requires Secure');
  if (!development && options.unsafeAllowUnprefixedName !== true) {
    const problem = prefixProblem(name, domain);
    if (problem !== null) {
      throw new TypeError(
        `tessera: cookie name "${name}" ${problem}, so a sibling subdomain or a plain-HTTP page could set or ` +
          'overwrite it (ASVS 5.0 3.3.1); rename it, or set `unsafeAllowUnprefixedName: true` to accept that',
      );
    }
  }
  const httpOnly = options.httpOnly ?? true;
  if (!httpOnly && options.unsafeAllowScriptAccess !== true) {
    throw new TypeError(
      'tessera: `httpOnly: false` lets page scripts (and XSS) read the session token (ASVS 5.0 3.3.4); ' +
        'set `unsafeAllowScriptAccess: true` to accept that',
    );
  }
  return Object.freeze({
    name,
    path,
    domain,
    sameSite,
    httpOnly,
    secure,
    persistent: options.persistent ?? true,
  });
}

/**
 * Whether a name carries a prefix browsers enforce: `__Host-` or `__Secure-`, in exactly that case (browsers
 * that predate RFC 6265bis's case-insensitive match only honour it so).
 */
export function hasSecurePrefix(name: string): boolean {
  return name.startsWith('__Host-') || name.startsWith('__Secure-');
}

// ASVS 5.0 3.3.1: `__Host-` unless a Domain is needed, then `__Secure-` (a `__Host-` name with a Domain is
// refused above). `__Secure-` without a Domain is accepted: it still guarantees Secure, and allows a Path.
function prefixProblem(name: string, domain: string | undefined): string | null {
  if (domain !== undefined && !name.startsWith('__Secure-')) return 'has a Domain but no __Secure- prefix';
  return hasSecurePrefix(name) ? null : 'has no __Host- (or __Secure-) prefix';
}

/** The attributes part of a `Set-Cookie` (`; Path=…; HttpOnly; Secure; SameSite=…`), as a DBSC credential lists them. */
export function cookieAttributes(options: ResolvedCookieOptions): string {
  // `=; Path=…` without the empty name and value: the attributes as `formatCookie` writes them.
  return formatCookie({ name: '', value: '', options: attributeFields(options) }).slice(1);
}

/** `Set-Cookie` value that stores `value` for `maxAgeSeconds` (or a browser-session cookie when not persistent). */
export function serializeCookie(
  options: ResolvedCookieOptions,
  value: string,
  maxAgeSeconds: number,
): string {
  return formatCookie(cookieFields(options, value, maxAgeSeconds));
}

/** `Set-Cookie` value that deletes the cookie. It repeats Path and Domain, or browsers keep the original. */
export function serializeClearCookie(options: ResolvedCookieOptions): string {
  return formatCookie(clearCookieFields(options));
}

/**
 * A `Set-Cookie` as fields, for frameworks that set cookies from options rather than header strings (Next's
 * `cookies().set(name, value, options)`). It is the one source of the strings: `serializeCookie` and
 * `serializeClearCookie` are `formatCookie` of these fields, and `parseSetCookie` reads a string back.
 */
export interface StructuredCookie {
  readonly name: string;
  readonly value: string;
  readonly options: StructuredCookieOptions;
}

/** The attributes of a `StructuredCookie`, named as cookie libraries name them. */
export interface StructuredCookieOptions {
  readonly path: string;
  readonly domain?: string;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly sameSite: SameSite;
  /** Seconds; absent for a browser-session cookie. */
  readonly maxAge?: number;
  /** Only on a clearing cookie (the epoch), for clients that ignore `Max-Age=0`. */
  readonly expires?: Date;
}

const EPOCH = new Date(0);

/** The fields of the `Set-Cookie` that stores `value` (what `serializeCookie` writes). */
export function cookieFields(
  options: ResolvedCookieOptions,
  value: string,
  maxAgeSeconds: number,
): StructuredCookie {
  if (!COOKIE_VALUE.test(value))
    throw new TypeError('tessera: cookie value holds characters a cookie cannot carry');
  const attributes = attributeFields(options);
  if (!options.persistent) return { name: options.name, value, options: attributes };
  const maxAge = Math.max(0, Math.floor(maxAgeSeconds));
  return { name: options.name, value, options: { ...attributes, maxAge } };
}

/** The fields of the `Set-Cookie` that deletes the cookie (what `serializeClearCookie` writes). */
export function clearCookieFields(options: ResolvedCookieOptions): StructuredCookie {
  return {
    name: options.name,
    value: '',
    options: { ...attributeFields(options), maxAge: 0, expires: EPOCH },
  };
}

function attributeFields(options: ResolvedCookieOptions): StructuredCookieOptions {
  const fields = {
    path: options.path,
    httpOnly: options.httpOnly,
    secure: options.secure,
    sameSite: options.sameSite,
  };
  return options.domain === undefined ? fields : { ...fields, domain: options.domain };
}

/** The `Set-Cookie` value of a structured cookie, attributes in Tessera's order. */
export function formatCookie(cookie: StructuredCookie): string {
  const { options } = cookie;
  let text = `${cookie.name}=${cookie.value}; Path=${options.path}`;
  if (options.domain !== undefined) text += `; Domain=${options.domain}`;
  if (options.httpOnly) text += '; HttpOnly';
  if (options.secure) text += '; Secure';
  text += `; SameSite=${options.sameSite}`;
  if (options.maxAge !== undefined) text += `; Max-Age=${options.maxAge}`;
  if (options.expires !== undefined) text += `; Expires=${options.expires.toUTCString()}`;
  return text;
}

/**
 * Reads back a `Set-Cookie` value Tessera wrote (`formatCookie`'s grammar). Returns null for anything else, so
 * a caller never sets a cookie with attributes it did not understand.
 */
export function parseSetCookie(setCookie: string): StructuredCookie | null {
  const [pair = '', ...attributes] = setCookie.split('; ');
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const name = pair.slice(0, eq);
  const value = pair.slice(eq + 1);
  if (!COOKIE_NAME.test(name) || !COOKIE_VALUE.test(value)) return null;
  const fields: { -readonly [K in keyof StructuredCookieOptions]?: StructuredCookieOptions[K] } = {
    httpOnly: false,
    secure: false,
  };
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const key = at === -1 ? attribute : attribute.slice(0, at);
    const text = at === -1 ? '' : attribute.slice(at + 1);
    if (key === 'Path' && PATH_VALUE.test(text)) fields.path = text;
    else if (key === 'Domain' && DOMAIN_VALUE.test(text)) fields.domain = text;
    else if (key === 'HttpOnly' && at === -1) fields.httpOnly = true;
    else if (key === 'Secure' && at === -1) fields.secure = true;
    else if (key === 'SameSite' && (text === 'Strict' || text === 'Lax' || text === 'None'))
      fields.sameSite = text;
    else if (key === 'Max-Age' && /^\d+$/.test(text)) fields.maxAge = Number(text);
    else if (key === 'Expires' && !Number.isNaN(Date.parse(text))) fields.expires = new Date(text);
    else return null;
  }
  if (fields.path === undefined || fields.sameSite === undefined) return null;
  return { name, value, options: fields as StructuredCookieOptions };
}

/** Largest `Cookie` header Tessera reads; larger ones are refused (most servers cap all headers at 8-16 KiB). */
export const MAX_COOKIE_HEADER_BYTES = 16 * 1024;

export type CookieLookup =
  | { readonly found: false }
  | { readonly found: true; readonly value: string; readonly duplicate: boolean }
  | { readonly found: 'too_large' };

/**
 * Finds one cookie in a `Cookie` header without building a map of all of them.
 * `duplicate` tells that the name appeared more than once (a possible cookie-tossing attempt).
 */
export function readCookie(header: string | null | undefined, name: string): CookieLookup {
  if (header === null || header === undefined || header === '') return { found: false };
  if (header.length > MAX_COOKIE_HEADER_BYTES) return { found: 'too_large' };
  let value = null as string | null;
  let duplicate = false;
  forEachCookie(header, (key, raw) => {
    if (key !== name) return;
    if (value === null) value = raw;
    else duplicate = true;
  });
  return value === null ? { found: false } : { found: true, value, duplicate };
}

/** Parses every cookie of a `Cookie` header into a map (first occurrence wins). */
export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === null || header === undefined || header.length > MAX_COOKIE_HEADER_BYTES) return cookies;
  forEachCookie(header, (key, value) => {
    if (key !== '' && !cookies.has(key)) cookies.set(key, value);
  });
  return cookies;
}

/**
 * Calls `visit(name, value)` for each `name=value` pair of a `Cookie` header, in order, with both trimmed and the
 * value unquoted. Pairs without `=` are skipped. Callers bound the header's size first.
 */
export function forEachCookie(header: string, visit: (name: string, value: string) => void): void {
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end) {
      const raw = header.slice(eq + 1, end).trim();
      const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
      visit(header.slice(start, eq).trim(), value);
    }
    start = end + 1;
  }
}
