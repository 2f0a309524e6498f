/**
 * The floor of a networked store: the least a server-side session check over that store can do, with the
 * same driver Tessera uses. The cookie is `sid=<random id>.<random secret>`; the store keeps a record with
 * the SHA-256 of the secret. A check finds the cookie, reads the record by id (one store round trip), hashes
 * the secret, compares the hashes in constant time and checks the expiry. No renewal, events, token format,
 * revocation cut-offs or fault handling: what is left is the driver, node:http and the kernel. Its answers
 * have the HTTP shape of Tessera's (the same status, body and headers, `Cache-Control: no-store` and
 * `Vary: Cookie` included), so the two differ only in how they check the session.
 * The store part is `FloorStore` (redis-floor.ts, postgres-floor.ts).
 */
import * as crypto from 'node:crypto';
import { createServer } from 'node:http';
import { listen, OK_BODY, SUBJECT } from './listen.js';
import { PAYLOAD } from './payload.js';

/** What the floor reads back: only the fields it checks. */
export interface FloorRecord {
  secretHash: string;
  expiresAt: number;
}

export interface FloorStore {
  /** Writes a record for `id` (login; not measured). */
  write(id: string, record: FloorRow): Promise<void>;
  /** One round trip: the record of `id`, or null. */
  read(id: string): Promise<FloorRecord | null>;
  close(): Promise<void>;
}

/** The row a floor store writes: the same fields and data as a Tessera session record, so sizes compare. */
export interface FloorRow {
  subject: string;
  secretHash: string;
  previousSecretHash: null;
  previousSecretValidUntil: null;
  data: typeof PAYLOAD;
  version: number;
  level: number;
  levelAt: null;
  createdAt: number;
  lastSeenAt: number;
  rotatedAt: null;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  ip: null;
  userAgent: null;
}

const NAME = 'sid=';
/** What Tessera sends on an answer that depends on the session (no shared cache may keep it). */
const SESSION_HEADERS = { 'cache-control': 'no-store', vary: 'Cookie', 'content-type': 'application/json' };
const DAY = 86_400_000;

function sha256(text: string): string {
  return crypto.hash('sha256', text, 'base64url');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/** The id and secret of a `Cookie` header, or null. */
function readCookie(header: string | undefined): { id: string; secret: string } | null {
  if (header === undefined) return null;
  const start = header.indexOf(NAME);
  if (start === -1) return null;
  let end = header.indexOf(';', start);
  if (end === -1) end = header.length;
  const dot = header.indexOf('.', start);
  if (dot === -1 || dot > end) return null;
  return { id: header.slice(start + NAME.length, dot), secret: header.slice(dot + 1, end) };
}

/** Serves the floor on `store` (bench routes of listen.ts) until the parent bench goes away. */
export function serveStoreFloor(store: FloorStore): void {
  const server = createServer(async (request, response) => {
    if (request.method === 'POST' && request.url === '/login') {
      const id = crypto.randomBytes(24).toString('base64url');
      const secret = crypto.randomBytes(32).toString('base64url');
      const now = Date.now();
      await store.write(id, {
        subject: SUBJECT,
        secretHash: sha256(secret),
        previousSecretHash: null,
        previousSecretValidUntil: null,
        data: PAYLOAD,
        version: 0,
        level: 1,
        levelAt: null,
        createdAt: now,
        lastSeenAt: now,
        rotatedAt: null,
        idleExpiresAt: now + DAY,
        absoluteExpiresAt: now + DAY,
        ip: null,
        userAgent: null,
      });
      response.writeHead(204, { 'set-cookie': `${NAME}${id}.${secret}; Path=/; HttpOnly; SameSite=Strict` });
      response.end();
      return;
    }
    const cookie = readCookie(request.headers.cookie);
    const record = cookie === null ? null : await store.read(cookie.id);
    if (
      cookie === null ||
      record === null ||
      !sameHash(sha256(cookie.secret), record.secretHash) ||
      record.expiresAt <= Date.now()
    ) {
      response.writeHead(401, SESSION_HEADERS);
      response.end('{"error":{"code":"token_invalid"}}');
      return;
    }
    response.writeHead(200, SESSION_HEADERS);
    response.end(OK_BODY);
  });
  listen(server, () => store.close());
}
