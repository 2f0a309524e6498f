import { createHash } from 'node:crypto';
import type { RequestFacts } from '../../src/transport/request.js';

/** A request carrying `cookie` (a Cookie header) and optional headers. */
export function facts(cookie: string | null, headers: Record<string, string> = {}): RequestFacts {
  const all: Record<string, string> = { ...headers };
  if (cookie !== null) all.cookie = cookie;
  return { method: 'GET', url: '/', header: (name) => all[name] ?? null, ip: '127.0.0.1' };
}

/** What a browser would send back after `setCookies`, applied over `jar`. */
export function applySetCookies(
  setCookies: readonly string[],
  jar = new Map<string, string>(),
): Map<string, string> {
  for (const line of setCookies) {
    const first = line.split(';')[0] as string;
    const eq = first.indexOf('=');
    const name = first.slice(0, eq);
    if (/;\s*Max-Age=0(;|$)/i.test(line)) jar.delete(name);
    else jar.set(name, first.slice(eq + 1));
  }
  return jar;
}

export function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

export const SECRET_A = 'a-very-long-random-secret-0123456789abcdefABCDEF';
export const SECRET_B = 'another-long-random-secret-ZYXWVUT9876543210zyxw';

/** Deterministic, nearly incompressible text of `length` characters (a SHA-256 chain in base64url). */
export function noise(length: number, seed = 'seed'): string {
  let out = '';
  let block = createHash('sha256').update(seed).digest();
  while (out.length < length) {
    out += block.toString('base64url');
    block = createHash('sha256').update(block).digest();
  }
  return out.slice(0, length);
}
