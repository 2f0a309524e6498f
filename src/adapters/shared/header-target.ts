import type { ServerResponse } from 'node:http';
import type { SessionData } from '../../core/session.js';
import { mergeHeaderLists } from '../../transport/pipeline.js';
import type { Header, RequestSession } from '../../transport/request-session.js';
import type { HttpReply } from '../../transport/reply.js';

/** The headers the session decides about; the rest of a response is the application's. */
const SESSION_HEADER_NAMES = ['set-cookie', 'cache-control', 'vary', 'clear-site-data'] as const;
const SESSION_HEADERS: ReadonlySet<string> = new Set(SESSION_HEADER_NAMES);

/**
 * A response whose headers can still be read and replaced before it is sent: node:http's `ServerResponse`
 * (also under Express), Fastify's reply, a Web `Headers`. Each adapter has one of these; the merge is written
 * once, here.
 */
export interface HeaderTarget {
  get(name: string): readonly string[];
  set(name: string, values: readonly string[]): void;
  remove(name: string): void;
}

/**
 * Applies the session's header decision to a response now, and again whenever the decision changes (a login
 * or logout in the route), so what is sent is always the newest decision, merged with headers the
 * application set itself.
 */
export function bindSessionHeaders<Data extends SessionData>(
  target: HeaderTarget,
  session: RequestSession<Data>,
): void {
  applyHeaders(target, session.headers());
  session.onChange(() => applyHeaders(target, session.headers()));
}

/** Merges headers into a target: `Set-Cookie` by cookie name, `Vary` by token, the others replaced. */
export function applyHeaders(target: HeaderTarget, decided: readonly Header[]): void {
  let existing: Header[] | null = null;
  for (const name of SESSION_HEADER_NAMES) {
    const values = target.get(name);
    if (values.length === 0) continue;
    existing ??= [];
    for (const value of values) existing.push([name, value]);
  }
  // The common case, on every request: nothing set yet, so there is nothing to merge or to remove.
  if (existing === null) writeNew(target, decided);
  else writeMerged(target, mergeHeaderLists(existing, decided));
}

/** Onto a target with none of these headers: one `set` per header, all cookies in one. */
function writeNew(target: HeaderTarget, headers: readonly Header[]): void {
  let cookies: string[] | null = null;
  for (const [name, value] of headers) {
    if (name !== 'set-cookie') target.set(name, [value]);
    else if (cookies === null) cookies = [value];
    else cookies.push(value);
  }
  if (cookies !== null) target.set('set-cookie', cookies);
}

/** Replaces each session header with its merged values, removing the ones the merge dropped. */
function writeMerged(target: HeaderTarget, headers: readonly Header[]): void {
  for (const name of SESSION_HEADER_NAMES) {
    const values: string[] = [];
    for (const [header, value] of headers) if (header === name) values.push(value);
    if (values.length > 0) target.set(name, values);
    else target.remove(name);
  }
}

/** Writes a reply's headers onto a target (before the framework sends status and body). */
export function applyReplyHeaders(target: HeaderTarget, reply: HttpReply): void {
  applyHeaders(
    target,
    reply.headers.filter(([name]) => SESSION_HEADERS.has(name)),
  );
  for (const [name, value] of reply.headers) if (!SESSION_HEADERS.has(name)) target.set(name, [value]);
}

/** Normalises a node-style header value (`getHeader`) to a list. */
export function headerList(value: number | string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return NONE;
  return Array.isArray(value) ? [...value] : [String(value)];
}

const NONE: readonly string[] = Object.freeze([]);

/** A node:http response as a header target (Express's response is one too). */
class NodeHeaderTarget implements HeaderTarget {
  readonly #response: ServerResponse;

  constructor(response: ServerResponse) {
    this.#response = response;
  }

  get(name: string): readonly string[] {
    return headerList(this.#response.getHeader(name));
  }

  set(name: string, values: readonly string[]): void {
    this.#response.setHeader(name, name === 'set-cookie' ? [...values] : values.join(', '));
  }

  remove(name: string): void {
    this.#response.removeHeader(name);
  }
}

export function nodeHeaderTarget(response: ServerResponse): HeaderTarget {
  return new NodeHeaderTarget(response);
}

/** A Web `Headers` as a header target (fetch handlers, Hono). */
class WebHeaderTarget implements HeaderTarget {
  readonly #headers: Headers;

  constructor(headers: Headers) {
    this.#headers = headers;
  }

  get(name: string): readonly string[] {
    if (name === 'set-cookie') return this.#headers.getSetCookie();
    const value = this.#headers.get(name);
    return value === null ? NONE : [value];
  }

  set(name: string, values: readonly string[]): void {
    this.#headers.delete(name);
    for (const value of values) this.#headers.append(name, value);
  }

  remove(name: string): void {
    this.#headers.delete(name);
  }
}

export function webHeaderTarget(headers: Headers): HeaderTarget {
  return new WebHeaderTarget(headers);
}
