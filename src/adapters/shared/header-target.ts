import type { ServerResponse } from 'node:http';
import type { SessionData } from '../../core/session.js';
import { mergeHeaderLists } from '../../transport/pipeline.js';
import type { Header, RequestSession } from '../../transport/request-session.js';
import type { HttpReply } from '../../transport/reply.js';

/** The headers the session decides about; the rest of a response is the application's. */
const SESSION_HEADERS = ['set-cookie', 'cache-control', 'vary', 'clear-site-data'] as const;

/**
 * A response whose headers can still be read and replaced before it is sent: node:http's `ServerResponse`
 * (also under Express), Fastify's reply. Each adapter writes one of these; the merge is written once, here.
 */
export interface HeaderTarget {
  get(name: string): string[];
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
  const apply = (): void => applyHeaders(target, session.headers());
  apply();
  session.onChange(apply);
}

/** Merges headers into a target: `Set-Cookie` by cookie name, `Vary` by token, the others replaced. */
export function applyHeaders(target: HeaderTarget, decided: readonly Header[]): void {
  const existing: Header[] = [];
  for (const name of SESSION_HEADERS) for (const value of target.get(name)) existing.push([name, value]);
  // The common case on every request: nothing set yet, so nothing to merge.
  const merged = existing.length === 0 ? decided : mergeHeaderLists(existing, decided);
  if (existing.length === 0) {
    for (const [name, value] of decided) {
      if (name === 'set-cookie') continue;
      target.set(name, [value]);
    }
    const cookies = decided.filter(([name]) => name === 'set-cookie').map(([, value]) => value);
    if (cookies.length > 0) target.set('set-cookie', cookies);
    return;
  }
  for (const name of SESSION_HEADERS) {
    const values = merged.filter(([n]) => n === name).map(([, v]) => v);
    if (values.length === 0) target.remove(name);
    else target.set(name, values);
  }
}

/** Writes a reply's headers onto a target (before the framework sends status and body). */
export function applyReplyHeaders(target: HeaderTarget, reply: HttpReply): void {
  const session = new Set<string>(SESSION_HEADERS);
  applyHeaders(
    target,
    reply.headers.filter(([name]) => session.has(name)),
  );
  for (const [name, value] of reply.headers) if (!session.has(name)) target.set(name, [value]);
}

/** Normalises a node-style header value (`getHeader`) to a list. */
export function headerList(value: number | string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [String(value)];
}

/** A node:http response as a header target (Express's response is one too). */
export function nodeHeaderTarget(response: ServerResponse): HeaderTarget {
  return {
    get: (name) => headerList(response.getHeader(name)),
    set: (name, values) => {
      response.setHeader(name, name === 'set-cookie' ? [...values] : values.join(', '));
    },
    remove: (name) => response.removeHeader(name),
  };
}
