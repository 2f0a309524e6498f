/**
 * A small RFC 6265 (section 5) user-agent model for tests: the Set-Cookie parsing algorithm (5.2),
 * the cookie-date algorithm (5.1.1), and a cookie jar with the storage and retrieval rules (5.3, 5.4).
 * It plays "the browser" for two checks: that it agrees with the http-state vectors, and that every
 * cookie Tessera serializes is read back as intended. SameSite and the cookie prefixes come from
 * RFC 6265bis and are parsed as attributes only.
 */
export interface SetCookieAttributes {
  /** Expiry from Expires (ms), already validated by the cookie-date algorithm. */
  expires?: number;
  /** Max-Age in seconds (may be 0 or negative). */
  maxAge?: number;
  /** Domain, leading dot removed, lower-cased. */
  domain?: string;
  /** Path as given (undefined when absent or not starting with "/"). */
  path?: string;
  secure: boolean;
  httpOnly: boolean;
  /** Raw SameSite value (RFC 6265bis), e.g. `Strict`. */
  sameSite?: string;
  /** Every attribute in order, names as written. */
  list: { name: string; value: string }[];
}

export interface ParsedSetCookie {
  name: string;
  value: string;
  attributes: SetCookieAttributes;
}

const WSP = /^[ \t]+|[ \t]+$/g;
const trim = (text: string): string => text.replace(WSP, '');

/** RFC 6265 5.2. Returns null when the user agent must ignore the whole header. */
export function parseSetCookie(header: string): ParsedSetCookie | null {
  const semicolon = header.indexOf(';');
  const pair = semicolon === -1 ? header : header.slice(0, semicolon);
  const unparsed = semicolon === -1 ? '' : header.slice(semicolon);
  const eq = pair.indexOf('=');
  // RFC 6265: no "=" or an empty name means ignore (RFC 6265bis would keep a nameless cookie instead).
  if (eq === -1) return null;
  const name = trim(pair.slice(0, eq));
  const value = trim(pair.slice(eq + 1));
  if (name === '') return null;
  const attributes: SetCookieAttributes = { secure: false, httpOnly: false, list: [] };
  for (const part of unparsed.split(';').slice(1)) {
    const at = part.indexOf('=');
    const attrName = trim(at === -1 ? part : part.slice(0, at));
    const attrValue = trim(at === -1 ? '' : part.slice(at + 1));
    attributes.list.push({ name: attrName, value: attrValue });
    switch (attrName.toLowerCase()) {
      case 'expires': {
        const time = parseCookieDate(attrValue);
        if (time !== null) attributes.expires = time;
        break;
      }
      case 'max-age': {
        if (/^-?[0-9]+$/.test(attrValue)) attributes.maxAge = Number.parseInt(attrValue, 10);
        break;
      }
      case 'domain': {
        if (attrValue === '') break;
        attributes.domain = (attrValue.startsWith('.') ? attrValue.slice(1) : attrValue).toLowerCase();
        break;
      }
      case 'path':
        attributes.path = attrValue.startsWith('/') ? attrValue : undefined;
        break;
      case 'secure':
        attributes.secure = true;
        break;
      case 'httponly':
        attributes.httpOnly = true;
        break;
      case 'samesite':
        attributes.sameSite = attrValue;
        break;
    }
  }
  return { name, value, attributes };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
const DELIMITER = /[\t\x20-\x2F\x3B-\x40\x5B-\x60\x7B-\x7E]+/;

/** RFC 6265 5.1.1. Returns ms since the epoch, or null when the date must be ignored. */
export function parseCookieDate(text: string): number | null {
  let time: [number, number, number] | null = null;
  let day: number | null = null;
  let month: number | null = null;
  let year: number | null = null;
  for (const token of text.split(DELIMITER)) {
    if (token === '') continue;
    const t = /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D.*)?$/.exec(token);
    if (time === null && t) {
      time = [Number(t[1]), Number(t[2]), Number(t[3])];
      continue;
    }
    const d = /^(\d{1,2})(?:\D.*)?$/.exec(token);
    if (day === null && d) {
      day = Number(d[1]);
      continue;
    }
    const m = MONTHS.indexOf(token.slice(0, 3).toLowerCase());
    if (month === null && token.length >= 3 && m !== -1) {
      month = m;
      continue;
    }
    const y = /^(\d{2,4})(?:\D.*)?$/.exec(token);
    if (year === null && y) {
      year = Number(y[1]);
    }
  }
  if (time === null || day === null || month === null || year === null) return null;
  if (year >= 70 && year <= 99) year += 1900;
  else if (year >= 0 && year <= 69) year += 2000;
  const [hour, minute, second] = time;
  if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59) return null;
  const result = Date.UTC(year, month, day, hour, minute, second);
  // Reject dates that do not exist (30 February): Date.UTC would roll them over.
  if (new Date(result).getUTCDate() !== day) return null;
  return result;
}

interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  hostOnly: boolean;
  secure: boolean;
  httpOnly: boolean;
  expiry: number;
  created: number;
  sequence: number;
}

// Enough of the public suffix list for tests: single-label names are public suffixes.
const isPublicSuffix = (domain: string): boolean => !domain.includes('.');

function domainMatch(host: string, domain: string): boolean {
  if (host === domain) return true;
  return (
    host.endsWith(`.${domain}`) && !/^\d+\.\d+\.\d+\.\d+$/.test(host) && !host.includes(':') && domain !== ''
  );
}

/** RFC 6265 5.1.4. */
export function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith('/')) return '/';
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** A cookie store following RFC 6265 5.3 (storage) and 5.4 (the Cookie header). */
export class CookieJar {
  readonly #cookies: StoredCookie[] = [];
  readonly #now: () => number;
  #sequence = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Receives one Set-Cookie header from a response to `url`. Returns whether a cookie was stored. */
  setCookie(header: string, url: string): boolean {
    const parsed = parseSetCookie(header);
    if (parsed === null) return false;
    const request = new URL(url);
    const host = request.hostname.toLowerCase();
    const now = this.#now();
    const { attributes } = parsed;
    let expiry = Number.POSITIVE_INFINITY;
    if (attributes.maxAge !== undefined) {
      expiry = attributes.maxAge <= 0 ? Number.NEGATIVE_INFINITY : now + attributes.maxAge * 1000;
    } else if (attributes.expires !== undefined) {
      expiry = attributes.expires;
    }
    let domain = attributes.domain ?? '';
    if (domain !== '' && isPublicSuffix(domain)) {
      if (domain !== host) return false;
      domain = '';
    }
    let hostOnly = true;
    if (domain !== '') {
      if (!domainMatch(host, domain)) return false;
      hostOnly = false;
    } else {
      domain = host;
    }
    const path = attributes.path ?? defaultPath(request.pathname);
    const index = this.#cookies.findIndex(
      (c) => c.name === parsed.name && c.domain === domain && c.path === path,
    );
    let created = now;
    this.#sequence += 1;
    let sequence = this.#sequence;
    if (index !== -1) {
      const old = this.#cookies[index] as StoredCookie;
      created = old.created;
      sequence = old.sequence;
      this.#cookies.splice(index, 1);
    }
    if (expiry <= now) return false;
    this.#cookies.push({
      name: parsed.name,
      value: parsed.value,
      domain,
      path,
      hostOnly,
      secure: attributes.secure,
      httpOnly: attributes.httpOnly,
      expiry,
      created,
      sequence,
    });
    return true;
  }

  /** The cookies a request to `url` carries, in RFC 6265 5.4 order (longer paths first, then older). */
  cookiesFor(url: string): { name: string; value: string }[] {
    const request = new URL(url);
    const host = request.hostname.toLowerCase();
    const secure = request.protocol === 'https:';
    const now = this.#now();
    return this.#cookies
      .filter(
        (c) =>
          c.expiry > now &&
          (c.hostOnly ? host === c.domain : domainMatch(host, c.domain)) &&
          pathMatch(request.pathname || '/', c.path) &&
          (!c.secure || secure),
      )
      .sort((a, b) => b.path.length - a.path.length || a.created - b.created || a.sequence - b.sequence)
      .map((c) => ({ name: c.name, value: c.value }));
  }

  /** Every stored, unexpired cookie (for assertions on attributes). */
  all(): readonly Readonly<StoredCookie>[] {
    const now = this.#now();
    return this.#cookies.filter((c) => c.expiry > now);
  }
}
