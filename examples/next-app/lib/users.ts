import { scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * The demo's one account (alice / "wonderland"), kept in memory. A real app keeps users in its database and
 * hashes with OWASP's scrypt cost (see examples/express-app/passwords.ts); this cost keeps the demo quick.
 */
const SALT = 'tessera-next-example';
const COST = { N: 2 ** 14, r: 8, p: 1 };
const hash = (password: string): Buffer => scryptSync(password.normalize('NFKC'), SALT, 32, COST);
const USERS = new Map([['alice', hash('wonderland')]]);

/** The user id when the password matches, else null (the same work either way). */
export function checkPassword(username: unknown, password: unknown): string | null {
  if (typeof username !== 'string' || typeof password !== 'string' || password.length > 1024) return null;
  const given = hash(password);
  const stored = USERS.get(username);
  const ok = timingSafeEqual(given, stored ?? given) && stored !== undefined;
  return ok ? username : null;
}
