import assert from 'node:assert/strict';
import { parseSetCookie } from '../support/set-cookie-parser.js';

export const COOKIE_NAME = '__Host-session';

export interface CallOptions {
  method?: string;
  /** Session token sent as the session cookie. */
  cookie?: string;
  /** Session token sent as `Authorization: Bearer`. */
  bearer?: string;
  /**
   * `Sec-Fetch-Site` to send. Unsafe requests default to `same-origin` (what a browser sends for its own
   * pages); null sends none (an older browser, or a non-browser client).
   */
  site?: string | null;
  headers?: Record<string, string>;
  /** An urlencoded form body. */
  form?: Record<string, string>;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> & { error?: { code: string; limit?: string; reason?: string } };
  readonly setCookies: string[];
  /** The session cookie value this reply set ('' when it cleared it), or undefined. */
  readonly token: string | undefined;
}

/** One HTTP request the way a browser (or a bearer client) would make it, with the checks every reply owes. */
export async function call(origin: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { ...options.headers };
  const site = options.site === undefined ? (method === 'GET' ? null : 'same-origin') : options.site;
  if (site !== null) headers['sec-fetch-site'] = site;
  if (options.cookie !== undefined) headers.cookie = `${COOKIE_NAME}=${options.cookie}`;
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  let body: string | undefined;
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(origin + path, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  const setCookies = response.headers.getSetCookie();
  // Every response that sets or clears a token carries Cache-Control: no-store.
  if (setCookies.length > 0) {
    assert.match(response.headers.get('cache-control') ?? '', /no-store/, `${method} ${path}: no-store`);
  }
  let token: string | undefined;
  for (const header of setCookies) {
    const parsed = parseSetCookie(header);
    if (parsed?.name === COOKIE_NAME) token = parsed.value;
  }
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? {} : JSON.parse(text),
    setCookies,
    token,
  };
}

/** Asserts a reply cleared the session cookie with the attributes it was set with (or browsers keep it). */
export function assertCleared(reply: Reply): void {
  const cleared = reply.setCookies.map(parseSetCookie).find((cookie) => cookie?.name === COOKIE_NAME);
  assert.ok(cleared, 'the session cookie is cleared');
  assert.equal(cleared.value, '');
  assert.equal(cleared.attributes.maxAge, 0);
  assert.equal(cleared.attributes.path, '/');
  assert.equal(cleared.attributes.secure, true);
  assert.equal(cleared.attributes.httpOnly, true);
  assert.equal(cleared.attributes.sameSite, 'Strict');
  assert.equal(cleared.attributes.domain, undefined);
}

/** Asserts a refusal's status and code. */
export function assertRefused(reply: Reply, status: number, code: string): void {
  assert.equal(
    reply.status,
    status,
    `expected ${status} ${code}, got ${reply.status} ${JSON.stringify(reply.body)}`,
  );
  assert.equal(reply.body.error?.code, code);
  assert.match(reply.headers.get('cache-control') ?? '', /no-store/);
}
