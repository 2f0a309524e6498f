/**
 * The floor session check, shared by the floor server and the micro bench: the least a server-side session
 * check can do. The cookie is `sid=<random id>.<HMAC-SHA256(id)>`; a check finds the cookie, recomputes the
 * HMAC, compares it in constant time and looks the id up in a Map. No expiry, renewal, events or store API.
 */
import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';

const NAME = 'sid=';

export class FloorSessions {
  // A KeyObject made once: createHmac with a raw Buffer re-imports the key on every call (about 25% slower).
  readonly #key: KeyObject = createSecretKey(randomBytes(32));
  readonly #sessions = new Map<string, { subject: string }>();

  /** Creates a session and returns its `Set-Cookie` value. */
  login(subject: string): string {
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, { subject });
    return `${NAME}${id}.${this.#sign(id).toString('base64url')}; Path=/; HttpOnly; SameSite=Strict`;
  }

  /** The session a `Cookie` header names, or null. */
  check(cookieHeader: string | undefined): { subject: string } | null {
    if (cookieHeader === undefined) return null;
    const start = cookieHeader.indexOf(NAME);
    if (start === -1) return null;
    let end = cookieHeader.indexOf(';', start);
    if (end === -1) end = cookieHeader.length;
    const value = cookieHeader.slice(start + NAME.length, end);
    const dot = value.indexOf('.');
    if (dot === -1) return null;
    const id = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.#sign(id);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return this.#sessions.get(id) ?? null;
  }

  #sign(id: string): Buffer {
    return createHmac('sha256', this.#key).update(id).digest();
  }
}
