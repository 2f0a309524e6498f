/** Shared by the next adapter tests: modes, a Next request as its request functions see it. */
import { ResponseCookies } from 'next/dist/compiled/@edge-runtime/cookies/index.js';
import type { NextRequestApi } from '../../src/adapters/next/index.js';
import { createTessera } from '../../src/core/manager.js';
import type { SessionData } from '../../src/core/session.js';
import {
  AccessTokenAuthenticator,
  AccessTokens,
  generateJwtKey,
  JwtKeyRing,
} from '../../src/stateless/jwt/index.js';
import { SealedSessions } from '../../src/stateless/sealed/index.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import type { SessionAuthenticator } from '../../src/transport/authenticator.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import type { RequestFacts } from '../../src/transport/request.js';
import { isCookieMode } from '../../src/transport/session-mode.js';

export const SECRET = 'a-csrf-secret-of-at-least-32-characters!!';
export const ORIGIN = 'http://localhost:3000';

export function serverSide(): HttpSessions<SessionData> {
  return new HttpSessions(createTessera({ store: new MemoryStore() }), {
    cookie: { development: true },
    csrf: { secret: SECRET },
  });
}

export function sealed(): SealedSessions {
  return new SealedSessions({
    keys: [{ id: 'k1', secret: 'a-sealing-secret-of-32-characters-at-least!' }],
    cookie: { development: true },
    csrf: { secret: SECRET },
  });
}

export const facts = (headers: Record<string, string> = {}): RequestFacts => ({
  method: 'POST',
  url: '/',
  ip: null,
  header: (name) => headers[name] ?? null,
});

/** A signed-in cookie header for a cookie mode, as the browser would send it. */
export async function signedIn(
  mode: SessionAuthenticator<SessionData>,
): Promise<{ cookie: string; id: string }> {
  if (!isCookieMode(mode)) throw new TypeError('cookie mode');
  const issued = await mode.login(facts(), { subject: 'alice' });
  const cookie = issued.setCookies.map((c) => c.split(';')[0]).join('; ');
  return { cookie, id: issued.session.id };
}

/**
 * One request as Next's request functions see it: `headers()` keeps one object per request, `cookies()` is
 * Next's own `ResponseCookies` (what Server Actions write through), serialised as Next sends it.
 */
export function nextRequest(headers: Record<string, string>): { api: NextRequestApi; sent: () => string[] } {
  const source = new Headers(headers);
  const response = new Headers();
  const jar = new ResponseCookies(response);
  return {
    api: { headers: async () => source, cookies: async () => jar },
    sent: () => response.getSetCookie(),
  };
}

/** The attributes of a `Set-Cookie`, case-insensitively, as a browser reads them. */
export function attributes(setCookie: string): Record<string, string> {
  const [pair = '', ...rest] = setCookie.split(';').map((part) => part.trim());
  const out: Record<string, string> = { cookie: pair };
  for (const part of rest) {
    const [key = '', value = ''] = part.split('=');
    const name = key.toLowerCase();
    out[name] = name === 'expires' ? String(Date.parse(value)) : value.toLowerCase();
  }
  return out;
}

export function form(fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}

/** An access-token mode (bearer JWTs) and a token for alice. */
export async function accessTokens(): Promise<{ mode: AccessTokenAuthenticator; token: string }> {
  const manager = createTessera({ store: new MemoryStore() });
  const tokens = new AccessTokens({
    keys: new JwtKeyRing([generateJwtKey('EdDSA', 0, 'k1')]),
    issuer: 'iss',
    audience: ['app'],
    manager,
  });
  const login = await manager.create({ subject: 'alice' });
  const token = tokens.issue({ subject: 'alice', sessionId: login.session.id, audience: 'app' }).token;
  return { mode: new AccessTokenAuthenticator(tokens), token };
}
