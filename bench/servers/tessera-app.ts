/**
 * The Tessera server every HTTP bench measures: `POST /login` issues a session cookie, any other request is
 * validated through HttpSessions + authenticateNode, exactly as an application would do it. Plain HTTP on
 * loopback needs the cookie's explicit development switch; everything else is the default.
 */
import { createServer } from 'node:http';
import { authenticateNode, nodeRequestFacts } from '../../src/adapters/node/index.js';
import type { SessionData } from '../../src/core/session.js';
import { createTessera } from '../../src/core/manager.js';
import type { TesseraOptions } from '../../src/core/options.js';
import type { SessionStore } from '../../src/core/store.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import { listen, OK_BODY, SUBJECT } from './listen.js';

/**
 * Serves Tessera on `store` until the parent bench goes away; `close` runs on the way out. `options` are the
 * manager's (default: the library's defaults). Returns the HttpSessions it serves with (its manager, its cookie name).
 */
export function serveTessera(
  store: SessionStore,
  close: () => Promise<void>,
  loginData?: SessionData,
  options: Omit<TesseraOptions, 'store'> = {},
): HttpSessions {
  const sessions = new HttpSessions(createTessera({ ...options, store }), { cookie: { development: true } });
  const server = createServer(async (request, response) => {
    if (request.method === 'POST' && request.url === '/login') {
      const input = loginData === undefined ? { subject: SUBJECT } : { subject: SUBJECT, data: loginData };
      const issued = await sessions.login(nodeRequestFacts(request), input);
      response.writeHead(204, { 'set-cookie': issued.setCookies, 'cache-control': 'no-store' });
      response.end();
      return;
    }
    const session = await authenticateNode(sessions, request, response);
    if (session === null) return;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(OK_BODY);
  });
  listen(server, close);
  return sessions;
}
