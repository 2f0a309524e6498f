/**
 * (a) The floor: the least any server-side session check can do. The cookie is `<random id>.<HMAC-SHA256(id)>`;
 * each request recomputes the HMAC, compares it in constant time and looks the id up in a Map. No expiry, no
 * renewal, no events: a session layer cannot be cheaper than this and still check something.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { listen, OK_BODY, SUBJECT } from './listen.js';

const key = randomBytes(32);
const sessions = new Map<string, { subject: string }>();
const NAME = 'sid=';

function sign(id: string): Buffer {
  return createHmac('sha256', key).update(id).digest();
}

function session(cookieHeader: string | undefined): { subject: string } | null {
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
  const expected = sign(id);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return sessions.get(id) ?? null;
}

const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/login') {
    const id = randomBytes(32).toString('base64url');
    sessions.set(id, { subject: SUBJECT });
    response.writeHead(204, {
      'set-cookie': `sid=${id}.${sign(id).toString('base64url')}; Path=/; HttpOnly; SameSite=Strict`,
    });
    response.end();
    return;
  }
  const found = session(request.headers.cookie);
  if (found === null) {
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end('{"error":{"code":"token_invalid"}}');
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(OK_BODY);
});
listen(server);
